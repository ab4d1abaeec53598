using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;
using static StrategyLab.Tests.Core.Strategies.TestBars;

namespace StrategyLab.Tests.Core.Strategies;

public class OrbStrategyTests
{
    private static readonly IMarketCalendar Nyse = NyseCalendar.Instance;
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly DateOnly Monday = new(2024, 7, 1);      // EDT: 09:30 New York = 13:30 UTC
    private static readonly DateOnly Tuesday = new(2024, 7, 2);
    private static readonly DateOnly EarlyCloseDay = new(2024, 7, 3); // closes 13:00 New York

    /// <summary>
    /// The first 15 one-minute bars of the day (09:30 … 09:44). All sit at 100 except 09:37 (high 101) and
    /// 09:41 (low 99), so by hand the opening range is [99, 101].
    /// </summary>
    private static IEnumerable<Bar> OpeningRange1m(DateOnly day)
    {
        foreach (var bar in FlatRun(Nyse, Spy, day, "09:30", "09:45", 1, 100m))
        {
            var local = Nyse.ToExchangeTime(bar.Start);
            yield return (local.Hour, local.Minute) switch
            {
                (9, 37) => At(Nyse, Spy, day, "09:37", 1, 100m, 101m, 100m, 100.5m),
                (9, 41) => At(Nyse, Spy, day, "09:41", 1, 100m, 100m, 99m, 99.5m),
                _ => bar,
            };
        }
    }

