using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Strategies;

/// <summary>
/// Opening Range Breakout. The opening range is the high and low of the bars inside the first
/// <see cref="OpeningRangeMinutes"/> of the regular session (bars with start ≥ open and end ≤ open + N). Once it is
/// complete, a bar that <em>closes</em> above the range high asks to go long (below the range low: short, when
/// <see cref="AllowShort"/>). At most one entry per symbol per session. From the session's actual close minus
/// <see cref="FlattenMinutesBeforeClose"/> (early closes respected) it exits any position with reason
/// <c>flatten</c> and takes no new entry.
/// </summary>
/// <remarks>
/// <para>Stop-loss and take-profit are the trade manager's job, not this strategy's.</para>
/// <para>Decisions are taken at a bar's end. With 1-minute bars and a 16:00 close, N = 15 and M = 5: the range is built
/// from the bars [09:30, 09:31) … [09:44, 09:45); the first possible entry is on the bar ending 09:46; the bar ending
/// 15:55 (12:55 on an early close) triggers the flatten. A missing bar inside the range window leaves the range built
/// from the bars that did arrive; a session with no bar inside the window trades nothing.</para>
/// <para>Works unchanged for 24/7 crypto, whose session is the UTC day. A position still open when a new session
/// starts (no bar arrived after the flatten time) is exited on the new session's first bar.</para>
/// <para>Per-bar work is O(1) and allocation-free; per-symbol state is created on the symbol's first bar.</para>
/// </remarks>
[Strategy(StrategyName, Description = "Opening Range Breakout: enter when a bar closes outside the first N minutes' range; flatten before the close.")]
public sealed class OrbStrategy : IStrategy
{
    /// <summary>Configuration name.</summary>
    public const string StrategyName = "orb";

    /// <summary>Reason of a breakout entry.</summary>
    public const string EntryReason = "orb_breakout";

    /// <summary>Reason of the end-of-day exit.</summary>
    public const string FlattenReason = "flatten";

    /// <summary>Plotted series (over the price chart): the opening range high, from the range's end to the flatten.</summary>
    public const string RangeHighSeries = "range_high";

    /// <summary>Plotted series (over the price chart): the opening range low.</summary>
    public const string RangeLowSeries = "range_low";

    private readonly Dictionary<Symbol, SymbolState> _states = [];

    /// <summary>Length N of the opening range, in minutes.</summary>
    [Parameter("Length of the opening range in minutes from the regular open; a positive multiple of the bar timeframe.", Minimum = 1, Maximum = 1440)]
    public int OpeningRangeMinutes { get; init; } = 15;

    /// <summary>How many minutes before the session's close positions are flattened (M).</summary>
    [Parameter("Exit any position and stop entering this many minutes before the session's actual close (early closes respected).", Minimum = 0, Maximum = 1440)]
    public int FlattenMinutesBeforeClose { get; init; } = 5;

    /// <summary>True when a breakout below the range low enters short.</summary>
    [Parameter("Enter short when a bar closes below the opening range low.", EnablesShortSelling = true)]
    public bool AllowShort { get; init; }

