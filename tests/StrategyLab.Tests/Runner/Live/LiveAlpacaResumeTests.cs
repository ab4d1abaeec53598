using Microsoft.Extensions.Time.Testing;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// <c>live --resume</c> through the Alpaca broker (issue 13 items 3 and 5, in process): a live SMA session (bars from the
/// Polygon fake, orders to the Alpaca fake) dies around its first order, at each kill point, and is resumed in a copy of
/// its run folder as the disk held it (the journal cut where the process died). The resumed run replays its journal with
/// the broker in catch-up mode (nothing sent), asks Alpaca what happened while it was down, and carries on. Then: no order
/// lost (every journalled order reached Alpaca), none doubled (Alpaca holds one order per client order id and none the
/// journal does not know), the positions of the engine, the journal and Alpaca agree, a fill made while the process was
/// down is adopted once, and the fills equal those of the uninterrupted run.
/// </summary>
public sealed class LiveAlpacaResumeTests : IDisposable
{
    private const string PolygonKey = "fake-polygon-resume-key";
    private static readonly DateOnly Day = new(2024, 3, 4);
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-alpacaresume-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public enum KillPoint
    {
        /// <summary>Before the cycle that decides the first order: its request was never journalled, nor sent.</summary>
        BeforeOrderRequest,

        /// <summary>The order reached Alpaca, the process died before its acknowledgement was journalled.</summary>
        AfterSendBeforeAck,

        /// <summary>Alpaca filled the order and the process got the fill, but died before journalling it.</summary>
        BetweenFillAndItsRow,

        /// <summary>The process died with the order open; Alpaca filled it while nothing was connected.</summary>
        FillWhileDown,

        /// <summary>The trade stream dropped on the fill (and could not reconnect); then the process died.</summary>
        StreamDroppedAtFill,
    }

