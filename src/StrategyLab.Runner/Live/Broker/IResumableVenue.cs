using StrategyLab.Core.Execution;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>An order event as the journal recorded it, handed back to a broker venue by a resumed run.</summary>
/// <param name="ClientOrderId">The order's client order id.</param>
/// <param name="Status">The broker's status after the event (<c>new</c> for an acknowledgement, <c>filled</c>, <c>canceled</c>…).</param>
/// <param name="FilledQuantity">For a fill: the order's cumulative filled quantity after it; otherwise 0.</param>
/// <param name="Price">For a fill: its price.</param>
/// <param name="Quantity">For a fill: its quantity.</param>
/// <param name="TimeUtc">When the run applied it (the engine's time).</param>
/// <param name="Venue">
/// For a fill: the broker order it came from, with that order's own cumulative fill. Null in a journal written before
/// fills named it: the fill then counts against the order's latest broker order, as it did then.
/// </param>
public sealed record JournalledOrderEvent(string ClientOrderId, string Status, decimal FilledQuantity, decimal? Price, decimal? Quantity, DateTime TimeUtc, VenueFill? Venue = null);

/// <summary>
/// A broker venue a resumed live run can replay: between <see cref="BeginCatchUp"/> and <see cref="EndCatchUpAsync"/> it
/// sends nothing. The replayed engine's requests make the same orders under the same deterministic client order ids as
/// before the crash; what the broker said about them comes back from the journal (<see cref="ApplyJournalled"/>) instead
/// of the network. <see cref="EndCatchUpAsync"/> then finds each still-open order at the broker by its client order id,
/// sends the ones that never reached it, and re-sends cancels and replaces the broker never confirmed.
/// </summary>
public interface IResumableVenue
{
    /// <summary>Enters catch-up: nothing is sent from now on until <see cref="EndCatchUpAsync"/>.</summary>
    void BeginCatchUp();

    /// <summary>Applies a journalled acknowledgement, fill or end of an order (engine thread); unknown ids are ignored.</summary>
    void ApplyJournalled(JournalledOrderEvent orderEvent);

    /// <summary>Leaves catch-up: matches the open orders with the broker's (by client order id) and queues what is still to send.</summary>
    Task EndCatchUpAsync(CancellationToken cancellationToken);
}
