using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// The live runner on a stepping fake clock with a scripted in-memory feed: bar sync, market hours, gaps, warm-up.
/// Expected bars are computed here, independently, from the script.
/// </summary>
public sealed class LiveRunnerTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Parse("BINANCE:BTCUSDT");
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-live-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private ResolvedRun Config(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        var (config, effective) = ConfigLoader.Load(path);
        return ResolvedRun.Resolve(config, effective);
    }

    private static DateTime Utc(string text) =>
        DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), DateTimeKind.Utc);

    private static DateTime Ny(string local) =>
        NyseCalendar.Instance.ToUtc(DateTime.Parse(local, CultureInfo.InvariantCulture));

    private (LiveRunner Runner, RecordingRecorder Recorder, EngineAssembly Assembly) Build(ResolvedRun run, ScriptedFeed feed, SteppingClock clock, IStrategy? strategy = null)
    {
        var recorder = new RecordingRecorder();
        var loggers = _logs.CreateFactory();
        var assembly = EngineAssembly.Build(run, recorder, loggers, strategy);
        return (new LiveRunner(run, feed, assembly, clock, loggers), recorder, assembly);
    }

    /// <summary>A random tape of prints for a symbol between two instants, ids unique.</summary>
    private static List<TradePrint> Tape(Symbol symbol, DateTime from, DateTime to, int seed, decimal start)
    {
        var rng = new Random(seed);
        var prints = new List<TradePrint>();
        var price = start;
        for (var t = from.AddMilliseconds(rng.Next(200, 900)); t < to; t = t.AddMilliseconds(rng.Next(800, 5000)))
        {
            price = Math.Round(price + ((decimal)(rng.NextDouble() - 0.5) * 4m), 2);
            prints.Add(new TradePrint(symbol, t, price, Math.Round((decimal)rng.NextDouble() * 0.5m + 0.001m, 6), "id-" + prints.Count.ToString(CultureInfo.InvariantCulture)));
        }

        return prints;
    }

    /// <summary>Bars computed the obvious way: group prints by minute; open/close by time; ties by order given.</summary>
    private static List<(DateTime Start, decimal O, decimal H, decimal L, decimal C, decimal V, int N)> Expected(IEnumerable<TradePrint> prints, TimeSpan length)
    {
        return [.. prints
            .Select((p, i) => (p, i))
            .GroupBy(x => new DateTime(x.p.Time.Ticks - (x.p.Time.Ticks % length.Ticks), DateTimeKind.Utc))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var ordered = g.OrderBy(x => x.p.Time).ThenBy(x => x.i).Select(x => x.p).ToList();
                return (g.Key, ordered[0].Price, ordered.Max(p => p.Price), ordered.Min(p => p.Price), ordered[^1].Price, ordered.Sum(p => p.Size), ordered.Count);
            })];
    }

    private static void AssertBars(IEnumerable<(DateTime Start, decimal O, decimal H, decimal L, decimal C, decimal V, int N)> expected, IEnumerable<Bar> actual)
    {
        var a = actual.Select(b => (b.Start, b.Open, b.High, b.Low, b.Close, b.Volume, b.TradeCount ?? -1)).ToList();
        Assert.Equal(expected.ToList(), a);
    }

    [Fact]
    public async Task ScriptedCryptoSession_YieldsExactlyTheIndependentlyComputedBars()
    {
        var start = Utc("2024-01-06T10:00:30Z"); // a Saturday: crypto trades 24/7
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:06:30Z",
              "providers": { "finnhub": { "late_grace_seconds": 2 } } }
            """);
        var clock = new SteppingClock(start);
        var tape = Tape(Btc, start, Utc("2024-01-06T10:06:00Z"), seed: 1, start: 42_000m);
        var script = tape.Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p))).ToList();

        // A duplicate delivered again 300 ms later, an out-of-order print inside its window, and a print arriving
        // after its bar was closed off (10:02–10:03 closes at the 10:03:05 wake-up).
        var dup = tape[10];
        script.Add((dup.Time.AddMilliseconds(300), new TradeEvent(dup.Time.AddMilliseconds(300), dup)));
        var outOfOrder = new TradePrint(Btc, Utc("2024-01-06T10:04:00.100Z"), 41_000m, 0.25m, "ooo");
        script.Add((Utc("2024-01-06T10:04:50Z"), new TradeEvent(Utc("2024-01-06T10:04:50Z"), outOfOrder)));
        var late = new TradePrint(Btc, Utc("2024-01-06T10:02:59Z"), 50_000m, 1m, "late");
        script.Add((Utc("2024-01-06T10:03:06Z"), new TradeEvent(Utc("2024-01-06T10:03:06Z"), late)));

        var feed = new ScriptedFeed(clock, script);
        var (runner, recorder, _) = Build(run, feed, clock);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Utc("2024-01-06T11:00:00Z"));

        Assert.Equal(LiveStopReason.AutoStop, await task);
        AssertBars(Expected([.. tape, outOfOrder], TimeSpan.FromMinutes(1)), recorder.Bars);
        Assert.Equal(1, runner.TradeCounters.Duplicates);
        Assert.Equal(1, runner.TradeCounters.Late);
        Assert.Equal(6, recorder.Bars.Count); // 10:00 (partial minute) … 10:05
        Assert.NotEmpty(_logs.Named("bar.sync"));
        Assert.All(_logs.Named("bar.sync"), l => Assert.Contains(":05", l.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DroppedConnection_HoldsTheTouchedBars_AndBackfillsThem_NothingLostOrDoubled()
    {
        var start = Utc("2024-01-06T10:00:00Z");
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:07:30Z" }
            """);
        var clock = new SteppingClock(start);
        var tape = Tape(Btc, start, Utc("2024-01-06T10:07:00Z"), seed: 2, start: 42_000m);
        var down = Utc("2024-01-06T10:02:20Z");
        var up = Utc("2024-01-06T10:04:40Z");
        var script = tape.Where(p => p.Time < down || p.Time >= up).Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p))).ToList();
        script.Add((down, new ConnectionEvent(down, FeedConnectionState.Disconnected, "test drop")));
        script.Add((up, new ConnectionEvent(up, FeedConnectionState.Connected, "test reconnect")));

        // History answers from the full tape, computed independently.
        var full = Expected(tape, TimeSpan.FromMinutes(1));
        var feed = new ScriptedFeed(clock, script, (s, tf, from, to) => new HistoryResult(
            HistoryStatus.Ok,
            [.. full.Where(b => b.Start >= from && b.Start.AddMinutes(1) <= to).Select(b => new Bar(s, b.Start, b.Start.AddMinutes(1), b.O, b.H, b.L, b.C, b.V, b.N))],
            "test"));
        var (runner, recorder, _) = Build(run, feed, clock);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Utc("2024-01-06T11:00:00Z"));

        await task;
        AssertBars(full, recorder.Bars);
        // Two history requests: the warm-up (SMA's WarmUpBars = slow = 3 bars before the start), then the backfill.
        Assert.Equal(2, feed.HistoryRequests.Count);
        Assert.Equal(start, feed.HistoryRequests[0].To);
        Assert.Equal(Utc("2024-01-06T10:02:00Z"), feed.HistoryRequests[1].From); // the bar the drop started in
        Assert.Equal(Utc("2024-01-06T10:05:00Z"), feed.HistoryRequests[1].To);   // the bar the connection came back in
        Assert.Equal(3, runner.Counters.BarsBackfilled);
        Assert.Single(_logs.Named("liveMode.gap.backfilled"));
    }

    [Fact]
    public async Task DroppedConnection_WithoutHistory_UsesWhatArrived_AndSaysSo()
    {
        var start = Utc("2024-01-06T10:00:00Z");
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1m" },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:05:30Z" }
            """);
        var clock = new SteppingClock(start);
        var tape = Tape(Btc, start, Utc("2024-01-06T10:05:00Z"), seed: 3, start: 42_000m);
        var down = Utc("2024-01-06T10:01:30Z");
        var up = Utc("2024-01-06T10:02:30Z");
        var delivered = tape.Where(p => p.Time < down || p.Time >= up).ToList();
        var script = delivered.Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p))).ToList();
        script.Add((down, new ConnectionEvent(down, FeedConnectionState.Disconnected, "drop")));
        script.Add((up, new ConnectionEvent(up, FeedConnectionState.Connected, "back")));
        var feed = new ScriptedFeed(clock, script); // history: NotEntitled
        var (runner, recorder, _) = Build(run, feed, clock);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Utc("2024-01-06T11:00:00Z"));

        await task;
        AssertBars(Expected(delivered, TimeSpan.FromMinutes(1)), recorder.Bars);
        var warning = Assert.Single(_logs.Named("liveMode.gap.unfilled"));
        Assert.Contains("NotEntitled", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Weekend_WaitsForTheOpen_ThenTrades()
    {
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["SPY"], "timeframe": "1m" },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-08T09:40:00-05:00", "polling_seconds": 3600 }
            """);
        var clock = new SteppingClock(Ny("2024-01-06 12:00"));
        var tape = Tape(Spy, Ny("2024-01-08 09:29"), Ny("2024-01-08 09:39"), seed: 4, start: 470m);
        var feed = new ScriptedFeed(clock, tape.Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p))));
        var (runner, recorder, _) = Build(run, feed, clock);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Ny("2024-01-09 00:00"));

        Assert.Equal(LiveStopReason.AutoStop, await task);
        Assert.Single(_logs.Named("market.closed.weekend"));
        Assert.Equal(Ny("2024-01-08 09:30"), feed.FirstConnectUtc);
        AssertBars(Expected(tape.Where(p => p.Time >= Ny("2024-01-08 09:30")), TimeSpan.FromMinutes(1)), recorder.Bars);
        Assert.Equal(tape.Count(p => p.Time < Ny("2024-01-08 09:30")), runner.TradeCounters.OutsideHours); // pre-market prints ignored
    }

    [Fact]
    public async Task ClosedMarket_WithExit_StopsWithoutConnecting()
    {
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["SPY"] },
              "market_hours": { "when_closed": "exit" } }
            """);
        var clock = new SteppingClock(Ny("2024-01-08 08:00"));
        var feed = new ScriptedFeed(clock, []);
        var (runner, _, _) = Build(run, feed, clock);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Ny("2024-01-09 00:00"));
        Assert.Equal(LiveStopReason.MarketClosed, await task);
        Assert.Equal(0, feed.Connects);
        Assert.Single(_logs.Named("market.closed.hours"));
    }

    [Fact]
    public async Task Holiday_WaitsForTheNextSession()
    {
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["SPY"] },
              "live_min_bars": 0, "auto_stop_at": "2024-07-05T09:35:00-04:00", "polling_seconds": 3600 }
            """);
        var clock = new SteppingClock(Ny("2024-07-04 10:00"));
        var feed = new ScriptedFeed(clock, []);
        var (runner, _, _) = Build(run, feed, clock);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Ny("2024-07-06 00:00"));
        Assert.Equal(LiveStopReason.AutoStop, await task);
        Assert.Single(_logs.Named("market.closed.holiday"));
        Assert.Equal(Ny("2024-07-05 09:30"), feed.FirstConnectUtc);
    }

    [Fact]
    public async Task AtTheClose_ItStops_AndNoOrderIsEverSubmittedWhileClosed()
    {
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["SPY"], "timeframe": "1m" },
              "live_min_bars": 0, "live_warmup_cycles": 0, "market_hours": { "when_closed": "exit" },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 1 }, "risk": { "stop_loss_pct": null } }
            """);
        var clock = new SteppingClock(Ny("2024-01-08 15:50"));
        var tape = Tape(Spy, Ny("2024-01-08 15:50"), Ny("2024-01-08 16:10"), seed: 5, start: 470m); // after-hours prints too
        var feed = new ScriptedFeed(clock, tape.Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p))));
        var (runner, recorder, assembly) = Build(run, feed, clock, new FlipEveryBar());
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Ny("2024-01-09 00:00"));

        Assert.Equal(LiveStopReason.MarketClosed, await task);
        Assert.Equal(Ny("2024-01-08 16:00"), recorder.Bars[^1].End);
        Assert.True(runner.TradeCounters.OutsideHours > 0);
        var orders = recorder.Events.Select(e => e.Order).Distinct().ToList();
        Assert.NotEmpty(orders);
        Assert.All(orders, o => Assert.InRange(o.CreatedUtc, Ny("2024-01-08 09:30"), Ny("2024-01-08 16:00")));
        Assert.DoesNotContain(orders, o => o.RejectReason == StrategyLab.Core.Execution.RejectReason.MarketClosed);
    }

    [Fact]
    public async Task WarmUp_LoadsHistory_AndWaitsTheConfiguredCyclesBeforeTheFirstOrder()
    {
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1m" },
              "live_min_bars": 20, "live_warmup_cycles": 3, "auto_stop_at": "2024-01-06T10:06:30Z",
              "trade_manager": { "sizing": "fixed_qty", "quantity": 0.01 } }
            """);
        var start = Utc("2024-01-06T10:00:10Z");
        var clock = new SteppingClock(start);
        var history = Expected(Tape(Btc, Utc("2024-01-06T09:00:00Z"), Utc("2024-01-06T10:00:00Z"), seed: 6, start: 42_000m), TimeSpan.FromMinutes(1));
        var tape = Tape(Btc, start, Utc("2024-01-06T10:06:00Z"), seed: 7, start: 42_000m);
        var feed = new ScriptedFeed(
            clock,
            tape.Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p))),
            (s, tf, from, to) => new HistoryResult(HistoryStatus.Ok, [.. history.Where(b => b.Start >= from && b.Start < to).Select(b => new Bar(s, b.Start, b.Start.AddMinutes(1), b.O, b.H, b.L, b.C, b.V, b.N))], "test"));
        var strategy = new FlipEveryBar();
        var (runner, recorder, assembly) = Build(run, feed, clock, strategy);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Utc("2024-01-06T11:00:00Z"));

        await task;
        Assert.Equal(20, runner.Counters.WarmupBars);
        Assert.Equal(20, strategy.WarmupBarsSeen);
        Assert.Equal(Utc("2024-01-06T09:40:00Z"), feed.HistoryRequests[0].From);
        Assert.Equal(Utc("2024-01-06T10:00:00Z"), feed.HistoryRequests[0].To);
        var first = recorder.Events.Min(e => e.Order.CreatedUtc);
        Assert.Equal(recorder.Bars[3].End, first); // cycles 1–3 suppressed, the 4th trades
        Assert.Equal(3, assembly.Engine.Counters.IntentsSuppressed);
    }

    [Fact]
    public async Task WarmUp_AsksForTheStrategysWarmUpBars_WhenMoreThanLiveMinBars()
    {
        var run = Config("""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1m" },
              "live_min_bars": 5, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:03:30Z",
              "trade_manager": { "sizing": "fixed_qty", "quantity": 0.01 } }
            """);
        var start = Utc("2024-01-06T10:00:10Z");
        var clock = new SteppingClock(start);
        var history = Expected(Tape(Btc, Utc("2024-01-06T09:00:00Z"), Utc("2024-01-06T10:00:00Z"), seed: 6, start: 42_000m), TimeSpan.FromMinutes(1));
        var tape = Tape(Btc, start, Utc("2024-01-06T10:03:00Z"), seed: 7, start: 42_000m);
        var feed = new ScriptedFeed(
            clock,
            tape.Select(p => (p.Time, (MarketEvent)new TradeEvent(p.Time, p))),
            (s, tf, from, to) => new HistoryResult(HistoryStatus.Ok, [.. history.Where(b => b.Start >= from && b.Start < to).Select(b => new Bar(s, b.Start, b.Start.AddMinutes(1), b.O, b.H, b.L, b.C, b.V, b.N))], "test"));
        var strategy = new FlipAfterWarmUp();
        var (runner, recorder, assembly) = Build(run, feed, clock, strategy);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Utc("2024-01-06T11:00:00Z"));

        await task;
        Assert.Equal(30, runner.Counters.WarmupBars);
        Assert.Equal(Utc("2024-01-06T09:30:00Z"), feed.HistoryRequests[0].From);
        Assert.Equal(recorder.Bars[0].End, recorder.Events.Min(e => e.Order.CreatedUtc)); // warmed up: the first live bar trades
        Assert.Equal(30, assembly.Engine.Counters.IntentsSuppressed); // one per history bar, none live
    }

    [Fact]
    public async Task WarmUp_FallsBackToTheLocalStore_WhenTheProviderHasNoHistory()
    {
        var storeDir = Path.Combine(_dir, "store");
        var history = Expected(Tape(Btc, Utc("2024-01-06T09:00:00Z"), Utc("2024-01-06T10:00:00Z"), seed: 8, start: 42_000m), TimeSpan.FromMinutes(1));
        await new StrategyLab.Data.Store.ParquetBarStore(storeDir).WriteAsync(
            history.Select(b => new Bar(Btc, b.Start, b.Start.AddMinutes(1), b.O, b.H, b.L, b.C, b.V, b.N)),
            Timeframe.OneMinute,
            "test",
            TestContext.Current.CancellationToken);
        var storePath = storeDir.Replace('\\', '/');
        var run = Config($$"""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "5m", "path": "{{storePath}}" },
              "live_min_bars": 6, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:01:00Z" }
            """);
        var clock = new SteppingClock(Utc("2024-01-06T10:00:10Z"));
        var feed = new ScriptedFeed(clock, []); // its history answers NotEntitled
        var (runner, _, _) = Build(run, feed, clock);
        var task = runner.RunAsync(CancellationToken.None);
        await clock.RunAsync(task, Utc("2024-01-06T11:00:00Z"));
        await task;

        Assert.Equal(6, runner.Counters.WarmupBars); // the last six 5-minute bars, combined from the store's minutes
        Assert.Contains(_logs.Named("liveMode.warmup.loaded"), l => l.Message.Contains("local store", StringComparison.Ordinal));
    }

    /// <summary>Flips on every bar, and declares 30 bars of warm-up.</summary>
    private sealed class FlipAfterWarmUp : IStrategy
    {
        public int WarmUpBars => 30;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (context.PositionOf(bar.Symbol) == 0)
            {
                context.EnterLong(bar.Symbol, "flip");
            }
            else
            {
                context.Exit(bar.Symbol, "flop");
            }
        }
    }

    /// <summary>Enters on every bar it can and exits on the others: maximum pressure on the market-hours rules.</summary>
    private sealed class FlipEveryBar : IStrategy
    {
        public int WarmupBarsSeen { get; private set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (context.IsWarmingUp)
            {
                WarmupBarsSeen++;
                return;
            }

            if (context.PositionOf(bar.Symbol) == 0)
            {
                context.EnterLong(bar.Symbol, "flip");
            }
            else
            {
                context.Exit(bar.Symbol, "flop");
            }
        }
    }
}
