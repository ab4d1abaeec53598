using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Orleans.Concurrency;
using Orleans.Placement;

namespace StrategyLab.Cluster;

/// <summary>
/// The grain behind <see cref="ISweepWorkerGrain"/>. Random placement honours the client's placement hint (the silo
/// a slot belongs to); with no hint it lands anywhere, which is still correct, only less even. Reentrant: a chunk call
/// is entered (and held in the <see cref="ChunkLedger"/>) as soon as it arrives, never queued behind a call that
/// hangs, so a probe answer lists every call that reached the worker.
/// </summary>
[RandomPlacement]
[Reentrant]
public sealed class SweepWorkerGrain(IWorkHandler handler, WorkerIdentity identity, ChunkLedger ledger, IHostApplicationLifetime lifetime) : Grain, ISweepWorkerGrain
{
    /// <inheritdoc />
    public async Task<WorkResult[]> RunChunkAsync(WorkItem[] chunk, Guid call)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Length == 0)
        {
            return [];
        }

        if (ChunkFaults.DropsNext())
        {
            // Test hook: as if the call had been lost on its way here; never answered, never held (and, the grain being
            // reentrant, blocking no later call to this slot).
            return await new TaskCompletionSource<WorkResult[]>().Task.WaitAsync(lifetime.ApplicationStopping).ConfigureAwait(true);
        }

        ledger.Add(call);
        try
        {
            // A backtest is CPU-bound for seconds: off the grain's turn, so the silo keeps answering probes and pings.
            return await Task.Run(() => Array.ConvertAll(chunk, RunOne), lifetime.ApplicationStopping).ConfigureAwait(true);
        }
        finally
        {
            ledger.Remove(call);
        }
    }

    /// <inheritdoc />
    public Task<WorkerInfo> DescribeAsync() => Task.FromResult(new WorkerInfo(identity.Name, identity.Slots, ledger.Snapshot()));

    private WorkResult RunOne(WorkItem item)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var result = handler.Run(item.Payload, lifetime.ApplicationStopping);
            return new WorkResult(item.Index, result, null, identity.Name, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The combination's own failure is its result: every worker would fail it the same way.
            return new WorkResult(item.Index, null, e.Message, identity.Name, clock.Elapsed.TotalSeconds);
        }
    }
}

/// <summary>A worker silo's name (its silo endpoint) and slot count.</summary>
/// <param name="Name">The silo endpoint, <c>host:port</c>.</param>
/// <param name="Slots">Chunks it runs at the same time.</param>
public sealed record WorkerIdentity(string Name, int Slots);
