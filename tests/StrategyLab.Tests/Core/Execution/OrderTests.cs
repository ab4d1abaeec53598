using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Tests.Core.Execution;

/// <summary>
/// The order object keeps its common fields in place and its rare ones (a stop-limit's second price, a trail anchor, a
/// later acceptance, the request) in a side record: every field must still read back what was set.
/// </summary>
public class OrderTests
{
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");
    private static readonly DateTime Created = new(2024, 7, 1, 14, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void StopLimit_KeepsBothPrices_AndTheRequestAsSubmitted()
    {
        var request = new OrderRequest(Aapl, OrderSide.Buy, 10m, OrderType.StopLimit, LimitPrice: 101.5m, StopPrice: 101m, OcoGroup: "grp");
        var order = new Order(7, "client-7", request, Created);

        Assert.Equal(101.5m, order.LimitPrice);
        Assert.Equal(101m, order.StopPrice);
        order.LimitPrice = 102m;
        Assert.Equal(102m, order.LimitPrice);
        Assert.Equal(101m, order.StopPrice);
        order.StopPrice = 100.5m;
        Assert.Equal(102m, order.LimitPrice);
        Assert.Equal(100.5m, order.StopPrice);
        Assert.Equal(101.5m, order.Request.LimitPrice); // as submitted
        Assert.Equal(101m, order.Request.StopPrice);
        Assert.Equal("client-7", order.ClientOrderId);
        Assert.Equal("grp", order.OcoGroup);
    }

    [Theory]
    [InlineData(OrderType.Market)]
    [InlineData(OrderType.Limit)]
    [InlineData(OrderType.Stop)]
    public void EitherPrice_ReadsBackOnEveryType_AndClears(OrderType type)
    {
        var order = new Order(1, Aapl, OrderSide.Sell, 5m, type, null, null, TimeInForce.Gtc, "tag", 0, Created);
        Assert.Null(order.LimitPrice);
        Assert.Null(order.StopPrice);

        order.LimitPrice = 10.25m;
        order.StopPrice = 9.75m;
        Assert.Equal(10.25m, order.LimitPrice);
        Assert.Equal(9.75m, order.StopPrice);

        order.LimitPrice = null;
        Assert.Null(order.LimitPrice);
        Assert.Equal(9.75m, order.StopPrice);
        Assert.Equal(type, order.Request.Type);
        Assert.Null(order.Request.LimitPrice); // the request was fixed before the first change, with no prices
        Assert.Null(order.Request.StopPrice);
    }

    [Fact]
    public void FieldSubmittedOrder_SpellsItsIdsOnlyWhenRead_AndFillsFromItsSubmission()
    {
        var order = new Order(42, Aapl, OrderSide.Sell, 3m, OrderType.Stop, null, 95m, TimeInForce.Gtc, "stop_loss", 41, Created);

        Assert.Equal(95m, order.StopPrice);
        Assert.Null(order.LimitPrice);
        Assert.Equal("oco-41", order.OcoGroup);
        Assert.Equal("SL-42", order.ClientOrderId);
        Assert.Equal(Created, order.ActiveFromUtc);
        Assert.Equal(new OrderRequest(Aapl, OrderSide.Sell, 3m, OrderType.Stop, null, 95m, null, TimeInForce.Gtc, "stop_loss", "oco-41"), order.Request);
    }

    [Fact]
    public void AcceptedUtc_IsNullUntilSet_ThenTheSubmissionTimeOrALaterOne()
    {
        var order = new Order(1, Aapl, OrderSide.Buy, 1m, OrderType.Market, null, null, TimeInForce.Day, null, 0, Created);
        Assert.Null(order.AcceptedUtc);

        order.AcceptedUtc = Created;
        Assert.Equal(Created, order.AcceptedUtc);

        order.AcceptedUtc = Created.AddSeconds(3); // a broker's acknowledgement
        Assert.Equal(Created.AddSeconds(3), order.AcceptedUtc);

        order.AcceptedUtc = Created;
        Assert.Equal(Created, order.AcceptedUtc);

        order.AcceptedUtc = null;
        Assert.Null(order.AcceptedUtc);
    }

    [Fact]
    public void TrailAnchor_AndExpiry_ReadBackAndClear()
    {
        var request = new OrderRequest(Aapl, OrderSide.Sell, 2m, OrderType.TrailingStop, TrailPercent: 1.5m);
        var order = new Order(3, null, request, Created);
        Assert.Null(order.TrailAnchorPrice);
        Assert.Null(order.ExpiresUtc);

        order.TrailAnchorPrice = 120.10m;
        order.StopPrice = 118.29m;
        order.ExpiresUtc = Created.AddHours(2);
        Assert.Equal(120.10m, order.TrailAnchorPrice);
        Assert.Equal(118.29m, order.StopPrice);
        Assert.Equal(Created.AddHours(2), order.ExpiresUtc);
        Assert.Equal(1.5m, order.TrailPercent);

        order.TrailAnchorPrice = null;
        order.ExpiresUtc = null;
        Assert.Null(order.TrailAnchorPrice);
        Assert.Null(order.ExpiresUtc);
        Assert.Equal(118.29m, order.StopPrice);
    }
}
