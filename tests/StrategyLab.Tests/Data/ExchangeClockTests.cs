using StrategyLab.Core.Calendar;
using StrategyLab.Data.Time;

namespace StrategyLab.Tests.Data;

public class ExchangeClockTests
{
    [Fact]
    public void LocalToUtc_AcrossDaylightSavingChanges_MatchesTheCalendar()
    {
        var calendar = NyseCalendar.Instance;
        var clock = new ExchangeClock(calendar);
        // Walk every 17 minutes over 2024 (both DST changes) and compare with the calendar's own conversion.
        for (var local = new DateTime(2024, 1, 1); local < new DateTime(2025, 1, 1); local = local.AddMinutes(17))
        {
            Assert.Equal(calendar.ToUtc(local), clock.ToUtc(local));
        }
    }

    [Fact]
    public void UtcToLocal_AcrossDaylightSavingChanges_MatchesTheCalendar()
    {
        var calendar = NyseCalendar.Instance;
        var clock = new ExchangeClock(calendar);
        for (var utc = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc); utc.Year < 2025; utc = utc.AddMinutes(17))
        {
            Assert.Equal(calendar.ToExchangeTime(utc), clock.ToLocal(utc));
        }
    }

    [Theory]
    [InlineData("2024-03-08T09:30:00", "2024-03-08T14:30:00Z")] // EST
    [InlineData("2024-03-11T09:30:00", "2024-03-11T13:30:00Z")] // EDT
    [InlineData("2024-03-10T02:30:00", "2024-03-10T07:30:00Z")] // skipped by the spring change: maps forward
    [InlineData("2024-11-03T01:30:00", "2024-11-03T05:30:00Z")] // ambiguous in the autumn: the earlier (EDT) instant
    public void KnownInstants(string local, string utc)
    {
        var clock = new ExchangeClock(NyseCalendar.Instance);
        var expected = DateTime.Parse(utc, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(expected, clock.ToUtc(DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture)));
    }
}
