using Microsoft.Extensions.Logging;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>Stable names of the journal's and the resume's log events (535x ids). Documented in docs/run-artifacts.md.</summary>
public static class ReconcileEvents
{
    /// <summary>A run resumed from its journal: what the journal held.</summary>
    public static readonly EventId Started = new(5350, "reconcile.started");

    /// <summary>The resume finished comparing: counts of every difference.</summary>
    public static readonly EventId Completed = new(5351, "reconcile.completed");

    /// <summary>An order the journal requested whose later events (ack, fill, cancel) were missing: re-derived and journalled.</summary>
    public static readonly EventId OrderRecovered = new(5352, "reconcile.order.recovered");

    /// <summary>A re-derived order differs from the one the journal holds under the same client order id.</summary>
    public static readonly EventId OrderMismatch = new(5353, "reconcile.order.mismatch");

    /// <summary>The broker filled, cancelled or expired one of our orders while the process was down: adopted and journalled.</summary>
    public static readonly EventId OrderAdopted = new(5354, "reconcile.order.adopted");

    /// <summary>The broker has an order the journal does not know (not ours): reported, left alone.</summary>
    public static readonly EventId OrderUnknown = new(5355, "reconcile.order.unknown");

    /// <summary>The journal has an open order the broker does not report.</summary>
    public static readonly EventId OrderMissing = new(5356, "reconcile.order.missing");

    /// <summary>A position differs between the journal and the broker: the broker's is adopted.</summary>
    public static readonly EventId PositionMismatch = new(5357, "reconcile.position.mismatch");

    /// <summary>The journal already held every event the resumed run re-derived up to here.</summary>
    public static readonly EventId CaughtUp = new(5358, "reconcile.caught_up");

    /// <summary>A resumed live run replayed its journalled warm-up and slices (and its broker's journalled order events) through the engine.</summary>
    public static readonly EventId Replayed = new(5359, "reconcile.replayed");
}
