using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Indicators;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Examples;

/// <summary>
/// Intraday mean reversion to the session VWAP: buys when a bar closes a given percentage below the session's
/// volume-weighted average price, sells when the close is back at or above it, and closes everything a few minutes
/// before the close (a scheduled callback), so no position is held overnight.
/// </summary>
/// <remarks>
/// Uses only the public API: <see cref="Vwap"/> reset at each session open, <see cref="IStrategyContext.Schedule"/>'s
/// <c>BeforeClose</c> for the flat, intents for orders (sizing and protective exits come from the trade manager).
/// </remarks>
[Strategy("vwap_reversion", Description = "Buys a close far below the session VWAP, exits at the VWAP, flat before the close.")]
public sealed class VwapReversion : IStrategy
{
    private readonly Dictionary<Symbol, SymbolState> _states = [];

    /// <summary>How far below the session VWAP a close must be to buy, in percent of the VWAP.</summary>
    [Parameter("Buy when the close is this many percent below the session VWAP.", Minimum = 0.01, Maximum = 20)]
    public decimal EntryPct { get; init; } = 0.1m;

    /// <summary>Bars of each session to wait before the first entry, while the VWAP settles.</summary>
    [Parameter("Bars after the open before entries are allowed (the VWAP of a few bars is noise).", Minimum = 0, Maximum = 1000)]
    public int SettleBars { get; init; } = 15;

    /// <summary>Minutes before the regular close (the early close on short days) at which every position is closed.</summary>
    [Parameter("Minutes before the close at which every position is closed and entries stop.", Minimum = 1, Maximum = 240)]
    public int FlatMinutesBeforeClose { get; init; } = 10;

    /// <inheritdoc />
    public void ValidateParameters(StrategySetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Timeframe.Duration >= TimeSpan.FromMinutes(FlatMinutesBeforeClose))
        {
            throw new StrategyConfigurationException(
                "strategy.params.flat_minutes_before_close",
                $"must be longer than one bar ({setup.Timeframe}), got {FlatMinutesBeforeClose} minutes.");
        }
    }

    /// <inheritdoc />
    public void Initialize(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _states.Clear();
        foreach (var symbol in context.Symbols)
        {
            _states.Add(symbol, new SymbolState());
        }

        context.Schedule.BeforeClose(FlatMinutesBeforeClose, FlattenAll, "flat_before_close");
    }

    /// <inheritdoc />
    public void OnSessionOpen(Symbol symbol, TradingSession session, IStrategyContext context)
    {
        var state = _states[symbol];
        state.Vwap.Reset();
        state.BarsToday = 0;
        state.Closing = false;
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = _states[bar.Symbol];
        state.Vwap.Update(bar);
        state.BarsToday++;
        if (state.Closing || !state.Vwap.IsReady)
        {
            return;
        }

        var vwap = state.Vwap.Value;
        var close = (double)bar.Close;
        var position = context.PositionOf(bar.Symbol);
        if (position == 0)
        {
            var entryLevel = vwap * (1 - ((double)EntryPct / 100));
            if (state.BarsToday > SettleBars && close <= entryLevel && !context.HasPendingEntry(bar.Symbol))
            {
                context.EnterLong(bar.Symbol, "below_vwap");
            }
        }
        else if (position > 0 && close >= vwap)
        {
            context.Exit(bar.Symbol, "back_at_vwap");
        }
    }

    /// <summary>The scheduled flat: closes every position, cancels pending entries and stops entries until the next session.</summary>
    private void FlattenAll(IStrategyContext context)
    {
        foreach (var symbol in context.Symbols)
        {
            _states[symbol].Closing = true;
            if (context.PositionOf(symbol) != 0 || context.HasPendingEntry(symbol))
            {
                context.Exit(symbol, "flat_before_close");
            }
        }
    }

    private sealed class SymbolState
    {
        public Vwap Vwap { get; } = new();

        public int BarsToday { get; set; }

        public bool Closing { get; set; }
    }
}
