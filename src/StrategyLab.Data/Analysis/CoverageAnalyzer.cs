using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Analysis;

/// <summary>A stretch of regular trading hours with no bar.</summary>
/// <param name="Session">The session date (exchange-local).</param>
/// <param name="Start">Start of the uncovered interval, UTC.</param>
/// <param name="End">End of the uncovered interval, UTC.</param>
public readonly record struct CoverageGap(DateOnly Session, DateTime Start, DateTime End)
{
    /// <summary>The interval's length.</summary>
    public TimeSpan Duration => End - Start;
}

/// <summary>What a series of bars covers against its calendar.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Timeframe">The bar length.</param>
/// <param name="Calendar">The calendar name.</param>
/// <param name="Bars">Bars seen.</param>
/// <param name="First">The first bar, or null when there were none.</param>
/// <param name="Last">The last bar, or null when there were none.</param>
/// <param name="From">First date of the range checked for missing sessions.</param>
/// <param name="To">Last date of the range checked for missing sessions.</param>
/// <param name="TradingSessions">Trading sessions in [<paramref name="From"/>, <paramref name="To"/>].</param>
/// <param name="SessionsCovered">Sessions with at least one bar.</param>
/// <param name="MissingSessionCount">Trading sessions in the range with no bar.</param>
/// <param name="MissingSessions">The first missing sessions (up to the analyzer's list limit).</param>
/// <param name="GapCount">Uncovered regular-hours intervals inside covered sessions (intraday timeframes only).</param>
/// <param name="GapTotal">Their total length.</param>
/// <param name="Gaps">The first of them (up to the list limit).</param>
/// <param name="BarsOffCalendar">Bars whose start is in no session of the calendar (e.g. a weekend).</param>
public sealed record CoverageReport(
    Symbol Symbol,
    Timeframe Timeframe,
    string Calendar,
    long Bars,
    Bar? First,
    Bar? Last,
    DateOnly From,
    DateOnly To,
    int TradingSessions,
    int SessionsCovered,
    int MissingSessionCount,
    IReadOnlyList<DateOnly> MissingSessions,
    int GapCount,
    TimeSpan GapTotal,
    IReadOnlyList<CoverageGap> Gaps,
    long BarsOffCalendar);

/// <summary>
/// Streams over the bars of one series (in time order) and works out coverage against the calendar: sessions covered,
/// trading sessions with no bar, and — for intraday timeframes — stretches of regular hours no bar covers inside covered
/// sessions. Bars in extended hours count as covering their session but are not checked for gaps.
/// </summary>
public sealed class CoverageAnalyzer
{
    private readonly IMarketCalendar _calendar;
    private readonly ExchangeClock _clock;
    private readonly Symbol _symbol;
    private readonly Timeframe _timeframe;
    private readonly int _listLimit;
    private readonly List<DateOnly> _missing = [];
    private readonly List<CoverageGap> _gaps = [];
    private long _bars;
    private long _offCalendar;
    private Bar _first;
    private Bar _last;
    private TradingSession? _session;
    private DateTime _cursor;
    private DateOnly? _firstDate;
    private DateOnly? _lastDate;
    private int _covered;
    private int _missingCount;
    private int _gapCount;
    private TimeSpan _gapTotal;

