using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

/// <summary>
/// When a live cycle wakes up: at the next bar boundary on the wall-clock grid of the exchange (aligned to the session
/// open, shortened at an early close) plus a buffer for late prints — not one bar length after the last cycle, which
/// drifts. Pure arithmetic over the calendar; the caller does the waiting.
/// </summary>
public sealed class BarSyncSchedule
{
    private readonly BarWindows _windows;

    /// <summary>Creates the schedule of one market, timeframe and buffer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The buffer is negative.</exception>
    public BarSyncSchedule(IMarketCalendar calendar, Timeframe timeframe, TimeSpan buffer, bool extendedHours = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer, TimeSpan.Zero);
        _windows = new BarWindows(calendar, timeframe, extendedHours);
        Buffer = buffer;
    }

    /// <summary>The wait after a boundary before bars are closed off.</summary>
    public TimeSpan Buffer { get; }

    /// <summary>The bar grid.</summary>
    public BarWindows Windows => _windows;

    /// <summary>
    /// The next wake-up strictly after <paramref name="nowUtc"/>: the first bar boundary B with B + buffer &gt; now,
    /// returned as (B, B + buffer). While the market is closed that is the end of the first bar of the next session.
    /// </summary>
    public (DateTime Boundary, DateTime WakeUtc) Next(DateTime nowUtc)
    {
        // A boundary whose buffer has not yet run out is still ahead of us: look from now − buffer.
        var boundary = _windows.NextWindowEnd(nowUtc - Buffer);
        if (boundary + Buffer <= nowUtc)
        {
            boundary = _windows.NextWindowEnd(boundary);
        }

        return (boundary, boundary + Buffer);
    }
}

/// <summary>Whether a market trades now, and if not, why (for the <c>market.*</c> log events).</summary>
public enum MarketState
{
    /// <summary>In the session (regular, or extended when extended hours are on).</summary>
    Open,

    /// <summary>A weekday before the session opens.</summary>
    BeforeOpen,

    /// <summary>A weekday after the session closed.</summary>
    AfterClose,

    /// <summary>Saturday or Sunday.</summary>
    Weekend,

    /// <summary>A weekday with no session (holiday or one-off closure).</summary>
    Holiday,
}

/// <summary>Classifies instants against a calendar: open, or closed for which reason, and until when.</summary>
public sealed class MarketHoursGate
{
    private readonly IMarketCalendar _calendar;
    private readonly bool _extendedHours;

    /// <summary>Creates a gate over <paramref name="calendar"/>.</summary>
    public MarketHoursGate(IMarketCalendar calendar, bool extendedHours)
    {
        _calendar = calendar;
        _extendedHours = extendedHours;
    }

    /// <summary>The state of the market at <paramref name="nowUtc"/>.</summary>
    public MarketState StateAt(DateTime nowUtc)
    {
        if (_calendar.IsOpen(nowUtc, _extendedHours))
        {
            return MarketState.Open;
        }

        var local = _calendar.ToExchangeTime(nowUtc);
        var session = _calendar.GetSession(DateOnly.FromDateTime(local));
        if (session is null)
        {
            // 24/7 calendars have a session every day, so a missing one is a weekend or a holiday of an exchange.
            return local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? MarketState.Weekend : MarketState.Holiday;
        }

        return nowUtc < session.Open(_extendedHours) ? MarketState.BeforeOpen : MarketState.AfterClose;
    }

    /// <summary>The session in progress at <paramref name="nowUtc"/>, or null.</summary>
    public TradingSession? SessionAt(DateTime nowUtc) => _calendar.SessionAt(nowUtc, _extendedHours);

    /// <summary>The next open strictly after <paramref name="nowUtc"/>.</summary>
    public DateTime NextOpen(DateTime nowUtc) => _calendar.NextOpen(nowUtc, _extendedHours);

    /// <summary>The log event name of a closed state: <c>market.closed.weekend</c>, <c>market.closed.holiday</c>, <c>market.closed.hours</c>.</summary>
    public static string EventName(MarketState state) => state switch
    {
        MarketState.Open => "market.open",
        MarketState.Weekend => "market.closed.weekend",
        MarketState.Holiday => "market.closed.holiday",
        _ => "market.closed.hours",
    };
}
