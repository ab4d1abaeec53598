using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Aggregation;

/// <summary>
/// Hand-worked windows. Expected instants are written in UTC from the New York offset of the day
/// (EDT = UTC-4 in October 2013, July 2024 and after 2024-03-10; EST = UTC-5 in December 2015 and March/November 2024).
/// </summary>
public class BarWindowsTests
{
    private static readonly IMarketCalendar Ny = TestExchangeCalendar.Default;

    private static DateTime Utc(int y, int mo, int d, int h, int mi, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);

    private static BarWindow Window(BarWindows grid, DateTime utc)
    {
        Assert.True(grid.TryGetWindow(utc, out var w), $"expected a window at {utc:O}");
        return w;
    }

    [Fact]
    public void FiveMinutes_NormalDay_AlignsToTheOpen()
    {
        var grid = new BarWindows(Ny, Timeframe.FiveMinutes);
        // 2013-10-07 09:32:10 EDT
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 13, 35)), Window(grid, Utc(2013, 10, 7, 13, 32, 10)));
        // the open itself starts the first window; a window's end starts the next one
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 13, 35)), Window(grid, Utc(2013, 10, 7, 13, 30)));
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 35), Utc(2013, 10, 7, 13, 40)), Window(grid, Utc(2013, 10, 7, 13, 35)));
        // last tick before the close is in 15:55-16:00
        Assert.Equal(
            new BarWindow(Utc(2013, 10, 7, 19, 55), Utc(2013, 10, 7, 20, 0)),
            Window(grid, Utc(2013, 10, 7, 20, 0).AddTicks(-1)));
        // 09:29:59 and 16:00 are outside the regular session
        Assert.False(grid.TryGetWindow(Utc(2013, 10, 7, 13, 29, 59), out _));
        Assert.False(grid.TryGetWindow(Utc(2013, 10, 7, 20, 0), out _));
        Assert.Equal(78, grid.WindowsOf(Ny.GetSession(new DateOnly(2013, 10, 7))!).Count());
    }

    [Fact]
    public void OneHour_NormalDay_StartsAtTheOpen_AndTheLastIsHalfAnHour()
    {
        var grid = new BarWindows(Ny, Timeframe.OneHour);
        var windows = grid.WindowsOf(Ny.GetSession(new DateOnly(2013, 10, 7))!).ToList();
        Assert.Equal(7, windows.Count);
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 14, 30)), windows[0]);
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 19, 30), Utc(2013, 10, 7, 20, 0)), windows[6]);
        Assert.Equal(windows[6], Window(grid, Utc(2013, 10, 7, 19, 45)));
    }

    [Fact]
    public void OneDay_IsTheRegularSession_OrTheExtendedSpan()
    {
        var regular = new BarWindows(Ny, Timeframe.OneDay);
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20, 0)), Window(regular, Utc(2013, 10, 7, 17, 0)));
        Assert.False(regular.TryGetWindow(Utc(2013, 10, 7, 12, 0), out _)); // 08:00 pre-market

        var extended = new BarWindows(Ny, Timeframe.OneDay, extendedHours: true);
        var span = new BarWindow(Utc(2013, 10, 7, 8, 0), Utc(2013, 10, 8, 0, 0)); // 04:00-20:00 EDT
        Assert.Equal(span, Window(extended, Utc(2013, 10, 7, 12, 0)));
        Assert.Equal(span, Window(extended, Utc(2013, 10, 7, 17, 0)));
        Assert.Equal(span, Window(extended, Utc(2013, 10, 7, 23, 59)));
        Assert.Single(extended.WindowsOf(Ny.GetSession(new DateOnly(2013, 10, 7))!));
    }

    [Fact]
    public void EarlyClose_LastHourBarIs1230To1300()
    {
        var grid = new BarWindows(Ny, Timeframe.OneHour);
        var windows = grid.WindowsOf(Ny.GetSession(new DateOnly(2015, 12, 24))!).ToList();
        // 09:30-10:30, 10:30-11:30, 11:30-12:30, 12:30-13:00 EST = UTC-5
        Assert.Equal(
            [
                new BarWindow(Utc(2015, 12, 24, 14, 30), Utc(2015, 12, 24, 15, 30)),
                new BarWindow(Utc(2015, 12, 24, 15, 30), Utc(2015, 12, 24, 16, 30)),
                new BarWindow(Utc(2015, 12, 24, 16, 30), Utc(2015, 12, 24, 17, 30)),
                new BarWindow(Utc(2015, 12, 24, 17, 30), Utc(2015, 12, 24, 18, 0)),
            ],
            windows);
        Assert.Equal(windows[3], Window(grid, Utc(2015, 12, 24, 17, 45)));
        Assert.False(grid.TryGetWindow(Utc(2015, 12, 24, 18, 0), out _));
        Assert.Equal(42, new BarWindows(Ny, Timeframe.FiveMinutes).WindowsOf(Ny.GetSession(new DateOnly(2015, 12, 24))!).Count());
    }

    [Fact]
    public void EarlyClose_AfterHoursStartsANewAlignmentAtTheClose()
    {
        var grid = new BarWindows(Ny, Timeframe.OneHour, extendedHours: true);
        // 13:00-14:00 EST, not 12:30-13:30
        Assert.Equal(new BarWindow(Utc(2015, 12, 24, 18, 0), Utc(2015, 12, 24, 19, 0)), Window(grid, Utc(2015, 12, 24, 18, 0)));
        Assert.Equal(new BarWindow(Utc(2015, 12, 24, 21, 0), Utc(2015, 12, 24, 22, 0)), Window(grid, Utc(2015, 12, 24, 21, 30)));
        Assert.False(grid.TryGetWindow(Utc(2015, 12, 24, 22, 0), out _)); // 17:00 EST: after-hours over
        // pre-market 04:00-09:30 gives 04-05 ... 08-09 and 09:00-09:30; regular 4; after-hours 13-17 gives 4
        Assert.Equal(6 + 4 + 4, grid.WindowsOf(Ny.GetSession(new DateOnly(2015, 12, 24))!).Count());
    }

    [Fact]
    public void PreMarketAndAfterHours_HaveWindowsOnlyWithExtendedHours()
    {
        var regular = new BarWindows(Ny, Timeframe.OneHour);
        var extended = new BarWindows(Ny, Timeframe.OneHour, extendedHours: true);
        var preMarket = Utc(2013, 10, 7, 8, 10); // 04:10 EDT
        var lateAfterHours = Utc(2013, 10, 7, 20, 20); // 16:20 EDT
        Assert.False(regular.TryGetWindow(preMarket, out _));
        Assert.False(regular.TryGetWindow(lateAfterHours, out _));

        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 8, 0), Utc(2013, 10, 7, 9, 0)), Window(extended, preMarket));
        // the pre-market's last hour bar is cut at the regular open: 09:00-09:30
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 0), Utc(2013, 10, 7, 13, 30)), Window(extended, Utc(2013, 10, 7, 13, 15)));
        // regular hours keep their own alignment
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 14, 30)), Window(extended, Utc(2013, 10, 7, 13, 30)));
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 20, 0), Utc(2013, 10, 7, 21, 0)), Window(extended, lateAfterHours));
        Assert.False(extended.TryGetWindow(Utc(2013, 10, 8, 0, 0), out _)); // 20:00 EDT
        Assert.False(extended.TryGetWindow(Utc(2013, 10, 7, 7, 59), out _)); // 03:59 EDT
        Assert.Equal(78 + 66 + 48, new BarWindows(Ny, Timeframe.FiveMinutes, true).WindowsOf(Ny.GetSession(new DateOnly(2013, 10, 7))!).Count());
    }

    [Theory]
    [InlineData(2024, 3, 8, 14)] // Friday before the spring change: EST, 09:30 = 14:30Z
    [InlineData(2024, 3, 11, 13)] // Monday after: EDT, 09:30 = 13:30Z
    [InlineData(2024, 11, 1, 13)] // Friday before the autumn change: EDT
    [InlineData(2024, 11, 4, 14)] // Monday after: EST
    public void DstChange_WindowsStayAt0930NewYork(int y, int m, int d, int openHourUtc)
    {
        var grid = new BarWindows(Ny, Timeframe.FiveMinutes);
        var windows = grid.WindowsOf(Ny.GetSession(new DateOnly(y, m, d))!).ToList();
        Assert.Equal(78, windows.Count);
        Assert.Equal(Utc(y, m, d, openHourUtc, 30), windows[0].Start);
        Assert.Equal(Utc(y, m, d, openHourUtc + 7, 0), windows[^1].End); // 16:00 local
        Assert.Equal(new TimeOnly(9, 30), TimeOnly.FromDateTime(Ny.ToExchangeTime(windows[0].Start)));
        Assert.Equal(new TimeOnly(9, 35), TimeOnly.FromDateTime(Ny.ToExchangeTime(windows[1].Start)));
        Assert.Equal(new TimeOnly(15, 55), TimeOnly.FromDateTime(Ny.ToExchangeTime(windows[^1].Start)));
    }

    [Fact]
    public void DstChange_ConsecutiveLookupsAcrossTheWeekendUseTheNewOffset()
    {
        var grid = new BarWindows(Ny, Timeframe.OneHour);
        Assert.Equal(new BarWindow(Utc(2024, 3, 8, 14, 30), Utc(2024, 3, 8, 15, 30)), Window(grid, Utc(2024, 3, 8, 15, 0)));
        Assert.Equal(new BarWindow(Utc(2024, 3, 11, 13, 30), Utc(2024, 3, 11, 14, 30)), Window(grid, Utc(2024, 3, 11, 14, 0)));
        Assert.False(grid.TryGetWindow(Utc(2024, 3, 11, 13, 29), out _)); // 09:29 EDT
    }

    [Fact]
    public void Crypto_AlignsToUtcMidnight()
    {
        var fourHours = new BarWindows(CryptoCalendar.Instance, Timeframe.Parse("4h"));
        Assert.Equal(new BarWindow(Utc(2024, 1, 2, 4, 0), Utc(2024, 1, 2, 8, 0)), Window(fourHours, Utc(2024, 1, 2, 5, 17)));
        Assert.Equal(new BarWindow(Utc(2024, 1, 6, 20, 0), Utc(2024, 1, 7, 0, 0)), Window(fourHours, Utc(2024, 1, 6, 23, 59, 59))); // a Saturday

        var day = new BarWindows(CryptoCalendar.Instance, Timeframe.OneDay, extendedHours: true);
        Assert.Equal(new BarWindow(Utc(2024, 1, 2, 0, 0), Utc(2024, 1, 3, 0, 0)), Window(day, Utc(2024, 1, 2, 13, 0)));

        var fifteen = new BarWindows(CryptoCalendar.Instance, Timeframe.FifteenMinutes, extendedHours: true);
        Assert.Equal(96, fifteen.WindowsOf(CryptoCalendar.Instance.GetSession(new DateOnly(2024, 1, 2))!).Count());
        Assert.Equal(new BarWindow(Utc(2024, 1, 3, 0, 0), Utc(2024, 1, 3, 0, 15)), Window(fifteen, Utc(2024, 1, 3, 0, 0)));
    }

    [Fact]
    public void FiveSeconds_AlignToTheOpen()
    {
        var grid = new BarWindows(Ny, Timeframe.FiveSeconds);
        var t = Utc(2013, 10, 7, 13, 30, 7).AddMilliseconds(500); // 09:30:07.5 EDT
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 13, 30, 5), Utc(2013, 10, 7, 13, 30, 10)), Window(grid, t));
        Assert.Equal(6 * 720 + 360, grid.WindowsOf(Ny.GetSession(new DateOnly(2013, 10, 7))!).Count());
    }

    [Fact]
    public void HolidaysAndWeekends_HaveNoWindows()
    {
        var grid = new BarWindows(Ny, Timeframe.OneMinute, extendedHours: true);
        Assert.False(grid.TryGetWindow(Utc(2015, 12, 25, 16, 0), out _)); // Christmas
        Assert.False(grid.TryGetWindow(Utc(2015, 12, 26, 16, 0), out _)); // Saturday
        Assert.False(grid.TryGetWindow(Utc(2015, 12, 26, 17, 0), out _)); // same gap, from the cache
    }

    [Fact]
    public void NextWindowEnd_IsStrictlyAfter_AndSkipsClosedTime()
    {
        var grid = new BarWindows(Ny, Timeframe.FiveMinutes);
        Assert.Equal(Utc(2013, 10, 7, 13, 35), grid.NextWindowEnd(Utc(2013, 10, 7, 13, 32)));
        Assert.Equal(Utc(2013, 10, 7, 13, 40), grid.NextWindowEnd(Utc(2013, 10, 7, 13, 35)));
        // Friday 16:00 EDT: next is Monday 09:35 EDT
        Assert.Equal(Utc(2013, 10, 7, 13, 35), grid.NextWindowEnd(Utc(2013, 10, 4, 20, 0)));
        // Christmas Eve 13:00 EST: the 25th is a holiday, then a weekend; next is Monday the 28th 09:35 EST
        Assert.Equal(Utc(2015, 12, 28, 14, 35), grid.NextWindowEnd(Utc(2015, 12, 24, 18, 0)));
        Assert.Equal(Utc(2015, 12, 24, 18, 0), new BarWindows(Ny, Timeframe.OneHour).NextWindowEnd(Utc(2015, 12, 24, 17, 59)));

        var daily = new BarWindows(Ny, Timeframe.OneDay);
        Assert.Equal(Utc(2015, 12, 28, 21, 0), daily.NextWindowEnd(Utc(2015, 12, 24, 18, 0)));
        Assert.Equal(Utc(2015, 12, 24, 18, 0), daily.NextWindowEnd(Utc(2015, 12, 24, 9, 0)));
    }

    [Fact]
    public void WindowAtOrAfter_OutsideHours_IsTheFirstWindowOfTheNextSession()
    {
        var grid = new BarWindows(Ny, Timeframe.OneHour, extendedHours: true);
        // 20:00 EDT Friday: next is Monday 04:00-05:00 EDT
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 8, 0), Utc(2013, 10, 7, 9, 0)), grid.WindowAtOrAfter(Utc(2013, 10, 5, 0, 0)));
    }

    [Fact]
    public void NonUtcInstants_AreRejected()
    {
        var grid = new BarWindows(Ny, Timeframe.OneMinute);
        var ex = Assert.Throws<ArgumentException>(() => grid.TryGetWindow(new DateTime(2013, 10, 7, 13, 30, 0, DateTimeKind.Local), out _));
        Assert.Contains("UTC", ex.Message, StringComparison.Ordinal);
        // also when the instant falls inside the cached segment
        Assert.True(grid.TryGetWindow(Utc(2013, 10, 7, 13, 31), out _));
        Assert.Throws<ArgumentException>(() => grid.TryGetWindow(new DateTime(2013, 10, 7, 13, 32, 0, DateTimeKind.Unspecified), out _));
    }
}

