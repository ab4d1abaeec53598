namespace StrategyLab.Cluster;

/// <summary>
/// What a worker does with one payload. The one seam between the cluster and the sweep: the worker silo resolves it
/// from its services (<see cref="WorkerHost"/> registers <see cref="SweepWorkHandler"/>), and a client can run
/// the same handler in-process to get the very same result.
/// </summary>
public interface IWorkHandler
{
    /// <summary>Runs one payload and returns its result text.</summary>
    /// <exception cref="Exception">Any failure: the worker reports it as <see cref="WorkResult.Error"/>.</exception>
    string Run(string payload, CancellationToken cancellationToken);
}
