using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Core.Calendar;

/// <summary>Instants against the NYSE calendar. Expected UTC times are worked out by hand (EST = UTC−5, EDT = UTC−4).</summary>
public class NyseSessionTimeTests
{
    private static readonly NyseCalendar Nyse = NyseCalendar.Instance;

    private static DateTime Z(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);

    [Theory]
    // Friday 2024-03-08, EST: pre 09:00Z, open 14:30Z, close 21:00Z, after-hours end 01:00Z next day.
    [InlineData(2024, 3, 8, 8, 59, false, false)]
    [InlineData(2024, 3, 8, 9, 0, false, true)]
    [InlineData(2024, 3, 8, 14, 29, false, true)]
    [InlineData(2024, 3, 8, 14, 30, true, true)]
    [InlineData(2024, 3, 8, 20, 59, true, true)]
    [InlineData(2024, 3, 8, 21, 0, false, true)]
    [InlineData(2024, 3, 9, 0, 59, false, true)]
    [InlineData(2024, 3, 9, 1, 0, false, false)]
    // Monday 2024-03-11, first day of EDT: open 13:30Z, close 20:00Z, pre 08:00Z, after-hours end 00:00Z.
    [InlineData(2024, 3, 11, 7, 59, false, false)]
    [InlineData(2024, 3, 11, 8, 0, false, true)]
    [InlineData(2024, 3, 11, 13, 29, false, true)]
    [InlineData(2024, 3, 11, 13, 30, true, true)]
    [InlineData(2024, 3, 11, 14, 30, true, true)]
    [InlineData(2024, 3, 11, 19, 59, true, true)]
    [InlineData(2024, 3, 11, 20, 0, false, true)]
    [InlineData(2024, 3, 11, 23, 59, false, true)]
    [InlineData(2024, 3, 12, 0, 0, false, false)]
    // Sunday 2024-03-10 (the change itself): closed all day.
    [InlineData(2024, 3, 10, 14, 30, false, false)]
    // Friday 2024-11-01 EDT and Monday 2024-11-04 EST around the November change.
    [InlineData(2024, 11, 1, 13, 30, true, true)]
    [InlineData(2024, 11, 1, 20, 0, false, true)]
    [InlineData(2024, 11, 4, 13, 30, false, true)] // 08:30 EST: pre-market only
    [InlineData(2024, 11, 4, 14, 29, false, true)]
    [InlineData(2024, 11, 4, 14, 30, true, true)]
    [InlineData(2024, 11, 4, 20, 30, true, true)]
    [InlineData(2024, 11, 4, 21, 0, false, true)]
    // Friday 2019-11-29, early close 13:00 EST = 18:00Z, after-hours to 17:00 EST = 22:00Z.
    [InlineData(2019, 11, 29, 17, 59, true, true)]
    [InlineData(2019, 11, 29, 18, 0, false, true)]
    [InlineData(2019, 11, 29, 21, 59, false, true)]
    [InlineData(2019, 11, 29, 22, 0, false, false)]
    // Wednesday 2024-07-03, early close 13:00 EDT = 17:00Z, after-hours to 21:00Z; 2024-07-04 closed.
    [InlineData(2024, 7, 3, 16, 59, true, true)]
    [InlineData(2024, 7, 3, 17, 0, false, true)]
    [InlineData(2024, 7, 3, 21, 0, false, false)]
    [InlineData(2024, 7, 4, 15, 0, false, false)]
    public void IsOpen_AtInstants(int y, int mo, int d, int h, int mi, bool regular, bool extended)
    {
        var utc = Z(y, mo, d, h, mi);
        Assert.Equal(regular, Nyse.IsOpen(utc));
        Assert.Equal(extended, Nyse.IsOpen(utc, extendedHours: true));
    }

    [Fact]
    public void IsOpen_OneTickBeforeAndAtBoundaries()
    {
        var open = Z(2024, 3, 11, 13, 30);
        var close = Z(2024, 3, 11, 20, 0);
        Assert.False(Nyse.IsOpen(open.AddTicks(-1)));
        Assert.True(Nyse.IsOpen(open));
        Assert.True(Nyse.IsOpen(close.AddTicks(-1)));
        Assert.False(Nyse.IsOpen(close));
        Assert.True(Nyse.IsOpen(close, extendedHours: true));
    }

