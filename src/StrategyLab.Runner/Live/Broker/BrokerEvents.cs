using Microsoft.Extensions.Logging;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>Stable names of the broker adapter's log events (56xx ids).</summary>
public static class BrokerEvents
{
    /// <summary>Connected to the broker: paper or live, and the URL (never a key).</summary>
    public static readonly EventId Connected = new(5600, "broker.connected");

    /// <summary>An order was handed to the background sender.</summary>
    public static readonly EventId OrderSubmitted = new(5601, "broker.order.submitted");

    /// <summary>The broker acknowledged an order.</summary>
    public static readonly EventId OrderAcknowledged = new(5602, "broker.order.acknowledged");

    /// <summary>The order had already reached the broker (duplicate client order id, or an unknown outcome): read back, not resent.</summary>
    public static readonly EventId OrderAlreadySent = new(5603, "broker.order.already_sent");

    /// <summary>The broker refused an order.</summary>
    public static readonly EventId OrderRejected = new(5604, "broker.order.rejected");

    /// <summary>A send, cancel or replace failed for now; it is retried (the client order id keeps a resend safe).</summary>
    public static readonly EventId SendFailed = new(5605, "broker.order.send_failed");

    /// <summary>A cancel was sent.</summary>
    public static readonly EventId CancelSent = new(5606, "broker.order.cancel_sent");

    /// <summary>A replace was sent.</summary>
    public static readonly EventId ReplaceSent = new(5607, "broker.order.replace_sent");

    /// <summary>The order stream reconnected: the orders changed meanwhile were listed.</summary>
    public static readonly EventId Reconciled = new(5608, "broker.reconcile.done");

    /// <summary>A fill found by reconciliation, missed by the stream.</summary>
    public static readonly EventId MissedFill = new(5609, "broker.reconcile.missed_fill");

    /// <summary>An update about an order this run did not send (ignored).</summary>
    public static readonly EventId ForeignOrder = new(5610, "broker.order.foreign");

    /// <summary>The broker adapter stopped.</summary>
    public static readonly EventId Stopped = new(5611, "broker.stopped");
}