    /// <summary>Creates an analyzer for one series.</summary>
    /// <param name="symbol">The instrument.</param>
    /// <param name="timeframe">The bar length.</param>
    /// <param name="calendar">The instrument's calendar.</param>
    /// <param name="listLimit">How many missing sessions and gaps to keep for listing (all are counted).</param>
    public CoverageAnalyzer(Symbol symbol, Timeframe timeframe, IMarketCalendar calendar, int listLimit = 20)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentOutOfRangeException.ThrowIfNegative(listLimit);
        _symbol = symbol;
        _timeframe = timeframe;
        _calendar = calendar;
        _clock = new ExchangeClock(calendar);
        _listLimit = listLimit;
    }

    /// <summary>Adds the next bar (bars must come in start order).</summary>
    public void Add(in Bar bar)
    {
        if (_bars == 0)
        {
            _first = bar;
        }

        _bars++;
        _last = bar;
        var session = SessionOf(bar.Start);
        if (session is null)
        {
            _offCalendar++;
            return;
        }

        if (!ReferenceEquals(session, _session) && session.Date != _session?.Date)
        {
            FinishSession();
            if (_lastDate is { } previous && session.Date > previous.AddDays(1))
            {
                AddMissing(previous.AddDays(1), session.Date.AddDays(-1));
            }

            _firstDate ??= session.Date;
            _lastDate = session.Date;
            _session = session;
            _cursor = session.RegularOpen;
            _covered++;
        }

        if (_timeframe.IsDaily || bar.End <= session.RegularOpen || bar.Start >= session.RegularClose)
        {
            return;
        }

        if (bar.Start > _cursor)
        {
            AddGap(session.Date, _cursor, bar.Start);
        }

        if (bar.End > _cursor)
        {
            _cursor = bar.End;
        }
    }

    /// <summary>
    /// Finishes the analysis. Missing sessions are counted over [<paramref name="from"/>, <paramref name="to"/>]
    /// (default: the dates of the first and last bar).
    /// </summary>
    public CoverageReport Complete(DateOnly? from = null, DateOnly? to = null)
    {
        FinishSession();
        _session = null;
        var first = from ?? _firstDate ?? DateOnly.MinValue;
        var last = to ?? _lastDate ?? DateOnly.MinValue;
        var sessions = 0;
        if (first != DateOnly.MinValue && last >= first)
        {
            sessions = _calendar.GetSessions(first, last).Count();
            if (_firstDate is { } fd && first < fd)
            {
                InsertLeadingMissing(first, fd.AddDays(-1));
            }
            else if (_firstDate is null)
            {
                AddMissing(first, last);
            }

            if (_lastDate is { } ld && last > ld)
            {
                AddMissing(ld.AddDays(1), last);
            }
        }

        return new CoverageReport(
            _symbol, _timeframe, _calendar.Name, _bars, _bars > 0 ? _first : null, _bars > 0 ? _last : null, first, last,
            sessions, _covered, _missingCount, _missing.ToArray(), _gapCount, _gapTotal, _gaps.ToArray(), _offCalendar);
    }

    private TradingSession? SessionOf(DateTime utc)
    {
        if (_session is { } s && utc >= s.PreMarketOpen && utc < s.AfterHoursClose)
        {
            return s;
        }

        if (_timeframe.IsDaily)
        {
            return _calendar.GetSession(_clock.LocalDate(utc));
        }

        return _calendar.SessionAt(utc, extendedHours: true);
    }

    private void FinishSession()
    {
        if (_session is { } s && !_timeframe.IsDaily && _cursor < s.RegularClose)
        {
            AddGap(s.Date, _cursor, s.RegularClose);
        }
    }

    private void AddGap(DateOnly session, DateTime start, DateTime end)
    {
        _gapCount++;
        _gapTotal += end - start;
        if (_gaps.Count < _listLimit)
        {
            _gaps.Add(new CoverageGap(session, start, end));
        }
    }

    private void AddMissing(DateOnly from, DateOnly to)
    {
        foreach (var s in _calendar.GetSessions(from, to))
        {
            _missingCount++;
            if (_missing.Count < _listLimit)
            {
                _missing.Add(s.Date);
            }
        }
    }

    private void InsertLeadingMissing(DateOnly from, DateOnly to)
    {
        var leading = _calendar.GetSessions(from, to).Select(s => s.Date).ToList();
        _missingCount += leading.Count;
        _missing.InsertRange(0, leading);
        if (_missing.Count > _listLimit)
        {
            _missing.RemoveRange(_listLimit, _missing.Count - _listLimit);
        }
    }
}
