namespace StrategyLab.Core.Execution;

/// <summary>
/// The orders of a venue that executes elsewhere (a broker adapter): it makes the <see cref="Order"/> objects, applies what
/// the broker reports to them, and raises the same <see cref="OrderEvent"/>s the simulated exchange does, so the engine,
/// the trade manager and the recorders cannot tell the venues apart. It does no I/O and is not thread-safe: the adapter
/// calls it on the engine's thread only.
/// </summary>
/// <remarks>
/// Fills are applied from the broker's <em>cumulative</em> filled quantity and average price, per broker order: a report
/// seen twice (the stream and a reconciliation after a reconnect) applies its fill once.
/// </remarks>
public sealed class BrokerOrderBook
{
    private readonly List<Order> _open = [];
    private readonly Dictionary<long, Order> _byId = [];
    private readonly Dictionary<string, (decimal Quantity, decimal Notional)> _applied = new(StringComparer.Ordinal);
    private long _nextId = 1;

    /// <summary>Receives every order event, synchronously, in order.</summary>
    public IOrderEventListener? Listener { get; set; }

    /// <summary>Every order that can still fill, in submission order.</summary>
    public IReadOnlyList<Order> OpenOrders => _open;

    /// <summary>The id the next order will get.</summary>
    public long NextId => _nextId;

    /// <summary>Looks an order up by id (finished ones included: a broker may still report a late fill).</summary>
    public Order? Find(long orderId) => _byId.GetValueOrDefault(orderId);

