using StrategyLab.Core.Execution;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>
/// A venue that executes outside the process (a broker): its events arrive on other threads and wait in a queue until the
/// live loop hands them to the engine, on the engine's thread, with <see cref="DrainEvents"/>.
/// </summary>
public interface ILiveVenue : IExecutionVenue, IAsyncDisposable
{
    /// <summary>The broker's name, for events and the status display.</summary>
    string Name { get; }

    /// <summary>Receives every order event (the engine), on the thread that calls <see cref="DrainEvents"/>.</summary>
    IOrderEventListener? Listener { get; set; }

    /// <summary>Connects (account check, order stream) and starts sending what was submitted.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Delivers every queued broker report to the listener, in arrival order; returns how many were applied.</summary>
    /// <param name="nowUtc">The loop's clock: no event is stamped later than this.</param>
    int DrainEvents(DateTime nowUtc);

    /// <summary>Completes when a report is waiting (true), or when the venue stopped (false).</summary>
    ValueTask<bool> WaitForEventsAsync(CancellationToken cancellationToken);
}