    private static StrategyDriver Driver(OrbStrategy strategy, Timeframe? timeframe = null, IMarketCalendar? calendar = null, bool announceSessions = true, Symbol? symbol = null) =>
        new(strategy, new FakeStrategyContext(timeframe ?? Timeframe.OneMinute, calendar ?? Nyse, symbol ?? Spy), announceSessions);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Long_OnTheFirstBarThatClosesAboveTheRangeHigh(bool announceSessions)
    {
        var driver = Driver(new OrbStrategy(), announceSessions: announceSessions);
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(
            At(Nyse, Spy, Monday, "09:45", 1, 100m, 100.9m, 100m, 100.9m),     // below the high
            At(Nyse, Spy, Monday, "09:46", 1, 100.9m, 101.5m, 100.9m, 101m),   // trades above, closes AT the high: no
            At(Nyse, Spy, Monday, "09:47", 1, 101m, 101.2m, 101m, 101.01m),    // closes above: entry at 09:48
            At(Nyse, Spy, Monday, "09:48", 1, 101m, 102m, 101m, 102m));

        var intent = Assert.Single(driver.Context.Intents);
        Assert.Equal(new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Monday, "09:48")), intent);
        Assert.Equal(new DateTime(2024, 7, 1, 13, 48, 0, DateTimeKind.Utc), intent.TimeUtc);
    }

    [Fact]
    public void NoEntry_BeforeTheRangeIsComplete()
    {
        var driver = Driver(new OrbStrategy());
        // 09:30 sets the range to [99, 101]; 09:31 … 09:44 close far outside it but are still inside the window.
        driver.Feed(At(Nyse, Spy, Monday, "09:30", 1, 100m, 101m, 99m, 100m));
        driver.Feed(FlatRun(Nyse, Spy, Monday, "09:31", "09:45", 1, 105m));

        Assert.Empty(driver.Context.Intents);

        // The window is over; the range is [99, 105] now, so 105.5 breaks out.
        driver.Feed(Flat(Nyse, Spy, Monday, "09:45", 1, 105.5m));
        Assert.Equal(IntentKind.EnterLong, Assert.Single(driver.Context.Intents).Kind);
    }

    [Fact]
    public void AtMostOneEntryPerDay_AndANewOneTheNextDay()
    {
        var driver = Driver(new OrbStrategy());
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(Flat(Nyse, Spy, Monday, "09:45", 1, 102m));  // entry
        driver.Context.SetPosition(Spy, 0m);                     // the trade manager's stop-loss closed it
        driver.Feed(Flat(Nyse, Spy, Monday, "09:46", 1, 103m));  // still above the range: no second entry
        driver.Feed(Flat(Nyse, Spy, Monday, "10:30", 1, 104m));

        driver.Feed(OpeningRange1m(Tuesday));
        driver.Feed(Flat(Nyse, Spy, Tuesday, "09:45", 1, 101.5m));

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Monday, "09:46")),
                new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Tuesday, "09:46")),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void NoEntry_FromTheFlattenTime()
    {
        var driver = Driver(new OrbStrategy());
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(FlatRun(Nyse, Spy, Monday, "09:45", "15:54", 1, 100m));
        driver.Feed(Flat(Nyse, Spy, Monday, "15:54", 1, 102m)); // decided at 15:55 = 16:00 − 5 min: too late
        driver.Feed(Flat(Nyse, Spy, Monday, "15:55", 1, 103m));
        driver.Feed(Flat(Nyse, Spy, Monday, "15:59", 1, 103m));

        Assert.Empty(driver.Context.Intents);
    }

    [Fact]
    public void Flatten_AtCloseMinusFiveMinutes_AfterALateEntry()
    {
        var driver = Driver(new OrbStrategy());
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(FlatRun(Nyse, Spy, Monday, "09:45", "15:53", 1, 100m));
        driver.Feed(Flat(Nyse, Spy, Monday, "15:53", 1, 102m)); // decided at 15:54: still allowed
        driver.Feed(FlatRun(Nyse, Spy, Monday, "15:54", "16:00", 1, 102m));

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Monday, "15:54")),
                new Intent(IntentKind.Exit, Spy, "flatten", Utc(Nyse, Monday, "15:55")),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void Flatten_OnAnEarlyCloseDay_At1255()
    {
        var driver = Driver(new OrbStrategy());
        driver.Feed(OpeningRange1m(EarlyCloseDay));
        driver.Feed(Flat(Nyse, Spy, EarlyCloseDay, "09:45", 1, 101.5m));          // entry at 09:46
        driver.Feed(FlatRun(Nyse, Spy, EarlyCloseDay, "09:46", "13:00", 1, 102m)); // exit decided at 12:55

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, EarlyCloseDay, "09:46")),
                new Intent(IntentKind.Exit, Spy, "flatten", new DateTime(2024, 7, 3, 16, 55, 0, DateTimeKind.Utc)),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void NoFlatten_At1255_OnANormalDay()
    {
        var driver = Driver(new OrbStrategy());
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(Flat(Nyse, Spy, Monday, "09:45", 1, 101.5m));
        driver.Feed(FlatRun(Nyse, Spy, Monday, "09:46", "13:00", 1, 102m));

        Assert.Equal(IntentKind.EnterLong, Assert.Single(driver.Context.Intents).Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Short_OnACloseBelowTheRangeLow_OnlyWhenAllowed(bool allowShort)
    {
        var driver = Driver(new OrbStrategy { AllowShort = allowShort });
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(At(Nyse, Spy, Monday, "09:45", 1, 99.5m, 99.5m, 98.9m, 99m));  // closes AT the low: no
        driver.Feed(At(Nyse, Spy, Monday, "09:46", 1, 99m, 99m, 98.5m, 98.6m));    // closes below: short at 09:47
        driver.Feed(Flat(Nyse, Spy, Monday, "09:47", 1, 102m));                     // later breakout up: one entry a day

        if (allowShort)
        {
            Assert.Equal(
                [new Intent(IntentKind.EnterShort, Spy, "orb_breakout", Utc(Nyse, Monday, "09:47"))],
                driver.Context.Intents);
        }
        else
        {
            // Without shorts the downside break is ignored and the first upside close still enters.
            Assert.Equal(
                [new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Monday, "09:48"))],
                driver.Context.Intents);
        }
    }

    [Fact]
    public void RangeFromFiveMinuteBars_ExcludesTheBarAfterTheWindow()
    {
        var driver = Driver(new OrbStrategy(), Timeframe.FiveMinutes);
        driver.Feed(
            At(Nyse, Spy, Monday, "09:30", 5, 100m, 100.5m, 99.5m, 100m),
            At(Nyse, Spy, Monday, "09:35", 5, 100m, 101m, 99m, 100m),
            At(Nyse, Spy, Monday, "09:40", 5, 100m, 100.8m, 99.8m, 100m),  // range by hand: [99, 101]
            At(Nyse, Spy, Monday, "09:45", 5, 100m, 105m, 100m, 100.5m),  // outside the window: not part of the range
            At(Nyse, Spy, Monday, "09:50", 5, 100.5m, 102m, 100.5m, 102m)); // 102 > 101 (but < 105): entry at 09:55

        Assert.Equal(
            [new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Monday, "09:55"))],
            driver.Context.Intents);
    }

    [Fact]
    public void PreMarketBars_DoNotShapeTheRange()
    {
        var driver = Driver(new OrbStrategy());
        driver.Feed(At(Nyse, Spy, Monday, "09:28", 1, 100m, 110m, 90m, 100m));
        driver.Feed(Flat(Nyse, Spy, Monday, "09:29", 1, 100m));
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(Flat(Nyse, Spy, Monday, "09:45", 1, 101.01m));

        Assert.Equal(IntentKind.EnterLong, Assert.Single(driver.Context.Intents).Kind);
    }

    [Fact]
    public void APositionLeftOverFromAnEarlierSession_IsFlattenedOnTheFirstBar_ThenTheDayTradesNormally()
    {
        var driver = Driver(new OrbStrategy());
        driver.Feed(OpeningRange1m(Monday));
        driver.Feed(Flat(Nyse, Spy, Monday, "09:45", 1, 102m)); // entry; then the data stops for the day

        driver.Feed(OpeningRange1m(Tuesday));
        driver.Feed(Flat(Nyse, Spy, Tuesday, "09:45", 1, 101.5m));

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Monday, "09:46")),
                new Intent(IntentKind.Exit, Spy, "flatten", Utc(Nyse, Tuesday, "09:31")),
                new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Tuesday, "09:46")),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void Crypto_UsesTheUtcDayAsTheSession()
    {
        var btc = Symbol.Crypto("BTC-USD");
        var utc = CryptoCalendar.Instance;
        var day = new DateOnly(2024, 3, 9); // a Saturday: crypto trades anyway
        var driver = Driver(new OrbStrategy(), calendar: utc, symbol: btc);
        driver.Feed(At(utc, btc, day, "00:00", 5, 60000m, 60100m, 59900m, 60000m));
        driver.Feed(At(utc, btc, day, "00:05", 5, 60000m, 60050m, 59950m, 60000m));
        driver.Feed(At(utc, btc, day, "00:10", 5, 60000m, 60080m, 59800m, 60000m)); // range by hand: [59800, 60100]
        driver.Feed(FlatRun(utc, btc, day, "00:15", "00:20", 1, 60000m));
        driver.Feed(Flat(utc, btc, day, "00:20", 1, 59799m));                    // long only: ignored
        driver.Feed(Flat(utc, btc, day, "00:21", 1, 60100.5m));                  // entry at 00:22 UTC
        driver.Feed(FlatRun(utc, btc, day, "23:50", "23:59", 1, 60200m));        // flatten decided at 23:55

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, btc, "orb_breakout", new DateTime(2024, 3, 9, 0, 22, 0, DateTimeKind.Utc)),
                new Intent(IntentKind.Exit, btc, "flatten", new DateTime(2024, 3, 9, 23, 55, 0, DateTimeKind.Utc)),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void SymbolsAreIndependent()
    {
        var qqq = Symbol.Equity("QQQ");
        var context = new FakeStrategyContext(Timeframe.OneMinute, Nyse, qqq, Spy);
        var driver = new StrategyDriver(new OrbStrategy(), context);
        foreach (var spyBar in OpeningRange1m(Monday))
        {
            driver.Feed(Flat(Nyse, qqq, Monday, Nyse.ToExchangeTime(spyBar.Start).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), 1, 400m));
            driver.Feed(spyBar);
        }

        driver.Feed(Flat(Nyse, qqq, Monday, "09:45", 1, 400.01m));
        driver.Feed(Flat(Nyse, Spy, Monday, "09:45", 1, 100.5m));

        Assert.Equal([new Intent(IntentKind.EnterLong, qqq, "orb_breakout", Utc(Nyse, Monday, "09:46"))], context.Intents);
    }

    [Theory]
    [InlineData(15, "1m", true)]
    [InlineData(15, "5m", true)]
    [InlineData(15, "15m", true)]
    [InlineData(30, "15m", true)]
    [InlineData(15, "30s", true)]
    [InlineData(7, "5m", false)]
    [InlineData(10, "15m", false)]
    [InlineData(15, "1h", false)]
    [InlineData(60, "1d", false)]
    public void Initialize_RequiresTheRangeToBeAMultipleOfTheTimeframe(int minutes, string timeframe, bool valid)
    {
        var strategy = new OrbStrategy { OpeningRangeMinutes = minutes };
        var context = new FakeStrategyContext(Timeframe.Parse(timeframe), Nyse, Spy);
        if (valid)
        {
            strategy.Initialize(context);
            return;
        }

        var ex = Assert.Throws<StrategyConfigurationException>(() => strategy.Initialize(context));
        Assert.Equal("strategy.params.opening_range_minutes", ex.Key);
        Assert.Contains(timeframe, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WarmUp_StillBuildsTheRange_IntentsAreTheEnginesToDrop()
    {
        // During warm-up the engine ignores intents; the strategy keeps its state moving regardless.
        var driver = Driver(new OrbStrategy());
        driver.Context.IsWarmingUp = true;
        driver.Feed(OpeningRange1m(Monday));
        driver.Context.IsWarmingUp = false;
        driver.Feed(Flat(Nyse, Spy, Monday, "09:45", 1, 101.5m));

        Assert.Equal([new Intent(IntentKind.EnterLong, Spy, "orb_breakout", Utc(Nyse, Monday, "09:46"))], driver.Context.Intents);
    }
}
