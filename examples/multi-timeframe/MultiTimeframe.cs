// Multi-timeframe trend following: a 15-minute EMA trend decides the direction, one-minute breakouts time the entry.
// Written on the public API of StrategyLab.Core only: Subscribe (a higher timeframe), History, Plot, intents.
using StrategyLab.Core.Domain;
using StrategyLab.Core.Indicators;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Examples;

/// <summary>
/// On each completed signal bar (15m by default) the strategy updates an EMA of the signal closes: the trend is up when
/// the close is above a rising EMA, down when it is below a falling one, and neutral otherwise. On the run's own bars
/// (1m) it enters on a breakout in the trend's direction (the close beyond the extreme of the previous
/// <see cref="BreakoutBars"/> bars), leaves when the trend stops agreeing with the position, and is flat
/// <see cref="FlatMinutesBeforeClose"/> minutes before the close. The signal EMA is plotted as <c>ema_15m</c>.
/// </summary>
[Strategy("multi_timeframe", Description = "15m EMA trend filter, 1m breakout entries in the trend's direction, flat before the close.")]
public sealed class MultiTimeframe : IStrategy
{
    private readonly Dictionary<Symbol, SymbolState> _states = [];
    private Timeframe _signal;
    private string _plotName = "ema";

    /// <summary>The timeframe of the trend filter, built from the run's bars (a whole multiple of them).</summary>
    [Parameter("Timeframe of the trend filter (a whole multiple of the run's timeframe).")]
    public string SignalTimeframe { get; init; } = "15m";

    /// <summary>EMA period on the signal timeframe.</summary>
    [Parameter("Period of the EMA of signal-bar closes.", Minimum = 2, Maximum = 500)]
    public int TrendPeriod { get; init; } = 8;

    /// <summary>Run bars whose extreme the close must pass to enter.</summary>
    [Parameter("Breakout lookback on the run's bars: the close must pass the high (low) of this many previous bars.", Minimum = 1, Maximum = 240)]
    public int BreakoutBars { get; init; } = 10;

    /// <summary>No entry in the last minutes of a session, and any position is closed then.</summary>
    [Parameter("Minutes before the session close at which the strategy goes flat and stops entering.", Minimum = 0, Maximum = 390)]
    public int FlatMinutesBeforeClose { get; init; } = 15;

    /// <summary>Most entries per symbol and session.</summary>
    [Parameter("Most entries per symbol and session.", Minimum = 1, Maximum = 100)]
    public int MaxEntriesPerSession { get; init; } = 3;

    /// <summary>When true, a down trend is traded short (needs a margin account).</summary>
    [Parameter("Trade down trends short (needs exchange.account: margin).", EnablesShortSelling = true)]
    public bool AllowShort { get; init; }

    /// <inheritdoc />
    public void ValidateParameters(StrategySetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (!Timeframe.TryParse(SignalTimeframe, out var signal))
        {
            throw new StrategyConfigurationException("strategy.params.signal_timeframe", $"'{SignalTimeframe}' is not a timeframe (e.g. \"15m\").");
        }

        if (signal <= setup.Timeframe || !signal.IsMultipleOf(setup.Timeframe))
        {
            throw new StrategyConfigurationException(
                "strategy.params.signal_timeframe",
                $"{signal} cannot be built from the run's {setup.Timeframe} bars: use a longer whole multiple of it.");
        }
    }

    /// <inheritdoc />
    public void Initialize(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _signal = Timeframe.Parse(SignalTimeframe);
        _plotName = "ema_" + _signal;
        foreach (var symbol in context.Symbols)
        {
            _states[symbol] = new SymbolState(new Ema(TrendPeriod));
        }

        context.Subscribe(_signal, OnSignalBar);
    }

    /// <summary>The trend of a symbol now: +1 up, −1 down, 0 neutral or not yet known.</summary>
    public int TrendOf(Symbol symbol) => _states.TryGetValue(symbol, out var s) ? s.Trend : 0;

    /// <inheritdoc />
    public void OnSessionOpen(Symbol symbol, StrategyLab.Core.Calendar.TradingSession session, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(session);
        var state = _states[symbol];
        state.EntriesThisSession = 0;
        state.FlatFromUtc = session.RegularClose.AddMinutes(-FlatMinutesBeforeClose);
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = _states[bar.Symbol];
        var position = context.PositionOf(bar.Symbol);
        if (bar.End >= state.FlatFromUtc)
        {
            if (position != 0)
            {
                context.Exit(bar.Symbol, "session_end");
            }

            return;
        }

        if (position != 0 || state.Trend == 0 || state.EntriesThisSession >= MaxEntriesPerSession || context.HasPendingEntry(bar.Symbol))
        {
            return;
        }

        // The previous BreakoutBars bars (the current one is the last of the history).
        var history = context.History(bar.Symbol, BreakoutBars + 1);
        if (history.Length < BreakoutBars + 1)
        {
            return;
        }

        var high = decimal.MinValue;
        var low = decimal.MaxValue;
        foreach (ref readonly var previous in history[..^1])
        {
            high = Math.Max(high, previous.High);
            low = Math.Min(low, previous.Low);
        }

        if (state.Trend > 0 && bar.Close > high)
        {
            state.EntriesThisSession++;
            context.EnterLong(bar.Symbol, "breakout_long");
        }
        else if (state.Trend < 0 && AllowShort && bar.Close < low)
        {
            state.EntriesThisSession++;
            context.EnterShort(bar.Symbol, "breakout_short");
        }
    }

    /// <summary>A completed signal bar: update the trend, plot the EMA, and leave a position the trend no longer backs.</summary>
    private void OnSignalBar(in Bar bar, IStrategyContext context)
    {
        var state = _states[bar.Symbol];
        var previous = state.Ema.Value;
        var close = (double)bar.Close;
        var ema = state.Ema.Update(close);
        if (!state.Ema.IsReady || double.IsNaN(previous))
        {
            return;
        }

        context.Plot(bar.Symbol, _plotName, ema);
        state.Trend = close > ema && ema > previous ? 1 : close < ema && ema < previous ? -1 : 0;
        var position = context.PositionOf(bar.Symbol);
        if ((position > 0 && state.Trend <= 0) || (position < 0 && state.Trend >= 0))
        {
            context.Exit(bar.Symbol, "trend_flip");
        }
    }

    private sealed class SymbolState(Ema ema)
    {
        public Ema Ema { get; } = ema;

        public int Trend { get; set; }

        public int EntriesThisSession { get; set; }

        public DateTime FlatFromUtc { get; set; } = DateTime.MaxValue;
    }
}
