namespace StrategyLab.Tests.Core.Calendar;

/// <summary>
/// New York time worked out by hand from the US daylight-saving rules, independently of NodaTime and of the
/// machine's zone files: EDT (UTC−4) from 02:00 on the second Sunday of March to 02:00 on the first Sunday of
/// November since 2007; from the first Sunday of April to the last Sunday of October in 1987–2006; EST (UTC−5) otherwise.
/// </summary>
internal static class NewYork
{
    /// <summary>The UTC instant of a New York wall time (not inside a DST change hour).</summary>
    public static DateTime Utc(int year, int month, int day, int hour, int minute)
    {
        var date = new DateOnly(year, month, day);
        var (start, end) = DaylightSundays(year);
        var dst = date > start && date < end
            || (date == start && hour >= 3)
            || (date == end && hour < 1);
        var offset = dst ? 4 : 5;
        return new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Utc).AddHours(offset);
    }

    /// <summary>The New York wall time of a UTC instant.</summary>
    public static DateTime ToLocal(DateTime utc)
    {
        var (start, end) = DaylightSundays(utc.Year);
        var dstStartUtc = start.ToDateTime(new TimeOnly(7, 0)); // 02:00 EST
        var dstEndUtc = end.ToDateTime(new TimeOnly(6, 0));     // 02:00 EDT
        var dst = utc >= dstStartUtc && utc < dstEndUtc;
        return DateTime.SpecifyKind(utc.AddHours(dst ? -4 : -5), DateTimeKind.Unspecified);
    }

    private static (DateOnly Start, DateOnly End) DaylightSundays(int year) => year >= 2007
        ? (NthSunday(year, 3, 2), NthSunday(year, 11, 1))
        : (NthSunday(year, 4, 1), LastSunday(year, 10));

    private static DateOnly NthSunday(int year, int month, int n)
    {
        var d = new DateOnly(year, month, 1);
        while (d.DayOfWeek != DayOfWeek.Sunday)
        {
            d = d.AddDays(1);
        }

        return d.AddDays(7 * (n - 1));
    }

    private static DateOnly LastSunday(int year, int month)
    {
        var d = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        while (d.DayOfWeek != DayOfWeek.Sunday)
        {
            d = d.AddDays(-1);
        }

        return d;
    }
}
