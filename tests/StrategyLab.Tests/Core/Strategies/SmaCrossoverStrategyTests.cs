using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;
using static StrategyLab.Tests.Core.Strategies.TestBars;

namespace StrategyLab.Tests.Core.Strategies;

public class SmaCrossoverStrategyTests
{
    private static readonly IMarketCalendar Nyse = NyseCalendar.Instance;
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly DateOnly Day = new(2024, 7, 1);

    /// <summary>One flat 1-minute bar per close, from 10:00 New York; bar i (1-based) is decided at 10:00 + i minutes.</summary>
    private static Bar[] Closes(params decimal[] closes) =>
        [.. closes.Select((c, i) => Flat(Nyse, Spy, Day, new TimeOnly(10, 0).AddMinutes(i).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), 1, c))];

    private static DateTime DecisionOfBar(int oneBased) => Utc(Nyse, Day, "10:00").AddMinutes(oneBased);

    private static StrategyDriver Driver(SmaCrossoverStrategy strategy) =>
        new(strategy, new FakeStrategyContext(Timeframe.OneMinute, Nyse, Spy));

    // fast = 2, slow = 3, worked by hand:
    // bar  close  fast             slow                    side
    //  3    10    (10+10)/2 = 10   (10+10+10)/3 = 10       equal: none yet
    //  4     9    (10+9)/2  = 9.5  (10+10+9)/3  = 9.667    below (first side: not a cross)
    //  5    12    (9+12)/2  = 10.5 (10+9+12)/3  = 10.333   above: cross up
    //  6    13    12.5             (9+12+13)/3  = 11.333   above
    //  7     8    (13+8)/2  = 10.5 (12+13+8)/3  = 11       below: cross down
    //  8     8    8                (13+8+8)/3   = 9.667    below
    //  9    11    (8+11)/2  = 9.5  (8+8+11)/3   = 9        above: cross up
    private static readonly decimal[] Series = [10, 10, 10, 9, 12, 13, 8, 8, 11];

    [Fact]
    public void LongOnly_EntersOnCrossUp_ExitsOnCrossDown()
    {
        var driver = Driver(new SmaCrossoverStrategy { Fast = 2, Slow = 3 });
        driver.Feed(Closes(Series));

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "sma_cross_up", DecisionOfBar(5)),
                new Intent(IntentKind.Exit, Spy, "sma_cross_down", DecisionOfBar(7)),
                new Intent(IntentKind.EnterLong, Spy, "sma_cross_up", DecisionOfBar(9)),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void AllowShort_ReversesOnEachCross()
    {
        var driver = Driver(new SmaCrossoverStrategy { Fast = 2, Slow = 3, AllowShort = true });
        driver.Feed(Closes(Series));

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "sma_cross_up", DecisionOfBar(5)),
                new Intent(IntentKind.Exit, Spy, "sma_cross_down", DecisionOfBar(7)),
                new Intent(IntentKind.EnterShort, Spy, "sma_cross_down", DecisionOfBar(7)),
                new Intent(IntentKind.Exit, Spy, "sma_cross_up", DecisionOfBar(9)),
                new Intent(IntentKind.EnterLong, Spy, "sma_cross_up", DecisionOfBar(9)),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void NoCross_UntilBothAveragesWereReadyOnThePreviousBar()
    {
        // fast = 2, slow = 3. Bar 2: fast = 2 but slow not ready. Bar 3: fast (1+6)/2 = 3.5 > slow (3+1+6)/3 = 3.333:
        // fast is above at the first ready bar, which is a starting side, not a cross. Rising closes keep it above.
        var driver = Driver(new SmaCrossoverStrategy { Fast = 2, Slow = 3 });
        driver.Feed(Closes(3, 1, 6, 7, 8, 9));

        Assert.Empty(driver.Context.Intents);
    }

    [Fact]
    public void EqualAverages_KeepThePreviousSide()
    {
        // fast = 2, slow = 3. Bar 4 (close 9): below. Bar 5 (close 11): fast (9+11)/2 = 10 = slow (10+9+11)/3 = 10.
        // Bar 6 (close 12): fast 11.5 > slow (9+11+12)/3 = 10.667: the cross up is on bar 6.
        var driver = Driver(new SmaCrossoverStrategy { Fast = 2, Slow = 3 });
        driver.Feed(Closes(10, 10, 10, 9, 11, 12));

        Assert.Equal([new Intent(IntentKind.EnterLong, Spy, "sma_cross_up", DecisionOfBar(6))], driver.Context.Intents);
    }

    [Fact]
    public void EqualAveragesOfCentPrices_AreEqual_NotARoundingNoiseCross()
    {
        // fast = 2, slow = 3. Bar 3 (14.08): fast (14.09+14.08)/2 = 14.085 < slow (14.10+14.09+14.08)/3 = 14.09: below.
        // Bar 4 (14.10): fast (14.08+14.10)/2 = 14.09 = slow (14.09+14.08+14.10)/3 = 14.09, exactly. In doubles the two
        // come out 14.09 and 14.089999999999998, which is a cross up; the tie rule says the side stays "below".
        // Bar 5 (14.08): fast 14.09 > slow (14.08+14.10+14.08)/3 = 14.0867: the real cross up is here.
        var driver = Driver(new SmaCrossoverStrategy { Fast = 2, Slow = 3 });
        driver.Feed(Closes(14.10m, 14.09m, 14.08m, 14.10m, 14.08m));

        Assert.Equal([new Intent(IntentKind.EnterLong, Spy, "sma_cross_up", DecisionOfBar(5))], driver.Context.Intents);
    }

    [Fact]
    public void CrossDown_CancelsAPendingEntry()
    {
        var driver = Driver(new SmaCrossoverStrategy { Fast = 2, Slow = 3 });
        driver.Context.FillImmediately = false;
        driver.Feed(Closes(10, 10, 10, 9, 12)); // entry asked on bar 5, not filled
        driver.Context.SetPendingEntry(Spy, true);
        driver.Feed(Closes(10, 10, 10, 9, 12, 13, 8).Skip(5)); // bar 7: cross down

        Assert.Equal(
            [
                new Intent(IntentKind.EnterLong, Spy, "sma_cross_up", DecisionOfBar(5)),
                new Intent(IntentKind.Exit, Spy, "sma_cross_down", DecisionOfBar(7)),
            ],
            driver.Context.Intents);
    }

    [Fact]
    public void ValidateParameters_RejectsFastNotBelowSlow_NamingFast()
    {
        var ex = Assert.Throws<StrategyConfigurationException>(() => new SmaCrossoverStrategy { Fast = 30, Slow = 30 }.ValidateParameters(new StrategySetup(Timeframe.OneMinute, [Spy])));
        Assert.Equal("strategy.params.fast", ex.Key);
        Assert.Contains("30", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_ChecksAStrategyCreatedWithoutARunner()
    {
        var context = new FakeStrategyContext(Timeframe.OneMinute, Nyse, Spy);

        var ex = Assert.Throws<StrategyConfigurationException>(() => new SmaCrossoverStrategy { Fast = 30, Slow = 20 }.Initialize(context));

        Assert.Equal("strategy.params.fast: the fast period (30) must be shorter than the slow period (20).", ex.Message);
    }

    [Fact]
    public void SymbolsInAnyOrder_GiveEachSymbolTheSignalsItGetsAlone()
    {
        // The strategy guesses the next bar's symbol from the previous slice's order: shuffled slices, missing bars
        // and a symbol first seen late must not change what any symbol is told.
        Symbol[] symbols = [Symbol.Equity("ORDA"), Symbol.Equity("ORDB"), Symbol.Equity("ORDC"), Symbol.Equity("ORDD")];
        var rng = new Random(12);
        var prices = symbols.Select(_ => 50m).ToArray();
        var slices = new List<Bar[]>();
        for (var minute = 0; minute < 300; minute++)
        {
            var start = Utc(Nyse, Day, "09:30").AddMinutes(minute);
            var slice = new List<Bar>();
            for (var s = 0; s < symbols.Length; s++)
            {
                prices[s] = Math.Max(1m, prices[s] + (rng.Next(-20, 21) / 100m));
                var late = s == 3 && minute < 40; // the last symbol starts trading later
                if (!late && rng.Next(10) != 0) // and any symbol may have no bar in a slice
                {
                    slice.Add(new Bar(symbols[s], start, start.AddMinutes(1), prices[s], prices[s], prices[s], prices[s], 100));
                }
            }

            // Stable order mostly (as a run delivers it), shuffled now and then.
            slices.Add(minute % 7 == 0 ? [.. slice.OrderBy(_ => rng.Next())] : [.. slice]);
        }

        var together = new StrategyDriver(new SmaCrossoverStrategy { Fast = 3, Slow = 8, AllowShort = true }, new FakeStrategyContext(Timeframe.OneMinute, Nyse, symbols));
        foreach (var slice in slices)
        {
            together.Feed(slice);
        }

        foreach (var symbol in symbols)
        {
            var alone = new StrategyDriver(new SmaCrossoverStrategy { Fast = 3, Slow = 8, AllowShort = true }, new FakeStrategyContext(Timeframe.OneMinute, Nyse, symbol));
            alone.Feed(slices.SelectMany(slice => slice).Where(b => b.Symbol == symbol));
            Assert.NotEmpty(alone.Context.Intents);
            Assert.Equal(alone.Context.Intents, together.Context.Intents.Where(i => i.Symbol == symbol));
        }
    }
}
