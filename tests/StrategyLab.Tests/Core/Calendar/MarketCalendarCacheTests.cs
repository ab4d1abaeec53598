using CsCheck;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Core.Calendar;

/// <summary>
/// The remembered-span fast path of <see cref="MarketCalendar.SessionAt"/> must answer exactly like a plain lookup,
/// whatever order instants come in and from however many threads.
/// </summary>
public class MarketCalendarCacheTests
{
    private static readonly NyseCalendar Nyse = NyseCalendar.Instance;

    public static TheoryData<string, string> Weeks => new()
    {
        { "2024-03-04", "2024-03-16" }, // DST starts Sunday 10 March
        { "2024-10-28", "2024-11-09" }, // DST ends Sunday 3 November
        { "2024-06-28", "2024-07-09" }, // early close 3 July, holiday 4 July
        { "2019-11-25", "2019-12-03" }, // Thanksgiving and the short Friday
    };

    /// <summary>Walks minute by minute and checks against rules worked out by hand for these weeks.</summary>
    [Theory]
    [MemberData(nameof(Weeks))]
    public void MinuteWalk_MatchesHandRules(string from, string to)
    {
        var holidays = new HashSet<DateOnly> { new(2024, 7, 4), new(2019, 11, 28) };
        var earlyCloses = new HashSet<DateOnly> { new(2024, 7, 3), new(2019, 11, 29) };
        var start = DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        for (var utc = start; utc < end; utc = utc.AddMinutes(1))
        {
            var local = NewYork.ToLocal(utc);
            var date = DateOnly.FromDateTime(local);
            var time = TimeOnly.FromDateTime(local);
            var trades = date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !holidays.Contains(date);
            var early = earlyCloses.Contains(date);
            var regular = trades && time >= new TimeOnly(9, 30) && time < (early ? new TimeOnly(13, 0) : new TimeOnly(16, 0));
            var extended = trades && time >= new TimeOnly(4, 0) && time < (early ? new TimeOnly(17, 0) : new TimeOnly(20, 0));

            Assert.True(regular == Nyse.IsOpen(utc), $"regular at {utc:O} (local {local:yyyy-MM-dd HH:mm})");
            Assert.True(extended == Nyse.IsOpen(utc, extendedHours: true), $"extended at {utc:O} (local {local:yyyy-MM-dd HH:mm})");
            if (extended)
            {
                Assert.Equal(date, Nyse.SessionAt(utc, extendedHours: true)!.Date);
            }
        }
    }

    [Fact]
    public void RandomOrder_MatchesPlainLookup()
    {
        var first = new DateTime(1990, 1, 1, 12, 0, 0, DateTimeKind.Utc).Ticks;
        var last = new DateTime(2100, 12, 31, 12, 0, 0, DateTimeKind.Utc).Ticks;
        Gen.Select(Gen.Long[first, last], Gen.Bool, Gen.Int[0, 3]).Sample((ticks, extended, nearby) =>
        {
            // Mix far jumps with instants near the previous answer's span so both paths of the cache run.
            var utc = new DateTime(ticks, DateTimeKind.Utc);
            for (var i = 0; i <= nearby; i++)
            {
                var probe = utc.AddMinutes(i * 97);
                Assert.Equal(PlainSessionAt(Nyse, probe, extended), Nyse.SessionAt(probe, extended));
            }
        });
    }

