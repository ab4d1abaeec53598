namespace StrategyLab.Cluster;

/// <summary>
/// A backtest grain: runs chunks of <see cref="WorkItem"/>s on the silo it was placed on. The client places one
/// activation per slot of each silo (a placement hint names the silo), so a chunk's silo is known and a silo's death
/// tells which chunks to hand to another.
/// </summary>
[Alias("StrategyLab.Cluster.ISweepWorkerGrain")]
public interface ISweepWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs every item of <paramref name="chunk"/> one after the other and returns their results in order; the worker
    /// lists <paramref name="call"/> in its probe answers (<see cref="WorkerInfo.Holding"/>) from the call's arrival
    /// until its answer.
    /// </summary>
    [Alias("RunChunkCall")]
    Task<WorkResult[]> RunChunkAsync(WorkItem[] chunk, Guid call);

    /// <summary>The silo's name, slot count and the chunk calls it holds.</summary>
    [Alias("Describe")]
    Task<WorkerInfo> DescribeAsync();
}
