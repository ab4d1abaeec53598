namespace StrategyLab.Cluster;

/// <summary>
/// One unit of a distributed sweep: a combination's index and what a worker needs to run it. The contract is kept
/// generic (text in, text out) so the cluster does not depend on the sweep's own types: the payload is whatever the
/// worker's <see cref="IWorkHandler"/> reads.
/// </summary>
/// <param name="Index">The combination's index in the sweep: results are keyed (and de-duplicated) by it.</param>
/// <param name="Payload">The work, as the handler reads it (for <see cref="SweepWorkHandler"/>, <see cref="SweepPayload"/> JSON).</param>
[GenerateSerializer]
[Alias("StrategyLab.Cluster.WorkItem")]
public sealed record WorkItem([property: Id(0)] int Index, [property: Id(1)] string Payload);

/// <summary>What a worker sends back for one <see cref="WorkItem"/>.</summary>
/// <param name="Index">The combination's index.</param>
/// <param name="Result">The handler's result (a row as JSON); null when <paramref name="Error"/> says why there is none.</param>
/// <param name="Error">
/// The handler's failure (a bad parameter value, no bars in range): part of the result, not retried, since another
/// worker would fail the same way. Null on success.
/// </param>
/// <param name="Worker">The silo that ran it (<c>host:port</c>), for logs and tests; never part of the row.</param>
/// <param name="Seconds">The handler's wall time on that worker.</param>
[GenerateSerializer]
[Alias("StrategyLab.Cluster.WorkResult")]
public sealed record WorkResult(
    [property: Id(0)] int Index,
    [property: Id(1)] string? Result,
    [property: Id(2)] string? Error,
    [property: Id(3)] string Worker,
    [property: Id(4)] double Seconds);

/// <summary>What a worker silo offers: its name, how many chunks it runs at once, and the chunks it holds now.</summary>
/// <param name="Worker">The silo's endpoint (<c>host:port</c>).</param>
/// <param name="Slots">Chunks it runs at the same time (one per core by default).</param>
/// <param name="Holding">
/// The id of every chunk call it has received and not yet answered, sorted (<see cref="ChunkLedger"/>). A client
/// compares it with the calls it sent there to find one lost on the way.
/// </param>
[GenerateSerializer]
[Alias("StrategyLab.Cluster.WorkerInfo")]
public sealed record WorkerInfo([property: Id(0)] string Worker, [property: Id(1)] int Slots, [property: Id(2)] Guid[] Holding);
