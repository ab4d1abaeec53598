using System.Globalization;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Core.Calendar;

/// <summary>
/// Holidays and early closes against the NYSE's published lists, written out by hand (nyse.com holiday pages,
/// 2019–2027; 2025 includes the 9 January day of mourning). Holidays = weekdays without a session; early closes =
/// sessions that close at 13:00.
/// </summary>
public class NyseHolidayTests
{
    private static readonly NyseCalendar Nyse = NyseCalendar.Instance;

    public static TheoryData<int, string[], string[]> PublishedYears => new()
    {
        {
            2019,
            ["2019-01-01", "2019-01-21", "2019-02-18", "2019-04-19", "2019-05-27", "2019-07-04", "2019-09-02", "2019-11-28", "2019-12-25"],
            ["2019-07-03", "2019-11-29", "2019-12-24"]
        },
        {
            2020,
            ["2020-01-01", "2020-01-20", "2020-02-17", "2020-04-10", "2020-05-25", "2020-07-03", "2020-09-07", "2020-11-26", "2020-12-25"],
            ["2020-11-27", "2020-12-24"]
        },
        {
            2021,
            ["2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05", "2021-09-06", "2021-11-25", "2021-12-24"],
            ["2021-11-26"]
        },
        {
            2022,
            ["2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26"],
            ["2022-11-25"]
        },
        {
            2023,
            ["2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19", "2023-07-04", "2023-09-04", "2023-11-23", "2023-12-25"],
            ["2023-07-03", "2023-11-24"]
        },
        {
            2024,
            ["2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"],
            ["2024-07-03", "2024-11-29", "2024-12-24"]
        },
        {
            2025,
            ["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"],
            ["2025-07-03", "2025-11-28", "2025-12-24"]
        },
        {
            2026,
            ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"],
            ["2026-11-27", "2026-12-24"]
        },
        {
            2027,
            ["2027-01-01", "2027-01-18", "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24"],
            ["2027-11-26"]
        },
    };

    [Theory]
    [MemberData(nameof(PublishedYears))]
    public void Holidays_MatchPublishedList(int year, string[] holidays, string[] earlyCloses)
    {
        _ = earlyCloses;
        var actual = Weekdays(year).Where(d => Nyse.GetSession(d) is null).Select(Iso).ToArray();
        Assert.Equal(holidays, actual);
    }

