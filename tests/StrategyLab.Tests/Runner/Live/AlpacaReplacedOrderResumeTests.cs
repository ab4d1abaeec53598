using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// A resume of an order Alpaca filled in parts across a replace (issue 13: positions equal to the broker's, no fill lost
/// or doubled). Alpaca's replace makes a new order with its own id and its own cumulative fill, so a journalled fill
/// must say which Alpaca order it came from: counted against the newest one, the replacement's later fills were taken
/// for fills already applied. The parts are the real ones (the adapter against the fake Alpaca server, the journalling
/// venue, the journal, the reconciler, the catch-up's reading of journal rows); the engine's re-derivation of the order
/// and its replace during the catch-up is done by the test.
/// </summary>
public sealed class AlpacaReplacedOrderResumeTests : IDisposable
{
    private const string RunId = "run-replaced-resume";
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");
    private static readonly OrderRequest Entry = OrderRequest.Limit(Aapl, OrderSide.Buy, 10, 100m, TimeInForce.Gtc, "entry");
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-replaced-resume-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Now => new(2024, 3, 4, 15, 0, 0, DateTimeKind.Utc);

    public void Dispose()
    {
        _logs.Dispose();
        JournalFolders.Delete(_dir);
    }

    [Fact]
    public async Task APartlyFilledOrder_Replaced_WhoseReplacementFillsBeforeAndWhileDown_ResumesWithAlpacasFillsExactly()
    {
        // Before the crash: 5 of 10 fill at 99 under the original; the order is replaced (a new limit) and the replacement
        // (its own Alpaca order, for the 5 left) fills 3 at 98. While the process is down it fills 1 at 97; after the
        // resume its last 1 at 96.
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        server.Faults.SplitFills = true;
        var crashed = await RunUntilTheCrashAsync(server, replace: true, stripVenueFields: false);
        server.PushPrice("AAPL", 97m); // nobody is connected to hear it
        var replacement = Assert.Single(server.Orders, o => o.ClientOrderId.EndsWith("-r1", StringComparison.Ordinal));
        Assert.Equal(("partially_filled", 4m), (replacement.Status, replacement.FilledQty));

        await using var resumed = await ResumeAsync(server, crashed, replace: true);
        server.PushPrice("AAPL", 96m);
        await resumed.DrainUntilAsync(() => resumed.Reports > resumed.ReportsAtResume, "the replacement's last fill on the stream");
        await Task.Delay(100, Ct); // anything else Alpaca says about it
        resumed.Drain();

        // The order, the portfolio and the journal hold exactly Alpaca's fills: 10, for 495 + 294 + 97 + 96.
        Assert.Equal(("filled", 10m), (Assert.Single(server.Orders, o => o.Id == replacement.Id).Status, server.Orders.Sum(o => o.FilledQty)));
        Assert.Equal(server.Positions["AAPL"], resumed.Portfolio.GetPosition(Aapl)!.Quantity);
        Assert.Equal(10m, resumed.Order.FilledQuantity);
        Assert.Equal(OrderStatus.Filled, resumed.Order.Status);
        Assert.Equal([(5m, 99m), (3m, 98m), (1m, 97m), (1m, 96m)], resumed.Fills.Select(f => (f.Quantity, f.Price)));
        Assert.Equal(server.Orders.Sum(o => o.FilledQty * (o.FilledAvgPrice ?? 0m)), resumed.Fills.Sum(f => f.Quantity * f.Price));

        var state = JournalState.Load(crashed);
        Assert.Equal(("filled", 10m), (state.Orders[resumed.Order.ClientOrderId].Status, state.Orders[resumed.Order.ClientOrderId].FilledQuantity));
        Assert.Equal(10m, state.Positions["AAPL"]);

        // The fill made while down was adopted once, priced as Alpaca filled it, naming the replacement.
        var adopted = Assert.Single(FillRows(crashed), r => r.PayloadJson.Contains("adopted", StringComparison.Ordinal));
        var payload = JsonNode.Parse(adopted.PayloadJson)!;
        Assert.Equal(
            ("1", "97", replacement.Id, "4"),
            (payload["qty"]!.GetValue<string>(), payload["price"]!.GetValue<string>(), payload["venueOrderId"]!.GetValue<string>(), payload["venueFilledQty"]!.GetValue<string>()));
        Assert.Equal(10m, FillRows(crashed).Sum(r => decimal.Parse(JsonNode.Parse(r.PayloadJson)!["qty"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)));
        _logs.AssertNoneContains(AlpacaHarness.Secret);
    }

    [Fact]
    public async Task EveryFillRow_NamesTheAlpacaOrderItCameFrom_WithThatOrdersOwnCumulativeFill()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        server.Faults.SplitFills = true;
        var folder = await RunUntilTheCrashAsync(server, replace: true, stripVenueFields: false);

        var original = Assert.Single(server.Orders, o => o.Status == "replaced");
        var replacement = Assert.Single(server.Orders, o => o.Status != "replaced");
        var rows = FillRows(folder).Select(r => JsonNode.Parse(r.PayloadJson)!).ToList();
        Assert.Equal(
            [(original.Id, original.ClientOrderId, "5", "5"), (replacement.Id, replacement.ClientOrderId, "3", "8")],
            rows.Select(p => (p["venueOrderId"]!.GetValue<string>(), p["venueClientOrderId"]!.GetValue<string>(), p["venueFilledQty"]!.GetValue<string>(), p["filledQty"]!.GetValue<string>())));
    }

