using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Aggregation;

/// <summary>
/// The bar grid of one calendar, timeframe and choice of hours: which window [start, end) an instant falls in.
/// </summary>
/// <remarks>
/// <para>
/// Intraday windows are aligned to the start of their session segment (pre-market, regular, after-hours) and never
/// cross its end: on the NYSE a 5m bar covers 09:30–09:35, a 1h bar 09:30–10:30, a pre-market 1h bar starts at 04:00,
/// the last 1h bar of a 13:00 early close is 12:30–13:00, and the after-hours segment starts a new alignment at the
/// close. A <c>1d</c> window is the whole session: regular hours, or pre-market open to after-hours close when extended
/// hours are on. A <c>1w</c> window runs from the open of the first session of a Monday–Sunday week (exchange dates) to
/// the close of its last session, and a <c>1mo</c> window likewise over a calendar month; the closed time between their
/// sessions is inside the window but has no bars. A 24/7 calendar has one segment per UTC day, so its windows align to
/// UTC midnight.
/// </para>
/// <para>
/// Alignment is measured as elapsed time from the segment start, which is the same as aligning in exchange time
/// whenever no daylight-saving change falls inside a segment (true of every NYSE segment, and of UTC calendars).
/// </para>
/// <para>
/// Instants outside the hours in use (regular, or extended with <see cref="ExtendedHours"/>) have no window.
/// The instance caches the segment (or the closed gap) of the last lookup, so consecutive calls in the same segment
/// are a few arithmetic operations and allocate nothing. Because of that cache an instance is not thread-safe:
/// give each consumer its own.
/// </para>
/// </remarks>
public sealed class BarWindows
{
    private readonly long _timeframeTicks;

    // The segment of the last lookup: windows are cut from [_segmentStart, _segmentEnd). Empty when unset.
    private DateTime _segmentStart;
    private DateTime _segmentEnd;

    // Weekly and monthly grids only: the session of the last lookup. Their segment (the week or month) also spans
    // closed time, which has no window; unbounded for the other grids.
    private DateTime _sessionStart = DateTime.MinValue;
    private DateTime _sessionEnd = DateTime.MaxValue;

    // A closed gap seen by the last lookup outside hours: every instant in [_closedFrom, _closedUntil) has no window.
    private DateTime _closedFrom;
    private DateTime _closedUntil;

    /// <summary>Creates the grid of a calendar and timeframe.</summary>
    /// <param name="calendar">The market calendar whose sessions the windows follow.</param>
    /// <param name="timeframe">The bar length; <c>1d</c> means one window per session.</param>
    /// <param name="extendedHours">True to include the pre-market and after-hours segments.</param>
    /// <exception cref="ArgumentException">The timeframe is the default value.</exception>
    public BarWindows(IMarketCalendar calendar, Timeframe timeframe, bool extendedHours = false)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (timeframe.IsDefault)
        {
            throw new ArgumentException("A bar grid needs a timeframe; got the default value.", nameof(timeframe));
        }

