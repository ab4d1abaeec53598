namespace StrategyLab.Runner.Live.Journal;

/// <summary>What a caller asks the journal to record (the journal adds the sequence number and the time).</summary>
/// <param name="Kind">What it records.</param>
/// <param name="PayloadJson">The event's data as a JSON object (validated by the database).</param>
/// <param name="Symbol">The instrument, when the event concerns one.</param>
/// <param name="ClientOrderId">Our order id (the deterministic <c>client_order_id</c>), when the event concerns an order.</param>
/// <param name="BrokerOrderId">The venue's order id, once known.</param>
/// <param name="OrderStatus">
/// The order's status after this event, in Alpaca's words (<c>new</c>, <c>partially_filled</c>, <c>filled</c>,
/// <c>canceled</c>…); the status query takes an order's latest one. Null when the event does not change it.
/// </param>
public sealed record JournalEntry(
    JournalEventKind Kind,
    string PayloadJson,
    string? Symbol = null,
    string? ClientOrderId = null,
    string? BrokerOrderId = null,
    string? OrderStatus = null);

/// <summary>One committed journal event.</summary>
/// <param name="Sequence">Its number: 1, 2, … in commit order, never reused.</param>
/// <param name="TimeUtc">When it was written (the journal's clock, UTC).</param>
/// <param name="Kind">What it records.</param>
/// <param name="Symbol">The instrument, if any.</param>
/// <param name="ClientOrderId">Our order id, if any.</param>
/// <param name="BrokerOrderId">The venue's order id, if any.</param>
/// <param name="OrderStatus">The order's status after it, if it changed it.</param>
/// <param name="PayloadJson">The event's data (a JSON object).</param>
public sealed record JournalEvent(
    long Sequence,
    DateTime TimeUtc,
    JournalEventKind Kind,
    string? Symbol,
    string? ClientOrderId,
    string? BrokerOrderId,
    string? OrderStatus,
    string PayloadJson);