    [Fact]
    public async Task AJournalWrittenBeforeFillsNamedTheirAlpacaOrder_StillResumes_AdoptingTheFillWhileDownOnce()
    {
        // The journal's fill rows as the code before this field wrote them. No replace: the old count is right for an
        // order that is one Alpaca order. 5 of 10 at 99 before the crash, 3 at 97 while down, the last 2 at 96 after.
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        server.Faults.SplitFills = true;
        var crashed = await RunUntilTheCrashAsync(server, replace: false, stripVenueFields: true);
        Assert.All(FillRows(crashed), r => Assert.DoesNotContain("venueOrderId", r.PayloadJson, StringComparison.Ordinal));
        server.PushPrice("AAPL", 97m);

        await using var resumed = await ResumeAsync(server, crashed, replace: false);
        server.Faults.SplitFills = false; // the rest at once
        server.PushPrice("AAPL", 96m);
        await resumed.DrainUntilAsync(() => resumed.Order.Status == OrderStatus.Filled, "the last fill on the stream");

        Assert.Equal([(5m, 99m), (3m, 97m), (2m, 96m)], resumed.Fills.Select(f => (f.Quantity, f.Price)));
        Assert.Equal(server.Positions["AAPL"], resumed.Portfolio.GetPosition(Aapl)!.Quantity);
        var state = JournalState.Load(crashed);
        Assert.Equal((10m, 10m), (state.Orders[resumed.Order.ClientOrderId].FilledQuantity, state.Positions["AAPL"]));
    }

    /// <summary>
    /// The first process: the order, 5 filled at 99, optionally the replace and 3 filled at 98 by the replacement; then
    /// it dies. Returns a copy of its run folder as the disk held it (fill rows optionally as an old journal wrote them).
    /// </summary>
    private async Task<string> RunUntilTheCrashAsync(FakeAlpacaServer server, bool replace, bool stripVenueFields)
    {
        var folder = Path.Combine(_dir, "first");
        await using (var first = Process.Open(server, folder, _logs))
        {
            await first.Broker.ConnectAsync(Ct);
            await server.WaitUntilAsync(s => s.TradeStreamListeners == 1, cancellationToken: Ct);
            first.Order = first.Venue.Submit(Entry, Now);
            await first.DrainUntilAsync(() => first.Order.AcceptedUtc is not null, "the ack");
            server.PushPrice("AAPL", 99m);
            await first.DrainUntilAsync(() => first.Order.FilledQuantity == 5m, "the first part");
            if (replace)
            {
                Assert.True(first.Venue.Replace(first.Order.Id, null, 98.5m, null, Now));
                await server.WaitUntilAsync(s => s.Orders.Count == 2, cancellationToken: Ct);
                server.PushPrice("AAPL", 98m);
                await first.DrainUntilAsync(() => first.Order.FilledQuantity == 8m, "the replacement's first part");
            }
        }

        var crashed = Path.Combine(_dir, "crashed");
        IReadOnlyList<JournalEvent> rows;
        using (var reader = JournalReader.Open(folder))
        {
            rows = reader.ReadAfter();
        }

        Directory.CreateDirectory(crashed);
        using var copy = LiveJournal.Open(crashed, TimeProvider.System, fsyncEachCommit: false);
        foreach (var e in rows)
        {
            var payload = e.PayloadJson;
            if (stripVenueFields && e.Kind == JournalEventKind.Fill)
            {
                var node = JsonNode.Parse(payload)!.AsObject();
                node.Remove("venueOrderId");
                node.Remove("venueClientOrderId");
                node.Remove("venueFilledQty");
                payload = node.ToJsonString();
            }

            copy.Append(new JournalEntry(e.Kind, payload, e.Symbol, e.ClientOrderId, e.BrokerOrderId, e.OrderStatus));
        }

        return crashed;
    }