        Calendar = calendar;
        Timeframe = timeframe;
        ExtendedHours = extendedHours;
        _timeframeTicks = timeframe.Ticks;
    }

    /// <summary>The calendar the windows follow.</summary>
    public IMarketCalendar Calendar { get; }

    /// <summary>The bar length.</summary>
    public Timeframe Timeframe { get; }

    /// <summary>True when the pre-market and after-hours segments have windows.</summary>
    public bool ExtendedHours { get; }

    /// <summary>The window containing <paramref name="utc"/>; false when the instant is outside the hours in use.</summary>
    /// <exception cref="ArgumentException">The instant is not a UTC <see cref="DateTime"/>.</exception>
    public bool TryGetWindow(DateTime utc, out BarWindow window)
    {
        if (utc >= _segmentStart && utc < _segmentEnd && utc >= _sessionStart && utc < _sessionEnd && utc.Kind == DateTimeKind.Utc)
        {
            window = Cut(utc);
            return true;
        }

        if (!Locate(utc))
        {
            window = default;
            return false;
        }

        window = Cut(utc);
        return true;
    }

    /// <summary>
    /// The window containing <paramref name="utc"/> or, when the instant is outside the hours in use, the first window
    /// after it (the first window of the next session).
    /// </summary>
    /// <exception cref="ArgumentException">The instant is not a UTC <see cref="DateTime"/>.</exception>
    /// <exception cref="InvalidOperationException">No session opens after the instant within the calendar's range.</exception>
    public BarWindow WindowAtOrAfter(DateTime utc)
    {
        if (TryGetWindow(utc, out var window))
        {
            return window;
        }

        var open = Calendar.NextOpen(utc, ExtendedHours);
        if (!TryGetWindow(open, out window))
        {
            throw new InvalidOperationException(
                $"Calendar '{Calendar.Name}' reports an open at {open:O} that is outside its own sessions.");
        }

        return window;
    }

    /// <summary>
    /// The first window end strictly after <paramref name="utc"/>: the end of the window containing it, or the end of
    /// the first window of the next session. Live mode wakes up at this instant to close bars.
    /// </summary>
    /// <exception cref="ArgumentException">The instant is not a UTC <see cref="DateTime"/>.</exception>
    /// <exception cref="InvalidOperationException">No session opens after the instant within the calendar's range.</exception>
    public DateTime NextWindowEnd(DateTime utc) => WindowAtOrAfter(utc).End;

    /// <summary>Every window of a session, in time order (empty segments, such as a 24/7 market's pre-market, have none).</summary>
    public IEnumerable<BarWindow> WindowsOf(TradingSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (Timeframe.IsDaily)
        {
            return [new BarWindow(session.Open(ExtendedHours), session.Close(ExtendedHours))];
        }

        if (Timeframe.IsMultiSession)
        {
            var (open, close) = PeriodSpan(session);
            return [new BarWindow(open, close)];
        }

        return ExtendedHours
            ? SegmentWindows(session.PreMarketOpen, session.RegularOpen)
                .Concat(SegmentWindows(session.RegularOpen, session.RegularClose))
                .Concat(SegmentWindows(session.RegularClose, session.AfterHoursClose))
            : SegmentWindows(session.RegularOpen, session.RegularClose);
    }

    private IEnumerable<BarWindow> SegmentWindows(DateTime start, DateTime end)
    {
        for (var s = start; s < end; s = s.AddTicks(_timeframeTicks))
        {
            var e = s.AddTicks(_timeframeTicks);
            yield return new BarWindow(s, e < end ? e : end);
        }
    }

    private BarWindow Cut(DateTime utc)
    {
        // A day, week or month segment is shorter than the timeframe's nominal length, so the whole segment is cut.
        var offset = utc.Ticks - _segmentStart.Ticks;
        var startTicks = _segmentStart.Ticks + (offset - (offset % _timeframeTicks));
        var endTicks = startTicks + _timeframeTicks;
        if (endTicks > _segmentEnd.Ticks)
        {
            endTicks = _segmentEnd.Ticks;
        }

        return new BarWindow(new DateTime(startTicks, DateTimeKind.Utc), new DateTime(endTicks, DateTimeKind.Utc));
    }

    // Finds the segment containing utc and caches it; false (and caches the gap) when utc is outside the hours in use.
    private bool Locate(DateTime utc)
    {
        if (utc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC instant (DateTimeKind.Utc), got {utc:O} of kind {utc.Kind}.", nameof(utc));
        }

        if (utc >= _closedFrom && utc < _closedUntil)
        {
            return false;
        }

        var session = Calendar.SessionAt(utc, ExtendedHours);
        if (session is null)
        {
            _closedFrom = utc;
            _closedUntil = Calendar.NextOpen(utc, ExtendedHours);
            return false;
        }

        if (Timeframe.IsDaily)
        {
            (_segmentStart, _segmentEnd) = (session.Open(ExtendedHours), session.Close(ExtendedHours));
        }
        else if (Timeframe.IsMultiSession)
        {
            (_sessionStart, _sessionEnd) = (session.Open(ExtendedHours), session.Close(ExtendedHours));
            if (utc < _segmentStart || utc >= _segmentEnd)
            {
                (_segmentStart, _segmentEnd) = PeriodSpan(session);
            }
        }
        else if (ExtendedHours)
        {
            if (!session.TryGetSegment(utc, out _, out var start, out var end))
            {
                throw new InvalidOperationException(
                    $"Calendar '{Calendar.Name}' places {utc:O} in the session of {session.Date:yyyy-MM-dd} but in none of its segments.");
            }

            (_segmentStart, _segmentEnd) = (start, end);
        }
        else
        {
            (_segmentStart, _segmentEnd) = (session.RegularOpen, session.RegularClose);
        }

        return true;
    }

    /// <summary>The open of the first and the close of the last session of the week or month containing <paramref name="session"/>.</summary>
    private (DateTime Open, DateTime Close) PeriodSpan(TradingSession session)
    {
        var date = session.Date;
        var first = Timeframe.IsWeekly ? date.AddDays(-(((int)date.DayOfWeek + 6) % 7)) : new DateOnly(date.Year, date.Month, 1);
        var last = Timeframe.IsWeekly ? first.AddDays(6) : first.AddMonths(1).AddDays(-1);
        var open = session.Open(ExtendedHours);
        var close = session.Close(ExtendedHours);
        for (var d = date.AddDays(-1); d >= first; d = d.AddDays(-1))
        {
            if (SessionOn(d) is { } s)
            {
                open = s.Open(ExtendedHours);
            }
        }

        for (var d = date.AddDays(1); d <= last; d = d.AddDays(1))
        {
            if (SessionOn(d) is { } s)
            {
                close = s.Close(ExtendedHours);
            }
        }

        return (open, close);
    }

    private TradingSession? SessionOn(DateOnly date)
    {
        try
        {
            return Calendar.GetSession(date);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null; // a week or month reaching past the calendar's years: only its covered part counts
        }
    }
}