    /// <summary>Makes the order <see cref="NextId"/>, working but not yet acknowledged (no event).</summary>
    public Order Create(OrderRequest request, string clientOrderId, DateTime decisionTimeUtc)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(clientOrderId);
        var order = new Order(_nextId++, clientOrderId, request, decisionTimeUtc) { Status = OrderStatus.Working };
        _byId.Add(order.Id, order);
        _open.Add(order);
        return order;
    }

    /// <summary>The broker acknowledged the order: raises <see cref="OrderEventKind.Accepted"/> the first time.</summary>
    public void Accept(Order order, DateTime timeUtc)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.AcceptedUtc is not null || !order.IsOpen)
        {
            return;
        }

        order.AcceptedUtc = timeUtc;
        order.UpdatedUtc = timeUtc;
        Raise(OrderEventKind.Accepted, order, timeUtc);
    }

    /// <summary>The order was refused (at submission, or later by the broker).</summary>
    public void Reject(Order order, RejectReason reason, DateTime timeUtc)
    {
        ArgumentNullException.ThrowIfNull(order);
        order.RejectReason = reason;
        Close(order, OrderStatus.Rejected, timeUtc);
    }

    /// <summary>The order ended without filling the rest: canceled, expired or rejected. Nothing when it already ended.</summary>
    public void Close(Order order, OrderStatus status, DateTime timeUtc)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!order.IsOpen)
        {
            return;
        }

        order.Status = status;
        order.UpdatedUtc = timeUtc;
        _open.Remove(order);
        Raise(
            status switch
            {
                OrderStatus.Canceled => OrderEventKind.Canceled,
                OrderStatus.Expired => OrderEventKind.Expired,
                OrderStatus.Rejected => OrderEventKind.Rejected,
                _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Only canceled, expired and rejected close an order."),
            },
            order,
            timeUtc);
    }

    /// <summary>Changes an open order's quantity and/or prices, raising <see cref="OrderEventKind.Replaced"/>.</summary>
    public void Change(Order order, decimal? quantity, decimal? limitPrice, decimal? stopPrice, DateTime timeUtc)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (quantity is { } q)
        {
            order.Quantity = q;
        }

        order.LimitPrice = limitPrice ?? order.LimitPrice;
        order.StopPrice = stopPrice ?? order.StopPrice;
        order.UpdatedUtc = timeUtc;
        Raise(OrderEventKind.Replaced, order, timeUtc);
    }

    /// <summary>
    /// Applies the broker's cumulative fill of one of its orders (<paramref name="brokerOrderId"/>; a replaced order has
    /// several): only the part not applied before becomes a fill event. Its price is <paramref name="lastPrice"/> when
    /// the report is exactly one new execution of <paramref name="lastQuantity"/>, else derived from the averages.
    /// </summary>
    /// <param name="order">The engine's order.</param>
    /// <param name="brokerOrderId">The broker order whose cumulative fill this is (the key its count is kept under).</param>
    /// <param name="cumulativeQuantity">That broker order's cumulative filled quantity.</param>
    /// <param name="averagePrice">Its average fill price.</param>
    /// <param name="lastPrice">The price of the execution reported, when the report is one.</param>
    /// <param name="lastQuantity">Its quantity.</param>
    /// <param name="timeUtc">The engine's time of the fill.</param>
    /// <param name="venueClientOrderId">
    /// The broker order's own client order id when <paramref name="brokerOrderId"/> is the broker's id of it: the fill
    /// event then names that broker order (<see cref="OrderEvent.Venue"/>). Null when the count is kept under another key
    /// (a resumed run's journal that does not say which broker order a fill came from).
    /// </param>
    /// <returns>The fill raised, or null when nothing was new.</returns>
    public Fill? ApplyCumulativeFill(
        Order order,
        string brokerOrderId,
        decimal cumulativeQuantity,
        decimal averagePrice,
        decimal? lastPrice,
        decimal? lastQuantity,
        DateTime timeUtc,
        string? venueClientOrderId = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(brokerOrderId);
        var (doneQty, doneNotional) = _applied.GetValueOrDefault(brokerOrderId);
        var quantity = cumulativeQuantity - doneQty;
        if (quantity <= 0)
        {
            return null;
        }

        var notional = cumulativeQuantity * averagePrice;
        var price = lastPrice is { } lp && lastQuantity == quantity ? lp : (notional - doneNotional) / quantity;
        _applied[brokerOrderId] = (cumulativeQuantity, doneNotional + (quantity * price));

        var before = order.FilledQuantity;
        order.FilledQuantity = before + quantity;
        order.AverageFillPrice = ((order.AverageFillPrice * before) + (price * quantity)) / order.FilledQuantity;
        order.UpdatedUtc = timeUtc;
        order.AcceptedUtc ??= timeUtc;
        var done = order.FilledQuantity >= order.Quantity;
        if (order.IsOpen)
        {
            order.Status = done ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
            if (done)
            {
                _open.Remove(order);
            }
        }
        else if (done)
        {
            order.Status = OrderStatus.Filled; // a fill the broker made before it took the cancel: the broker is right
        }

        var fill = new Fill(order.Id, order.Symbol, order.Side, quantity, price, 0m, timeUtc, order.Tag, price, price);
        var venue = venueClientOrderId is null ? null : new VenueFill(brokerOrderId, venueClientOrderId, cumulativeQuantity);
        Raise(done ? OrderEventKind.Filled : OrderEventKind.PartiallyFilled, order, timeUtc, fill, venue);
        return fill;
    }

    /// <summary>
    /// Counts what was applied under <paramref name="fromKey"/> as applied under <paramref name="toKey"/> (a resumed run
    /// replayed an order's fills under its client order id, and now knows the broker's id of it).
    /// </summary>
    public void MoveAppliedFills(string fromKey, string toKey)
    {
        ArgumentNullException.ThrowIfNull(fromKey);
        ArgumentNullException.ThrowIfNull(toKey);
        if (fromKey == toKey || !_applied.Remove(fromKey, out var applied))
        {
            return;
        }

        var (quantity, notional) = _applied.GetValueOrDefault(toKey);
        _applied[toKey] = (quantity + applied.Quantity, notional + applied.Notional);
    }

    private void Raise(OrderEventKind kind, Order order, DateTime time, Fill? fill = null, VenueFill? venue = null) =>
        Listener?.OnOrderEvent(new OrderEvent(kind, order, time, fill, venue));
}
