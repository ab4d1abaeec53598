namespace StrategyLab.Core.Strategies;

/// <summary>
/// A strategy whose state outlives a run: the runner writes <see cref="SaveState"/> to <c>strategy_state.json</c> in the
/// run folder at the end of every run (and whenever a live or replay run refreshes its report), and a later run (the
/// resume of a live run) can hand it back through <see cref="LoadState"/> before the first bar.
/// </summary>
/// <typeparam name="TState">
/// A plain object that <c>System.Text.Json</c> can serialise and deserialise with its default options (public
/// properties or a record with a constructor; no cycles, no delegates). Keep it small: what the strategy cannot rebuild
/// from its warm-up bars (e.g. a trade counter, the day's last signal), not its indicators.
/// </typeparam>
/// <example>
/// <code>
/// public sealed record VwapState(int TradesToday, DateOnly Day);
/// public sealed class MyStrategy : IStrategy, IStatefulStrategy&lt;VwapState&gt;
/// {
///     public VwapState SaveState() =&gt; new(_tradesToday, _day);
///     public void LoadState(VwapState state) =&gt; (_tradesToday, _day) = (state.TradesToday, state.Day);
///     …
/// }
/// </code>
/// </example>
public interface IStatefulStrategy<TState>
{
    /// <summary>The state to keep, as a fresh object (the caller serialises it at once). Called between bars.</summary>
    TState SaveState();

    /// <summary>Restores a state returned by <see cref="SaveState"/> (after a JSON round trip), before the first bar.</summary>
    void LoadState(TState state);
}
