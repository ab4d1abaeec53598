using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;
using static StrategyLab.Tests.Core.Strategies.TestBars;

namespace StrategyLab.Tests.Core.Strategies;

public class RsiReversionStrategyTests
{
    private static readonly IMarketCalendar Nyse = NyseCalendar.Instance;
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly DateOnly Day = new(2024, 7, 1);

    private static Bar[] Closes(params decimal[] closes) =>
        [.. closes.Select((c, i) => Flat(Nyse, Spy, Day, new TimeOnly(10, 0).AddMinutes(i).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), 1, c))];

    private static DateTime DecisionOfBar(int oneBased) => Utc(Nyse, Day, "10:00").AddMinutes(oneBased);

    private static StrategyDriver Driver(RsiReversionStrategy strategy) =>
        new(strategy, new FakeStrategyContext(Timeframe.OneMinute, Nyse, Spy));

    // RSI(2), Wilder, worked by hand (gain/loss averages g/l; RSI = 100·g/(g+l)):
    // bar close change  g        l         RSI
    //  3   12   +1      (1+1)/2=1 0          100     (first value: nothing to cross from)
    //  4    9   −3      0.5      1.5        25      fell through 30: long
    //  5    8   −1      0.25     1.25       16.67
    //  6   10   +2      1.125    0.625      64.29   above 50: exit the long
    //  7   12   +2      1.5625   0.3125     83.33   rose through 70: short (when allowed)
    //  8   11   −1      0.78125  0.65625    54.35
    //  9    9   −2      0.390625 1.328125   22.73   below 50: exit a short; fell through 30: long
    private static readonly decimal[] Series = [10, 11, 12, 9, 8, 10, 12, 11, 9];

    [Fact]
    public void LongOnly()
    {
        var driver = Driver(new RsiReversionStrategy { Period = 2 });
        driver.Feed(Closes(Series));

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "rsi_oversold", DecisionOfBar(4)),
                new Intent(IntentKind.Exit, Spy, "rsi_exit", DecisionOfBar(6)),
                new Intent(IntentKind.EnterLong, Spy, "rsi_oversold", DecisionOfBar(9)),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void WithShorts()
    {
        var driver = Driver(new RsiReversionStrategy { Period = 2, AllowShort = true });
        driver.Feed(Closes(Series));

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "rsi_oversold", DecisionOfBar(4)),
                new Intent(IntentKind.Exit, Spy, "rsi_exit", DecisionOfBar(6)),
                new Intent(IntentKind.EnterShort, Spy, "rsi_overbought", DecisionOfBar(7)),
                new Intent(IntentKind.Exit, Spy, "rsi_exit", DecisionOfBar(9)),
                new Intent(IntentKind.EnterLong, Spy, "rsi_oversold", DecisionOfBar(9)),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void StayingOversold_AfterAStopLoss_IsNotANewEntry()
    {
        // Bars 4 and 5 as above (25, then 16.67); bar 6 close 7: g = 0.125, l = (1.25 + 1)/2 = 1.125, RSI = 10.
        var driver = Driver(new RsiReversionStrategy { Period = 2 });
        driver.Feed(Closes(10, 11, 12, 9));
        driver.Context.SetPosition(Spy, 0m); // the trade manager's stop-loss closed the long
        driver.Feed(Closes(10, 11, 12, 9, 8, 7).Skip(4));

        Assert.Equal([new Intent(IntentKind.EnterLong, Spy, "rsi_oversold", DecisionOfBar(4))], driver.Context.Intents);
    }

    [Fact]
    public void FirstReadyValueBelowOversold_IsNotACross()
    {
        // Falling closes: RSI(2) is 0 from its first value on, never crossing 30 from above.
        var driver = Driver(new RsiReversionStrategy { Period = 2 });
        driver.Feed(Closes(12, 11, 10, 9, 8));

        Assert.Empty(driver.Context.Intents);
    }

    [Theory]
    [InlineData(50, 70, 50, "strategy.params.oversold")]
    [InlineData(60, 70, 50, "strategy.params.oversold")]
    [InlineData(30, 70, 70, "strategy.params.exit_level")]
    [InlineData(30, 40, 50, "strategy.params.exit_level")]
    [InlineData(-1, 70, 50, "strategy.params.oversold")]
    [InlineData(30, 101, 50, "strategy.params.overbought")]
    public void ValidateParameters_RequiresOversoldBelowExitBelowOverbought(double oversold, double overbought, double exit, string key)
    {
        var ex = Assert.Throws<StrategyConfigurationException>(
            () => new RsiReversionStrategy { Oversold = oversold, Overbought = overbought, ExitLevel = exit }.ValidateParameters(new StrategySetup(Timeframe.OneDay, [Spy])));
        Assert.Equal(key, ex.Key);
    }
}
