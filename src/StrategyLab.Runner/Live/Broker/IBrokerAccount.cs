namespace StrategyLab.Runner.Live.Broker;

/// <summary>An order as the broker reports it, for reconciliation after a restart or a reconnect.</summary>
/// <param name="ClientOrderId">Our deterministic id (<c>sl-{run}-{seq}</c>), or the broker's own for orders we did not send.</param>
/// <param name="BrokerOrderId">The broker's id.</param>
/// <param name="Symbol">Ticker.</param>
/// <param name="IsBuy">Buy or sell.</param>
/// <param name="Quantity">Ordered quantity.</param>
/// <param name="FilledQuantity">Filled so far.</param>
/// <param name="AverageFillPrice">Average fill price, when anything filled.</param>
/// <param name="Status">The broker's status text (new, partially_filled, filled, canceled, expired, rejected...).</param>
/// <param name="UpdatedAtUtc">Last change.</param>
/// <param name="FilledAtUtc">When the order filled completely (Alpaca's <c>filled_at</c>); null while it is not filled.</param>
public sealed record BrokerOrderSnapshot(
    string ClientOrderId, string BrokerOrderId, string Symbol, bool IsBuy, decimal Quantity,
    decimal FilledQuantity, decimal? AverageFillPrice, string Status, DateTime UpdatedAtUtc, DateTime? FilledAtUtc = null)
{
    /// <summary>
    /// When its latest fill happened, as the broker says: the fill time of a filled order, otherwise its last change (a
    /// partial fill changes the order). Adopted fills are stamped with it, not with the time of the reconciliation.
    /// </summary>
    public DateTime LastFillUtc => FilledAtUtc ?? UpdatedAtUtc;
}

/// <summary>A position as the broker reports it.</summary>
/// <param name="Symbol">Ticker.</param>
/// <param name="Quantity">Signed quantity (negative = short).</param>
/// <param name="AverageEntryPrice">Average entry price.</param>
public sealed record BrokerPositionSnapshot(string Symbol, decimal Quantity, decimal AverageEntryPrice);

/// <summary>What a broker-backed venue tells a resumed run about the account.</summary>
public interface IBrokerAccount
{
    /// <summary>The broker's name, for events and the status display.</summary>
    string Name { get; }

    /// <summary>Orders that changed at or after <paramref name="sinceUtc"/>.</summary>
    Task<IReadOnlyList<BrokerOrderSnapshot>> OrdersChangedSinceAsync(DateTime sinceUtc, CancellationToken cancellationToken);

    /// <summary>Every order that can still fill.</summary>
    Task<IReadOnlyList<BrokerOrderSnapshot>> OpenOrdersAsync(CancellationToken cancellationToken);

    /// <summary>One order by our client order id (any age, any status); null when the broker has none.</summary>
    Task<BrokerOrderSnapshot?> OrderAsync(string clientOrderId, CancellationToken cancellationToken);

    /// <summary>Every open position.</summary>
    Task<IReadOnlyList<BrokerPositionSnapshot>> PositionsAsync(CancellationToken cancellationToken);

    /// <summary>Cancels an order by our client order id; false when it was not open.</summary>
    Task<bool> CancelAsync(string clientOrderId, CancellationToken cancellationToken);
}
