using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Data.Lean;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>Higher-timeframe subscriptions: what is delivered, when, and what is refused.</summary>
public class TimeframeSubscriptionTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");

    /// <summary>Minute bars of a symbol from New York time <paramref name="from"/>, skipping the minutes listed.</summary>
    private static List<Bar> Minutes(Symbol s, string date, string from, int count, params int[] skip)
    {
        var bars = new List<Bar>();
        var start = Ny($"{date} {from}");
        for (var i = 0; i < count; i++)
        {
            if (skip.Contains(i))
            {
                continue;
            }

            var o = 100m + i;
            var t = start.AddMinutes(i);
            bars.Add(new Bar(s, t, t.AddMinutes(1), o, o + 0.5m, o - 0.5m, o + 0.25m, 1000 + i));
        }

        return bars;
    }

    private static Bar[] Sorted(IEnumerable<Bar> bars) => [.. bars.OrderBy(b => b.End).ThenBy(b => b.Symbol)];

    [Fact]
    public void Spy_OneMinuteTo15mAnd1d_DeliversExactlyTheResamplersBars_AtTheirEnd()
    {
        var lean = TestPaths.RequireLean();
        var spy = Symbol.Equity("SPY");
        var minutes = new LeanDataFolder(lean).ReadBars(spy, LeanResolution.Minute, new DateOnly(2013, 10, 4), new DateOnly(2013, 10, 11)).ToArray();
        var strategy = new SubscribingStrategy(Timeframe.FifteenMinutes, Timeframe.OneDay);
        var h = new EngineHarness(strategy, [spy], calendar: NyseCalendar.Instance);

        h.Engine.Run(minutes);

        foreach (var timeframe in new[] { Timeframe.FifteenMinutes, Timeframe.OneDay })
        {
            var resampler = new BarResampler(NyseCalendar.Instance, timeframe);
            var expected = new BarCollector();
            foreach (var bar in minutes)
            {
                resampler.Add(bar, expected);
            }

            resampler.Flush(expected);
            var delivered = strategy.Delivered.Where(d => d.Timeframe == timeframe).ToList();
            Assert.Equal(expected.Bars, delivered.Select(d => d.Bar));
            Assert.All(delivered, d => Assert.Equal(d.Bar.End, d.TimeUtc)); // SPY has every regular minute: no late window
        }

        Assert.Equal(6 * 26, strategy.Delivered.Count(d => d.Timeframe == Timeframe.FifteenMinutes));
        Assert.Equal(6, strategy.Delivered.Count(d => d.Timeframe == Timeframe.OneDay));
        var day = strategy.Delivered.First(d => d.Timeframe == Timeframe.OneDay).Bar;
        Assert.Equal(new DateTime(2013, 10, 4, 13, 30, 0, DateTimeKind.Utc), day.Start);
        Assert.Equal(new DateTime(2013, 10, 4, 20, 0, 0, DateTimeKind.Utc), day.End);
    }

    [Fact]
    public void EarlyClose_CutsTheLastWindowAndTheDayAtTheClose()
    {
        var date = new DateOnly(2024, 7, 3);
        var calendar = new WeekdayTestCalendar(date);
        var bars = Minutes(Aaa, "2024-07-03", "09:30", 210); // 09:30–13:00
        var strategy = new SubscribingStrategy(Timeframe.OneHour, Timeframe.OneDay);
        var h = new EngineHarness(strategy, [Aaa], calendar: calendar);

        h.Engine.Run(bars);

        var hours = strategy.Delivered.Where(d => d.Timeframe == Timeframe.OneHour).Select(d => (d.Bar.Start, d.Bar.End)).ToList();
        Assert.Equal(
            [
                (Ny("2024-07-03 09:30"), Ny("2024-07-03 10:30")),
                (Ny("2024-07-03 10:30"), Ny("2024-07-03 11:30")),
                (Ny("2024-07-03 11:30"), Ny("2024-07-03 12:30")),
                (Ny("2024-07-03 12:30"), Ny("2024-07-03 13:00")),
            ],
            hours);
        var day = Assert.Single(strategy.Delivered, d => d.Timeframe == Timeframe.OneDay);
        Assert.Equal((Ny("2024-07-03 09:30"), Ny("2024-07-03 13:00")), (day.Bar.Start, day.Bar.End));
        Assert.Equal(Ny("2024-07-03 13:00"), day.TimeUtc);
        Assert.Equal(bars.Sum(b => b.Volume), day.Bar.Volume);
        Assert.Equal(bars[^1].Close, day.Bar.Close);
    }

    [Fact]
    public void Delivery_FollowsTheBaseBarsOfItsSlice_InSymbolOrder_AndAWindowMissingItsLastBarClosesAtTheFirstSlicePastItsEnd()
    {
        // AAA lacks its 09:44 minute (the last of the 09:30 window); BBB has every minute.
        var bars = Sorted(Minutes(Aaa, "2024-01-08", "09:30", 17, skip: 14).Concat(Minutes(Bbb, "2024-01-08", "09:30", 17)));
        var strategy = new SubscribingStrategy(Timeframe.FifteenMinutes) { LogBaseBars = true };
        new EngineHarness(strategy, [Aaa, Bbb]).Engine.Run(bars);

        Assert.Equal(
            [
                "09:44 OnBar AAA",
                "09:44 OnBar BBB",
                "09:45 OnBar BBB",
                "09:45 15m AAA 09:30-09:45", // the 09:45 slice ends both windows: delivered after its OnBar calls, in symbol order
                "09:45 15m BBB 09:30-09:45",
                "09:46 OnBar AAA",
                "09:46 OnBar BBB",
            ],
            strategy.Log.SkipWhile(e => !e.StartsWith("09:44", StringComparison.Ordinal)).Take(7));
        Assert.Equal(2, strategy.Delivered.Count); // the 09:45 windows are not complete at the end of the data: never delivered

        // Alone, AAA has no slice at 09:45: its window closes at the next one, 09:46, once.
        var alone = new SubscribingStrategy(Timeframe.FifteenMinutes) { LogBaseBars = true };
        new EngineHarness(alone, [Aaa]).Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 17, skip: 14));

        Assert.Equal(
            ["09:44 OnBar AAA", "09:46 OnBar AAA", "09:46 15m AAA 09:30-09:45", "09:47 OnBar AAA"],
            alone.Log.SkipWhile(e => !e.StartsWith("09:44", StringComparison.Ordinal)));
        var window = Assert.Single(alone.Delivered).Bar;
        Assert.Equal((Ny("2024-01-08 09:30"), Ny("2024-01-08 09:45")), (window.Start, window.End)); // the window keeps its full span
        Assert.Equal(100m + 13 + 0.25m, window.Close); // the close of its last bar present (09:43)
    }

    [Fact]
    public void SymbolSubscription_HistoryEndsWithTheDeliveredBar_AndHandlersSeeTheRunsContext()
    {
        var bars = Sorted(Minutes(Aaa, "2024-01-08", "09:30", 60).Concat(Minutes(Bbb, "2024-01-08", "09:30", 60)));
        var seen = new List<(Symbol Symbol, int HistoryCount, DateTime LastEnd)>();
        var strategy = new LambdaStrategy(context => context.Subscribe(Bbb, Timeframe.FifteenMinutes, (in Bar bar, IStrategyContext c) =>
        {
            var history = c.History(bar.Symbol, Timeframe.FifteenMinutes, 10);
            seen.Add((bar.Symbol, history.Length, history[^1].End));
            Assert.Equal(bar, history[^1]);
            Assert.Equal(history.Length, c.History(Aaa, Timeframe.FifteenMinutes, 10).Length); // every symbol is kept
        }));
        var h = new EngineHarness(strategy, [Aaa, Bbb]);

        h.Engine.Run(bars);

        Assert.Equal([(Bbb, 1, Ny("2024-01-08 09:45")), (Bbb, 2, Ny("2024-01-08 10:00")), (Bbb, 3, Ny("2024-01-08 10:15")), (Bbb, 4, Ny("2024-01-08 10:30"))], seen);
    }

    [Fact]
    public void WarmUpBars_FeedTheSubscriptions()
    {
        var warm = Minutes(Aaa, "2024-01-08", "09:30", 20);
        var live = Minutes(Aaa, "2024-01-08", "09:50", 10);
        var strategy = new SubscribingStrategy(Timeframe.FifteenMinutes);
        var h = new EngineHarness(strategy, [Aaa]);

        h.Engine.WarmUp(warm.ToArray());
        h.Engine.Run(live);

        Assert.Equal([(Ny("2024-01-08 09:45"), true), (Ny("2024-01-08 10:00"), false)], strategy.Delivered.Select(d => (d.Bar.End, d.WarmingUp)));
        var window = strategy.Delivered[1].Bar;
        Assert.Equal(warm[15].Open, window.Open); // the 09:45 window began in warm-up and was finished live
        Assert.Equal(warm.Skip(15).Sum(b => b.Volume) + live.Sum(b => b.Volume), window.Volume);
    }

    [Theory]
    [InlineData("3m")]
    [InlineData("1m")]
    [InlineData("2m")]
    public void ATimeframeThatCannotBeBuiltFromTheRuns_IsAConfigurationError(string timeframe)
    {
        var tf = Timeframe.Parse(timeframe);
        var strategy = new SubscribingStrategy(tf);
        var h = new EngineHarness(strategy, [Aaa], options: new EngineOptions { Timeframe = Timeframe.FiveMinutes });

        var e = Assert.Throws<StrategyConfigurationException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 1)));

        Assert.Equal("data.timeframe", e.Key);
        Assert.Contains($"{tf} bars", e.Message, StringComparison.Ordinal);
        Assert.Contains("5m", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SubscribingAfterInitialize_OrAskingForAnUnsubscribedHistory_IsAClearError()
    {
        InvalidOperationException? late = null;
        InvalidOperationException? history = null;
        var strategy = new LambdaStrategy(
            _ => { },
            (bar, context) =>
            {
                late ??= Assert.Throws<InvalidOperationException>(() => context.Subscribe(Timeframe.OneHour, (in Bar b, IStrategyContext c) => { }));
                history ??= Assert.Throws<InvalidOperationException>(() => context.History(bar.Symbol, Timeframe.OneHour, 1));
            });
        var h = new EngineHarness(strategy, [Aaa]);

        h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 1));

        Assert.Contains("Initialize", late!.Message, StringComparison.Ordinal);
        Assert.Contains("subscribe to 1h", history!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHandlerException_BecomesAStrategyExceptionNamingTheTimeframeCallback()
    {
        var strategy = new LambdaStrategy(context => context.Subscribe(Timeframe.FifteenMinutes, (in Bar bar, IStrategyContext c) => throw new DivideByZeroException("boom")));
        var h = new EngineHarness(strategy, [Aaa]);

        var e = Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 20)));

        Assert.Equal("OnBar(15m)", e.Callback);
        Assert.Equal(nameof(LambdaStrategy), e.StrategyName);
        Assert.IsType<DivideByZeroException>(e.InnerException);
    }

    [Fact]
    public void Subscriptions_DoNotAllocatePerBar()
    {
        var lean = TestPaths.RequireLean();
        var spy = Symbol.Equity("SPY");
        var days = Enumerable.Range(0, 8)
            .Select(i => new DateOnly(2013, 10, 4).AddDays(i))
            .Select(d => new LeanDataFolder(lean).ReadBars(spy, LeanResolution.Minute, d, d).Where(b => NyseCalendar.Instance.SessionAt(b.Start) is not null).ToArray())
            .Where(d => d.Length > 0)
            .ToList();

        // The least of three measurements each: a one-off allocation on the thread that is not the engine's per-bar
        // work (seen once under CI load: 576 vs 416 bytes, not reproduced) shows in one measurement, a per-bar
        // allocation in every one, so the test still fails on the latter.
        var withoutBytes = long.MaxValue;
        var withBytes = long.MaxValue;
        var delivered = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            withoutBytes = Math.Min(withoutBytes, MeasureAllocations(spy, days, subscribe: false).Bytes);
            var measured = MeasureAllocations(spy, days, subscribe: true);
            withBytes = Math.Min(withBytes, measured.Bytes);
            delivered = measured.Delivered;
        }

        Assert.Equal(days.Count * 27, delivered); // 26 15m bars and a day per session

        // The engine's own per-day costs, nothing more per bar. Not equality: the shared calendar's caches are sometimes
        // filled on this thread and sometimes by another test's (376 vs 416 bytes seen under load, either way round),
        // while even one object per delivered bar would be 24 B × 27 × 4 measured days ≈ 2.6 KB more, and one per minute bar ~37 KB.
        Assert.InRange(withBytes - withoutBytes, -1024, 1024);
    }

    private static (long Bytes, int Delivered) MeasureAllocations(Symbol spy, List<Bar[]> days, bool subscribe)
    {
        var delivered = 0;
        var strategy = new LambdaStrategy(context =>
        {
            if (!subscribe)
            {
                return;
            }

            context.Subscribe(Timeframe.FifteenMinutes, (in Bar bar, IStrategyContext c) => delivered += c.History(bar.Symbol, Timeframe.FifteenMinutes, 5).Length > 0 ? 1 : 0);
            context.Subscribe(spy, Timeframe.OneDay, (in Bar bar, IStrategyContext c) => delivered++);
        });
        var portfolio = new Portfolio(100_000m);
        var exchange = new SimulatedExchange(new ExchangeSettings { Commission = ZeroCommission.Instance }, portfolio, _ => NyseCalendar.Instance, [spy]);
        var manager = new TradeManager(new TradeManagerSettings(), new RiskSettings { StopLossPct = null }, exchange, portfolio, NullLogger.Instance);
        var engine = new TradingEngine(strategy, exchange, portfolio, manager, [spy], _ => NyseCalendar.Instance, new NullRecorder(), NullLogger.Instance, new EngineOptions());
        exchange.Listener = engine;
        engine.Run(days[0].AsSpan()); // first sight of the symbol; the history buffers; JIT
        engine.Run(days[1].AsSpan());

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var d = 2; d < days.Count; d++)
        {
            engine.Run(days[d].AsSpan());
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before, delivered);
    }

    private sealed class NullRecorder : IRunRecorder
    {
    }

    /// <summary>Subscribes to timeframes in Initialize and logs base bars and delivered bars.</summary>
    private sealed class SubscribingStrategy(params Timeframe[] timeframes) : IStrategy
    {
        public List<(Timeframe Timeframe, Bar Bar, DateTime TimeUtc, bool WarmingUp)> Delivered { get; } = [];

        public List<string> Log { get; } = [];

        public bool LogBaseBars { get; init; }

        public void Initialize(IStrategyContext context)
        {
            foreach (var timeframe in timeframes)
            {
                context.Subscribe(timeframe, (in Bar bar, IStrategyContext c) =>
                {
                    Delivered.Add((timeframe, bar, c.TimeUtc, c.IsWarmingUp));
                    Log.Add($"{Local(c.TimeUtc)} {timeframe} {bar.Symbol.Ticker} {Local(bar.Start)}-{Local(bar.End)}");
                });
            }
        }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (LogBaseBars)
            {
                Log.Add($"{Local(bar.End)} OnBar {bar.Symbol.Ticker}");
            }
        }

        private static string Local(DateTime utc) => WeekdayTestCalendar.Instance.ToExchangeTime(utc).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed class LambdaStrategy(Action<IStrategyContext> initialize, Action<Bar, IStrategyContext>? onBar = null) : IStrategy
    {
        public void Initialize(IStrategyContext context) => initialize(context);

        public void OnBar(in Bar bar, IStrategyContext context) => onBar?.Invoke(bar, context);
    }
}
