using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;

namespace StrategyLab.Tests.Core.Engine;

public class BarSyncScheduleTests
{
    private static readonly IMarketCalendar Nyse = NyseCalendar.Instance;

    private static DateTime Ny(string local) =>
        Nyse.ToUtc(DateTime.ParseExact(local, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));

    private static DateTime Utc(string utc) =>
        DateTime.SpecifyKind(DateTime.ParseExact(utc, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), DateTimeKind.Utc);

    [Theory]
    // timeframe, now (New York), expected wake (UTC, worked out by hand: EST = UTC−5, EDT = UTC−4)
    [InlineData("1m", "2024-03-08 09:31:07", "2024-03-08 14:32:05")] // Friday before the DST change: EST
    [InlineData("1m", "2024-03-11 09:31:07", "2024-03-11 13:32:05")] // Monday after it: EDT, same New York wall time
    [InlineData("1m", "2024-03-11 09:31:02", "2024-03-11 13:31:05")] // 09:31 + 5 s not yet passed: close off 09:30–09:31
    [InlineData("5s", "2024-03-11 10:00:07", "2024-03-11 14:00:10")] // boundary 10:00:05 + 5 s
    [InlineData("5s", "2024-03-11 10:00:11", "2024-03-11 14:00:15")]
    [InlineData("5s", "2024-03-11 10:00:12", "2024-03-11 14:00:15")] // boundary 10:00:10 + 5 s not yet passed
    [InlineData("5m", "2024-03-11 09:33:00", "2024-03-11 13:35:05")]
    [InlineData("5m", "2024-03-11 09:35:03", "2024-03-11 13:35:05")] // just after a boundary, inside the buffer
    [InlineData("5m", "2024-03-11 09:35:05", "2024-03-11 13:40:05")] // exactly at the wake: the next one
    [InlineData("15m", "2024-03-11 09:46:00", "2024-03-11 14:00:05")]
    [InlineData("1h", "2024-03-11 09:45:00", "2024-03-11 14:30:05")] // 1h bars are 09:30–10:30
    [InlineData("1h", "2024-03-11 15:40:00", "2024-03-11 20:00:05")] // last hour bar is 15:30–16:00
    [InlineData("1h", "2024-11-29 12:40:00", "2024-11-29 18:00:05")] // early close 13:00: 12:30–13:00
    [InlineData("5m", "2024-11-29 12:58:00", "2024-11-29 18:00:05")]
    [InlineData("1m", "2024-11-29 13:30:00", "2024-12-02 14:31:05")] // after the early close: Monday's first bar
    [InlineData("1h", "2024-11-29 13:30:00", "2024-12-02 15:30:05")]
    [InlineData("1m", "2024-11-01 16:30:00", "2024-11-04 14:31:05")] // Friday EDT → Monday EST across the fall-back
    [InlineData("1m", "2024-07-04 10:00:00", "2024-07-05 13:31:05")] // holiday: next session
    [InlineData("1m", "2024-01-06 12:00:00", "2024-01-08 14:31:05")] // Saturday
    public void NextWake_IsTheNextBoundaryPlusTheBuffer_InExchangeTime(string timeframe, string nowNy, string expectedUtc)
    {
        var schedule = new BarSyncSchedule(Nyse, Timeframe.Parse(timeframe), TimeSpan.FromSeconds(5));
        var (boundary, wake) = schedule.Next(Ny(nowNy));
        Assert.Equal(Utc(expectedUtc), wake);
        Assert.Equal(wake - TimeSpan.FromSeconds(5), boundary);
    }

    [Fact]
    public void Crypto_FiveSecondBars_AnyHour()
    {
        var schedule = new BarSyncSchedule(CryptoCalendar.Instance, Timeframe.FiveSeconds, TimeSpan.FromSeconds(1));
        Assert.Equal(Utc("2024-01-06 03:00:06"), schedule.Next(Utc("2024-01-06 03:00:02")).WakeUtc);
        Assert.Equal(Utc("2024-01-07 00:00:01"), schedule.Next(Utc("2024-01-06 23:59:58")).WakeUtc);
    }

    [Fact]
    public void WakesNeverDrift_OverADay()
    {
        var schedule = new BarSyncSchedule(Nyse, Timeframe.FiveMinutes, TimeSpan.FromSeconds(5));
        var now = Ny("2024-03-11 09:30:00");
        var wakes = new List<DateTime>();
        for (var i = 0; i < 78; i++)
        {
            var (_, wake) = schedule.Next(now);
            wakes.Add(wake);
            now = wake.AddMilliseconds(1700); // a slow cycle
        }

        Assert.Equal(Ny("2024-03-11 09:35:05"), wakes[0]);
        Assert.Equal(Ny("2024-03-11 16:00:05"), wakes[^1]);
        Assert.All(wakes, w => Assert.Equal(5, Nyse.ToExchangeTime(w).Second));
    }

    [Theory]
    [InlineData("2024-01-06 12:00:00", MarketState.Weekend)]
    [InlineData("2024-07-04 12:00:00", MarketState.Holiday)]
    [InlineData("2024-07-05 08:00:00", MarketState.BeforeOpen)]
    [InlineData("2024-07-05 09:30:00", MarketState.Open)]
    [InlineData("2024-07-05 16:00:00", MarketState.AfterClose)]
    [InlineData("2024-11-29 13:00:00", MarketState.AfterClose)]
    public void MarketHoursGate_ClassifiesInstants(string nowNy, MarketState expected)
    {
        var gate = new MarketHoursGate(Nyse, extendedHours: false);
        Assert.Equal(expected, gate.StateAt(Ny(nowNy)));
    }

    [Fact]
    public void MarketHoursGate_ExtendedHours_OpenInPreMarket()
    {
        Assert.Equal(MarketState.Open, new MarketHoursGate(Nyse, extendedHours: true).StateAt(Ny("2024-07-05 08:00:00")));
        Assert.Equal("market.closed.weekend", MarketHoursGate.EventName(MarketState.Weekend));
        Assert.Equal("market.closed.hours", MarketHoursGate.EventName(MarketState.BeforeOpen));
    }
}
