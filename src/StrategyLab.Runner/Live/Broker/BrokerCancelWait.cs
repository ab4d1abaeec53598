using Microsoft.Extensions.Logging;
using StrategyLab.Core.Execution;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>
/// A broker confirms cancels asynchronously: waits (real time, bounded) until it has, so the engine, the journal and the run
/// folder end with the orders' final states rather than "cancel sent".
/// </summary>
public static class BrokerCancelWait
{
    /// <summary>How long the confirmations are waited for.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Waits until <paramref name="venue"/> has no open order, handing <paramref name="broker"/>'s events on with <paramref name="drain"/>.</summary>
    public static async Task UntilConfirmedAsync(ILiveVenue? broker, IExecutionVenue venue, Action drain, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(drain);
        ArgumentNullException.ThrowIfNull(logger);
        if (broker is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (venue.OpenOrders.Count > 0 && await broker.WaitForEventsAsync(timeout.Token).ConfigureAwait(false))
            {
                drain();
            }
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning(LiveEvents.Stopping, "{Count} cancel(s) not confirmed by the broker within {Seconds} s", venue.OpenOrders.Count, Timeout.TotalSeconds);
        }

        drain();
    }
}