    [Fact]
    public void ConcurrentCallers_GetTheSameAnswers()
    {
        var instants = new List<DateTime>();
        for (var utc = new DateTime(2023, 12, 20, 0, 0, 0, DateTimeKind.Utc); utc < new DateTime(2024, 1, 10, 0, 0, 0, DateTimeKind.Utc); utc = utc.AddMinutes(7))
        {
            instants.Add(utc);
        }

        var expected = instants.Select(u => (PlainSessionAt(Nyse, u, false), PlainSessionAt(Nyse, u, true))).ToArray();
        var failures = 0;
        Parallel.For(0, 8, worker =>
        {
            // Each worker walks in its own order, so threads keep overwriting each other's remembered span.
            for (var k = 0; k < instants.Count; k++)
            {
                var i = (k * (worker + 1) * 7919) % instants.Count;
                if (!Equals(expected[i].Item1, Nyse.SessionAt(instants[i])) || !Equals(expected[i].Item2, Nyse.SessionAt(instants[i], true)))
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        Assert.Equal(0, failures);
    }

    [Fact]
    public void ToExchangeTime_MatchesHandRules_InAnyOrder()
    {
        var first = new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var last = new DateTime(2100, 12, 31, 0, 0, 0, DateTimeKind.Utc).Ticks;
        Gen.Long[first, last].Sample(ticks =>
        {
            var utc = new DateTime(ticks, DateTimeKind.Utc);
            Assert.Equal(NewYork.ToLocal(utc), Nyse.ToExchangeTime(utc));
            Assert.Equal(NewYork.ToLocal(utc.AddHours(1)), Nyse.ToExchangeTime(utc.AddHours(1)));
        });
    }

    [Fact]
    public void OwnCachesCopy_AnswersLikeTheShared_AndSharesItsSessions()
    {
        var copy = Nyse.WithOwnCaches();
        var other = Nyse.WithOwnCaches();
        Assert.Equal(Nyse.Name, copy.Name);
        Assert.Equal(Nyse.TimeZoneId, copy.TimeZoneId);
        // A week and a day inside the calendar's first year: the second copy probes a week behind.
        var first = new DateTime(1990, 1, 10, 12, 0, 0, DateTimeKind.Utc).Ticks;
        var last = new DateTime(2100, 12, 20, 12, 0, 0, DateTimeKind.Utc).Ticks;
        Gen.Select(Gen.Long[first, last], Gen.Bool).Sample((ticks, extended) =>
        {
            // Two copies walk apart (one a week behind), each must still answer like a plain lookup.
            var utc = new DateTime(ticks, DateTimeKind.Utc);
            for (var i = 0; i < 4; i++)
            {
                var probe = utc.AddMinutes(i * 97);
                var behind = probe.AddDays(-7);
                Assert.Equal(PlainSessionAt(Nyse, probe, extended), copy.SessionAt(probe, extended));
                Assert.Equal(PlainSessionAt(Nyse, behind, extended), other.SessionAt(behind, extended));
                Assert.Equal(Nyse.NextOpen(probe, extended), copy.NextOpen(probe, extended));
                Assert.Equal(Nyse.NextClose(probe, extended), copy.NextClose(probe, extended));
                Assert.Equal(NewYork.ToLocal(probe), copy.ToExchangeTime(probe));
                Assert.Equal(Nyse.ToUtc(NewYork.ToLocal(probe)), copy.ToUtc(NewYork.ToLocal(probe)));
            }

            // The copy reads the shared per-year sessions: the very same objects, built once.
            var date = DateOnly.FromDateTime(utc);
            Assert.Same(Nyse.GetSession(date), copy.GetSession(date));
        });
    }

    [Fact]
    public void ToUtc_FromTheRememberedOffset_MatchesTheZone_AroundEveryChange()
    {
        // Each wall time is asked right after a conversion near it (which sets the remembered offset interval), and
        // also near the daylight-saving changes, where a wall time is skipped or repeated: the zone's lenient answer.
        var zone = NodaTime.DateTimeZoneProviders.Tzdb["America/New_York"];
        var calendar = Nyse.WithOwnCaches();
        var crypto = CryptoCalendar.Instance.WithOwnCaches();
        var first = new DateTime(1990, 1, 3, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var last = new DateTime(2100, 12, 28, 0, 0, 0, DateTimeKind.Utc).Ticks;
        Gen.Select(Gen.Long[first, last], Gen.Int[-3 * 24 * 60, 3 * 24 * 60]).Sample((ticks, minutes) =>
        {
            var seen = new DateTime(ticks, DateTimeKind.Utc);
            calendar.ToExchangeTime(seen);
            crypto.ToExchangeTime(seen);
            var local = DateTime.SpecifyKind(seen.AddMinutes(minutes), DateTimeKind.Unspecified);
            var expected = NodaTime.LocalDateTime.FromDateTime(local).InZoneLeniently(zone).ToDateTimeUtc();
            Assert.Equal(expected, calendar.ToUtc(local));
            Assert.Equal(DateTime.SpecifyKind(local, DateTimeKind.Utc), crypto.ToUtc(local));
        });

        for (var year = 1990; year <= 2100; year++)
        {
            foreach (var month in new[] { 3, 4, 10, 11 })
            {
                for (var day = 1; day <= 31 && day <= DateTime.DaysInMonth(year, month); day++)
                {
                    calendar.ToExchangeTime(new DateTime(year, month, day, 12, 0, 0, DateTimeKind.Utc));
                    for (var minute = 0; minute < 4 * 60; minute += 15)
                    {
                        var local = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified).AddMinutes(minute);
                        var expected = NodaTime.LocalDateTime.FromDateTime(local).InZoneLeniently(zone).ToDateTimeUtc();
                        Assert.Equal(expected, calendar.ToUtc(local));
                    }
                }
            }
        }
    }

    /// <summary>The session containing an instant, found by looking at every session of the nearby dates.</summary>
    private static TradingSession? PlainSessionAt(IMarketCalendar calendar, DateTime utc, bool extended)
    {
        var date = DateOnly.FromDateTime(utc);
        foreach (var s in calendar.GetSessions(Clamp(date.AddDays(-2)), Clamp(date.AddDays(2))))
        {
            if (utc >= s.Open(extended) && utc < s.Close(extended))
            {
                return s;
            }
        }

        return null;
    }

    private static DateOnly Clamp(DateOnly d) =>
        d < new DateOnly(1990, 1, 1) ? new DateOnly(1990, 1, 1) : d > new DateOnly(2100, 12, 31) ? new DateOnly(2100, 12, 31) : d;
}
