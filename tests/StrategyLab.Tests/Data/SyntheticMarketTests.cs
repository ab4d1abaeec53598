using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Data.Synthetic;
using StrategyLab.Strategies;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

public class SyntheticMarketTests
{
    private static SyntheticMarket Market(int symbols = 3, ulong seed = 42, string from = "2015-12-01", string to = "2015-12-31", bool extended = false) =>
        new(new SyntheticMarketOptions
        {
            Seed = seed,
            Symbols = SyntheticMarket.DefaultSymbols(symbols),
            From = DateOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            To = DateOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture),
            ExtendedHours = extended,
        });

    private static DateTime NyLocal(DateTime utc) => NyseCalendar.Instance.ToExchangeTime(utc);

    [Fact]
    public void SameSeed_GivesIdenticalOutput_OtherSeedDoesNot()
    {
        var a = Market(seed: 7).MinuteBars().ToList();
        var b = Market(seed: 7).MinuteBars().ToList();
        var c = Market(seed: 8).MinuteBars().ToList();
        Assert.Equal(a, b);
        Assert.Equal(a.Count, c.Count); // same calendar ...
        Assert.NotEqual(a.Select(x => x.Close), c.Select(x => x.Close)); // ... different path

        Assert.Equal(Market(seed: 7, extended: true).Trades().Take(50_000), Market(seed: 7, extended: true).Trades().Take(50_000));
    }

    [Fact]
    public void SymbolsAreLabelledSynthetic_AndEachPathIgnoresTheOtherSymbols()
    {
        var symbols = SyntheticMarket.DefaultSymbols(28);
        Assert.Equal(["SYNA", "SYNB", "SYNZ", "SYNAA", "SYNAB"], new[] { 0, 1, 25, 26, 27 }.Select(i => symbols[i].Symbol.Ticker));
        Assert.Equal("Synthetic SYNA", symbols[0].Name);

        var alone = Market(symbols: 1).MinuteBars().ToList();
        var withOthers = Market(symbols: 5).MinuteBars().Where(b => b.Symbol.Ticker == "SYNA").ToList();
        Assert.Equal(alone, withOthers);
    }

    [Fact]
    public void Bars_AreValid_OnTheCentGrid_AndInEndThenSymbolOrder()
    {
        var bars = Market(symbols: 4, extended: true).MinuteBars().ToList();
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            Assert.True(b.Low > 0 && b.Low <= Math.Min(b.Open, b.Close) && Math.Max(b.Open, b.Close) <= b.High, b.ToString());
            foreach (var p in new[] { b.Open, b.High, b.Low, b.Close })
            {
                Assert.Equal(decimal.Truncate(p * 100), p * 100);
            }

            Assert.True(b.Volume >= 4 && decimal.Truncate(b.Volume) == b.Volume, b.ToString());
            Assert.InRange(b.TradeCount!.Value, 4, 64);
            Assert.Equal(TimeSpan.FromMinutes(1), b.Duration);
            if (i > 0)
            {
                var p = bars[i - 1];
                Assert.True(p.End < b.End || (p.End == b.End && p.Symbol < b.Symbol), $"{p} then {b}");
            }
        }
    }

    [Fact]
    public void FollowsTheNyseCalendar_NoHolidays_EarlyCloseIsShort()
    {
        var bars = Market(symbols: 2).MinuteBars().ToList();
        var perDay = bars.Where(b => b.Symbol.Ticker == "SYNA").GroupBy(b => DateOnly.FromDateTime(NyLocal(b.Start))).ToDictionary(g => g.Key, g => g.ToList());

        // December 2015: 23 weekdays (Tue 1st to Thu 31st) minus Christmas = 22 sessions
        Assert.Equal(22, perDay.Count);
        Assert.DoesNotContain(new DateOnly(2015, 12, 25), perDay.Keys);
        Assert.All(perDay.Keys, d => Assert.True(d.DayOfWeek is not DayOfWeek.Saturday and not DayOfWeek.Sunday));

        var christmasEve = perDay[new DateOnly(2015, 12, 24)];
        Assert.Equal(210, christmasEve.Count); // 09:30-13:00
        Assert.Equal(new DateTime(2015, 12, 24, 18, 0, 0, DateTimeKind.Utc), christmasEve[^1].End);
        Assert.All(perDay.Where(kv => kv.Key != new DateOnly(2015, 12, 24)), kv => Assert.Equal(390, kv.Value.Count));
        Assert.All(bars, b => Assert.InRange(NyLocal(b.Start).TimeOfDay, new TimeSpan(9, 30, 0), new TimeSpan(15, 59, 0)));
    }

    [Fact]
    public void ExtendedHours_AreSparseAndInsideTheirSegments()
    {
        var bars = Market(symbols: 1, extended: true, from: "2015-12-07", to: "2015-12-11").MinuteBars().ToList();
        var pre = bars.Count(b => NyLocal(b.Start).TimeOfDay < new TimeSpan(9, 30, 0));
        var after = bars.Count(b => NyLocal(b.Start).TimeOfDay >= new TimeSpan(16, 0, 0));
        Assert.Equal(5 * 390, bars.Count - pre - after);
        Assert.InRange(pre, 50, (5 * 330) - 200); // some, but far from every minute
        Assert.InRange(after, 50, (5 * 240) - 200);
        Assert.All(bars, b => Assert.InRange(NyLocal(b.Start).TimeOfDay, new TimeSpan(4, 0, 0), new TimeSpan(19, 59, 0)));
    }

    [Fact]
    public void Volume_IsUShaped_AndVolatilityHigherAfterTheOpen()
    {
        var bars = Market(symbols: 5, from: "2015-09-01", to: "2015-11-30").MinuteBars().ToList();
        double Avg(Func<Bar, double> f, TimeSpan from, TimeSpan to) =>
            bars.Where(b => NyLocal(b.Start).TimeOfDay >= from && NyLocal(b.Start).TimeOfDay < to).Average(f);

        var firstHalfHour = Avg(b => (double)b.Volume, new(9, 30, 0), new(10, 0, 0));
        var midday = Avg(b => (double)b.Volume, new(12, 0, 0), new(13, 30, 0));
        var lastHalfHour = Avg(b => (double)b.Volume, new(15, 30, 0), new(16, 0, 0));
        Assert.True(firstHalfHour > 1.5 * midday, $"first 30 min {firstHalfHour:F0} vs midday {midday:F0}");
        Assert.True(lastHalfHour > 1.5 * midday, $"last 30 min {lastHalfHour:F0} vs midday {midday:F0}");

        static double Range(Bar b) => (double)((b.High - b.Low) / b.Open);
        Assert.True(Avg(Range, new(9, 30, 0), new(9, 45, 0)) > 1.3 * Avg(Range, new(12, 0, 0), new(13, 30, 0)));
    }

    [Fact]
    public void Sessions_OpenWithOvernightGaps_AndTrendDaysExist()
    {
        var bars = Market(symbols: 3, from: "2015-01-01", to: "2015-12-31").MinuteBars().ToList();
        var days = bars.GroupBy(b => (b.Symbol, Day: DateOnly.FromDateTime(NyLocal(b.Start)))).Select(g => g.ToList()).ToList();
        var gaps = 0;
        var bigMoves = 0;
        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            var previous = days.Take(i).LastOrDefault(d => d[0].Symbol == day[0].Symbol);
            if (previous is not null && day[0].Open != previous[^1].Close)
            {
                gaps++;
            }

            // a session whose close is more than one (typical) daily standard deviation from its open
            if (Math.Abs((double)(day[^1].Close / day[0].Open) - 1) > 0.012)
            {
                bigMoves++;
            }
        }

        Assert.True(gaps > days.Count * 0.9, $"{gaps} gaps in {days.Count} sessions");
        Assert.InRange(bigMoves, days.Count / 5, days.Count * 4 / 5);
        Assert.All(bars, b => Assert.True(b.Low > 0));
    }

    [Fact]
    public void Trades_AggregateBackToTheMinuteBarsExactly()
    {
        var market = Market(symbols: 3, from: "2015-12-23", to: "2015-12-28", extended: true);
        var aggregator = new TradeBarAggregator(new TradeBarAggregatorOptions { Timeframe = Timeframe.OneMinute, ExtendedHours = true });
        var fromTrades = new BarCollector();
        var previous = DateTime.MinValue;
        foreach (var trade in market.Trades())
        {
            Assert.True(trade.Time >= previous, "trades are in time order");
            previous = trade.Time;
            aggregator.AdvanceTo(trade.Time, fromTrades);
            Assert.Equal(TradeOutcome.Accepted, aggregator.Add(trade));
        }

        aggregator.Flush(fromTrades);
        var minutes = market.MinuteBars().ToList();
        Assert.Equal(minutes.Count, fromTrades.Bars.Count);
        for (var i = 0; i < minutes.Count; i++)
        {
            var (m, t) = (minutes[i], fromTrades.Bars[i]);
            Assert.Equal((m.Symbol, m.Start, m.End, m.Open, m.High, m.Low, m.Close, m.Volume, m.TradeCount), (t.Symbol, t.Start, t.End, t.Open, t.High, t.Low, t.Close, t.Volume, t.TradeCount));
            Assert.InRange(t.Vwap!.Value, t.Low, t.High);
        }
    }

    [Fact]
    public void ResampledBars_EqualSumsOfTheMinuteBars()
    {
        var market = Market(symbols: 2, from: "2015-12-21", to: "2015-12-28");
        var minutes = market.MinuteBars().ToList();
        foreach (var (tf, minutesPerBar) in new[] { (Timeframe.FiveMinutes, 5), (Timeframe.OneHour, 60) })
        {
            // Independent: group each day's 1m bars by whole 5m/60m steps from 09:30 New York.
            var expected = minutes
                .GroupBy(b => (b.Symbol, Day: DateOnly.FromDateTime(NyLocal(b.Start)),
                    Slot: (int)(NyLocal(b.Start).TimeOfDay - new TimeSpan(9, 30, 0)).TotalMinutes / minutesPerBar))
                .Select(g => (Symbol: g.Key.Symbol, Start: g.First().Start, End: g.Last().End, Open: g.First().Open, High: g.Max(b => b.High),
                    Low: g.Min(b => b.Low), Close: g.Last().Close, Volume: g.Sum(b => b.Volume), Count: g.Sum(b => b.TradeCount)))
                .OrderBy(x => x.End).ThenBy(x => x.Symbol)
                .ToList();
            var actual = market.Bars(tf).Select(b => (b.Symbol, b.Start, b.End, b.Open, b.High, b.Low, b.Close, b.Volume, b.TradeCount)).ToList();
            Assert.Equal(expected, actual);
        }

        // 1h on Christmas Eve: 09:30, 10:30, 11:30 and the short 12:30-13:00
        var hours = market.Bars(Timeframe.OneHour).Where(b => b.Symbol.Ticker == "SYNA" && DateOnly.FromDateTime(NyLocal(b.Start)) == new DateOnly(2015, 12, 24)).ToList();
        Assert.Equal([60, 60, 60, 30], hours.Select(b => (int)b.Duration.TotalMinutes));

        var daily = market.Bars(Timeframe.OneDay).Where(b => b.Symbol.Ticker == "SYNA").ToList();
        Assert.Equal(5, daily.Count); // 21, 22, 23, 24, 28
        Assert.Equal(TimeSpan.FromMinutes(210), daily[3].Duration);
    }

    [Fact]
    public void SecondBars_ComeFromTheTrades()
    {
        var market = Market(symbols: 1, from: "2015-12-22", to: "2015-12-22");
        var seconds = market.Bars(Timeframe.FiveSeconds).ToList();
        var minutes = market.MinuteBars().ToList();
        Assert.Equal(minutes.Sum(b => b.Volume), seconds.Sum(b => b.Volume));
        Assert.All(seconds, b => Assert.Equal(TimeSpan.FromSeconds(5), b.Duration));
        Assert.True(seconds.Count > minutes.Count * 4);
    }

    [Fact]
    public void Crypto_Trades24x7_AlignedToUtcMidnight_WithEightDecimalVolumes()
    {
        var market = new SyntheticMarket(new SyntheticMarketOptions
        {
            Seed = 3,
            Symbols = [.. SyntheticMarket.DefaultCryptoSymbols(2), .. SyntheticMarket.DefaultSymbols(1)],
            From = new DateOnly(2015, 12, 24),
            To = new DateOnly(2015, 12, 26), // Christmas and a Saturday: crypto only
        });
        var bars = market.MinuteBars().ToList();
        var btc = bars.Where(b => b.Symbol.Ticker == "SYNA-USD").ToList();
        Assert.Equal(3 * 1440, btc.Count);
        Assert.Equal(new DateTime(2015, 12, 24, 0, 0, 0, DateTimeKind.Utc), btc[0].Start);
        Assert.Equal(AssetClass.Crypto, btc[0].Symbol.AssetClass);
        Assert.Contains(btc, b => decimal.Truncate(b.Volume) != b.Volume);
        Assert.All(btc, b => Assert.Equal(decimal.Truncate(b.Volume * 100_000_000m), b.Volume * 100_000_000m));
        Assert.Equal(210, bars.Count(b => b.Symbol.Ticker == "SYNA")); // the equity trades only on Christmas Eve
        var daily = market.Bars(Timeframe.OneDay).Where(b => b.Symbol.Ticker == "SYNA-USD").ToList();
        Assert.Equal([TimeSpan.FromDays(1)], daily.Select(b => b.Duration).Distinct());
    }

    [Fact]
    public void MinuteBars_AreStreamed_WithoutAllocatingPerBar()
    {
        var market = Market(symbols: 10, from: "2015-01-01", to: "2015-03-31");

        // Warm up on a small market first: the JIT's own allocations on this thread (first calls, tier-up) are not the
        // stream's, and how many happen here depends on which tests ran before.
        foreach (var _ in Market(symbols: 2, from: "2015-01-02", to: "2015-01-06").MinuteBars())
        {
        }

        var count = 0L;
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var bar in market.MinuteBars())
        {
            count++;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10L * 390 * 61, count); // 61 full sessions in Q1 2015, no early close
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes for {count} bars");
    }

    [Theory]
    [InlineData("orb")]
    [InlineData("sma")]
    public void Strategies_FindTradesInTheSyntheticMarket(string name)
    {
        IStrategy strategy = name == "orb" ? new OrbStrategy() : new SmaCrossoverStrategy();
        var symbols = SyntheticMarket.DefaultSymbols(3);
        var market = new SyntheticMarket(new SyntheticMarketOptions
        {
            Seed = 11,
            Symbols = symbols,
            From = new DateOnly(2024, 1, 1),
            To = new DateOnly(2024, 1, 31),
            CalendarFor = _ => WeekdayTestCalendar.Instance, // the engine harness's calendar
        });
        var harness = new EngineHarness(strategy, [.. symbols.Select(s => s.Symbol)], options: new StrategyLab.Core.Engine.EngineOptions { Timeframe = Timeframe.FiveMinutes });
        var bars = market.Bars(Timeframe.FiveMinutes).ToList();
        harness.Engine.Run(bars);
        Assert.True(harness.Recorder.Trips.Count >= 10, $"{name}: only {harness.Recorder.Trips.Count} round trips");
    }

    [Fact]
    public void BadOptions_AreRejected_NamingTheOption()
    {
        var good = new SyntheticMarketOptions { Symbols = SyntheticMarket.DefaultSymbols(1), From = new DateOnly(2015, 1, 2), To = new DateOnly(2015, 1, 2) };
        Assert.Contains("From", Assert.Throws<ArgumentException>(() => new SyntheticMarket(good with { From = new DateOnly(2015, 1, 3) })).Message, StringComparison.Ordinal);
        Assert.Contains("Symbols", Assert.Throws<ArgumentException>(() => new SyntheticMarket(good with { Symbols = [] })).Message, StringComparison.Ordinal);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new SyntheticMarket(good with { Symbols = [.. good.Symbols, .. good.Symbols] })).Message, StringComparison.Ordinal);
        Assert.Contains("StartPrice", Assert.Throws<ArgumentException>(
            () => new SyntheticMarket(good with { Symbols = [SyntheticSymbol.Equity("SYNX", 0m)] })).Message, StringComparison.Ordinal);
        Assert.Contains("DailyVolatility", Assert.Throws<ArgumentException>(
            () => new SyntheticMarket(good with { Symbols = [SyntheticSymbol.Equity("SYNX", 10m, double.NaN)] })).Message, StringComparison.Ordinal);
    }
}
