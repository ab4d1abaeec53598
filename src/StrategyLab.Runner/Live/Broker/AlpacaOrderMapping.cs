using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>The engine's orders in Alpaca's terms.</summary>
internal static class AlpacaOrderMapping
{
    /// <summary>
    /// A simple order (no bracket: the trade manager's stop-loss and take-profit go as their own orders, and the adapter
    /// keeps their OCO group). Crypto takes GTC only, so a DAY crypto order goes GTC.
    /// </summary>
    public static AlpacaOrderRequest ToAlpaca(Order order, string clientOrderId)
    {
        var request = order.Request;
        var tif = order.TimeInForce == TimeInForce.Gtc || order.Symbol.AssetClass == AssetClass.Crypto ? AlpacaTimeInForce.Gtc : AlpacaTimeInForce.Day;
        return new AlpacaOrderRequest(
            order.Symbol.Ticker,
            order.Quantity,
            order.Side == OrderSide.Buy ? AlpacaSide.Buy : AlpacaSide.Sell,
            order.Type switch
            {
                OrderType.Market => AlpacaOrderType.Market,
                OrderType.Limit => AlpacaOrderType.Limit,
                OrderType.Stop => AlpacaOrderType.Stop,
                OrderType.StopLimit => AlpacaOrderType.StopLimit,
                OrderType.TrailingStop => AlpacaOrderType.TrailingStop,
                _ => throw new ArgumentOutOfRangeException(nameof(order), order.Type, "Unknown order type."),
            },
            tif,
            clientOrderId)
        {
            LimitPrice = order.LimitPrice,
            StopPrice = order.Type == OrderType.TrailingStop ? null : order.StopPrice,
            TrailPercent = order.Type == OrderType.TrailingStop ? request.TrailPercent : null,
        };
    }

    /// <summary>Why an order is refused before it is sent, or <see cref="RejectReason.None"/>.</summary>
    public static RejectReason Check(OrderRequest request) => request switch
    {
        { Quantity: <= 0 } => RejectReason.BadQuantity,
        { Type: OrderType.Limit, LimitPrice: not > 0 } => RejectReason.BadPrice,
        { Type: OrderType.Stop, StopPrice: not > 0 } => RejectReason.BadPrice,
        { Type: OrderType.StopLimit } when request.StopPrice is not > 0 || request.LimitPrice is not > 0 => RejectReason.BadPrice,
        { Type: OrderType.TrailingStop, TrailPercent: not > 0 } => RejectReason.BadPrice,
        _ => RejectReason.None,
    };

    /// <summary>The client order id of the <paramref name="replaceNumber"/>-th replacement of an order (Alpaca's replace makes a new order, which needs its own id).</summary>
    public static string ReplacementId(string clientOrderId, int replaceNumber) =>
        clientOrderId + "-r" + replaceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
