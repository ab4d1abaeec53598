using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Aggregation;

/// <summary>Hand-worked aggregation cases on 2013-10-07 (EDT, UTC-4: 09:30 = 13:30Z) unless said otherwise.</summary>
public class TradeBarAggregatorTests
{
    private static readonly IMarketCalendar Ny = TestExchangeCalendar.Default;
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");

    private static DateTime At(int h, int m, int s = 0, int ms = 0) =>
        new DateTime(2013, 10, 7, h, m, s, DateTimeKind.Utc).AddMilliseconds(ms);

    private static TradeBarAggregator Make(Timeframe tf, TimeSpan grace = default, bool empty = false, bool extended = false) =>
        new(Ny, new TradeBarAggregatorOptions { Timeframe = tf, Grace = grace, EmitEmptyBars = empty, ExtendedHours = extended });

    [Fact]
    public void Trades_BecomeBarsWithOhlcvCountAndVwap()
    {
        var agg = Make(Timeframe.OneMinute);
        var sink = new BarCollector();
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30, 1), 10.00m, 100)));
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30, 20), 10.50m, 200)));
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30, 40), 9.80m, 100)));
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30, 59), 10.10m, 100)));
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 31, 0), 10.20m, 50)));

        Assert.Equal(0, agg.AdvanceTo(At(13, 30, 59), sink));
        Assert.Equal(1, agg.AdvanceTo(At(13, 31, 0), sink)); // grace 0: the 13:30 window closes at 13:31
        // VWAP = (1000 + 2100 + 980 + 1010) / 500 = 5090 / 500 = 10.18
        Assert.Equal(new Bar(Aaa, At(13, 30), At(13, 31), 10.00m, 10.50m, 9.80m, 10.10m, 500m, 4, 10.18m), sink.Bars[0]);

        Assert.Equal(1, agg.Flush(sink));
        Assert.Equal(new Bar(Aaa, At(13, 31), At(13, 32), 10.20m, 10.20m, 10.20m, 10.20m, 50m, 1, 10.20m), sink.Bars[1]);
        Assert.Equal(new TradeAggregationCounters(5, 0, 0, 0, 0, 2, 0), agg.Counters);
    }

    [Fact]
    public void OutOfOrderTradesWithinGrace_FollowTradeTime_TiesByArrival()
    {
        var agg = Make(Timeframe.OneMinute, TimeSpan.FromSeconds(5));
        var sink = new BarCollector();
        agg.Add(new TradePrint(Aaa, At(13, 30, 30), 10.00m, 1));
        agg.Add(new TradePrint(Aaa, At(13, 30, 50), 10.40m, 1));
        agg.AdvanceTo(At(13, 31, 2), sink); // window end passed, but within the 5 s grace
        Assert.Empty(sink.Bars);
        agg.Add(new TradePrint(Aaa, At(13, 30, 10), 10.20m, 1)); // arrives late but is the earliest: the open
        agg.Add(new TradePrint(Aaa, At(13, 30, 10), 10.30m, 1)); // same time, arrived later: not the open
        agg.Add(new TradePrint(Aaa, At(13, 30, 50), 10.35m, 1)); // ties the latest time, arrived last: the close
        agg.Add(new TradePrint(Aaa, At(13, 30, 40), 9.90m, 1));
        agg.AdvanceTo(At(13, 31, 5), sink);
        var bar = Assert.Single(sink.Bars);
        Assert.Equal((10.20m, 10.40m, 9.90m, 10.35m, 6m, 6), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.TradeCount));
    }

    [Fact]
    public void LateTrades_BeyondGrace_AreRejectedAndCounted()
    {
        var agg = Make(Timeframe.OneMinute, TimeSpan.FromSeconds(5));
        var sink = new BarCollector();
        agg.Add(new TradePrint(Aaa, At(13, 30, 30), 10.00m, 1));
        agg.AdvanceTo(At(13, 31, 4, 999), sink);
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30, 59), 11.00m, 1))); // 1 ms before end + grace
        agg.AdvanceTo(At(13, 31, 5), sink);
        Assert.Equal(TradeOutcome.Late, agg.Add(new TradePrint(Aaa, At(13, 30, 59), 12.00m, 1)));
        // a window that never had trades is closed just the same
        agg.AdvanceTo(At(13, 40), sink);
        Assert.Equal(TradeOutcome.Late, agg.Add(new TradePrint(Aaa, At(13, 35), 12.00m, 1)));
        var bar = Assert.Single(sink.Bars);
        Assert.Equal((10.00m, 11.00m, 2m), (bar.Open, bar.Close, bar.Volume));
        Assert.Equal(2, agg.Counters.Late);
        Assert.Equal(2, agg.Counters.Accepted);
    }

    [Fact]
    public void Duplicates_AreCountedOnce_WhileTheirWindowIsOpen()
    {
        var agg = Make(Timeframe.OneMinute, TimeSpan.FromSeconds(10));
        var sink = new BarCollector();
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30, 1), 10m, 100, "t1")));
        Assert.Equal(TradeOutcome.Duplicate, agg.Add(new TradePrint(Aaa, At(13, 30, 1), 10m, 100, "t1")));
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Bbb, At(13, 30, 1), 10m, 100, "t1"))); // ids are per symbol
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 31, 1), 11m, 100, "t2")));
        // same id, other open window of the symbol: still a duplicate
        Assert.Equal(TradeOutcome.Duplicate, agg.Add(new TradePrint(Aaa, At(13, 31, 2), 11m, 100, "t1")));
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 31, 3), 11m, 100))); // no id: never a duplicate
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 31, 3), 11m, 100)));
        agg.AdvanceTo(At(13, 31, 10), sink); // closes 13:30 for both symbols; "t1" of AAA is forgotten
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 31, 4), 11m, 100, "t1")));
        agg.Flush(sink);
        Assert.Equal([100m, 100m, 400m], sink.Bars.Select(b => b.Volume));
        Assert.Equal(2, agg.Counters.Duplicates);
        Assert.Equal(6, agg.Counters.Accepted);
    }

    [Fact]
    public void OutsideHours_AndZeroSize_ChangeNothing()
    {
        var agg = Make(Timeframe.OneMinute);
        var sink = new BarCollector();
        Assert.Equal(TradeOutcome.OutsideHours, agg.Add(new TradePrint(Aaa, At(13, 29, 59), 10m, 100))); // 09:29:59
        Assert.Equal(TradeOutcome.OutsideHours, agg.Add(new TradePrint(Aaa, At(20, 0), 10m, 100))); // 16:00
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30), 10m, 100)));
        Assert.Equal(TradeOutcome.ZeroSize, agg.Add(new TradePrint(Aaa, At(13, 30, 30), 99m, 0, "z")));
        Assert.Equal(TradeOutcome.ZeroSize, agg.Add(new TradePrint(Aaa, At(13, 31, 30), 99m, 0)));
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 30, 40), 10m, 100, "z"))); // a zero print's id is not kept
        agg.Flush(sink);
        var bar = Assert.Single(sink.Bars); // the 13:31 zero-size print opened no bar
        Assert.Equal((10m, 10m, 200m, 2), (bar.High, bar.Close, bar.Volume, bar.TradeCount));
        Assert.Equal(new TradeAggregationCounters(2, 0, 0, 2, 2, 1, 0), agg.Counters);
    }

    [Fact]
    public void ExtendedHours_AcceptsPreMarketAndAfterHoursTrades()
    {
        var agg = Make(Timeframe.OneHour, extended: true);
        var sink = new BarCollector();
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 10), 10m, 1))); // 09:10 pre-market
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(13, 40), 11m, 1))); // 09:40
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(Aaa, At(20, 10), 12m, 1))); // 16:10
        Assert.Equal(TradeOutcome.OutsideHours, agg.Add(new TradePrint(Aaa, At(7, 59), 12m, 1))); // 03:59
        agg.Flush(sink);
        Assert.Equal(
            [(At(13, 0), At(13, 30)), (At(13, 30), At(14, 30)), (At(20, 0), At(21, 0))],
            sink.Bars.Select(b => (b.Start, b.End)));
    }

    [Fact]
    public void EarlyClose_LastHourBarEndsAtTheClose()
    {
        var agg = Make(Timeframe.OneHour);
        var sink = new BarCollector();
        var t = new DateTime(2015, 12, 24, 17, 45, 0, DateTimeKind.Utc); // 12:45 EST
        agg.Add(new TradePrint(Aaa, t, 10m, 1));
        Assert.Equal(new DateTime(2015, 12, 24, 18, 0, 0, DateTimeKind.Utc), agg.NextEmissionTime);
        agg.AdvanceTo(new DateTime(2015, 12, 24, 18, 0, 0, DateTimeKind.Utc), sink);
        var bar = Assert.Single(sink.Bars);
        Assert.Equal(new DateTime(2015, 12, 24, 17, 30, 0, DateTimeKind.Utc), bar.Start);
        Assert.Equal(TimeSpan.FromMinutes(30), bar.Duration);
    }

    [Fact]
    public void Bars_AreEmittedInEndThenSymbolOrder()
    {
        var agg = Make(Timeframe.OneMinute, TimeSpan.FromSeconds(30));
        var sink = new BarCollector();
        agg.Add(new TradePrint(Bbb, At(13, 31, 10), 20m, 1));
        agg.Add(new TradePrint(Aaa, At(13, 31, 20), 10m, 1));
        agg.Add(new TradePrint(Bbb, At(13, 30, 50), 20m, 1));
        agg.Add(new TradePrint(Aaa, At(13, 32, 5), 10m, 1));
        agg.Add(new TradePrint(Bbb, At(13, 33, 5), 20m, 1));
        Assert.Equal(3, agg.AdvanceTo(At(13, 32, 40), sink));
        Assert.Equal(2, agg.Flush(sink));
        Assert.Equal(
            ["BBB 13:31", "AAA 13:32", "BBB 13:32", "AAA 13:33", "BBB 13:34"],
            sink.Bars.Select(b => $"{b.Symbol} {b.End:HH:mm}"));
        Assert.Equal(At(13, 34, 30), agg.Clock); // Flush moved the clock to the last end + grace
    }

    [Fact]
    public void EmptyBars_AreFlatAtTheLastClose_OnlyInsideHours_AndOnlyAfterTheFirstTrade()
    {
        var agg = Make(Timeframe.OneMinute, empty: true);
        var sink = new BarCollector();
        agg.AdvanceTo(At(13, 35), sink);
        Assert.Empty(sink.Bars); // no last price yet
        agg.Add(new TradePrint(Aaa, At(13, 35, 5), 10m, 5));
        agg.Add(new TradePrint(Aaa, At(13, 35, 6), 10.5m, 5));
        agg.AdvanceTo(At(13, 38), sink);
        Assert.Equal(
            [
                new Bar(Aaa, At(13, 35), At(13, 36), 10m, 10.5m, 10m, 10.5m, 10m, 2, 10.25m),
                new Bar(Aaa, At(13, 36), At(13, 37), 10.5m, 10.5m, 10.5m, 10.5m, 0m, 0, null),
                new Bar(Aaa, At(13, 37), At(13, 38), 10.5m, 10.5m, 10.5m, 10.5m, 0m, 0, null),
            ],
            sink.Bars);

        // overnight: empty bars until 16:00, none in the night, then from 09:30 the next day
        sink.Bars.Clear();
        agg.AdvanceTo(new DateTime(2013, 10, 8, 13, 32, 0, DateTimeKind.Utc), sink);
        Assert.Equal((6 * 60) + 22 + 2, sink.Bars.Count); // 09:38-16:00 EDT is 382 windows, then 09:30 and 09:31
        Assert.Equal(At(20, 0), sink.Bars[381].End);
        Assert.Equal(new DateTime(2013, 10, 8, 13, 30, 0, DateTimeKind.Utc), sink.Bars[382].Start);
        Assert.All(sink.Bars, b => Assert.Equal((10.5m, 0m), (b.Open, b.Volume)));
        Assert.Equal(2 + 384, agg.Counters.EmptyBarsEmitted);
        Assert.Equal(1 + 2 + 384, agg.Counters.BarsEmitted);
    }

    [Fact]
    public void EmptyBars_FillGapsBetweenTrades_AndFlushStopsAtTheLastOpenWindow()
    {
        var agg = Make(Timeframe.OneMinute, TimeSpan.FromSeconds(10), empty: true);
        var sink = new BarCollector();
        agg.Add(new TradePrint(Aaa, At(13, 30, 5), 10m, 1));
        agg.Add(new TradePrint(Bbb, At(13, 30, 6), 20m, 1));
        agg.Add(new TradePrint(Aaa, At(13, 33, 5), 11m, 1));
        agg.Flush(sink);
        Assert.Equal(
            ["AAA 13:31 1", "BBB 13:31 1", "AAA 13:32 0", "BBB 13:32 0", "AAA 13:33 0", "BBB 13:33 0", "AAA 13:34 1", "BBB 13:34 0"],
            sink.Bars.Select(b => $"{b.Symbol} {b.End:HH:mm} {b.Volume}"));
        Assert.Equal(20m, sink.Bars[^1].Close);
    }

    [Fact]
    public void Symbols_MayFollowDifferentCalendars()
    {
        var btc = Symbol.Crypto("BTC-USD");
        var agg = new TradeBarAggregator(
            s => s.AssetClass == AssetClass.Crypto ? CryptoCalendar.Instance : Ny,
            new TradeBarAggregatorOptions { Timeframe = Timeframe.OneHour });
        var sink = new BarCollector();
        var sunday = new DateTime(2013, 10, 6, 15, 10, 0, DateTimeKind.Utc);
        Assert.Equal(TradeOutcome.Accepted, agg.Add(new TradePrint(btc, sunday, 100m, 0.5m)));
        Assert.Equal(TradeOutcome.OutsideHours, agg.Add(new TradePrint(Aaa, sunday, 10m, 1)));
        agg.Flush(sink);
        Assert.Equal(new BarWindow(sunday.AddMinutes(-10), sunday.AddMinutes(50)), new BarWindow(sink.Bars[0].Start, sink.Bars[0].End));
    }

    [Fact]
    public void BadPrints_AreRejected_NamingTheField()
    {
        var agg = Make(Timeframe.OneMinute);
        Assert.Contains("Price", Assert.Throws<ArgumentException>(() => agg.Add(new TradePrint(Aaa, At(13, 30), 0m, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("Size", Assert.Throws<ArgumentException>(() => agg.Add(new TradePrint(Aaa, At(13, 30), 1m, -1))).Message, StringComparison.Ordinal);
        Assert.Contains("Time", Assert.Throws<ArgumentException>(
            () => agg.Add(new TradePrint(Aaa, new DateTime(2013, 10, 7, 13, 30, 0, DateTimeKind.Local), 1m, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("no symbol", Assert.Throws<ArgumentException>(() => agg.Add(new TradePrint(null!, At(13, 30), 1m, 1))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Make(Timeframe.OneMinute, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void AdvanceTo_BackwardsChangesNothing()
    {
        var agg = Make(Timeframe.OneMinute);
        var sink = new BarCollector();
        agg.AdvanceTo(At(13, 40), sink);
        Assert.Equal(0, agg.AdvanceTo(At(13, 35), sink));
        Assert.Equal(At(13, 40), agg.Clock);
        Assert.Equal(TradeOutcome.Late, agg.Add(new TradePrint(Aaa, At(13, 38), 10m, 1)));
    }

    [Fact]
    public void SteadyState_AllocatesNothingPerTradeOrBar()
    {
        var agg = Make(Timeframe.OneMinute, TimeSpan.FromSeconds(2), empty: true);
        var sink = new CountingSink();
        var symbols = new[] { Aaa, Bbb, Symbol.Equity("CCC") };
        var ids = Enumerable.Range(0, 4000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var start = At(13, 30);

        void Run(int fromSecond, int seconds)
        {
            for (var s = fromSecond; s < fromSecond + seconds; s++)
            {
                var t = start.AddSeconds(s);
                agg.AdvanceTo(t, sink);
                foreach (var symbol in symbols)
                {
                    agg.Add(new TradePrint(symbol, t.AddMilliseconds(-1500), 10m + (s % 7), 1 + (s % 3), ids[s % ids.Length]));
                    agg.Add(new TradePrint(symbol, t, 10m + (s % 5), 2, ids[(s + 1) % ids.Length]));
                }
            }
        }

        Run(0, 600); // warm up: states, pools, id sets and the heap reach their size
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(600, 3000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sink.Count > 150, $"only {sink.Count} bars");
    }

    private sealed class CountingSink : IBarSink
    {
        public int Count { get; private set; }

        public void OnBar(in Bar bar) => Count++;
    }
}
