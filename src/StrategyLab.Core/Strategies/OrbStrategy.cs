using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Strategies;

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
public sealed class OrbStrategy : IStrategy, ITimeframeAware
{
    /// <summary>Configuration name.</summary>
    public const string StrategyName = "orb";

    /// <summary>Reason of a breakout entry.</summary>
    public const string EntryReason = "orb_breakout";

    /// <summary>Reason of the end-of-day exit.</summary>
    public const string FlattenReason = "flatten";

    private readonly Dictionary<Symbol, SymbolState> _states = [];
    private readonly long _rangeTicks;
    private readonly long _flattenTicks;

    /// <summary>Creates the strategy.</summary>
    /// <exception cref="StrategyConfigurationException">A value is out of range; the key names the parameter.</exception>
    public OrbStrategy(int openingRangeMinutes = 15, int flattenMinutesBeforeClose = 5, bool allowShort = false)
    {
        if (openingRangeMinutes < 1)
        {
            throw new StrategyConfigurationException(
                OrbStrategyFactory.KeyPrefix + OrbStrategyFactory.OpeningRangeMinutes,
                string.Create(CultureInfo.InvariantCulture, $"must be a positive number of minutes, got {openingRangeMinutes}."));
        }

        if (flattenMinutesBeforeClose < 0)
        {
            throw new StrategyConfigurationException(
                OrbStrategyFactory.KeyPrefix + OrbStrategyFactory.FlattenMinutesBeforeClose,
                string.Create(CultureInfo.InvariantCulture, $"must be 0 or more minutes, got {flattenMinutesBeforeClose}."));
        }

        OpeningRangeMinutes = openingRangeMinutes;
        FlattenMinutesBeforeClose = flattenMinutesBeforeClose;
        AllowShort = allowShort;
        _rangeTicks = TimeSpan.TicksPerMinute * openingRangeMinutes;
        _flattenTicks = TimeSpan.TicksPerMinute * flattenMinutesBeforeClose;
    }

    /// <summary>Length N of the opening range, in minutes.</summary>
    public int OpeningRangeMinutes { get; }

    /// <summary>How many minutes before the session's close positions are flattened (M).</summary>
    public int FlattenMinutesBeforeClose { get; }

    /// <summary>True when a breakout below the range low enters short.</summary>
    public bool AllowShort { get; }

    /// <inheritdoc />
    /// <exception cref="StrategyConfigurationException">N is not a positive multiple of the bar timeframe.</exception>
    public void Initialize(IStrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        CheckTimeframe(context.Timeframe);
        _states.Clear();
    }

    /// <summary>
    /// Checks that the opening range is a whole number of <paramref name="timeframe"/> bars (and that the bars are
    /// intraday). <see cref="Initialize"/> calls it; a runner can call it right after creating the strategy to
    /// report the problem before loading any data.
    /// </summary>
    /// <exception cref="StrategyConfigurationException">It is not; the key is <c>strategy.params.opening_range_minutes</c>.</exception>
    public void CheckTimeframe(Timeframe timeframe)
    {
        if (timeframe.IsDefault || timeframe.IsSessionBased || _rangeTicks % timeframe.Ticks != 0)
        {
            throw new StrategyConfigurationException(
                OrbStrategyFactory.KeyPrefix + OrbStrategyFactory.OpeningRangeMinutes,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{OpeningRangeMinutes} minutes is not a whole number of {timeframe} bars; the opening range must be a positive multiple of the bar timeframe."));
        }
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

        state.Begin(session, _rangeTicks, _flattenTicks);
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

            state.Begin(session, _rangeTicks, _flattenTicks);
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

        if (!state.HasRange || state.EnteredThisSession)
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

/// <summary>Creates <see cref="OrbStrategy"/> from <c>strategy.params</c>.</summary>
public sealed class OrbStrategyFactory : IStrategyFactory
{
    /// <summary>Parameter: length of the opening range in minutes.</summary>
    public const string OpeningRangeMinutes = "opening_range_minutes";

    /// <summary>Parameter: minutes before the close at which positions are flattened.</summary>
    public const string FlattenMinutesBeforeClose = "flatten_minutes_before_close";

    /// <summary>Parameter: whether downside breakouts enter short.</summary>
    public const string AllowShort = "allow_short";

    internal const string KeyPrefix = "strategy.params.";

    private static readonly ParameterSpec[] Specs =
    [
        new(OpeningRangeMinutes, ParameterKind.Integer, 15,
            "Length of the opening range in minutes from the regular open; a positive multiple of the bar timeframe.", Minimum: 1, Maximum: 1440),
        new(FlattenMinutesBeforeClose, ParameterKind.Integer, 5,
            "Exit any position and stop entering this many minutes before the session's actual close (early closes respected).", Minimum: 0, Maximum: 1440),
        new(AllowShort, ParameterKind.Boolean, false, "Enter short when a bar closes below the opening range low.", EnablesShortSelling: true),
    ];

    /// <inheritdoc />
    public string Name => OrbStrategy.StrategyName;

    /// <inheritdoc />
    public string Description => "Opening Range Breakout: enter when a bar closes outside the first N minutes' range; flatten before the close.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters => Specs;

    /// <inheritdoc />
    public IStrategy Create(StrategyParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new OrbStrategy(
            parameters.GetInt(OpeningRangeMinutes),
            parameters.GetInt(FlattenMinutesBeforeClose),
            parameters.GetBool(AllowShort));
    }
}
