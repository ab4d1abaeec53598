using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Journal;

/// <summary>Reconciliation of a replayed journal with a broker (an in-memory fake <see cref="IBrokerAccount"/>).</summary>
public sealed class BrokerReconcilerTests : IDisposable
{
    private static readonly DateTime T0 = new(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sl-reconcile-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(T0));
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task AFillWhileDown_IsAdopted_AndJournalled_AndThePositionThenAgrees()
    {
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1", "b1", "AAPL", true, 10, 10, 101.5m, "filled", T0.AddMinutes(5)));
        broker.Positions.Add(new BrokerPositionSnapshot("AAPL", 10, 101.5m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-1", "AAPL", "buy", 10);
            journal.Append(JournalEventKind.BrokerAck, new { timeUtc = "2026-03-02T14:30:00Z" }, "AAPL", "sl-run-1", "b1", "new");
            var report = await Reconcile(journal, broker);
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), report);
        }

        var after = JournalState.Load(_folder);
        Assert.Equal("filled", after.Orders["sl-run-1"].Status);
        Assert.Equal(10m, after.Orders["sl-run-1"].FilledQuantity);
        Assert.Equal(10m, after.Positions["AAPL"]);
        Assert.NotEmpty(_logs.Named("reconcile.order.adopted"));
        using var reader = JournalReader.Open(_folder);
        Assert.Contains(reader.ReadAfter(), e => e.Kind == JournalEventKind.Reconcile && e.PayloadJson.Contains("order.adopted", StringComparison.Ordinal));
        Assert.Empty(broker.Cancelled);
    }

    [Fact]
    public async Task AnOrderTheJournalDoesNotKnow_IsReported_AndNeverCancelled()
    {
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("manual-7", "b9", "MSFT", false, 5, 0, null, "new", T0));
        using var journal = LiveJournal.Open(_folder, _time);
        var report = await Reconcile(journal, broker);
        Assert.Equal(new ReconcileReport(0, 1, 0, 0), report);
        Assert.Empty(broker.Cancelled);
        Assert.NotEmpty(_logs.Named("reconcile.order.unknown"));
    }

    [Fact]
    public async Task AnOpenOrderTheBrokerLacks_IsMissing_AndAPositionDifference_TakesTheBrokers()
    {
        var broker = new FakeBroker();
        broker.Positions.Add(new BrokerPositionSnapshot("SPY", 3, 500m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-1", "SPY", "sell", 2);
            journal.Append(JournalEventKind.BrokerAck, new { }, "SPY", "sl-run-1", "b1", "new");
            var report = await Reconcile(journal, broker);
            Assert.Equal(new ReconcileReport(0, 0, 1, 1), report);
        }

        Assert.Equal(3m, JournalState.Load(_folder).Positions["SPY"]);
        Assert.NotEmpty(_logs.Named("reconcile.order.missing"));
        Assert.NotEmpty(_logs.Named("reconcile.position.mismatch"));
    }

    [Fact]
    public async Task AnOrderSentButNotAcknowledgedInTheJournal_IsAdoptedAsAcknowledged_NotSentAgain()
    {
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-2", "b2", "AAPL", true, 4, 0, null, "new", T0));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-2", "AAPL", "buy", 4);
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), await Reconcile(journal, broker));
        }

        var order = JournalState.Load(_folder).Orders["sl-run-2"];
        Assert.Equal(("new", "b2"), (order.Status, order.BrokerOrderId));
    }

    [Fact]
    public async Task AnUnacknowledgedOrderThatFilledBeforeTheLastJournalledEvent_IsFoundByItsClientOrderId_AckedThenFilled()
    {
        // Filled a minute before the journal's last row: "changed since" does not list it, and it is no longer open.
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-3", "b3", "AAPL", true, 10, 10, 100m, "filled", T0.AddMinutes(-1)));
        broker.Positions.Add(new BrokerPositionSnapshot("AAPL", 10, 100m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-3", "AAPL", "buy", 10);
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), await Reconcile(journal, broker));
        }

        using var reader = JournalReader.Open(_folder);
        var rows = reader.ReadOrder("sl-run-3").Where(e => e.Kind != JournalEventKind.Reconcile).Select(e => e.Kind).ToList();
        Assert.Equal([JournalEventKind.OrderRequest, JournalEventKind.BrokerAck, JournalEventKind.Fill], rows);
        var order = JournalState.Load(_folder).Orders["sl-run-3"];
        Assert.Equal(("filled", 10m), (order.Status, order.FilledQuantity));
        Assert.Empty(_logs.Named("reconcile.order.missing"));
    }

    [Fact]
    public async Task AFillWhileDown_IsStampedWithTheBrokersFillTime_NotTheReconciliationsOrTheLastChange()
    {
        // Filled at T0+3 min; the order changed again later (T0+5 min); the reconciliation runs at T0+20 min.
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1", "b1", "AAPL", true, 10, 10, 101.5m, "filled", T0.AddMinutes(5), T0.AddMinutes(3)));
        broker.Positions.Add(new BrokerPositionSnapshot("AAPL", 10, 101.5m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-1", "AAPL", "buy", 10);
            journal.Append(JournalEventKind.BrokerAck, new { timeUtc = "2026-03-02T14:30:00Z" }, "AAPL", "sl-run-1", "b1", "new");
            _time.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), await Reconcile(journal, broker));
        }

        Assert.Equal("2026-03-02T14:33:00.0000000Z", TimeOf(Assert.Single(Rows(JournalEventKind.Fill))));
        Assert.Equal("2026-03-02T14:33:00.0000000Z", TimeOf(Assert.Single(Rows(JournalEventKind.Position))));
    }

    [Fact]
    public async Task APartFillWhileDown_AdoptsOnlyWhatTheJournalLacks_AtTheLastChange_AndLeavesTheOrderOpen()
    {
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1", "b1", "AAPL", true, 10, 7, 100m, "partially_filled", T0.AddMinutes(4)));
        broker.Positions.Add(new BrokerPositionSnapshot("AAPL", 7, 100m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-1", "AAPL", "buy", 10);
            journal.Append(JournalEventKind.BrokerAck, new { }, "AAPL", "sl-run-1", "b1", "new");
            journal.Append(JournalEventKind.Fill, new { qty = "4", price = "100" }, "AAPL", "sl-run-1", "b1", "partially_filled");
            journal.Append(JournalEventKind.Position, new { qty = "4" }, "AAPL");
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), await Reconcile(journal, broker));
        }

        var order = JournalState.Load(_folder).Orders["sl-run-1"];
        Assert.Equal(("partially_filled", 7m, true), (order.Status, order.FilledQuantity, order.IsOpen));
        Assert.Equal(7m, JournalState.Load(_folder).Positions["AAPL"]);
        var adopted = Assert.Single(Rows(JournalEventKind.Fill), r => r.PayloadJson.Contains("adopted", StringComparison.Ordinal));
        Assert.Contains("\"qty\":\"3\"", adopted.PayloadJson, StringComparison.Ordinal);
        Assert.Equal("2026-03-02T14:34:00.0000000Z", TimeOf(adopted));
    }

    [Fact]
    public async Task APartlyFilledOrderReplacedBeforeTheCrash_WhoseReplacementFilledWhileDown_AdoptsTheReplacementsFillsOnce()
    {
        // 4 of 10 filled at 100 under b1, then replaced (a new limit) by sl-run-1-r1 (b2, for the 6 left): all journalled.
        // While the process was down b2 filled its 6 at 99. The original ended before the journal's last row: not listed.
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1", "b1", "AAPL", true, 10, 4, 100m, "replaced", T0.AddMinutes(-2)));
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1-r1", "b2", "AAPL", true, 6, 6, 99m, "filled", T0.AddMinutes(6), T0.AddMinutes(6)));
        broker.Positions.Add(new BrokerPositionSnapshot("AAPL", 10, 99.4m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-1", "AAPL", "buy", 10);
            journal.Append(JournalEventKind.BrokerAck, new { }, "AAPL", "sl-run-1", "b1", "new");
            journal.Append(JournalEventKind.Fill, new { qty = "4", price = "100" }, "AAPL", "sl-run-1", "b1", "partially_filled");
            journal.Append(JournalEventKind.Position, new { qty = "4" }, "AAPL");
            journal.Append(JournalEventKind.BrokerAck, new { @event = "replaced", qty = "10", limitPrice = "99" }, "AAPL", "sl-run-1", "b1", "new");
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), await Reconcile(journal, broker));
        }

        var state = JournalState.Load(_folder);
        Assert.Equal(("filled", 10m), (state.Orders["sl-run-1"].Status, state.Orders["sl-run-1"].FilledQuantity));
        Assert.Equal(10m, state.Positions["AAPL"]);
        var adopted = Assert.Single(Rows(JournalEventKind.Fill), r => r.PayloadJson.Contains("adopted", StringComparison.Ordinal));
        Assert.Contains("\"qty\":\"6\"", adopted.PayloadJson, StringComparison.Ordinal);
        Assert.Contains("\"price\":\"99\"", adopted.PayloadJson, StringComparison.Ordinal);
        Assert.Contains("\"filledQty\":\"10\"", adopted.PayloadJson, StringComparison.Ordinal);
        Assert.Equal("b2", adopted.BrokerOrderId);
        Assert.Equal("2026-03-02T14:36:00.0000000Z", TimeOf(adopted));
        Assert.Empty(_logs.Named("reconcile.order.unknown"));
        Assert.Empty(_logs.Named("reconcile.position.mismatch"));

        // A second reconciliation (a reconnect) finds nothing more to adopt.
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Assert.True((await Reconcile(journal, broker)).IsClean);
        }
    }

    [Fact]
    public async Task AReplacementPartlyFilledBeforeTheCrash_AndTheRestWhileDown_AdoptsTheRemainderAtItsOwnPrice()
    {
        // 4 of 10 at 100 under b1, replaced by sl-run-1-r1 (b2, 6 left) which filled 2 at 99 before the crash (journalled)
        // and its last 4 at 98 while the process was down: b2 reports 6 at an average of 98.33. The adopted 4 cost 98 each,
        // not b2's average, so the run's cash is the broker's.
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1", "b1", "AAPL", true, 10, 4, 100m, "replaced", T0.AddMinutes(-2)));
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1-r1", "b2", "AAPL", true, 6, 6, 590m / 6m, "filled", T0.AddMinutes(6), T0.AddMinutes(6)));
        broker.Positions.Add(new BrokerPositionSnapshot("AAPL", 10, 99m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-1", "AAPL", "buy", 10);
            journal.Append(JournalEventKind.BrokerAck, new { }, "AAPL", "sl-run-1", "b1", "new");
            journal.Append(JournalEventKind.Fill, new { qty = "4", price = "100" }, "AAPL", "sl-run-1", "b1", "partially_filled");
            journal.Append(JournalEventKind.BrokerAck, new { @event = "replaced", qty = "10", limitPrice = "99" }, "AAPL", "sl-run-1", "b1", "new");
            journal.Append(JournalEventKind.Fill, new { qty = "2", price = "99" }, "AAPL", "sl-run-1", "b2", "partially_filled");
            journal.Append(JournalEventKind.Position, new { qty = "6" }, "AAPL");
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), await Reconcile(journal, broker));
        }

        var state = JournalState.Load(_folder);
        Assert.Equal(("filled", 10m), (state.Orders["sl-run-1"].Status, state.Orders["sl-run-1"].FilledQuantity));
        Assert.Equal(10m, state.Positions["AAPL"]);
        var adopted = Assert.Single(Rows(JournalEventKind.Fill), r => r.PayloadJson.Contains("adopted", StringComparison.Ordinal));
        var payload = System.Text.Json.Nodes.JsonNode.Parse(adopted.PayloadJson)!;
        Assert.Equal("4", payload["qty"]!.GetValue<string>());
        var price = decimal.Parse(payload["price"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(price - 98m) < 1e-6m, $"the remainder was priced {price}, expected 98");
        Assert.True(Math.Abs((400m + 198m + (4 * price)) - 990m) < 1e-6m, "the journal's cost differs from the broker's");
    }

    [Fact]
    public async Task FillsThatNameTheirBrokerOrder_AreAdoptedPerBrokerOrder_EachAtItsOwnPrice_AndNamingIt()
    {
        // b1 (10 ordered) filled 4 at 100 (journalled, naming b1) and a 5th at 101 whose row the crash lost; it was replaced
        // by sl-run-1-r1 (b2, the 5 left), which filled 2 at 99 before the crash (journalled, naming b2) and 3 at 98 while
        // the process was down. Each broker order adopts its own remainder: 1 at 101 under b1, 3 at 98 under b2.
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1", "b1", "AAPL", true, 10, 5, 501m / 5m, "replaced", T0.AddMinutes(-2)));
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1-r1", "b2", "AAPL", true, 5, 5, 492m / 5m, "filled", T0.AddMinutes(6), T0.AddMinutes(6)));
        broker.Positions.Add(new BrokerPositionSnapshot("AAPL", 10, 99.3m));
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Request(journal, "sl-run-1", "AAPL", "buy", 10);
            journal.Append(JournalEventKind.BrokerAck, new { }, "AAPL", "sl-run-1", "1", "new");
            journal.Append(JournalEventKind.Fill, new { qty = "4", price = "100", filledQty = "4", venueOrderId = "b1", venueClientOrderId = "sl-run-1", venueFilledQty = "4" }, "AAPL", "sl-run-1", "1", "partially_filled");
            journal.Append(JournalEventKind.Position, new { qty = "4" }, "AAPL");
            journal.Append(JournalEventKind.BrokerAck, new { @event = "replaced", qty = "10", limitPrice = "99" }, "AAPL", "sl-run-1", "1", "new");
            journal.Append(JournalEventKind.Fill, new { qty = "2", price = "99", filledQty = "6", venueOrderId = "b2", venueClientOrderId = "sl-run-1-r1", venueFilledQty = "2" }, "AAPL", "sl-run-1", "1", "partially_filled");
            journal.Append(JournalEventKind.Position, new { qty = "6" }, "AAPL");
            Assert.Equal(new ReconcileReport(1, 0, 0, 0), await Reconcile(journal, broker));
        }

        var adopted = Rows(JournalEventKind.Fill).Where(r => r.PayloadJson.Contains("adopted", StringComparison.Ordinal))
            .Select(r => System.Text.Json.Nodes.JsonNode.Parse(r.PayloadJson)!)
            .Select(p => (p["qty"]!.GetValue<string>(), p["price"]!.GetValue<string>(), p["venueOrderId"]!.GetValue<string>(), p["venueClientOrderId"]!.GetValue<string>(), p["venueFilledQty"]!.GetValue<string>(), p["filledQty"]!.GetValue<string>()));
        Assert.Equal([("1", "101", "b1", "sl-run-1", "5", "7"), ("3", "98", "b2", "sl-run-1-r1", "5", "10")], adopted);
        var state = JournalState.Load(_folder);
        Assert.Equal(("filled", 10m, 993m), (state.Orders["sl-run-1"].Status, state.Orders["sl-run-1"].FilledQuantity, state.Orders["sl-run-1"].FilledNotional!.Value));
        Assert.Equal(10m, state.Positions["AAPL"]);
        Assert.Equal((5m, 501m), (state.VenueFills["b1"].Quantity, state.VenueFills["b1"].Notional));
        Assert.Equal((5m, 492m), (state.VenueFills["b2"].Quantity, state.VenueFills["b2"].Notional));
        Assert.Empty(_logs.Named("reconcile.position.mismatch"));

        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Assert.True((await Reconcile(journal, broker)).IsClean);
        }
    }

    private List<JournalEvent> Rows(JournalEventKind kind)
    {
        using var reader = JournalReader.Open(_folder);
        return [.. reader.ReadAfter().Where(e => e.Kind == kind)];
    }

    private static string? TimeOf(JournalEvent row) =>
        System.Text.Json.JsonDocument.Parse(row.PayloadJson).RootElement.TryGetProperty("timeUtc", out var t) ? t.GetString() : null;

    [Fact]
    public async Task AJournalThatAgrees_IsClean()
    {
        var broker = new FakeBroker();
        broker.Orders.Add(new BrokerOrderSnapshot("sl-run-1", "b1", "AAPL", true, 10, 0, null, "new", T0));
        using var journal = LiveJournal.Open(_folder, _time);
        Request(journal, "sl-run-1", "AAPL", "buy", 10);
        journal.Append(JournalEventKind.BrokerAck, new { }, "AAPL", "sl-run-1", "b1", "new");
        Assert.True((await Reconcile(journal, broker)).IsClean);
    }

    private async Task<ReconcileReport> Reconcile(LiveJournal journal, FakeBroker broker)
    {
        using var reader = JournalReader.Open(_folder);
        var state = JournalState.Replay(reader.ReadAfter());
        using var loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        return await new BrokerReconciler(broker, journal, loggers.CreateLogger("test")).ReconcileAsync(state, TestContext.Current.CancellationToken);
    }

    private static void Request(LiveJournal journal, string id, string symbol, string side, decimal qty) =>
        journal.Append(JournalEventKind.OrderRequest, new { side, qty = qty.ToString(System.Globalization.CultureInfo.InvariantCulture), timeUtc = "2026-03-02T14:30:00Z" }, symbol, id, orderStatus: "pending_new");

    private sealed class FakeBroker : IBrokerAccount
    {
        public List<BrokerOrderSnapshot> Orders { get; } = [];

        public List<BrokerPositionSnapshot> Positions { get; } = [];

        public List<string> Cancelled { get; } = [];

        public string Name => "fake";

        public Task<IReadOnlyList<BrokerOrderSnapshot>> OrdersChangedSinceAsync(DateTime sinceUtc, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<BrokerOrderSnapshot>>([.. Orders.Where(o => o.UpdatedAtUtc >= sinceUtc)]);

        public Task<IReadOnlyList<BrokerOrderSnapshot>> OpenOrdersAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<BrokerOrderSnapshot>>([.. Orders.Where(o => !JournalReader.TerminalStatuses.Contains(o.Status))]);

        public Task<BrokerOrderSnapshot?> OrderAsync(string clientOrderId, CancellationToken cancellationToken) =>
            Task.FromResult(Orders.LastOrDefault(o => o.ClientOrderId == clientOrderId));

        public Task<IReadOnlyList<BrokerPositionSnapshot>> PositionsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<BrokerPositionSnapshot>>([.. Positions]);

        public Task<bool> CancelAsync(string clientOrderId, CancellationToken cancellationToken)
        {
            Cancelled.Add(clientOrderId);
            return Task.FromResult(true);
        }
    }
}
