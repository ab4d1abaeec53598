using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Text;

namespace StrategyLab.Data.Time;

/// <summary>
/// Turns a bar's time stamp into its [start, end) span in UTC for one symbol's calendar and timeframe.
/// </summary>
/// <remarks>
/// Intraday: the stamp is the start (or, with <see cref="TimeIs.End"/>, the end); the other edge is one timeframe away,
/// cut at the edge of the calendar segment (pre-market, regular, after-hours) that holds the bar, so an hour bar stamped
/// 15:30 ends at the 16:00 close and one stamped 12:30 on an early-close day ends at 13:00.
/// Daily: the stamp names a session date (the date as written; UTC for Unix stamps; with <see cref="TimeIs.End"/> a stamp at
/// exactly 00:00 names the day before) and the bar spans that session's regular hours.
/// </remarks>
internal sealed class BarSpanResolver
{
    private readonly ExchangeClock _clock;
    private readonly long _timeframeTicks;
    private readonly bool _daily;
    private readonly bool _stampIsEnd;
    private TradingSession? _session;
    private DateTime _segmentStart = DateTime.MaxValue; // the last segment found (empty until then)
    private DateTime _segmentEnd = DateTime.MinValue;

    public BarSpanResolver(IMarketCalendar calendar, Timeframe timeframe, TimeIs timeIs)
    {
        _clock = new ExchangeClock(calendar);
        _timeframeTicks = timeframe.Ticks;
        _daily = timeframe.IsDaily;
        _stampIsEnd = timeIs == TimeIs.End;
    }

    public ExchangeClock Clock => _clock;

    /// <summary>Resolves the span; false with a reason when the stamp cannot name a bar.</summary>
    public bool TryResolve(in ParsedTime time, out DateTime start, out DateTime end, out string? error)
    {
        start = end = default;
        error = null;
        try
        {
            return _daily ? TryResolveDaily(time, out start, out end, out error) : TryResolveIntraday(time, out start, out end, out error);
        }
        catch (ArgumentOutOfRangeException e)
        {
            // The calendar covers a limited range of years.
            error = e.Message.Split('\n')[0];
            return false;
        }
    }

    private bool TryResolveDaily(in ParsedTime time, out DateTime start, out DateTime end, out string? error)
    {
        start = end = default;
        error = null;
        var date = DateOnly.FromDateTime(time.Wall);
        if (_stampIsEnd && time.Kind != TimeTextKind.DateOnly && time.Wall.TimeOfDay == TimeSpan.Zero)
        {
            date = date.AddDays(-1);
        }

        var session = _clock.Calendar.GetSession(date);
        if (session is null)
        {
            error = string.Create(
                CultureInfo.InvariantCulture, $"{date:yyyy-MM-dd} is not a trading day on the {_clock.Calendar.Name} calendar");
            return false;
        }

        start = session.RegularOpen;
        end = session.RegularClose;
        return true;
    }

    private bool TryResolveIntraday(in ParsedTime time, out DateTime start, out DateTime end, out string? error)
    {
        start = end = default;
        error = null;
        DateTime instant;
        switch (time.Kind)
        {
            case TimeTextKind.Offset:
            case TimeTextKind.Unix:
                instant = time.Utc;
                break;
            case TimeTextKind.Naive:
                instant = _clock.ToUtc(time.Wall);
                break;
            default:
                error = "a date without a time of day cannot stamp an intraday bar";
                return false;
        }

        if (_stampIsEnd)
        {
            end = instant;
            if (end.Ticks - _timeframeTicks < DateTime.MinValue.Ticks)
            {
                error = "the time is out of range";
                return false;
            }

            start = new DateTime(end.Ticks - _timeframeTicks, DateTimeKind.Utc);
            if (TryGetSegment(end.AddTicks(-1), out var segmentStart, out _) && segmentStart > start)
            {
                start = segmentStart;
            }

            return true;
        }

        start = instant;
        if (start.Ticks > DateTime.MaxValue.Ticks - _timeframeTicks)
        {
            error = "the time is out of range";
            return false;
        }

        end = new DateTime(start.Ticks + _timeframeTicks, DateTimeKind.Utc);
        if (TryGetSegment(start, out _, out var segmentEnd) && segmentEnd < end)
        {
            end = segmentEnd;
        }

        return true;
    }

    private bool TryGetSegment(DateTime utc, out DateTime segmentStart, out DateTime segmentEnd)
    {
        // Consecutive bars mostly fall in the segment of the one before: it lies inside the cached session, where the
        // lookup below would find it again (segments do not overlap).
        if (utc >= _segmentStart && utc < _segmentEnd)
        {
            (segmentStart, segmentEnd) = (_segmentStart, _segmentEnd);
            return true;
        }

        var session = _session;
        if (session is null || utc < session.PreMarketOpen || utc >= session.AfterHoursClose)
        {
            session = _clock.Calendar.SessionAt(utc, extendedHours: true);
            if (session is null)
            {
                segmentStart = segmentEnd = default;
                return false;
            }

            _session = session;
        }

        if (!session.TryGetSegment(utc, out _, out segmentStart, out segmentEnd))
        {
            return false;
        }

        (_segmentStart, _segmentEnd) = (segmentStart, segmentEnd);
        return true;
    }
}
