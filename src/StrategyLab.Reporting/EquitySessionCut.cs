using StrategyLab.Core.Calendar;
using StrategyLab.Core.Engine;

namespace StrategyLab.Reporting;

/// <summary>
/// Picks the rows of a session-resolution <c>equity.csv</c>: it cuts the marks by exchange-local date of the equity
/// calendar exactly as <see cref="Core.Statistics.StatisticsRecorder"/> cuts its daily series (local midnight, UTC when
/// there is no calendar) and holds each date's latest mark until the next date shows it was the last.
/// </summary>
internal struct EquitySessionCut(IMarketCalendar? calendar)
{
    private DateTime _dateEndUtc = DateTime.MinValue;
    private EquityPoint _last;
    private bool _holding;

    /// <summary>
    /// Takes the next mark. Returns true when it starts a new date (the run's first mark does); then
    /// <paramref name="previousLast"/> is the previous date's last mark unless it was already written.
    /// </summary>
    public bool Add(in EquityPoint point, out EquityPoint? previousLast)
    {
        previousLast = null;
        var newDate = point.TimeUtc >= _dateEndUtc;
        if (newDate)
        {
            if (_holding)
            {
                previousLast = _last;
            }

            _dateEndUtc = NextDateStartUtc(point.TimeUtc);
        }

        _last = point;
        _holding = true;
        return newDate;
    }

    /// <summary>The mark just added was written (the run's first): do not hand it out again.</summary>
    public void MarkWritten() => _holding = false;

    /// <summary>The held mark (the last one so far) if not written yet; it is handed out once.</summary>
    public EquityPoint? TakeUnwritten()
    {
        if (!_holding)
        {
            return null;
        }

        _holding = false;
        return _last;
    }

    private readonly DateTime NextDateStartUtc(DateTime utc)
    {
        if (calendar is null)
        {
            return utc.Date.AddDays(1);
        }

        var date = DateOnly.FromDateTime(calendar.ToExchangeTime(utc));

        // Local midnight of the next date; where a DST change skips midnight, ToUtc maps forward to the date's first instant.
        return calendar.ToUtc(date.AddDays(1).ToDateTime(TimeOnly.MinValue));
    }
}