/// <summary>The same hand-worked cases on the real NYSE calendar.</summary>
public class BarWindowsNyseTests
{
    private static DateTime Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    [Fact]
    public void EarlyClose_ChristmasEve2015_LastHourBarIs1230To1300()
    {
        var grid = new BarWindows(NyseCalendar.Instance, Timeframe.OneHour);
        var windows = grid.WindowsOf(NyseCalendar.Instance.GetSession(new DateOnly(2015, 12, 24))!).ToList();
        Assert.Equal(4, windows.Count);
        Assert.Equal(new BarWindow(Utc(2015, 12, 24, 17, 30), Utc(2015, 12, 24, 18, 0)), windows[^1]); // 12:30-13:00 EST
        Assert.Equal(42, new BarWindows(NyseCalendar.Instance, Timeframe.FiveMinutes)
            .WindowsOf(NyseCalendar.Instance.GetSession(new DateOnly(2015, 12, 24))!).Count());
        // Christmas is closed: the next window after the early close ends Monday 2015-12-28 10:30 EST
        Assert.Equal(Utc(2015, 12, 28, 15, 30), grid.NextWindowEnd(Utc(2015, 12, 24, 18, 0)));
    }

    [Theory]
    [InlineData(2024, 3, 8, 14)]
    [InlineData(2024, 3, 11, 13)]
    [InlineData(2024, 11, 1, 13)]
    [InlineData(2024, 11, 4, 14)]
    public void DstChange_WindowsStayAt0930NewYork(int y, int m, int d, int openHourUtc)
    {
        var grid = new BarWindows(NyseCalendar.Instance, Timeframe.FiveMinutes);
        Assert.True(grid.TryGetWindow(Utc(y, m, d, openHourUtc, 32), out var w));
        Assert.Equal(new BarWindow(Utc(y, m, d, openHourUtc, 30), Utc(y, m, d, openHourUtc, 35)), w);
        Assert.False(grid.TryGetWindow(Utc(y, m, d, openHourUtc, 29), out _));
    }

    [Fact]
    public void PreMarketHourBarsStartAt0400()
    {
        var grid = new BarWindows(NyseCalendar.Instance, Timeframe.OneHour, extendedHours: true);
        Assert.True(grid.TryGetWindow(Utc(2013, 10, 7, 8, 59), out var w)); // 04:59 EDT
        Assert.Equal(new BarWindow(Utc(2013, 10, 7, 8, 0), Utc(2013, 10, 7, 9, 0)), w);
    }
}