    [Theory]
    [MemberData(nameof(PublishedYears))]
    public void EarlyCloses_MatchPublishedList(int year, string[] holidays, string[] earlyCloses)
    {
        _ = holidays;
        var sessions = Nyse.GetSessions(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31)).ToArray();
        var thirteen = sessions.Where(s => LocalClose(s) == new TimeOnly(13, 0)).Select(s => Iso(s.Date)).ToArray();
        var flagged = sessions.Where(s => s.IsEarlyClose).Select(s => Iso(s.Date)).ToArray();
        Assert.Equal(earlyCloses, thirteen);
        Assert.Equal(earlyCloses, flagged);
        Assert.All(
            sessions.Where(s => !s.IsEarlyClose),
            s => Assert.Equal(new TimeOnly(16, 0), LocalClose(s)));
    }

    [Theory]
    [InlineData(2019, 252)]
    [InlineData(2020, 253)]
    [InlineData(2021, 252)]
    [InlineData(2022, 251)]
    [InlineData(2023, 250)]
    [InlineData(2024, 252)]
    [InlineData(2025, 250)]
    [InlineData(2026, 251)]
    [InlineData(2027, 251)]
    [InlineData(2001, 248)] // four days closed after 9/11
    [InlineData(2012, 250)] // two days closed for Hurricane Sandy
    public void TradingDayCount_PerYear(int year, int expected)
    {
        // Cross-check of the literal: weekdays minus the published weekday holidays.
        var published = PublishedYears.Select(row => (row.Data.Item1, row.Data.Item2.Length)).ToDictionary();
        if (published.TryGetValue(year, out var holidayCount))
        {
            Assert.Equal(expected, Weekdays(year).Count() - holidayCount);
        }

        Assert.Equal(expected, Nyse.GetSessions(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31)).Count());
    }

    [Theory]
    [InlineData("2021-12-31", true)]  // New Year's Day 2022 is a Saturday: NYSE stays open on the year's last day
    [InlineData("2021-12-24", false)] // Christmas 2021 is a Saturday: observed Friday
    [InlineData("2022-06-20", false)] // Juneteenth 2022 is a Sunday: observed Monday
    [InlineData("2022-12-26", false)] // Christmas 2022 is a Sunday: observed Monday
    [InlineData("2027-07-05", false)] // Independence Day 2027 is a Sunday: observed Monday
    [InlineData("2023-01-02", false)] // New Year's Day 2023 is a Sunday: observed Monday
    [InlineData("2010-12-31", true)]  // New Year's Day 2011 is a Saturday
    [InlineData("2004-12-31", true)]  // New Year's Day 2005 is a Saturday
    [InlineData("2026-07-03", false)] // Independence Day 2026 is a Saturday: observed Friday
    [InlineData("2027-06-18", false)] // Juneteenth 2027 is a Saturday: observed Friday
    [InlineData("1997-01-20", true)]  // MLK Day was not an NYSE holiday before 1998
    [InlineData("1998-01-19", false)] // ... and is from 1998
    [InlineData("2021-06-18", true)]  // Juneteenth 2021 (observed Friday federally) was not an NYSE holiday
    [InlineData("2021-06-21", true)]
    [InlineData("2022-01-03", true)]  // no Monday make-up for a Saturday New Year's Day
    public void Observance(string date, bool trades)
    {
        Assert.Equal(trades, Nyse.GetSession(D(date)) is not null);
    }

    [Theory]
    [InlineData("1994-04-27")] // Nixon funeral
    [InlineData("2001-09-11")]
    [InlineData("2001-09-12")]
    [InlineData("2001-09-13")]
    [InlineData("2001-09-14")]
    [InlineData("2004-06-11")] // Reagan
    [InlineData("2007-01-02")] // Ford
    [InlineData("2012-10-29")] // Hurricane Sandy
    [InlineData("2012-10-30")]
    [InlineData("2018-12-05")] // G. H. W. Bush
    [InlineData("2025-01-09")] // Carter
    public void OneOffClosures_AreClosed(string date)
    {
        var d = D(date);
        Assert.NotEqual(DayOfWeek.Saturday, d.DayOfWeek);
        Assert.NotEqual(DayOfWeek.Sunday, d.DayOfWeek);
        Assert.False(NyseRules.IsHoliday(d));
        Assert.Null(Nyse.GetSession(d));
    }

    [Theory]
    [InlineData("1990-12-24", "09:30", "14:00")] // Christmas Eve before 1993: 14:00
    [InlineData("1992-11-27", "09:30", "14:00")] // first day-after-Thanksgiving short day
    [InlineData("1993-11-26", "09:30", "13:00")]
    [InlineData("1994-02-11", "09:30", "14:30")] // snowstorm
    [InlineData("1995-07-03", "09:30", "13:00")] // first day-before-Independence-Day short day
    [InlineData("1996-01-08", "11:00", "14:00")] // snowstorm: late open and early close
    [InlineData("1996-07-05", "09:30", "13:00")] // 4 July on Thursday before 2013: Friday after is short
    [InlineData("1997-10-27", "09:30", "15:30")] // circuit breaker
    [InlineData("1997-12-26", "09:30", "13:00")] // Friday after Christmas
    [InlineData("2002-07-05", "09:30", "13:00")]
    [InlineData("2002-09-11", "12:00", "16:00")] // anniversary of 9/11: noon open
    [InlineData("2003-12-26", "09:30", "13:00")]
    [InlineData("2005-06-01", "09:30", "15:56")]
    [InlineData("2013-07-03", "09:30", "13:00")] // from 2013 the Wednesday before is short ...
    [InlineData("2013-07-05", "09:30", "16:00")] // ... and the Friday after is a full day
    [InlineData("2008-12-26", "09:30", "16:00")] // no early close the Friday after a Thursday Christmas
    [InlineData("2025-12-26", "09:30", "16:00")]
    [InlineData("1990-11-23", "09:30", "16:00")] // the day after Thanksgiving was a full day before 1992
    [InlineData("1991-07-03", "09:30", "16:00")] // no Independence Day short day before 1995
    [InlineData("1999-12-31", "09:30", "16:00")] // Y2K eve was a full day
    public void SpecialAndHistoricalHours(string date, string open, string close)
    {
        var s = Nyse.GetSession(D(date));
        Assert.NotNull(s);
        Assert.Equal(TimeOnly.Parse(open, CultureInfo.InvariantCulture), LocalTime(s.RegularOpen));
        Assert.Equal(TimeOnly.Parse(close, CultureInfo.InvariantCulture), LocalClose(s));
        Assert.Equal(close != "16:00", s.IsEarlyClose);
    }

    [Theory]
    [InlineData(1990, "04-15")]
    [InlineData(2000, "04-23")]
    [InlineData(2008, "03-23")]
    [InlineData(2011, "04-24")]
    [InlineData(2019, "04-21")]
    [InlineData(2024, "03-31")]
    [InlineData(2038, "04-25")] // latest possible date
    [InlineData(2049, "04-18")]
    [InlineData(2100, "03-28")]
    public void EasterSunday_KnownDates(int year, string monthDay)
    {
        Assert.Equal(D($"{year}-{monthDay}"), NyseRules.EasterSunday(year));
        Assert.Null(Nyse.GetSession(D($"{year}-{monthDay}").AddDays(-2))); // Good Friday
    }

    [Fact]
    public void EveryYear_HasTheExpectedNumberOfWeekdayHolidays_AndOnlyExpectedShortDays()
    {
        for (var year = MarketCalendar.MinYear; year <= MarketCalendar.MaxYear; year++)
        {
            var closedWeekdays = Weekdays(year).Count(d => Nyse.GetSession(d) is null && NyseSpecialDays.Find(d) is null);

            // 8 holidays + MLK Day (1998+) + Juneteenth (2022+), minus New Year's Day when it is a Saturday.
            var expected = 8 + (year >= 1998 ? 1 : 0) + (year >= 2022 ? 1 : 0)
                - (new DateOnly(year, 1, 1).DayOfWeek == DayOfWeek.Saturday ? 1 : 0);
            Assert.True(expected == closedWeekdays, $"{year}: {closedWeekdays} weekday holidays, expected {expected}");

            foreach (var s in Nyse.GetSessions(new DateOnly(year, 1, 1), new DateOnly(year, 12, 31)))
            {
                if (s.IsEarlyClose && NyseSpecialDays.Find(s.Date) is null)
                {
                    var md = (s.Date.Month, s.Date.Day);
                    var known = md is (7, 3) or (7, 5) or (12, 24) || (s.Date.Month == 11 && s.Date.DayOfWeek == DayOfWeek.Friday);
                    Assert.True(known, $"Unexpected early close {Iso(s.Date)}");
                    Assert.Equal(year < 1993 ? new TimeOnly(14, 0) : new TimeOnly(13, 0), LocalClose(s));
                }
            }
        }
    }

    [Fact]
    public void SpecialDays_FallOnOrdinaryWeekdays_AndAreSorted()
    {
        var all = NyseSpecialDays.All;
        Assert.Equal(all.OrderBy(d => d.Date), all);
        Assert.Equal(all.Count, all.Select(d => d.Date).Distinct().Count());
        foreach (var day in all)
        {
            Assert.InRange(day.Date.Year, MarketCalendar.MinYear, MarketCalendar.MaxYear);
            Assert.NotEqual(DayOfWeek.Saturday, day.Date.DayOfWeek);
            Assert.NotEqual(DayOfWeek.Sunday, day.Date.DayOfWeek);
            Assert.False(NyseRules.IsHoliday(day.Date), $"{Iso(day.Date)} is already a rule holiday.");
            Assert.False(string.IsNullOrWhiteSpace(day.Reason));
            Assert.True(day.IsClosed || day.Open < day.Close);
        }
    }

    [Fact]
    public void SpecialDays_Find_GivesEachDayItsEntry_AndNothingForOtherDays()
    {
        var all = NyseSpecialDays.All;
        foreach (var day in all)
        {
            Assert.Same(day, NyseSpecialDays.Find(day.Date));
        }

        var dates = all.Select(d => d.Date).ToHashSet();
        for (var d = new DateOnly(1989, 12, 1); d <= new DateOnly(2026, 1, 31); d = d.AddDays(1))
        {
            Assert.Equal(dates.Contains(d), NyseSpecialDays.Find(d) is not null);
        }
    }

    private static IEnumerable<DateOnly> Weekdays(int year)
    {
        for (var d = new DateOnly(year, 1, 1); d.Year == year; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                yield return d;
            }
        }
    }

    private static TimeOnly LocalClose(TradingSession s) => LocalTime(s.RegularClose);

    private static TimeOnly LocalTime(DateTime utc) => TimeOnly.FromDateTime(NewYork.ToLocal(utc));

    private static DateOnly D(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
