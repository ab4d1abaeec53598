using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Lean;

/// <summary>
/// Collects the bars of one LEAN hour or daily file read that lie off the calendar, and logs them once at the end of
/// the read (<c>data.bar.off-calendar</c>: a line per kind with the count and the first places), not a line per bar.
/// </summary>
internal sealed class OffCalendarBars(Microsoft.Extensions.Logging.ILogger? logger, Symbol symbol, LeanResolution resolution, string calendar)
{
    private const int MaxExamples = 5;
    private readonly List<string> _closedDays = [];
    private readonly List<string> _outsideSession = [];
    private int _closedDayBars;
    private int _closedDayCount;
    private int _outsideSessionBars;
    private DateOnly _lastClosedDay = DateOnly.MinValue;
    private string? _outsideSessionFile;

    /// <summary>A bar on <paramref name="date"/>, which the calendar says is closed (bars come in date order).</summary>
    public void AddClosedDay(DateOnly date)
    {
        _closedDayBars++;
        if (date == _lastClosedDay)
        {
            return;
        }

        _lastClosedDay = date;
        _closedDayCount++;
        if (_closedDays.Count < MaxExamples)
        {
            _closedDays.Add(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A bar at <paramref name="file"/>:<paramref name="line"/> wholly outside its day's regular session.</summary>
    public void AddOutsideSession(string file, long line)
    {
        _outsideSessionBars++;
        _outsideSessionFile ??= file;
        if (_outsideSession.Count < MaxExamples)
        {
            _outsideSession.Add(line.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Logs what was collected (nothing when the read found no such bar).</summary>
    public void Flush()
    {
        if (logger is null)
        {
            return;
        }

        if (_closedDayBars > 0)
        {
            DataLogEvents.LogBarsOffCalendar(
                logger, symbol.Ticker, resolution.FolderName(), _closedDayBars, _closedDayCount, calendar, Examples(_closedDays, _closedDayCount), null);
        }

        if (_outsideSessionBars > 0)
        {
            DataLogEvents.LogBarsOutsideSession(
                logger, symbol.Ticker, resolution.FolderName(), _outsideSessionBars, calendar, $"{_outsideSessionFile} lines {Examples(_outsideSession, _outsideSessionBars)}", null);
        }
    }

    private static string Examples(List<string> examples, int total) =>
        string.Join(", ", examples) + (total > examples.Count ? ", …" : string.Empty);
}
