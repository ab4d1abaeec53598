using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Providers.Streaming;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// <see cref="AlpacaBroker"/> against the fake Alpaca server: orders leave on a background sender, every event reaches the
/// listener only when the test (the "engine thread") drains, duplicate ids are read back, a fill missed while the stream
/// was down is found by the reconciliation exactly once, 429/5xx and slow acks change nothing, and no key is logged.
/// </summary>
public sealed class AlpacaBrokerTests : IAsyncLifetime
{
    private const string RunId = "run-broker-test";
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");
    private readonly CapturingLoggerProvider _logs = new();
    private readonly Recorder _events = new();
    private FakeAlpacaServer _server = null!;
    private AlpacaBroker _broker = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Now => new(2024, 3, 4, 15, 0, 0, DateTimeKind.Utc);

    public async ValueTask InitializeAsync()
    {
        _server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        _broker = NewBroker(_server, RunId, _logs.CreateFactory());
        _broker.Listener = _events;
        await _broker.ConnectAsync(Ct);
        await _server.WaitUntilAsync(s => s.TradeStreamListeners == 1, cancellationToken: Ct);
    }

    /// <summary>An adapter pointed at <paramref name="server"/>, with short back-offs and retry delays (not connected).</summary>
    internal static AlpacaBroker NewBroker(FakeAlpacaServer server, string runId, Microsoft.Extensions.Logging.ILoggerFactory loggers) => new(
        new AlpacaOptions
        {
            KeyId = AlpacaHarness.KeyId,
            SecretKey = AlpacaHarness.Secret,
            TradingUrl = server.TradingUrl,
            TradeStreamUrl = server.TradeStreamUrl,
            RateLimitBackoff = TimeSpan.FromMilliseconds(10),
            MaxRateLimitBackoff = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(5),
            Stream = new ReconnectingWebSocketOptions
            {
                InitialBackoff = TimeSpan.FromMilliseconds(20),
                MaxBackoff = TimeSpan.FromMilliseconds(200),
                BackoffJitter = false,
            },
        },
        runId,
        loggers,
        new AlpacaBrokerSettings { RetryDelay = TimeSpan.FromMilliseconds(20), StopTimeout = TimeSpan.FromSeconds(2) });

    public async ValueTask DisposeAsync()
    {
        await _broker.DisposeAsync();
        await _server.DisposeAsync();
        _logs.AssertNoneContains(AlpacaHarness.Secret);
        _logs.AssertNoneContains(Uri.EscapeDataString(AlpacaHarness.Secret));
        _logs.Dispose();
    }

    private void Drain()
    {
        _events.Draining = true;
        _broker.DrainEvents(Now);
        _events.Draining = false;
    }

    /// <summary>Drains on this thread until <paramref name="condition"/> holds.</summary>
    private async Task DrainUntil(Func<bool> condition, string what) =>
        await Eventually.Until(
            () =>
            {
                Drain();
                return condition();
            },
            what);

