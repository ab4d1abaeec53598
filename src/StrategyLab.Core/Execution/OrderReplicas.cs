namespace StrategyLab.Core.Execution;

/// <summary>
/// What changes on an <see cref="Order"/> (status, quantities, prices, fees, times, trail anchor…), taken at one moment
/// by <see cref="OrderReplicas.Capture"/>: a value, not a view of the order.
/// </summary>
internal readonly struct OrderSnapshot
{
    internal OrderSnapshot(
        long quantity,
        long price,
        long filledQuantity,
        long averageFillPrice,
        long commission,
        DateTime expiresUtc,
        DateTime updatedUtc,
        byte status,
        byte rejectReason,
        byte flags,
        OrderRequest? request)
    {
        Quantity = quantity;
        Price = price;
        FilledQuantity = filledQuantity;
        AverageFillPrice = averageFillPrice;
        Commission = commission;
        ExpiresUtc = expiresUtc;
        UpdatedUtc = updatedUtc;
        Status = status;
        RejectReason = rejectReason;
        Flags = flags;
        Request = request;
    }

    // The order's own fields, as stored (packed decimals, enums as bytes, presence flags).
    internal long Quantity { get; }

    internal long Price { get; }

    internal long FilledQuantity { get; }

    internal long AverageFillPrice { get; }

    internal long Commission { get; }

    internal DateTime ExpiresUtc { get; }

    internal DateTime UpdatedUtc { get; }

    internal byte Status { get; }

    internal byte RejectReason { get; }

    internal byte Flags { get; }

    internal OrderRequest? Request { get; }

    // The side record's values, when the order has one.
    internal bool HasExtras { get; init; }

    internal string? ClientOrderId { get; init; }

    internal string? OcoGroup { get; init; }

    internal decimal OtherPrice { get; init; }

    internal decimal TrailAnchorPrice { get; init; }

    internal DateTime AcceptedUtc { get; init; }

    internal bool AcceptedLater { get; init; }

    internal decimal[]? Wide { get; init; }
}

/// <summary>
/// Copies of a run's orders for recorders that run on another thread than the venue. An <see cref="Order"/> changes
/// as the run goes (the venue's thread changes it): a recorder reading it later would see a later state, and read it
/// while it changes. <see cref="Capture"/> takes, on the venue's thread at the event, what can change;
/// <see cref="Replicate"/>, on the recorders' thread, brings the order's copy to that state and hands it over in place
/// of the order. A recorder on the venue's thread sees one object per order that changes from event to event; a
/// recorder handed the copies sees the same: one copy per order, changed only when one of its events is replayed.
/// </summary>
/// <remarks>
/// A copy is kept, for the next event, while its order is open; a final order (filled, canceled, expired, rejected)
/// changes no more. What changes on an open order without an event (a trailing stop's level follows the bars) reaches
/// its copy at its next event, or from <see cref="CatchUp"/> once the venue's thread is done: the copies of the orders
/// still open then take their orders' state, as a recorder reading the orders at the end would see them. Not
/// thread-safe: <see cref="Capture"/> on the venue's thread, the rest on one recorders' thread.
/// </remarks>
internal sealed class OrderReplicas
{
    // The copies of the orders open at their last event, by id, with their orders.
    private readonly Dictionary<long, (Order Live, Order Copy)> _open = [];

    /// <summary>Open orders with a copy (the orders open at their last event replayed).</summary>
    public int OpenCount => _open.Count;

    /// <summary>What can change on <paramref name="order"/>, as it is now: call it at the event, on the venue's thread.</summary>
    /// <param name="order">The order of the event.</param>
    /// <returns>The snapshot to replay with <see cref="Replicate"/>.</returns>
    public static OrderSnapshot Capture(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Capture();
    }

    /// <summary>
    /// The copy of <paramref name="order"/> brought to <paramref name="state"/> (made at the order's first event): what
    /// to hand a recorder instead of the order. Only the fields fixed at submission are read from the order itself.
    /// </summary>
    /// <param name="order">The order of the event (never changed here).</param>
    /// <param name="state">What <see cref="Capture"/> took at the event.</param>
    /// <returns>The order's copy, as the order was at the event.</returns>
    public Order Replicate(Order order, in OrderSnapshot state)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!_open.TryGetValue(order.Id, out var pair) || !ReferenceEquals(pair.Live, order))
        {
            pair = (order, Order.ReplicaOf(order));
        }

        var copy = pair.Copy;
        copy.Restore(state);
        if (copy.IsOpen)
        {
            _open[order.Id] = pair;
        }
        else
        {
            _open.Remove(order.Id);
        }

        return copy;
    }

    /// <summary>
    /// Once the venue's thread no longer changes the orders (the run's loop is over and the recorders' thread joined):
    /// the copies of the orders still open take their orders' current state.
    /// </summary>
    public void CatchUp()
    {
        foreach (var (live, copy) in _open.Values)
        {
            copy.Restore(live.Capture());
        }
    }
}