    /// <inheritdoc />
    /// <exception cref="StrategyConfigurationException">
    /// A length is out of range, or N is not a positive multiple of the bar timeframe (intraday bars only); the key is
    /// <c>strategy.params.opening_range_minutes</c> or <c>strategy.params.flatten_minutes_before_close</c>.
    /// </exception>
    public void ValidateParameters(StrategySetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (OpeningRangeMinutes < 1)
        {
            throw new StrategyConfigurationException(
                OpeningRangeKey,
                string.Create(CultureInfo.InvariantCulture, $"must be a positive number of minutes, got {OpeningRangeMinutes}."));
        }

        if (FlattenMinutesBeforeClose < 0)
        {
            throw new StrategyConfigurationException(
                "strategy.params.flatten_minutes_before_close",
                string.Create(CultureInfo.InvariantCulture, $"must be 0 or more minutes, got {FlattenMinutesBeforeClose}."));
        }

        var timeframe = setup.Timeframe;
        if (timeframe.IsDefault || timeframe.IsSessionBased || (TimeSpan.TicksPerMinute * OpeningRangeMinutes) % timeframe.Ticks != 0)
        {
            throw new StrategyConfigurationException(
                OpeningRangeKey,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{OpeningRangeMinutes} minutes is not a whole number of {timeframe} bars; the opening range must be a positive multiple of the bar timeframe."));
        }
    }

    /// <inheritdoc />
    /// <exception cref="StrategyConfigurationException">The parameters do not fit the run (see <see cref="ValidateParameters"/>).</exception>
    public void Initialize(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ValidateParameters(new StrategySetup(context.Timeframe, context.Symbols)); // a strategy created without a runner is checked too
        _states.Clear();
    }

    /// <inheritdoc />
    public void OnSessionOpen(Symbol symbol, TradingSession session, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(session);
        var state = StateOf(symbol);
        if (state.Session is { } current && current.Date == session.Date)
        {
            return; // already begun (announced twice, or found from the bar first)
        }

        state.Begin(session, TimeSpan.TicksPerMinute * OpeningRangeMinutes, TimeSpan.TicksPerMinute * FlattenMinutesBeforeClose);
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar, IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var symbol = bar.Symbol;
        var state = StateOf(symbol);
        var session = state.Session;
        if (session is null || bar.Start >= session.AfterHoursClose)
        {
            // No OnSessionOpen for this session (a context that does not announce sessions): find it once.
            session = context.CurrentSession(symbol);
            if (session is null)
            {
                return;
            }

            state.Begin(session, TimeSpan.TicksPerMinute * OpeningRangeMinutes, TimeSpan.TicksPerMinute * FlattenMinutesBeforeClose);
        }

        var position = context.PositionOf(symbol);
        if (bar.End >= state.FlattenAt)
        {
            // End of day: flat, and no new entry today.
            if (position != 0 || context.HasPendingEntry(symbol))
            {
                context.Exit(symbol, FlattenReason);
            }

            return;
        }

        if (position != 0 && !state.EnteredThisSession)
        {
            // Left over from an earlier session (no bar came after its flatten time): close it, then carry on.
            context.Exit(symbol, FlattenReason);
        }

        if (bar.Start < session.RegularOpen)
        {
            return; // pre-market
        }

        if (bar.Start < state.RangeEnd)
        {
            if (bar.End <= state.RangeEnd)
            {
                state.Include(bar.High, bar.Low);
            }

            return;
        }

        if (!state.HasRange)
        {
            return;
        }

        // The levels it trades on, over the price chart (a no-op without a report).
        context.Plot(symbol, RangeHighSeries, (double)state.RangeHigh, PlotPane.Price);
        context.Plot(symbol, RangeLowSeries, (double)state.RangeLow, PlotPane.Price);
        if (state.EnteredThisSession)
        {
            return;
        }

        if (bar.Close > state.RangeHigh)
        {
            state.EnteredThisSession = true;
            context.EnterLong(symbol, EntryReason);
        }
        else if (AllowShort && bar.Close < state.RangeLow)
        {
            state.EnteredThisSession = true;
            context.EnterShort(symbol, EntryReason);
        }
    }

    private const string OpeningRangeKey = "strategy.params.opening_range_minutes";

    private SymbolState StateOf(Symbol symbol)
    {
        if (!_states.TryGetValue(symbol, out var state))
        {
            state = new SymbolState();
            _states.Add(symbol, state);
        }

        return state;
    }

    /// <summary>One symbol's view of the current session.</summary>
    private sealed class SymbolState
    {
        public TradingSession? Session { get; private set; }

        public DateTime RangeEnd { get; private set; }

        public DateTime FlattenAt { get; private set; }

        public bool HasRange { get; private set; }

        public decimal RangeHigh { get; private set; }

        public decimal RangeLow { get; private set; }

        public bool EnteredThisSession { get; set; }

        public void Begin(TradingSession session, long rangeTicks, long flattenTicks)
        {
            Session = session;
            RangeEnd = session.RegularOpen.AddTicks(rangeTicks);
            FlattenAt = session.RegularClose.AddTicks(-flattenTicks);
            HasRange = false;
            RangeHigh = 0;
            RangeLow = 0;
            EnteredThisSession = false;
        }

        public void Include(decimal high, decimal low)
        {
            if (!HasRange)
            {
                RangeHigh = high;
                RangeLow = low;
                HasRange = true;
                return;
            }

            if (high > RangeHigh)
            {
                RangeHigh = high;
            }

            if (low < RangeLow)
            {
                RangeLow = low;
            }
        }
    }
}