    /// <summary>
    /// The second process, as <c>LiveCatchUp</c> runs it: catch-up (the order and its replace re-derived, what Alpaca said
    /// handed back from the journal, nothing sent), the end of the catch-up, the reconciliation and its adopted rows handed
    /// to the adapter, then the stream.
    /// </summary>
    private async Task<Process> ResumeAsync(FakeAlpacaServer server, string folder, bool replace)
    {
        var p = Process.Open(server, folder, _logs);
        p.Broker.BeginCatchUp();
        using (var reader = JournalReader.Open(folder))
        {
            foreach (var row in reader.ReadAfter())
            {
                switch (row.Kind)
                {
                    case JournalEventKind.OrderRequest:
                        p.Order = p.Venue.Submit(Entry, Now);
                        break;
                    case JournalEventKind.Intent when replace:
                        Assert.True(p.Venue.Replace(p.Order.Id, null, 98.5m, null, Now));
                        break;
                    case JournalEventKind.BrokerAck or JournalEventKind.Fill or JournalEventKind.Cancel:
                        if (LiveCatchUp.OrderEventOf(row, Now) is { } e)
                        {
                            p.Broker.ApplyJournalled(e);
                        }

                        break;
                }
            }
        }

        await p.Broker.EndCatchUpAsync(Ct);
        var before = p.Journal.LastSequence;
        using (var reader = JournalReader.Open(folder))
        {
            await new BrokerReconciler(p.Broker, p.Journal, p.Logger).ReconcileAsync(JournalState.Replay(reader.ReadAfter()), Ct);
        }

        using (var reader = JournalReader.Open(folder))
        {
            foreach (var row in reader.ReadAfter(before).Where(r => r.Kind is JournalEventKind.BrokerAck or JournalEventKind.Fill or JournalEventKind.Cancel))
            {
                p.Writer.Expect(row.Kind, row.ClientOrderId, row.Symbol);
                if (row.Kind == JournalEventKind.Fill)
                {
                    p.Writer.Expect(JournalEventKind.Position, null, row.Symbol);
                }

                if (LiveCatchUp.OrderEventOf(row, Now) is { } e)
                {
                    p.Broker.ApplyJournalled(e);
                }
            }
        }

        await p.Broker.ConnectAsync(Ct);
        await server.WaitUntilAsync(s => s.TradeStreamListeners >= 1, cancellationToken: Ct);
        await Eventually.Until(() => p.Broker.Reconciliations >= 1, "the reconciliation at connect");
        await Task.Delay(100, Ct);
        p.Drain();
        p.ReportsAtResume = p.Reports;
        return p;
    }

    private static List<JournalEvent> FillRows(string folder)
    {
        using var reader = JournalReader.Open(folder);
        return [.. reader.ReadAfter().Where(e => e.Kind == JournalEventKind.Fill)];
    }

    /// <summary>One live process: the adapter behind the journalling venue, and a portfolio the fills go to.</summary>
    private sealed class Process : IOrderEventListener, IAsyncDisposable
    {
        private readonly ILoggerFactory _loggers;

        private Process(FakeAlpacaServer server, string folder, CapturingLoggerProvider logs)
        {
            _loggers = logs.CreateFactory();
            Logger = _loggers.CreateLogger("test");
            Directory.CreateDirectory(folder);
            var state = JournalState.Load(folder);
            Journal = LiveJournal.Open(folder, TimeProvider.System, fsyncEachCommit: false);
            Writer = new JournalWriter(Journal, state, Logger);
            Broker = AlpacaBrokerTests.NewBroker(server, RunId, _loggers);
            Venue = new JournalingVenue(Broker, Writer, Portfolio, RunId, Logger) { Downstream = this };
            Broker.Listener = Venue;
        }

        public ILogger Logger { get; }

        public LiveJournal Journal { get; }

        public JournalWriter Writer { get; }

        public AlpacaBroker Broker { get; }

        public JournalingVenue Venue { get; }

        public Portfolio Portfolio { get; } = new(100_000m);

        public List<Fill> Fills { get; } = [];

        public Order Order { get; set; } = null!;

        public long Reports { get; private set; }

        public long ReportsAtResume { get; set; }

        public static Process Open(FakeAlpacaServer server, string folder, CapturingLoggerProvider logs) => new(server, folder, logs);

        public void Drain() => Reports += Broker.DrainEvents(Now);

        public Task DrainUntilAsync(Func<bool> condition, string what) => Eventually.Until(
            () =>
            {
                Drain();
                return condition();
            },
            what);

        public void OnOrderEvent(in OrderEvent orderEvent)
        {
            if (orderEvent.Fill is { } f)
            {
                Portfolio.ApplyFill(f);
                Fills.Add(f);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Broker.DisposeAsync();
            Journal.Dispose();
            _loggers.Dispose();
        }
    }
}
