using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Core.Calendar;

public class CryptoCalendarTests
{
    private static readonly CryptoCalendar Crypto = CryptoCalendar.Instance;

    private static DateTime Z(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    [Fact]
    public void EveryDay_IsOneUtcDaySession()
    {
        var sessions = Crypto.GetSessions(new DateOnly(2024, 2, 26), new DateOnly(2024, 3, 4)).ToArray();
        Assert.Equal(8, sessions.Length); // includes 29 February and the weekend
        Assert.Equal(new DateOnly(2024, 2, 29), sessions[3].Date);
        foreach (var s in sessions)
        {
            var midnight = s.Date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            Assert.Equal(midnight, s.RegularOpen);
            Assert.Equal(midnight, s.PreMarketOpen);
            Assert.Equal(midnight.AddDays(1), s.RegularClose);
            Assert.Equal(midnight.AddDays(1), s.AfterHoursClose);
            Assert.False(s.IsEarlyClose);
        }

        Assert.Equal(366, Crypto.GetSessions(new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31)).Count());
    }

    [Fact]
    public void AlwaysOpen_HolidaysAndWeekendsIncluded()
    {
        Assert.True(Crypto.IsOpen(Z(2024, 12, 25, 12, 0)));
        Assert.True(Crypto.IsOpen(Z(2024, 3, 10, 7, 0)));
        Assert.True(Crypto.IsOpen(Z(2024, 1, 6, 23, 59), extendedHours: true));
        Assert.Equal(new DateOnly(2024, 1, 7), Crypto.SessionAt(Z(2024, 1, 7, 0, 0))!.Date);
        Assert.Equal(new DateOnly(2024, 1, 6), Crypto.SessionAt(Z(2024, 1, 7, 0, 0).AddTicks(-1))!.Date);
    }

    [Fact]
    public void NextOpenAndClose_AreMidnights()
    {
        Assert.Equal(Z(2024, 1, 7, 0, 0), Crypto.NextOpen(Z(2024, 1, 6, 13, 0)));
        Assert.Equal(Z(2024, 1, 7, 0, 0), Crypto.NextClose(Z(2024, 1, 6, 13, 0)));
        Assert.Equal(Z(2024, 1, 8, 0, 0), Crypto.NextOpen(Z(2024, 1, 7, 0, 0)));
    }

    [Fact]
    public void ExchangeTime_IsUtc()
    {
        Assert.Equal("24/7", Crypto.Name);
        Assert.Equal("Etc/UTC", Crypto.TimeZoneId);
        Assert.Equal(new DateTime(2024, 7, 1, 12, 0, 0), Crypto.ToExchangeTime(Z(2024, 7, 1, 12, 0)));
        Assert.Equal(TimeSpan.Zero, Crypto.ToExchangeOffset(Z(2024, 7, 1, 12, 0)).Offset);
        Assert.Equal(Z(2024, 7, 1, 12, 0), Crypto.ToUtc(new DateTime(2024, 7, 1, 12, 0, 0)));
    }
}