    [Fact]
    public async Task Submit_ReturnsAtOnce_AndTheFillReachesTheListenerOnlyWhenDrained()
    {
        var order = _broker.Submit(OrderRequest.Market(Aapl, OrderSide.Buy, 10, "entry"), Now);

        Assert.True(order.IsOpen);
        Assert.Null(order.AcceptedUtc);
        Assert.Equal(AlpacaClientOrderId.For(RunId, order.Id), order.ClientOrderId);
        Assert.Empty(_events.Events); // nothing before a drain, whatever arrived meanwhile
        await _server.WaitUntilAsync(s => s.Orders.Count == 1, cancellationToken: Ct);
        _server.PushPrice("AAPL", 101.25m);
        await _server.WaitUntilAsync(s => s.Orders[0].Status == "filled", cancellationToken: Ct);
        Assert.Empty(_events.Events);

        await DrainUntil(() => order.Status == OrderStatus.Filled, "the fill");

        Assert.Equal([OrderEventKind.Accepted, OrderEventKind.Filled], _events.Kinds);
        var fill = _events.Events[^1].Fill!.Value;
        Assert.Equal((10m, 101.25m, "entry"), (fill.Quantity, fill.Price, fill.Tag));
        Assert.All(_events.RaisedInDrain, Assert.True);
        Assert.Equal(order.ClientOrderId, Assert.Single(_server.Orders).ClientOrderId);
        Assert.Empty(_broker.OpenOrders);
        Assert.NotEmpty(_logs.Named("broker.connected"));
        Assert.Contains(_server.TradingUrl.GetLeftPart(UriPartial.Authority), _logs.Named("broker.connected")[0].AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOrderAlreadyAtAlpaca_IsReadBack_NotSentTwice()
    {
        // As after a restart: the order with the id the broker will give its first order is already there.
        using (var client = new AlpacaTradingClient(
            new AlpacaOptions { KeyId = AlpacaHarness.KeyId, SecretKey = AlpacaHarness.Secret, TradingUrl = _server.TradingUrl, TradeStreamUrl = _server.TradeStreamUrl },
            _logs.CreateFactory().CreateLogger("setup")))
        {
            await client.SubmitOrderAsync(
                new AlpacaOrderRequest("AAPL", 5, AlpacaSide.Buy, AlpacaOrderType.Limit, AlpacaTimeInForce.Day, AlpacaClientOrderId.For(RunId, 1)) { LimitPrice = 90m }, Ct);
        }

        var order = _broker.Submit(OrderRequest.Limit(Aapl, OrderSide.Buy, 5, 90m, tag: "entry"), Now);
        // The first order's own stream event may be drained before the read-back answers: both are that one order.
        await DrainUntil(() => order.AcceptedUtc is not null && _logs.Named("broker.order.already_sent").Count > 0, "the read-back");

        Assert.Single(_server.Orders);
        Assert.Single(_logs.Named("broker.order.already_sent"));
        Assert.Equal([OrderEventKind.Accepted], _events.Kinds);
    }

    [Fact]
    public async Task StreamDroppedMidFill_TheReconciliationEmitsTheMissedFillOnce()
    {
        var order = _broker.Submit(OrderRequest.Market(Aapl, OrderSide.Buy, 7, "entry"), Now);
        await DrainUntil(() => order.AcceptedUtc is not null, "the ack");
        _server.Faults.DropStreamOnNextFills(1);

        _server.PushPrice("AAPL", 99.5m);
        await DrainUntil(() => order.Status == OrderStatus.Filled, "the fill found after the reconnect");
        await Eventually.Until(() => _broker.Reconciliations >= 1, "the reconciliation");
        _server.PushPrice("AAPL", 98m); // nothing left to fill: no new event may appear
        await Task.Delay(200, Ct);
        Drain();

        Assert.Single(_events.Events, e => e.Fill is not null);
        Assert.Equal((7m, 99.5m), (order.FilledQuantity, order.AverageFillPrice));
        Assert.Single(_logs.Named("broker.reconcile.missed_fill"));
        Assert.True(_server.TradeStreamConnections >= 2);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task RateLimitsAndServerErrors_AreRetried_OneOrderResults(int status)
    {
        _server.Faults.FailNext(status, 2);

        var order = _broker.Submit(OrderRequest.Market(Aapl, OrderSide.Sell, 3, "signal"), Now);
        await DrainUntil(() => order.AcceptedUtc is not null, "the ack after the errors");
        _server.PushPrice("AAPL", 50m);
        await DrainUntil(() => order.Status == OrderStatus.Filled, "the fill");

        Assert.Single(_server.Orders);
        Assert.Contains(_server.Requests, r => r.Status == status);
        Assert.Equal([OrderEventKind.Accepted, OrderEventKind.Filled], _events.Kinds);
    }

    [Fact]
    public async Task ASlowAck_OvertakenByItsFill_GivesAcceptedThenOneFill()
    {
        _server.Faults.OrderAckDelay = TimeSpan.FromMilliseconds(400);

        var order = _broker.Submit(OrderRequest.Market(Aapl, OrderSide.Buy, 4, "entry"), Now);
        await _server.WaitUntilAsync(s => s.Orders.Count == 1, cancellationToken: Ct);
        _server.PushPrice("AAPL", 10m); // fills while the POST has not answered yet
        await DrainUntil(() => order.Status == OrderStatus.Filled, "the fill");
        await Eventually.Until(() => _logs.Named("broker.order.acknowledged").Count == 1, "the late ack");
        Drain();

        Assert.Equal([OrderEventKind.Accepted, OrderEventKind.Filled], _events.Kinds);
        Assert.Equal(4m, order.FilledQuantity);
    }

    [Fact]
    public async Task ReplaceAndCancel_GoToAlpaca_AndTheCancelIsReportedByTheStream()
    {
        var order = _broker.Submit(OrderRequest.Limit(Aapl, OrderSide.Buy, 5, 90m, TimeInForce.Gtc, "entry"), Now);
        await DrainUntil(() => order.AcceptedUtc is not null, "the ack");

        Assert.True(_broker.Replace(order.Id, 8, 91m, null, Now));
        Assert.Equal((8m, 91m), (order.Quantity, order.LimitPrice!.Value));
        await _server.WaitUntilAsync(s => s.Orders.Any(o => o.Status == "replaced"), cancellationToken: Ct);
        Assert.True(_broker.Cancel(order.Id, Now));
        Assert.True(order.IsOpen); // until Alpaca says so
        await DrainUntil(() => order.Status == OrderStatus.Canceled, "the cancel");

        var fresh = Assert.Single(_server.Orders, o => o.Status == "canceled");
        Assert.Equal((8m, 91m, "gtc"), (fresh.Qty, fresh.LimitPrice!.Value, fresh.TimeInForce));
        Assert.Equal([OrderEventKind.Accepted, OrderEventKind.Replaced, OrderEventKind.Canceled], _events.Kinds);
    }

    [Fact]
    public async Task OcoExits_AFillOfOneCancelsTheOther()
    {
        var stop = _broker.Submit(new OrderRequest(Aapl, OrderSide.Sell, 6, OrderType.Stop, StopPrice: 95m, TimeInForce: TimeInForce.Gtc, Tag: "stop_loss", OcoGroup: "oco-9"), Now);
        var target = _broker.Submit(new OrderRequest(Aapl, OrderSide.Sell, 6, OrderType.Limit, LimitPrice: 110m, TimeInForce: TimeInForce.Gtc, Tag: "take_profit", OcoGroup: "oco-9"), Now);
        await DrainUntil(() => stop.AcceptedUtc is not null && target.AcceptedUtc is not null, "the acks");

        _server.PushPrice("AAPL", 111m);
        await DrainUntil(() => target.Status == OrderStatus.Filled && stop.Status == OrderStatus.Canceled, "the fill and the sibling's cancel");

        Assert.Equal(6m, target.FilledQuantity);
        Assert.Equal(0m, stop.FilledQuantity);
        Assert.Contains(_server.Orders, o => o.ClientOrderId == stop.ClientOrderId && o.Status == "canceled");
    }

    [Fact]
    public async Task AnOrderAlpacaRefuses_IsRejected_WithTheBrokersReason()
    {
        _server.PushPrice("AAPL", 100m); // the fake checks buying power against the last price
        var order = _broker.Submit(OrderRequest.Market(Aapl, OrderSide.Buy, 1_000_000, "entry"), Now);
        await DrainUntil(() => order.Status == OrderStatus.Rejected, "the refusal");

        Assert.Equal(RejectReason.BrokerRejected, order.RejectReason);
        Assert.Single(_logs.Named("broker.order.rejected"));
    }

    [Fact]
    public async Task TheAccountView_ListsOrdersAndPositions()
    {
        var order = _broker.Submit(OrderRequest.Market(Aapl, OrderSide.Buy, 2, "entry"), Now);
        await DrainUntil(() => order.AcceptedUtc is not null, "the ack");
        var open = await _broker.OpenOrdersAsync(Ct);
        _server.PushPrice("AAPL", 20m);
        await DrainUntil(() => order.Status == OrderStatus.Filled, "the fill");

        Assert.Equal(order.ClientOrderId, Assert.Single(open).ClientOrderId);
        Assert.Equal(new BrokerPositionSnapshot("AAPL", 2m, 20m), Assert.Single(await _broker.PositionsAsync(Ct)));
        var changed = Assert.Single(await _broker.OrdersChangedSinceAsync(DateTime.UtcNow.AddMinutes(-5), Ct));
        Assert.Equal(("filled", 2m, 20m, true), (changed.Status, changed.FilledQuantity, changed.AverageFillPrice!.Value, changed.IsBuy));
        Assert.False(await _broker.CancelAsync(order.ClientOrderId, Ct));
    }

    private sealed class Recorder : IOrderEventListener
    {
        public List<OrderEvent> Events { get; } = [];

        public List<bool> RaisedInDrain { get; } = [];

        public bool Draining { get; set; }

        public List<OrderEventKind> Kinds => [.. Events.Select(e => e.Kind)];

        public void OnOrderEvent(in OrderEvent orderEvent)
        {
            Events.Add(orderEvent);
            RaisedInDrain.Add(Draining);
        }
    }
}
