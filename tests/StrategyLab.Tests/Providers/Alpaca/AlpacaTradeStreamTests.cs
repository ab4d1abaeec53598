using StrategyLab.Core.Data;
using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Tests.Providers.Alpaca;

/// <summary>The <c>trade_updates</c> stream client against the fake: events, frames, auth, and the reconnect faults.</summary>
public sealed class AlpacaTradeStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Events_ArriveTyped_FromBinaryOrTextFrames(bool binary)
    {
        await using var h = await AlpacaHarness.StartAsync(AlpacaHarness.ServerOptions(o => o with { BinaryTradeUpdates = binary }));
        await h.StartStreamAsync();
        h.Server.Faults.SplitFills = true;

        var order = (await h.Client.SubmitOrderAsync(AlpacaHarness.Market("AAPL", 3, AlpacaSide.Buy, 1), Ct)).Order;
        var created = await h.NextUpdateAsync("new");
        h.Server.PushPrice("AAPL", 101.5m);
        var partial = await h.NextUpdateAsync("partial_fill");
        h.Server.PushPrice("AAPL", 102m);
        var fill = await h.NextUpdateAsync("fill");

        Assert.Equal((order.Id, "new"), (created.Order.Id, created.Order.Status));
        Assert.Equal((2m, 101.5m, 2m, "partially_filled"), (partial.Quantity!.Value, partial.Price!.Value, partial.PositionQuantity!.Value, partial.Order.Status));
        Assert.NotNull(partial.ExecutionId);
        Assert.Equal((1m, 102m, 3m, "filled", 3m), (fill.Quantity!.Value, fill.Price!.Value, fill.PositionQuantity!.Value, fill.Order.Status, fill.Order.FilledQuantity));
        Assert.True(fill.TimestampUtc > created.TimestampUtc);
        Assert.Equal(fill.TimestampUtc, h.Stream.LastEventUtc);
        Assert.Contains(h.Server.ClientMessages, m => m.Contains("\"action\":\"authenticate\"", StringComparison.Ordinal));
        Assert.Single(h.Logs.Named("alpaca.stream.authorized"));
    }

    [Fact]
    public async Task CancelReplaceAndExpire_ComeAsTheirEvents()
    {
        await using var h = await AlpacaHarness.StartAsync();
        await h.StartStreamAsync();
        var request = new AlpacaOrderRequest("AAPL", 1, AlpacaSide.Buy, AlpacaOrderType.Limit, AlpacaTimeInForce.Day, AlpacaClientOrderId.For("r", 1)) { LimitPrice = 10m };
        var order = (await h.Client.SubmitOrderAsync(request, Ct)).Order;
        var fresh = await h.Client.ReplaceOrderAsync(order.Id, new AlpacaReplaceRequest(AlpacaClientOrderId.For("r", 2)) { LimitPrice = 11m }, Ct);
        Assert.True(await h.Client.CancelOrderAsync(fresh.Id, Ct));
        var third = (await h.Client.SubmitOrderAsync(request with { ClientOrderId = AlpacaClientOrderId.For("r", 3) }, Ct)).Order;
        h.Server.ExpireDayOrders();

        Assert.Equal(order.Id, (await h.NextUpdateAsync("replaced")).Order.Id);
        Assert.Equal(fresh.Id, (await h.NextUpdateAsync("canceled")).Order.Id);
        Assert.Equal(third.Id, (await h.NextUpdateAsync("expired")).Order.Id);
    }

    [Fact]
    public async Task WrongSecret_StopsTheStream_WithAnAuthenticationError()
    {
        await using var h = await AlpacaHarness.StartAsync(AlpacaHarness.ServerOptions(o => o with
        {
            Keys = new Dictionary<string, string>(StringComparer.Ordinal) { [AlpacaHarness.KeyId] = "another-secret" },
        }));
        await using var stream = new AlpacaTradeStream(h.Options, h.Logs.CreateFactory().CreateLogger("s"));

        var e = await Assert.ThrowsAsync<FeedAuthenticationException>(() => stream.StartAsync(Ct));
        h.Record(e);

        Assert.Contains("access key verification failed", e.Message, StringComparison.Ordinal);
        Assert.Contains(AlpacaOptions.SecretKeyVariable, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamDroppedMidFill_Reconnects_AndTheFillIsFoundByListingOrdersSinceTheLastEvent()
    {
        await using var h = await AlpacaHarness.StartAsync();
        await h.StartStreamAsync();
        var order = (await h.Client.SubmitOrderAsync(AlpacaHarness.Market("AAPL", 5, AlpacaSide.Buy, 1), Ct)).Order;
        var created = await h.NextUpdateAsync("new");
        h.Server.Faults.DropStreamOnNextFills(1);

        h.Server.PushPrice("AAPL", 100m);

        var reconnected = await h.NextAsync<AlpacaStreamReconnectedEvent>();
        Assert.Equal(created.TimestampUtc, reconnected.LastEventUtc);
        Assert.Equal(2, reconnected.Connection);
        Assert.DoesNotContain(h.Seen, e => e is AlpacaTradeUpdateEvent { Update.Event: "fill" });
        Assert.Contains(h.Seen, e => e is ConnectionEvent { State: FeedConnectionState.Disconnected });
        Assert.Single(h.Logs.Named("alpaca.stream.reconnected"));

        var changed = await h.Client.ListOrdersChangedSinceAsync(reconnected.LastEventUtc!.Value, [order.Id], Ct);

        var filled = Assert.Single(changed);
        Assert.Equal((order.Id, "filled", 5m, (decimal?)100m), (filled.Id, filled.Status, filled.FilledQuantity, filled.FilledAveragePrice));
        Assert.Equal(5m, (await h.Client.GetPositionAsync("AAPL", Ct))!.Quantity);

        // The stream carries on after the reconnect.
        await h.Client.SubmitOrderAsync(AlpacaHarness.Market("AAPL", 1, AlpacaSide.Sell, 2), Ct);
        Assert.Equal("sl-runtest-2", (await h.NextUpdateAsync("new")).Order.ClientOrderId);
    }

    [Fact]
    public async Task FillWhileDisconnected_IsLostOnTheStream_AndFoundAfterTheReconnect()
    {
        await using var h = await AlpacaHarness.StartAsync();
        await h.StartStreamAsync();
        var order = (await h.Client.SubmitOrderAsync(
            new AlpacaOrderRequest("MSFT", 2, AlpacaSide.Buy, AlpacaOrderType.Limit, AlpacaTimeInForce.Gtc, AlpacaClientOrderId.For("run-test", 1)) { LimitPrice = 300m }, Ct)).Order;
        var created = await h.NextUpdateAsync("new");

        // The client cannot get back in while the order fills.
        h.Server.Faults.RefuseStreamUpgrades = true;
        h.Server.AbortTradeStreams();
        await h.Server.WaitUntilAsync(s => s.RefusedUpgrades >= 1 && s.TradeStreamListeners == 0, cancellationToken: Ct);
        var sentBefore = h.Server.TradeEventsSent;
        h.Server.PushPrice("MSFT", 299m);
        Assert.Equal(sentBefore, h.Server.TradeEventsSent); // nobody listened: the fill event is gone
        h.Server.Faults.RefuseStreamUpgrades = false;

        var reconnected = await h.NextAsync<AlpacaStreamReconnectedEvent>();
        Assert.Equal(created.TimestampUtc, reconnected.LastEventUtc);

        // "after" filters on submission time: listing by it alone would miss this order; the reconciliation query does not.
        var bySubmission = await h.Client.ListOrdersAsync(new AlpacaOrderQuery { Status = "all", AfterUtc = reconnected.LastEventUtc }, Ct);
        Assert.Empty(bySubmission);
        var changed = await h.Client.ListOrdersChangedSinceAsync(reconnected.LastEventUtc!.Value, [order.Id], Ct);
        Assert.Equal(("filled", 299m), (Assert.Single(changed).Status, changed[0].FilledAveragePrice!.Value));
        Assert.Equal(2, h.Stream.Listens);
    }
}
