using System.Globalization;
using System.Text.Json;
using StrategyLab.Core.Calendar;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Calendar;

/// <summary>
/// Cross-check against an independent source: LEAN's market-hours database (US equity holidays 1998–2028, early
/// closes 1999–2028), read here with a plain JSON reader.
/// </summary>
public class NyseLeanCrossCheckTests
{
    [Fact]
    public void WeekdayHolidays_MatchLean_1998To2028()
    {
        var (holidays, _) = ReadLean();
        var lean = holidays.Where(IsWeekday).ToHashSet();
        var ours = WeekdaysBetween(new DateOnly(1998, 1, 1), new DateOnly(2028, 12, 31))
            .Where(d => NyseCalendar.Instance.GetSession(d) is null)
            .ToHashSet();
        Assert.Equal(lean.Order(), ours.Order());
    }

    [Fact]
    public void EarlyCloses_MatchLean_1999To2028()
    {
        var (_, earlyCloses) = ReadLean();

        // LEAN lists 2017-12-24, a Sunday; only weekdays can be sessions.
        var lean = earlyCloses.Where(e => IsWeekday(e.Key)).ToDictionary();
        var ours = NyseCalendar.Instance.GetSessions(new DateOnly(1999, 1, 1), new DateOnly(2028, 12, 31))
            .Where(s => s.IsEarlyClose)
            .ToDictionary(s => s.Date, s => TimeOnly.FromDateTime(NewYork.ToLocal(s.RegularClose)));

        // The one LEAN lacks: 2005-06-01, closed at 15:56 after a systems problem (NYSE closings history).
        Assert.Equal(new TimeOnly(15, 56), ours[new DateOnly(2005, 6, 1)]);
        ours.Remove(new DateOnly(2005, 6, 1));
        Assert.Equal(lean.OrderBy(e => e.Key), ours.OrderBy(e => e.Key));
    }

    private static (List<DateOnly> Holidays, Dictionary<DateOnly, TimeOnly> EarlyCloses) ReadLean()
    {
        var path = Path.Combine(TestPaths.RequireLean(), "market-hours", "market-hours-database.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var entry = doc.RootElement.GetProperty("entries").GetProperty("Equity-usa-[*]");
        var holidays = entry.GetProperty("holidays").EnumerateArray().Select(h => ParseLeanDate(h.GetString()!)).ToList();
        var early = entry.GetProperty("earlyCloses").EnumerateObject().ToDictionary(
            p => ParseLeanDate(p.Name),
            p => TimeOnly.ParseExact(p.Value.GetString()!, "HH:mm:ss", CultureInfo.InvariantCulture));
        return (holidays, early);
    }

    private static DateOnly ParseLeanDate(string text) =>
        DateOnly.ParseExact(text, ["M/d/yyyy", "MM/dd/yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static bool IsWeekday(DateOnly d) => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    private static IEnumerable<DateOnly> WeekdaysBetween(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            if (IsWeekday(d))
            {
                yield return d;
            }
        }
    }
}