    public void Dispose()
    {
        _logs.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData(KillPoint.BeforeOrderRequest)]
    [InlineData(KillPoint.AfterSendBeforeAck)]
    [InlineData(KillPoint.BetweenFillAndItsRow)]
    [InlineData(KillPoint.FillWhileDown)]
    [InlineData(KillPoint.StreamDroppedAtFill)]
    public async Task KilledAroundAnOrder_ThenResumed_LosesNoOrder_DoublesNone_AndAgreesWithAlpaca(KillPoint point)
    {
        var ct = TestContext.Current.CancellationToken;
        var minutes = Minutes(40);
        await using var polygon = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [PolygonKey], RequestsPerMinute = 0 }, ct);

        // The uninterrupted run.
        Session reference;
        await using (var alpaca = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), ct))
        {
            reference = await Session.StartAsync(this, polygon, Config(polygon, alpaca), Path.Combine(_dir, "ref", "run"), Start(0), resume: false);
            await reference.RunMinutesAsync(polygon, alpaca, minutes, 0, minutes.Count);
            await reference.StopAsync();
        }

        var firstOrderMinute = minutes.FindIndex(m => End(m) == reference.FirstOrderDecidedUtc);
        Assert.True(firstOrderMinute > 0, "the uninterrupted run must trade");

        await using var broker = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), ct);
        var config = Config(polygon, broker);
        var folder = Path.Combine(_dir, "first", "run");
        var crashed = Path.Combine(_dir, "crashed", "run");
        var first = await Session.StartAsync(this, polygon, config, folder, Start(0), resume: false);
        var killedAfter = point == KillPoint.BeforeOrderRequest ? firstOrderMinute - 1 : firstOrderMinute;
        await first.RunMinutesAsync(polygon, broker, minutes, 0, killedAfter + 1);
        var entry = point == KillPoint.BeforeOrderRequest ? null : Assert.Single(broker.Orders);
        Assert.Equal(point == KillPoint.BeforeOrderRequest, broker.Orders.Count == 0);
        Func<JournalEvent, bool>? diedBefore = null;
        switch (point)
        {
            case KillPoint.AfterSendBeforeAck:
                diedBefore = e => e.Kind == JournalEventKind.BrokerAck && e.ClientOrderId == entry?.ClientOrderId;
                break;
            case KillPoint.BetweenFillAndItsRow:
                await first.FillAsync(broker, minutes[killedAfter + 1].Open);
                diedBefore = e => e.Kind == JournalEventKind.Fill && e.ClientOrderId == entry?.ClientOrderId;
                break;
            case KillPoint.StreamDroppedAtFill:
                broker.Faults.RefuseStreamUpgrades = true;
                broker.Faults.DropStreamOnNextFills(1);
                broker.PushPrice("SPY", minutes[killedAfter + 1].Open);
                await Eventually.Until(() => broker.Orders.Any(o => o.Status == "filled"), "the fill at Alpaca");
                break;
        }

        CopyAsADeadProcessLeftIt(folder, crashed, diedBefore);
        await first.StopAsync();
        broker.Faults.RefuseStreamUpgrades = false;
        if (point == KillPoint.FillWhileDown)
        {
            broker.PushPrice("SPY", minutes[killedAfter + 1].Open); // nobody is connected to hear it
            Assert.Contains(broker.Orders, o => o.Status == "filled");
        }

        // The restart, a few seconds later in the same minute.
        var resumed = await Session.StartAsync(this, polygon, config, crashed, End(minutes[killedAfter]).AddSeconds(8), resume: true);
        await resumed.RunMinutesAsync(polygon, broker, minutes, killedAfter + 1, minutes.Count);
        await resumed.StopAsync();

        // Nothing lost, nothing doubled: one Alpaca order per journalled request, and no order the journal does not know.
        var state = JournalState.Load(crashed);
        Assert.Equal(state.OrderRequests.Order(), broker.Orders.Select(o => o.ClientOrderId).Order());
        Assert.Equal(state.OrderRequests.Count, state.OrderRequests.Distinct().Count());

        // Positions: the engine's, the journal's and Alpaca's agree.
        var alpacaPosition = broker.Positions.GetValueOrDefault("SPY");
        Assert.Equal(alpacaPosition, resumed.Assembly.Portfolio.GetPosition(Symbol.Equity("SPY"))?.Quantity ?? 0m);
        Assert.Equal(alpacaPosition, state.Positions.GetValueOrDefault("SPY"));

        // Every fill once: the journal's fills are Alpaca's, and the run's fills are the uninterrupted run's.
        foreach (var o in broker.Orders)
        {
            Assert.Equal(o.FilledQty, state.Orders[o.ClientOrderId].FilledQuantity);
        }

        static object Key(StrategyLab.Core.Execution.Fill f) => (f.Side, f.Quantity, f.Price, f.Tag);
        Assert.Equal(reference.Recorder.Fills.Select(Key), resumed.Recorder.Fills.Select(Key));
        Assert.NotEmpty(_logs.Named("reconcile.replayed"));
        if (point is KillPoint.BetweenFillAndItsRow or KillPoint.FillWhileDown or KillPoint.StreamDroppedAtFill)
        {
            Assert.NotEmpty(_logs.Named("reconcile.order.adopted"));
            using var reader = JournalReader.Open(crashed);
            Assert.Single(reader.ReadOrder(entry!.ClientOrderId), e => e.Kind == JournalEventKind.Fill);
        }

        _logs.AssertNoneContains(AlpacaHarness.Secret);
    }

    [Fact]
    public async Task AnExitPartlyFilledThenReplaced_WhoseReplacementFillsWhileDownAndAfterTheResume_EndsWithAlpacasPosition()
    {
        // Long 10 with a stop and a take-profit (their OCO emulated by the adapter), every fill split in two: the target
        // fills 5 (the stop is cut to 5: its replacement), the stop's replacement fills 3 (the target is cut to 7: its
        // replacement, a new Alpaca order for the 2 left). The process dies; the target's replacement fills 1 while it is
        // down and its last 1 after the resume. Counted against the newest Alpaca order, the target's 5 journalled fills
        // made the replacement's last one look applied already: the run stayed long 1 while Alpaca was flat.
        var ct = TestContext.Current.CancellationToken;
        var minutes = Minutes(40);
        await using var polygon = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [PolygonKey], RequestsPerMinute = 0 }, ct);
        await using var broker = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), ct);
        var config = Config(polygon, broker, """ "risk": { "stop_loss_pct": 1, "take_profit_pct": 0.5 },""");
        var folder = Path.Combine(_dir, "first", "run");
        var crashed = Path.Combine(_dir, "crashed", "run");
        var first = await Session.StartAsync(this, polygon, config, folder, Start(0), resume: false);
        var decided = await first.RunMinutesAsync(polygon, broker, minutes, 0, minutes.Count, () => first.Assembly.Venue.OpenOrders.Count > 0) - 1;
        var entry = Assert.Single(first.Assembly.Venue.OpenOrders);
        Assert.Equal(OrderSide.Buy, entry.Side);

        broker.PushPrice("SPY", minutes[decided + 1].Open);
        await Eventually.Until(() => first.Assembly.Venue.OpenOrders.Count == 2, "the exits");
        await first.SentAsync(broker, "the exits at Alpaca");
        var target = first.Assembly.Venue.OpenOrders.Single(o => o.Type == OrderType.Limit);
        var stop = first.Assembly.Venue.OpenOrders.Single(o => o.Type == OrderType.Stop);
        var above = target.LimitPrice!.Value + 0.01m;
        var below = stop.StopPrice!.Value - 0.01m;
        broker.Faults.SplitFills = true;

        broker.PushPrice("SPY", above);
        await Eventually.Until(() => target.FilledQuantity == 5m && broker.Orders.Any(o => o.ClientOrderId == stop.ClientOrderId + "-r1"), "the target's first half, the stop cut");
        await first.SentAsync(broker, "the stop's replacement");
        broker.PushPrice("SPY", below);
        await Eventually.Until(() => stop.FilledQuantity == 3m && broker.Orders.Any(o => o.ClientOrderId == target.ClientOrderId + "-r1"), "the stop's part, the target cut");
        await first.SentAsync(broker, "the target's replacement");
        Assert.Equal(2m, broker.Positions["SPY"]);

        CopyAsADeadProcessLeftIt(folder, crashed, diedBefore: null);
        await first.StopAsync();
        broker.PushPrice("SPY", above); // nobody is connected to hear it
        Assert.Equal(1m, broker.Positions["SPY"]);

        var resumed = await Session.StartAsync(this, polygon, config, crashed, End(minutes[decided]).AddSeconds(30), resume: true);
        await broker.WaitUntilAsync(s => s.TradeStreamListeners >= 1, cancellationToken: ct);
        await Eventually.Until(() => resumed.Assembly.Portfolio.GetPosition(Symbol.Equity("SPY"))?.Quantity == 1m, "the fill made while down, adopted");
        await resumed.SentAsync(broker, "the stop cut again");
        broker.PushPrice("SPY", above);
        await Eventually.Until(() => broker.Positions.GetValueOrDefault("SPY") == 0m, "Alpaca flat");
        await Task.Delay(300, ct); // the run hears of it
        var position = resumed.Assembly.Portfolio.GetPosition(Symbol.Equity("SPY"))?.Quantity ?? 0m;
        await resumed.StopAsync();

        Assert.Equal(0m, position);
        var state = JournalState.Load(crashed);
        Assert.Equal(0m, state.Positions.GetValueOrDefault("SPY"));
        static string Base(string clientOrderId) => System.Text.RegularExpressions.Regex.Replace(clientOrderId, "-r[0-9]+$", string.Empty);
        Assert.Equal(state.OrderRequests.Order(), broker.Orders.Select(o => o.ClientOrderId).Where(id => Base(id) == id).Order());
        foreach (var group in broker.Orders.GroupBy(o => Base(o.ClientOrderId)))
        {
            Assert.Equal(group.Sum(o => o.FilledQty), state.Orders[group.Key].FilledQuantity);
        }

        _logs.AssertNoneContains(AlpacaHarness.Secret);
    }

    private static DateTime Start(int minute) => NyseCalendar.Instance.ToUtc(Day.ToDateTime(new TimeOnly(9, 30))).AddMinutes(minute);

    private static DateTime End(FakeAggregate m) => DateTimeOffset.FromUnixTimeMilliseconds(m.EndMs).UtcDateTime;

    private static List<FakeAggregate> Minutes(int count)
    {
        var list = new List<FakeAggregate>();
        var close = 100m;
        for (var i = 0; i < count; i++)
        {
            var open = close;
            close = Math.Round(100m + (0.8m * (decimal)Math.Sin(i / 2.0)), 2);
            var startMs = new DateTimeOffset(Start(i)).ToUnixTimeMilliseconds();
            list.Add(new FakeAggregate("SPY", startMs, startMs + 60_000, open, Math.Max(open, close) + 0.05m, Math.Min(open, close) - 0.05m, close, 1000, close, 10));
        }

        return list;
    }

    private ResolvedRun Config(FakePolygonServer polygon, FakeAlpacaServer alpaca, string risk = "")
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, $$"""
            { "mode": "live",
              "data": { "provider": "polygon", "symbols": ["SPY"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 5 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 10 },
              "exchange": { "commission": { "model": "zero" } },
              "engine": { "cancel_orders_on_stop": false },
              "live_min_bars": 0, "live_warmup_cycles": 0, "market_hours": { "when_closed": "exit" },
              "auto_stop_at": "2024-03-04T10:10:30-05:00",{{risk}}
              "broker": { "type": "alpaca" },
              "providers": {
                "polygon": { "api_key": "{{PolygonKey}}", "ws_url": "{{polygon.WsUrl}}", "rest_url": "{{polygon.RestUrl}}" },
                "alpaca": { "api_key_id": "{{AlpacaHarness.KeyId}}", "api_secret_key": "{{AlpacaHarness.Secret}}",
                            "trading_url": "{{alpaca.TradingUrl}}", "trade_stream_url": "{{alpaca.TradeStreamUrl}}" } } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        return ResolvedRun.Resolve(config, effective);
    }

    /// <summary>
    /// The run folder as a kill -9 leaves it: every committed row (the WAL included), no lock. With
    /// <paramref name="diedBefore"/>, the process died just before committing the first row it matches: the journal keeps
    /// only the rows before it.
    /// </summary>
    private static void CopyAsADeadProcessLeftIt(string folder, string copyTo, Func<JournalEvent, bool>? diedBefore)
    {
        Directory.CreateDirectory(copyTo);
        File.Copy(Path.Combine(folder, RunJournal.ConfigFileName), Path.Combine(copyTo, RunJournal.ConfigFileName));
        IReadOnlyList<JournalEvent> rows;
        using (var reader = JournalReader.Open(folder))
        {
            rows = reader.ReadAfter();
        }

        var keep = diedBefore is null ? rows.Count : rows.TakeWhile(e => !diedBefore(e)).Count();
        Assert.True(keep < rows.Count || diedBefore is null, "the kill point's row is not in the journal");
        using var journal = LiveJournal.Open(copyTo, TimeProvider.System, fsyncEachCommit: false);
        foreach (var e in rows.Take(keep))
        {
            journal.Append(new JournalEntry(e.Kind, e.PayloadJson, e.Symbol, e.ClientOrderId, e.BrokerOrderId, e.OrderStatus));
        }
    }

    /// <summary>One live process: journal, Alpaca broker, Polygon feed, engine and runner on a fake clock of its own.</summary>
    private sealed class Session
    {
        private readonly CancellationTokenSource _stop = new();
        private RunJournal _journal = null!;
        private ILiveVenue _broker = null!;
        private ILiveMarketDataFeed _feed = null!;
        private Task<LiveStopReason> _task = null!;
        private int _polygonBaseline;

        public FakeTimeProvider Clock { get; private set; } = null!;

        public EngineAssembly Assembly { get; private set; } = null!;

        public LiveRunner Runner { get; private set; } = null!;

        public RecordingRecorder Recorder { get; } = new();

        public DateTime? FirstOrderDecidedUtc { get; private set; }

        public static async Task<Session> StartAsync(LiveAlpacaResumeTests test, FakePolygonServer polygon, ResolvedRun run, string folder, DateTime startUtc, bool resume)
        {
            var s = new Session
            {
                Clock = new FakeTimeProvider(new DateTimeOffset(startUtc)),
                _polygonBaseline = polygon.Connections.Select(c => c.Id).DefaultIfEmpty(0).Max(),
            };
            var loggers = test._logs.CreateFactory();
            var logger = loggers.CreateLogger("StrategyLab.Live");
            s._journal = RunJournal.Open(folder, run.Echo, resume, s.Clock, logger, fsyncEachCommit: false);
            s._broker = BrokerSettings.CreateVenue(run, Path.GetFileName(folder), loggers, liveTradingConfirmed: false)!;
            s.Assembly = EngineAssembly.Build(run, s.Recorder, loggers, journal: s._journal, broker: s._broker);
            s._feed = LiveFeeds.Create(run, loggers, s.Clock);
            s.Runner = new LiveRunner(run, s._feed, s.Assembly, s.Clock, loggers);
            if (resume)
            {
                await LiveCatchUp.ResumeAsync(s._journal, s.Assembly, s.Runner, logger, startUtc, TestContext.Current.CancellationToken);
            }

            s._task = s.Runner.RunAsync(s._stop.Token);
            return s;
        }

        /// <summary>
        /// Minutes [from, to): each one's market orders fill at its open, then its bar closes a cycle; stops after the cycle
        /// at which <paramref name="until"/> holds. Returns the minutes run.
        /// </summary>
        public async Task<int> RunMinutesAsync(FakePolygonServer polygon, FakeAlpacaServer alpaca, List<FakeAggregate> minutes, int from, int to, Func<bool>? until = null)
        {
            await polygon.WaitUntilAsync(p => p.Connections.Any(c => c.Id > _polygonBaseline && c.Authenticated && c.Subscriptions.Contains("AM.SPY")), cancellationToken: TestContext.Current.CancellationToken);
            var sent = 0;
            for (var i = from; i < to && !_task.IsCompleted; i++)
            {
                var m = minutes[i];
                await SentAsync(alpaca, $"orders before bar #{i}");
                alpaca.PushPrice("SPY", m.Open);
                await Eventually.Until(() => Assembly.Engine.Counters.Fills == alpaca.Orders.Count(o => o.Status == "filled"), $"fills before bar #{i}");
                polygon.SendAggregate(m);
                sent++;
                await Eventually.Until(() => Runner.Counters.ProviderBars >= sent, $"AM #{i}");
                Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(m.EndMs + 5_000));
                await Eventually.Until(() => Runner.Counters.Cycles >= sent || _task.IsCompleted, $"cycle #{i}");
                FirstOrderDecidedUtc ??= Assembly.Venue.OpenOrders.Count > 0 || Assembly.Engine.Counters.Fills > 0 ? End(m) : null; // the venue has an order as soon as it is decided
                if (until?.Invoke() == true)
                {
                    break;
                }
            }

            await SentAsync(alpaca, "the last orders");
            return sent;
        }

        /// <summary>Pushes a price that fills the open market orders, and waits until the engine has the fills.</summary>
        public async Task FillAsync(FakeAlpacaServer alpaca, decimal price)
        {
            alpaca.PushPrice("SPY", price);
            await Eventually.Until(() => Assembly.Engine.Counters.Fills == alpaca.Orders.Count(o => o.Status == "filled") && alpaca.Orders.Any(o => o.Status == "filled"), "the fill in the engine");
            await SentAsync(alpaca, "the orders placed on the fill");
        }

        /// <summary>A graceful stop (no order cancelled: <c>cancel_orders_on_stop</c> is off), then everything released.</summary>
        public async Task StopAsync()
        {
            if (!_task.IsCompleted)
            {
                await _stop.CancelAsync();
            }

            await _task;
            await _feed.DisposeAsync();
            await _broker.DisposeAsync();
            _journal.Dispose();
        }

        /// <summary>Every order the engine has open is at Alpaca and acknowledged.</summary>
        public Task SentAsync(FakeAlpacaServer alpaca, string what) => Eventually.Until(
            () =>
            {
                try
                {
                    return Assembly.Venue.OpenOrders.ToArray().All(o => o.AcceptedUtc is not null && alpaca.Orders.ToArray().Any(a => a.ClientOrderId == o.ClientOrderId));
                }
                catch (Exception e) when (e is InvalidOperationException or NullReferenceException or ArgumentException)
                {
                    // The engine's book and the fake's list belong to other threads: read while they change, look again
                    // (a CI run read a half-resized list and failed here with a NullReferenceException).
                    return false;
                }
            },
            what);
    }
}
