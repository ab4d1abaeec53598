using StrategyLab.Core.Calendar;
using StrategyLab.Reporting;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// The offset cache's three answers (offset ticks, local ticks with offset minutes, the time value) against the
/// calendar's own conversion, for instants taken in order and at random across both 2024 DST changes, and for UTC.
/// </summary>
public class ExchangeOffsetCacheTests
{
    private static IEnumerable<DateTime> Instants(int seed)
    {
        var random = new Random(seed);
        var start = new DateTime(2024, 3, 9, 0, 0, 0, DateTimeKind.Utc).Ticks;
        // In order, a minute apart across the March change, then at random over the year (the cached hour changes at
        // almost every call), then around the November change second by second.
        for (var i = 0; i < 3 * 24 * 60; i++)
        {
            yield return new DateTime(start + (i * TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        }

        var year = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        for (var i = 0; i < 5_000; i++)
        {
            yield return new DateTime(year + random.NextInt64(366 * TimeSpan.TicksPerDay), DateTimeKind.Utc);
        }

        var november = new DateTime(2024, 11, 3, 5, 0, 0, DateTimeKind.Utc).Ticks;
        for (var i = -7_200; i < 7_200; i += 7)
        {
            yield return new DateTime(november + (i * TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EveryAnswer_IsTheCalendarsConversion(int seed)
    {
        var calendar = NyseCalendar.Instance;
        var cache = new ExchangeOffsetCache(calendar);
        foreach (var utc in Instants(seed))
        {
            var expected = calendar.ToExchangeOffset(utc);
            switch (utc.Ticks % 3)
            {
                case 0:
                    Assert.Equal(expected.Offset.Ticks, cache.OffsetTicks(utc));
                    break;
                case 1:
                    Assert.Equal(expected.DateTime.Ticks, cache.LocalTicks(utc, out var minutes));
                    Assert.Equal((short)expected.TotalOffsetMinutes, minutes);
                    break;
                default:
                    var at = cache.ToOffset(utc);
                    Assert.Equal(expected, at);
                    Assert.Equal(expected.Offset, at.Offset);
                    break;
            }
        }
    }

    [Fact]
    public void WithoutACalendar_EveryInstantIsUtc()
    {
        var cache = new ExchangeOffsetCache(null);
        foreach (var utc in Instants(3).Append(DateTime.MinValue).Append(new DateTime(DateTime.MaxValue.Ticks, DateTimeKind.Utc)))
        {
            Assert.Equal(0, cache.OffsetTicks(utc));
            Assert.Equal(utc.Ticks, cache.LocalTicks(utc, out var minutes));
            Assert.Equal(0, minutes);
            var at = cache.ToOffset(utc);
            Assert.Equal(utc.Ticks, at.DateTime.Ticks);
            Assert.Equal(TimeSpan.Zero, at.Offset);
        }
    }
}