    [Fact]
    public void SessionAt_ReturnsTheSessionAndItsBounds()
    {
        var s = Nyse.SessionAt(Z(2024, 7, 3, 15, 0));
        Assert.NotNull(s);
        Assert.Equal(new DateOnly(2024, 7, 3), s.Date);
        Assert.Equal(Z(2024, 7, 3, 8, 0), s.PreMarketOpen);
        Assert.Equal(Z(2024, 7, 3, 13, 30), s.RegularOpen);
        Assert.Equal(Z(2024, 7, 3, 17, 0), s.RegularClose);
        Assert.Equal(Z(2024, 7, 3, 21, 0), s.AfterHoursClose);
        Assert.True(s.IsEarlyClose);

        Assert.Null(Nyse.SessionAt(Z(2024, 7, 3, 18, 0)));
        Assert.Equal(s, Nyse.SessionAt(Z(2024, 7, 3, 18, 0), extendedHours: true));
        Assert.Equal(MarketSegment.AfterHours, s.SegmentAt(Z(2024, 7, 3, 18, 0)));
        Assert.Null(Nyse.SessionAt(Z(2024, 7, 6, 15, 0), extendedHours: true)); // Saturday
    }

    [Fact]
    public void SessionAt_FullDayBoundsAcrossDst()
    {
        var winter = Nyse.GetSession(new DateOnly(2024, 1, 2))!;
        Assert.Equal(Z(2024, 1, 2, 9, 0), winter.PreMarketOpen);
        Assert.Equal(Z(2024, 1, 2, 14, 30), winter.RegularOpen);
        Assert.Equal(Z(2024, 1, 2, 21, 0), winter.RegularClose);
        Assert.Equal(Z(2024, 1, 3, 1, 0), winter.AfterHoursClose);
        Assert.False(winter.IsEarlyClose);

        var summer = Nyse.GetSession(new DateOnly(2024, 6, 3))!;
        Assert.Equal(Z(2024, 6, 3, 8, 0), summer.PreMarketOpen);
        Assert.Equal(Z(2024, 6, 3, 13, 30), summer.RegularOpen);
        Assert.Equal(Z(2024, 6, 3, 20, 0), summer.RegularClose);
        Assert.Equal(Z(2024, 6, 4, 0, 0), summer.AfterHoursClose);
    }

    [Fact]
    public void NextOpen_FromFridayEvening_SkipsWeekendAndDstChange()
    {
        var fridayClose = Z(2024, 3, 8, 21, 0);
        Assert.Equal(Z(2024, 3, 11, 13, 30), Nyse.NextOpen(fridayClose));
        // Extended: Friday after-hours is running; the next pre-market open is Monday 04:00 EDT.
        Assert.Equal(Z(2024, 3, 11, 8, 0), Nyse.NextOpen(fridayClose, extendedHours: true));
        Assert.Equal(Z(2024, 3, 11, 20, 0), Nyse.NextClose(Z(2024, 3, 9, 12, 0)));
    }

    [Fact]
    public void NextOpen_FromHoliday()
    {
        Assert.Equal(Z(2024, 7, 5, 13, 30), Nyse.NextOpen(Z(2024, 7, 4, 15, 0)));
        Assert.Equal(Z(2024, 7, 5, 8, 0), Nyse.NextOpen(Z(2024, 7, 4, 15, 0), extendedHours: true));
        // Thanksgiving 2019 (Thursday) → Friday's open; Friday closes early.
        Assert.Equal(Z(2019, 11, 29, 14, 30), Nyse.NextOpen(Z(2019, 11, 28, 12, 0)));
        Assert.Equal(Z(2019, 11, 29, 18, 0), Nyse.NextClose(Z(2019, 11, 28, 12, 0)));
        // The 9/11 closure: from Tuesday morning to Monday 17 September (EDT).
        Assert.Equal(Z(2001, 9, 17, 13, 30), Nyse.NextOpen(Z(2001, 9, 11, 12, 0)));
    }

    [Fact]
    public void NextOpenAndClose_DuringSession()
    {
        var during = Z(2024, 7, 3, 15, 0); // 11:00 EDT on an early-close day
        Assert.Equal(Z(2024, 7, 3, 17, 0), Nyse.NextClose(during));
        Assert.Equal(Z(2024, 7, 3, 21, 0), Nyse.NextClose(during, extendedHours: true));
        Assert.Equal(Z(2024, 7, 5, 13, 30), Nyse.NextOpen(during));

        // Strictly after: at the open instant the next open is the following session's.
        Assert.Equal(Z(2024, 7, 8, 13, 30), Nyse.NextOpen(Z(2024, 7, 5, 13, 30)));
        Assert.Equal(Z(2024, 7, 5, 20, 0), Nyse.NextClose(Z(2024, 7, 5, 13, 30)));
        Assert.Equal(Z(2024, 7, 8, 20, 0), Nyse.NextClose(Z(2024, 7, 5, 20, 0)));
    }

