namespace StrategyLab.Core.Calendar;

/// <summary>
/// The NYSE's recurring holidays and early closes, computed by rule for any year (no table of dates). One-off
/// closures and early closes live in <see cref="NyseSpecialDays"/>.
/// </summary>
/// <remarks>
/// Sources: NYSE Rule 7.2 (holidays and weekend observance), the NYSE holiday pages for 2010–2028, and the NYSE's
/// history of closings (as collected by pandas_market_calendars and exchange_calendars, which agree for 1990 on);
/// cross-checked against the LEAN market-hours database (1998–2028) in the tests.
/// </remarks>
internal static class NyseRules
{
    /// <summary>The regular early close from 1993 on.</summary>
    public static readonly TimeOnly EarlyClose = new(13, 0);

    /// <summary>The regular early close before 1993.</summary>
    public static readonly TimeOnly EarlyCloseBefore1993 = new(14, 0);

    /// <summary>True when the NYSE is closed all day on <paramref name="date"/> for a recurring holiday.</summary>
    public static bool IsHoliday(DateOnly date)
    {
        var year = date.Year;
        return date == NewYearsDay(year)
            || date == MartinLutherKingJrDay(year)
            || date == WashingtonsBirthday(year)
            || date == GoodFriday(year)
            || date == MemorialDay(year)
            || date == Juneteenth(year)
            || date == IndependenceDay(year)
            || date == LaborDay(year)
            || date == ThanksgivingDay(year)
            || date == Christmas(year);
    }

    /// <summary>The scheduled early close of <paramref name="date"/>, or null when it is not a scheduled short day.</summary>
    public static TimeOnly? ScheduledEarlyClose(DateOnly date)
    {
        var year = date.Year;
        if (date == EarlyCloseAroundIndependenceDay(year)
            || date == DayAfterThanksgiving(year)
            || date == ChristmasEve(year))
        {
            return year < 1993 ? EarlyCloseBefore1993 : EarlyClose;
        }

        return null;
    }

    // ---- Holidays (observed dates; null when the holiday is not observed that year) ----

    /// <summary>1 January. When it falls on a Saturday the market stays open on Friday 31 December (year end).</summary>
    public static DateOnly? NewYearsDay(int year) => Observed(new DateOnly(year, 1, 1));

    /// <summary>Third Monday of January, a holiday since 1998.</summary>
    public static DateOnly? MartinLutherKingJrDay(int year) =>
        year >= 1998 ? NthWeekday(year, 1, DayOfWeek.Monday, 3) : null;

    /// <summary>Washington's Birthday (Presidents' Day): third Monday of February.</summary>
    public static DateOnly WashingtonsBirthday(int year) => NthWeekday(year, 2, DayOfWeek.Monday, 3);

    /// <summary>Two days before Western (Gregorian) Easter Sunday.</summary>
    public static DateOnly GoodFriday(int year) => EasterSunday(year).AddDays(-2);

    /// <summary>Last Monday of May.</summary>
    public static DateOnly MemorialDay(int year) => LastWeekday(year, 5, DayOfWeek.Monday);

    /// <summary>19 June, a holiday since 2022 (first observed Monday 20 June 2022).</summary>
    public static DateOnly? Juneteenth(int year) => year >= 2022 ? Observed(new DateOnly(year, 6, 19)) : null;

    /// <summary>4 July.</summary>
    public static DateOnly? IndependenceDay(int year) => Observed(new DateOnly(year, 7, 4));

    /// <summary>First Monday of September.</summary>
    public static DateOnly LaborDay(int year) => NthWeekday(year, 9, DayOfWeek.Monday, 1);

    /// <summary>Fourth Thursday of November.</summary>
    public static DateOnly ThanksgivingDay(int year) => NthWeekday(year, 11, DayOfWeek.Thursday, 4);

    /// <summary>25 December.</summary>
    public static DateOnly? Christmas(int year) => Observed(new DateOnly(year, 12, 25));

    // ---- Scheduled early closes (null when there is none that year) ----

    /// <summary>
    /// The short day next to Independence Day: none before 1995; from 1995, 3 July when it is a Monday, Tuesday or
    /// Thursday; when 4 July is a Thursday, Friday 5 July from 1996 to 2012 and Wednesday 3 July from 2013 on. None when
    /// 4 July falls on a weekend or a Monday (e.g. 2015, 2020, 2021, 2022, 2026).
    /// </summary>
    public static DateOnly? EarlyCloseAroundIndependenceDay(int year)
    {
        if (year < 1995)
        {
            return null;
        }

        var july3 = new DateOnly(year, 7, 3);
        return july3.DayOfWeek switch
        {
            DayOfWeek.Monday or DayOfWeek.Tuesday or DayOfWeek.Thursday => july3,
            DayOfWeek.Wednesday when year >= 2013 => july3,
            DayOfWeek.Wednesday when year >= 1996 => new DateOnly(year, 7, 5),
            _ => null,
        };
    }

    /// <summary>The Friday after Thanksgiving, a short day since 1992.</summary>
    public static DateOnly? DayAfterThanksgiving(int year) => year >= 1992 ? ThanksgivingDay(year).AddDays(1) : null;

    /// <summary>
    /// 24 December when it is a Monday to Thursday. On a Friday it is the observed Christmas holiday; on a weekend there is
    /// no short day (the market does not close early on 23 December).
    /// </summary>
    public static DateOnly? ChristmasEve(int year)
    {
        var eve = new DateOnly(year, 12, 24);
        return eve.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday ? eve : null;
    }

    // ---- Date arithmetic ----

    /// <summary>
    /// NYSE Rule 7.2: a holiday on a Sunday is observed on the Monday after, one on a Saturday on the Friday before,
    /// unless that Friday ends a monthly or yearly accounting period (only New Year's Day, whose Friday is 31 December,
    /// can hit this), in which case the holiday is not observed.
    /// </summary>
    private static DateOnly? Observed(DateOnly holiday)
    {
        switch (holiday.DayOfWeek)
        {
            case DayOfWeek.Sunday:
                return holiday.AddDays(1);
            case DayOfWeek.Saturday:
                var friday = holiday.AddDays(-1);
                return friday.Day == DateTime.DaysInMonth(friday.Year, friday.Month) ? null : friday;
            default:
                return holiday;
        }
    }

    /// <summary>The <paramref name="n"/>-th <paramref name="weekday"/> of a month (n from 1).</summary>
    private static DateOnly NthWeekday(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)weekday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (n - 1)));
    }

    /// <summary>The last <paramref name="weekday"/> of a month.</summary>
    private static DateOnly LastWeekday(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var back = ((int)last.DayOfWeek - (int)weekday + 7) % 7;
        return last.AddDays(-back);
    }

    /// <summary>Western Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }
}
