using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>
/// What the broker said about one of its orders, from any source (a submit's answer, a <c>trade_updates</c> event, a
/// reconciliation listing): the order's state after the change, with its <em>cumulative</em> fill so that the same
/// report applied twice changes nothing.
/// </summary>
/// <param name="ClientOrderId">The order's client order id.</param>
/// <param name="BrokerOrderId">The broker's id of the order.</param>
/// <param name="Status">The broker's order status (new, accepted, partially_filled, filled, canceled, expired, rejected, replaced...).</param>
/// <param name="FilledQuantity">Cumulative filled quantity of this broker order.</param>
/// <param name="AveragePrice">Its average fill price, when anything filled.</param>
/// <param name="LastPrice">The price of the execution this report is about, for a fill event.</param>
/// <param name="LastQuantity">The quantity of that execution.</param>
/// <param name="TimeUtc">When the broker made the change.</param>
/// <param name="FromReconcile">Found by listing orders after a reconnect (not by the stream).</param>
/// <param name="Message">The broker's words for a refusal.</param>
internal sealed record BrokerReport(
    string ClientOrderId,
    string BrokerOrderId,
    string Status,
    decimal FilledQuantity,
    decimal? AveragePrice,
    decimal? LastPrice,
    decimal? LastQuantity,
    DateTime TimeUtc,
    bool FromReconcile = false,
    string? Message = null)
{
    /// <summary>A report from an order as the REST API returned it.</summary>
    public static BrokerReport Of(AlpacaOrder order, bool fromReconcile = false) =>
        new(order.ClientOrderId, order.Id, order.Status, order.FilledQuantity, order.FilledAveragePrice, null, null, order.UpdatedAtUtc, fromReconcile);

    /// <summary>A report from a <c>trade_updates</c> event.</summary>
    public static BrokerReport Of(AlpacaTradeUpdate update) =>
        new(
            update.Order.ClientOrderId,
            update.Order.Id,
            update.Order.Status,
            update.Order.FilledQuantity,
            update.Order.FilledAveragePrice,
            update.Event is "fill" or "partial_fill" ? update.Price : null,
            update.Event is "fill" or "partial_fill" ? update.Quantity : null,
            update.TimestampUtc);
}