    [Fact]
    public void ToExchangeTime_AcrossDst()
    {
        Assert.Equal(new DateTime(2024, 3, 10, 1, 59, 0), Nyse.ToExchangeTime(Z(2024, 3, 10, 6, 59)));
        Assert.Equal(new DateTime(2024, 3, 10, 3, 0, 0), Nyse.ToExchangeTime(Z(2024, 3, 10, 7, 0)));
        Assert.Equal(new DateTime(2024, 11, 3, 1, 59, 0), Nyse.ToExchangeTime(Z(2024, 11, 3, 5, 59)));
        Assert.Equal(new DateTime(2024, 11, 3, 1, 0, 0), Nyse.ToExchangeTime(Z(2024, 11, 3, 6, 0)));
        Assert.Equal(DateTimeKind.Unspecified, Nyse.ToExchangeTime(Z(2024, 1, 1, 0, 0)).Kind);

        Assert.Equal(TimeSpan.FromHours(-5), Nyse.ToExchangeOffset(Z(2024, 3, 10, 6, 59)).Offset);
        Assert.Equal(TimeSpan.FromHours(-4), Nyse.ToExchangeOffset(Z(2024, 3, 10, 7, 0)).Offset);
        Assert.Equal(Z(2024, 3, 10, 7, 0), Nyse.ToExchangeOffset(Z(2024, 3, 10, 7, 0)).UtcDateTime);
        // 2006 used the old rule: DST began on the first Sunday of April.
        Assert.Equal(new DateTime(2006, 3, 15, 9, 30, 0), Nyse.ToExchangeTime(Z(2006, 3, 15, 14, 30)));
    }

    [Fact]
    public void ToUtc_AcrossDst()
    {
        Assert.Equal(Z(2024, 3, 8, 14, 30), Nyse.ToUtc(new DateTime(2024, 3, 8, 9, 30, 0)));
        Assert.Equal(Z(2024, 3, 11, 13, 30), Nyse.ToUtc(new DateTime(2024, 3, 11, 9, 30, 0)));
        // 02:30 on 10 March 2024 does not exist; it maps forward by the gap to 03:30 EDT.
        Assert.Equal(Z(2024, 3, 10, 7, 30), Nyse.ToUtc(new DateTime(2024, 3, 10, 2, 30, 0)));
        // 01:30 on 3 November 2024 happens twice; the earlier (EDT) instant is chosen.
        Assert.Equal(Z(2024, 11, 3, 5, 30), Nyse.ToUtc(new DateTime(2024, 11, 3, 1, 30, 0)));
        Assert.Equal(DateTimeKind.Utc, Nyse.ToUtc(new DateTime(2024, 3, 8, 9, 30, 0)).Kind);
    }

    [Fact]
    public void OutOfRange_IsAnError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.GetSession(new DateOnly(1989, 12, 29)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.GetSession(new DateOnly(2101, 1, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.IsOpen(Z(1989, 12, 29, 15, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.SessionAt(Z(2101, 1, 3, 15, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.NextOpen(Z(1980, 1, 1, 0, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Nyse.GetSessions(new DateOnly(2100, 12, 1), new DateOnly(2101, 1, 31)));
        Assert.Throws<InvalidOperationException>(() => Nyse.NextOpen(Z(2101, 1, 1, 0, 0)));
        Assert.Throws<ArgumentException>(() => Nyse.IsOpen(new DateTime(2024, 1, 2, 15, 0, 0, DateTimeKind.Local)));
        Assert.Empty(Nyse.GetSessions(new DateOnly(2024, 1, 5), new DateOnly(2024, 1, 1)));

        // The edges themselves answer: 1990-01-01 (holiday) and the last session of 2100.
        Assert.False(Nyse.IsOpen(Z(1990, 1, 1, 5, 0)));
        Assert.Equal(Z(1990, 1, 2, 14, 30), Nyse.NextOpen(Z(1990, 1, 1, 5, 0)));
        Assert.True(Nyse.IsOpen(Z(2100, 12, 31, 15, 0)));
    }
}
