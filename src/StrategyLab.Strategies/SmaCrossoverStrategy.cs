using System.Globalization;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Indicators;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Strategies;

/// <summary>
/// Moving-average crossover on closes: when the fast SMA crosses above the slow SMA it asks to go long
/// (reason <c>sma_cross_up</c>); when it crosses below it exits the long (reason <c>sma_cross_down</c>) and, when
/// <see cref="AllowShort"/>, goes short. A short is exited by the next cross up, which then goes long.
/// </summary>
/// <remarks>
/// <para>A cross is a change in the sign of <c>fast − slow</c> between two bars on which both averages were ready;
/// bars where they are exactly equal keep the previous sign (so "below, equal, above" is one cross up, on the
/// "above" bar, and "above, equal, above" is no cross). The first bar on which both are ready only records the
/// side: being above when the run starts is not a cross.</para>
/// <para>The sign is decided exactly: both averages keep their window sums of the closes as exact scaled integers
/// (<see cref="ExactSma"/>) and are compared by cross-multiplication, so two averages that are equal in decimal
/// arithmetic (common with cent prices) are equal here, not a rounding-noise cross.</para>
/// <para>A reversal is sent as <c>Exit</c> then <c>Enter</c> on the same bar, so the closed round trip carries the
/// cross as its exit reason. Per-bar work is O(1) and allocation-free.</para>
/// </remarks>
[Strategy(StrategyName, Description = "SMA crossover: long when the fast SMA of closes crosses above the slow one, exit (or short) when it crosses below.")]
public sealed class SmaCrossoverStrategy : IStrategy
{
    /// <summary>Configuration name.</summary>
    public const string StrategyName = "sma_crossover";

    /// <summary>Reason of the intents sent on a cross up.</summary>
    public const string CrossUpReason = "sma_cross_up";

    /// <summary>Reason of the intents sent on a cross down.</summary>
    public const string CrossDownReason = "sma_cross_down";

    /// <summary>Plotted series (over the price chart): the fast average.</summary>
    public const string FastSeries = "sma_fast";

    /// <summary>Plotted series (over the price chart): the slow average.</summary>
    public const string SlowSeries = "sma_slow";

    private const string FastKey = "strategy.params.fast";

    private readonly Dictionary<Symbol, SymbolState> _states = [];

    // The states in first-seen order, and where the next bar's state is expected: the bars of a time slice come in
    // one stable (symbol) order, so the next bar is nearly always the next state's symbol, and the dictionary is
    // only asked when that guess misses (a symbol without a bar in this slice, or the first slices).
    private SymbolState[] _ordered = new SymbolState[8];
    private int _orderedCount;
    private int _expected;

    /// <summary>Period of the fast SMA.</summary>
    [Parameter("Period of the fast SMA of closes (bars); must be below slow.", Minimum = 1, Maximum = 100_000)]
    public int Fast { get; init; } = 10;

    /// <summary>Period of the slow SMA.</summary>
    [Parameter("Period of the slow SMA of closes (bars).", Minimum = 2, Maximum = 100_000)]
    public int Slow { get; init; } = 30;

    /// <summary>True when a cross down goes short.</summary>
    [Parameter("Reverse to short on a cross down instead of only exiting.", EnablesShortSelling = true)]
    public bool AllowShort { get; init; }

    /// <summary>The slow period: no cross can be seen before the slow SMA is ready (it needs one more bar still).</summary>
    public int WarmUpBars => Slow;

    /// <inheritdoc />
    /// <exception cref="StrategyConfigurationException">A period is below 1, or fast ≥ slow; the key is <c>strategy.params.fast</c>.</exception>
    public void ValidateParameters(StrategySetup setup)
    {
        if (Fast < 1)
        {
            throw new StrategyConfigurationException(FastKey, string.Create(CultureInfo.InvariantCulture, $"must be at least 1, got {Fast}."));
        }

        if (Fast >= Slow)
        {
            throw new StrategyConfigurationException(
                FastKey,
                string.Create(CultureInfo.InvariantCulture, $"the fast period ({Fast}) must be shorter than the slow period ({Slow})."));
        }
    }

    /// <inheritdoc />
    /// <exception cref="StrategyConfigurationException">The parameters are invalid (see <see cref="ValidateParameters"/>).</exception>
    public void Initialize(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ValidateParameters(new StrategySetup(context.Timeframe, context.Symbols)); // a strategy created without a runner is checked too
        _states.Clear();
        Array.Clear(_ordered);
        _orderedCount = 0;
        _expected = 0;
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var symbol = bar.Symbol;
        var state = _expected < _orderedCount && ReferenceEquals(_ordered[_expected].Symbol, symbol)
            ? _ordered[_expected]
            : StateOf(symbol);
        _expected = state.Order + 1 == _orderedCount ? 0 : state.Order + 1;

        state.FastSma.Update(bar.Close);
        state.SlowSma.Update(bar.Close);

        // The lines it trades on, over the price chart; without a report they would be dropped, so their values (two
        // divisions each) are not even computed.
        var plot = context.RecordsOverlayPlots;
        if (plot && state.FastSma.IsReady)
        {
            context.Plot(symbol, FastSeries, state.FastSma.Value, PlotPane.Price);
        }

        if (!state.SlowSma.IsReady)
        {
            return; // the fast one is ready first, since fast < slow
        }

        if (plot)
        {
            context.Plot(symbol, SlowSeries, state.SlowSma.Value, PlotPane.Price);
        }

        var sign = state.FastSma.CompareMeanTo(state.SlowSma);
        if (sign == 0)
        {
            return;
        }

        var previous = state.Side;
        state.Side = sign;
        if (previous == 0 || previous == sign)
        {
            return;
        }

        var position = context.PositionOf(symbol);
        if (sign > 0)
        {
            if (position < 0 || (position == 0 && context.HasPendingEntry(symbol)))
            {
                context.Exit(symbol, CrossUpReason);
            }

            if (position <= 0)
            {
                context.EnterLong(symbol, CrossUpReason);
            }
        }
        else
        {
            if (position > 0 || (position == 0 && context.HasPendingEntry(symbol)))
            {
                context.Exit(symbol, CrossDownReason);
            }

            if (AllowShort && position >= 0)
            {
                context.EnterShort(symbol, CrossDownReason);
            }
        }
    }

    /// <summary>The state of <paramref name="symbol"/> from the dictionary, made on its first bar.</summary>
    private SymbolState StateOf(Symbol symbol)
    {
        if (!_states.TryGetValue(symbol, out var state))
        {
            state = new SymbolState(symbol, _orderedCount, Fast, Slow);
            _states.Add(symbol, state);
            if (_orderedCount == _ordered.Length)
            {
                Array.Resize(ref _ordered, _orderedCount * 2);
            }

            _ordered[_orderedCount++] = state;
        }

        return state;
    }

    private sealed class SymbolState(Symbol symbol, int order, int fast, int slow)
    {
        public Symbol Symbol { get; } = symbol;

        /// <summary>The position of this state in first-seen order.</summary>
        public int Order { get; } = order;

        public ExactSma FastSma { get; } = new(fast);

        public ExactSma SlowSma { get; } = new(slow);

        /// <summary>Sign of fast − slow at the last ready bar where they differed; 0 before that.</summary>
        public int Side { get; set; }
    }
}
