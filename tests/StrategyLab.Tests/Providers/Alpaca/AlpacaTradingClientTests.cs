using System.Net;
using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Tests.Providers.Alpaca;

/// <summary>The Alpaca trading REST client against the fake: every order type and class, and every REST fault.</summary>
public sealed class AlpacaTradingClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MarketOrder_FillsAtTheNextPrice_AndShowsInOrdersPositionsAndAccount()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var request = AlpacaHarness.Market("AAPL", 10, AlpacaSide.Buy, 1);

        var result = await h.Client.SubmitOrderAsync(request, Ct);

        Assert.False(result.AlreadySent);
        Assert.Equal(("sl-runtest-1", "new", "market", "buy", "day"), (result.Order.ClientOrderId, result.Order.Status, result.Order.Type, result.Order.Side, result.Order.TimeInForce));
        Assert.Equal(10m, result.Order.Quantity);
        Assert.Equal(string.Empty, result.Order.OrderClass);

        h.Server.PushPrice("AAPL", 150.25m);

        var filled = await h.Client.GetOrderByClientOrderIdAsync(request.ClientOrderId, Ct);
        Assert.NotNull(filled);
        Assert.Equal(("filled", 10m, (decimal?)150.25m), (filled.Status, filled.FilledQuantity, filled.FilledAveragePrice));
        Assert.True(filled.IsTerminal);
        Assert.NotNull(filled.FilledAtUtc);
        Assert.Equal(filled, await h.Client.GetOrderAsync(filled.Id, Ct));
        var position = Assert.Single(await h.Client.ListPositionsAsync(Ct));
        Assert.Equal(("AAPL", 10m, 150.25m), (position.Symbol, position.Quantity, position.AverageEntryPrice));
        Assert.Equal(position, await h.Client.GetPositionAsync("AAPL", Ct));
        Assert.Null(await h.Client.GetPositionAsync("MSFT", Ct));
        var account = await h.Client.GetAccountAsync(Ct);
        Assert.Equal(100_000m - 1502.5m, account.Cash);
        Assert.Equal(100_000m, account.Equity);
        Assert.Equal(("ACTIVE", "USD", false), (account.Status, account.Currency, account.TradingBlocked));
    }

    [Fact]
    public async Task LimitStopStopLimitAndTrailingOrders_FillOnlyWhenThePriceCrosses()
    {
        await using var h = await AlpacaHarness.StartAsync();
        h.Server.PushPrice("SPY", 100m);
        var limit = (await h.Client.SubmitOrderAsync(Request("SPY", AlpacaSide.Buy, AlpacaOrderType.Limit, 1) with { LimitPrice = 99m }, Ct)).Order;
        var stop = (await h.Client.SubmitOrderAsync(Request("SPY", AlpacaSide.Buy, AlpacaOrderType.Stop, 2) with { StopPrice = 102m }, Ct)).Order;
        var stopLimit = (await h.Client.SubmitOrderAsync(Request("SPY", AlpacaSide.Buy, AlpacaOrderType.StopLimit, 3) with { StopPrice = 103m, LimitPrice = 103.5m }, Ct)).Order;
        var trailing = (await h.Client.SubmitOrderAsync(Request("SPY", AlpacaSide.Sell, AlpacaOrderType.TrailingStop, 4, AlpacaTimeInForce.Gtc) with { TrailPrice = 2m }, Ct)).Order;

        h.Server.PushPrice("SPY", 101m); // nothing crosses; the trail's high-water mark is 101 (stop 99)
        Assert.All(h.Server.Orders, o => Assert.Equal("new", o.Status));
        h.Server.PushPrice("SPY", 104m); // stop (102) and stop-limit trigger (103); the stop-limit's limit (103.5) is not met at 104
        Assert.Equal("filled", Status(h, stop.Id));
        Assert.Equal("new", Status(h, stopLimit.Id));
        h.Server.PushPrice("SPY", 103.4m); // the triggered stop-limit fills at its limit or better
        Assert.Equal("filled", Status(h, stopLimit.Id));
        h.Server.PushPrice("SPY", 98.9m); // limit (99) fills; the trail (hwm 104, stop 102) fires
        Assert.Equal("filled", Status(h, limit.Id));
        Assert.Equal("filled", Status(h, trailing.Id));
        Assert.Equal("gtc", (await h.Client.GetOrderAsync(trailing.Id, Ct))!.TimeInForce);
        Assert.Equal(2m, h.Server.Positions["SPY"]);
    }

    [Fact]
    public async Task Bracket_LegsAreHeldUntilTheEntryFills_ThenOneExitCancelsTheOther()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var request = AlpacaHarness.Market("AAPL", 5, AlpacaSide.Buy, 7) with
        {
            OrderClass = AlpacaOrderClass.Bracket,
            TakeProfitLimitPrice = 110m,
            StopLossStopPrice = 95m,
        };

        var parent = (await h.Client.SubmitOrderAsync(request, Ct)).Order;

        Assert.Equal("bracket", parent.OrderClass);
        Assert.Equal(["held", "held"], parent.Legs.Select(l => l.Status));
        Assert.Equal(["limit", "stop"], parent.Legs.Select(l => l.Type));
        h.Server.PushPrice("AAPL", 100m);
        var afterEntry = (await h.Client.GetOrderAsync(parent.Id, Ct))!;
        Assert.Equal("filled", afterEntry.Status);
        Assert.Equal(["new", "new"], afterEntry.Legs.Select(l => l.Status));

        h.Server.PushPrice("AAPL", 111m);

        var done = (await h.Client.GetOrderAsync(parent.Id, Ct))!;
        Assert.Equal(["filled", "canceled"], done.Legs.Select(l => l.Status));
        Assert.Empty(h.Server.Positions);
        Assert.Empty(await h.Client.ListOrdersAsync(new AlpacaOrderQuery(), Ct));
    }

    [Fact]
    public async Task Oco_TheStopLegFills_AndTheLimitIsCanceled()
    {
        await using var h = await AlpacaHarness.StartAsync();
        await h.Client.SubmitOrderAsync(AlpacaHarness.Market("MSFT", 3, AlpacaSide.Buy, 1), Ct);
        h.Server.PushPrice("MSFT", 300m);
        var oco = Request("MSFT", AlpacaSide.Sell, AlpacaOrderType.Limit, 2, AlpacaTimeInForce.Gtc, 3) with
        {
            LimitPrice = 320m,
            OrderClass = AlpacaOrderClass.Oco,
            StopLossStopPrice = 290m,
        };

        var parent = (await h.Client.SubmitOrderAsync(oco, Ct)).Order;
        h.Server.PushPrice("MSFT", 289m);

        var done = (await h.Client.GetOrderAsync(parent.Id, Ct))!;
        Assert.Equal("canceled", done.Status);
        Assert.Equal("filled", Assert.Single(done.Legs).Status);
        Assert.Empty(h.Server.Positions);
    }

    [Fact]
    public async Task RateLimited_TwiceThenSuccess_SendsOneOrder()
    {
        await using var h = await AlpacaHarness.StartAsync();
        h.Server.Faults.FailNext(429, 2);

        var result = await h.Client.SubmitOrderAsync(AlpacaHarness.Market("AAPL", 1, AlpacaSide.Buy, 1), Ct);

        Assert.False(result.AlreadySent);
        Assert.Equal([429, 429, 200], h.Server.Requests.Select(r => r.Status));
        Assert.Single(h.Server.Orders);
        Assert.Equal(2, h.Logs.Named("alpaca.rest.retry").Count);
    }

    [Fact]
    public async Task ServerErrors_AreRetried_AndAfterEveryRetryAreReportedAsUnknownOutcome()
    {
        await using var h = await AlpacaHarness.StartAsync();
        h.Server.Faults.FailNext(503, 2);
        Assert.Equal(100_000m, (await h.Client.GetAccountAsync(Ct)).Cash);

        h.Server.Faults.FailNext(500, 4); // 1 + 3 retries
        var e = await Assert.ThrowsAsync<AlpacaApiException>(() => h.Client.GetClockAsync(Ct));
        h.Record(e);
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.True(e.OutcomeUnknown);
        Assert.Contains("GET /v2/clock: HTTP 500: internal server error", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitAfterEveryRetryFailed_LooksTheOrderUp_AndSendsItOnceMoreOnlyWhenAlpacaDoesNotHaveIt()
    {
        await using var h = await AlpacaHarness.StartAsync();
        h.Server.Faults.FailNext(502, 4); // the POST and its 3 retries; the order never reached the book

        var result = await h.Client.SubmitOrderAsync(AlpacaHarness.Market("AAPL", 1, AlpacaSide.Buy, 1), Ct);

        Assert.False(result.AlreadySent);
        Assert.Single(h.Server.Orders);
        Assert.Equal(
            [("POST", 502), ("POST", 502), ("POST", 502), ("POST", 502), ("GET", 404), ("POST", 200)],
            h.Server.Requests.Select(r => (r.Method, r.Status)));
    }

    [Fact]
    public async Task DuplicateClientOrderId_IsTreatedAsAlreadySent_AndTheOrderIsReadBack()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var request = AlpacaHarness.Market("AAPL", 4, AlpacaSide.Buy, 42);
        var first = await h.Client.SubmitOrderAsync(request, Ct);

        var again = await h.Client.SubmitOrderAsync(request, Ct);

        Assert.True(again.AlreadySent);
        Assert.Equal(first.Order.Id, again.Order.Id);
        Assert.Single(h.Server.Orders);
        Assert.Contains(h.Server.Requests, r => r is { Method: "POST", Status: 422 });
        Assert.Single(h.Logs.Named("alpaca.order.already-sent"));
    }

    [Fact]
    public async Task AnAckSlowerThanTheTimeout_IsFoundByClientOrderId_NotSentTwice()
    {
        await using var h = await AlpacaHarness.StartAsync(configure: o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));
        h.Server.Faults.OrderAckDelay = TimeSpan.FromSeconds(2);

        var result = await h.Client.SubmitOrderAsync(AlpacaHarness.Market("AAPL", 2, AlpacaSide.Buy, 5), Ct);

        Assert.True(result.AlreadySent);
        Assert.Equal("sl-runtest-5", result.Order.ClientOrderId);
        Assert.Single(h.Server.Orders);
    }

    [Fact]
    public async Task Refusals_AreThrownWithAlpacasCodeAndText()
    {
        await using var h = await AlpacaHarness.StartAsync();

        var noPrice = await Assert.ThrowsAsync<AlpacaApiException>(() => h.Client.SubmitOrderAsync(Request("AAPL", AlpacaSide.Buy, AlpacaOrderType.Limit, 1), Ct));
        var tooBig = await Assert.ThrowsAsync<AlpacaApiException>(
            () => h.Client.SubmitOrderAsync(Request("AAPL", AlpacaSide.Buy, AlpacaOrderType.Limit, 2, qty: 10_000) with { LimitPrice = 100m }, Ct));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, false), (noPrice.StatusCode, noPrice.OutcomeUnknown));
        Assert.Contains("limit_price is required", noPrice.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Forbidden, (int?)40310000), (tooBig.StatusCode, tooBig.ErrorCode));
        Assert.Contains("insufficient buying power", tooBig.Message, StringComparison.Ordinal);
        Assert.Empty(h.Server.Orders);
    }

    [Fact]
    public async Task WrongSecret_Is401_AndTheMessageHoldsNoKey()
    {
        await using var h = await AlpacaHarness.StartAsync(AlpacaHarness.ServerOptions(o => o with
        {
            Keys = new Dictionary<string, string>(StringComparer.Ordinal) { [AlpacaHarness.KeyId] = "another-secret" },
        }));

        var e = await Assert.ThrowsAsync<AlpacaApiException>(() => h.Client.GetAccountAsync(Ct));
        h.Record(e);

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("request is not authorized", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AlpacaHarness.KeyId, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_MakesANewOrder_AndTheOldOneIsReplaced()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var old = (await h.Client.SubmitOrderAsync(Request("AAPL", AlpacaSide.Buy, AlpacaOrderType.Limit, 1) with { LimitPrice = 90m }, Ct)).Order;

        var fresh = await h.Client.ReplaceOrderAsync(old.Id, new AlpacaReplaceRequest(AlpacaClientOrderId.For("run-test", 2)) { LimitPrice = 95m, Quantity = 3m }, Ct);

        Assert.Equal((old.Id, 95m, 3m, "sl-runtest-2"), (fresh.Replaces, fresh.LimitPrice!.Value, fresh.Quantity!.Value, fresh.ClientOrderId));
        var replaced = (await h.Client.GetOrderAsync(old.Id, Ct))!;
        Assert.Equal(("replaced", fresh.Id), (replaced.Status, replaced.ReplacedBy));
        Assert.Equal([fresh.Id], (await h.Client.ListOrdersAsync(new AlpacaOrderQuery(), Ct)).Select(o => o.Id));
    }

    [Fact]
    public async Task Cancel_OneThenAll_AndCloseEveryPosition()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var a = (await h.Client.SubmitOrderAsync(Request("AAPL", AlpacaSide.Buy, AlpacaOrderType.Limit, 1) with { LimitPrice = 50m }, Ct)).Order;
        await h.Client.SubmitOrderAsync(Request("AAPL", AlpacaSide.Buy, AlpacaOrderType.Limit, 2) with { LimitPrice = 51m }, Ct);
        await h.Client.SubmitOrderAsync(Request("MSFT", AlpacaSide.Buy, AlpacaOrderType.Limit, 3) with { LimitPrice = 52m }, Ct);

        Assert.True(await h.Client.CancelOrderAsync(a.Id, Ct));
        Assert.False(await h.Client.CancelOrderAsync(a.Id, Ct)); // already canceled: 422
        Assert.False(await h.Client.CancelOrderAsync("no-such-order", Ct));
        Assert.Equal(2, (await h.Client.CancelAllOrdersAsync(Ct)).Count);
        Assert.Empty(await h.Client.ListOrdersAsync(new AlpacaOrderQuery(), Ct));

        await h.Client.SubmitOrderAsync(AlpacaHarness.Market("AAPL", 2, AlpacaSide.Buy, 4), Ct);
        await h.Client.SubmitOrderAsync(AlpacaHarness.Market("MSFT", 1, AlpacaSide.Sell, 5), Ct);
        h.Server.PushPrice("AAPL", 10m);
        h.Server.PushPrice("MSFT", 20m);
        var closing = await h.Client.CloseAllPositionsAsync(Ct);
        Assert.Equal([("AAPL", "sell"), ("MSFT", "buy")], closing.Select(o => (o.Symbol, o.Side)));
        h.Server.PushPrice("AAPL", 11m);
        h.Server.PushPrice("MSFT", 19m);
        Assert.Empty(await h.Client.ListPositionsAsync(Ct));
    }

    [Fact]
    public async Task ListOrdersChangedSince_FindsAnOrderSubmittedBeforeTheGapAndFilledDuringIt()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var early = (await h.Client.SubmitOrderAsync(Request("AAPL", AlpacaSide.Buy, AlpacaOrderType.Limit, 1) with { LimitPrice = 100m }, Ct)).Order;
        var untouched = (await h.Client.SubmitOrderAsync(Request("AAPL", AlpacaSide.Buy, AlpacaOrderType.Limit, 2) with { LimitPrice = 10m }, Ct)).Order;
        var since = (await h.Client.GetOrderAsync(untouched.Id, Ct))!.UpdatedAtUtc;
        await Task.Delay(5, Ct);

        h.Server.PushPrice("AAPL", 99m); // fills "early" during the gap
        var late = (await h.Client.SubmitOrderAsync(AlpacaHarness.Market("MSFT", 1, AlpacaSide.Buy, 3), Ct)).Order;

        // Alpaca's "after" filters on the submission time: the fill of "early" is invisible to it...
        var bySubmission = await h.Client.ListOrdersAsync(new AlpacaOrderQuery { Status = "all", AfterUtc = since }, Ct);
        Assert.DoesNotContain(bySubmission, o => o.Id == early.Id);

        // ...and found by the reconciliation query (here through the open list + tracked ids).
        var changed = await h.Client.ListOrdersChangedSinceAsync(since, [early.Id, untouched.Id], Ct);
        Assert.Equal([early.Id, late.Id], changed.Select(o => o.Id));
        Assert.Equal("filled", changed[0].Status);
    }

    [Fact]
    public async Task Clock_CarriesTheNewYorkOffset()
    {
        await using var h = await AlpacaHarness.StartAsync(AlpacaHarness.ServerOptions(o => o with { MarketOpen = true }));

        var clock = await h.Client.GetClockAsync(Ct);

        Assert.True(clock.IsOpen);
        Assert.Contains(clock.Timestamp.Offset, new[] { TimeSpan.FromHours(-4), TimeSpan.FromHours(-5) });
        Assert.True(clock.NextClose > clock.Timestamp.AddDays(-1));
        Assert.Equal(TimeSpan.FromHours(9.5), clock.NextOpen.TimeOfDay);
    }

    private static AlpacaOrderRequest Request(
        string symbol, AlpacaSide side, AlpacaOrderType type, long intent, AlpacaTimeInForce tif = AlpacaTimeInForce.Day, decimal qty = 1) =>
        new(symbol, qty, side, type, tif, AlpacaClientOrderId.For("run-test", intent));

    private static string Status(AlpacaHarness h, string id) => h.Server.Orders.Single(o => o.Id == id).Status;
}
