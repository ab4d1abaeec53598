using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Orleans.Placement;

namespace StrategyLab.Cluster;

/// <summary>
/// The grain behind <see cref="ISweepWorkerGrain"/>. Random placement honours the client's placement hint (the silo
/// a slot belongs to); with no hint it lands anywhere, which is still correct, only less even.
/// </summary>
[RandomPlacement]
public sealed class SweepWorkerGrain(IWorkHandler handler, WorkerIdentity identity, ChunkLedger ledger, IHostApplicationLifetime lifetime) : Grain, ISweepWorkerGrain
{
    /// <inheritdoc />
    public async Task<WorkResult[]> RunChunkAsync(WorkItem[] chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Length == 0)
        {
            return [];
        }

        if (ChunkFaults.DropsNext())
        {
            // Test hook: as if the call had been lost on its way here; never answered, never held.
            return await new TaskCompletionSource<WorkResult[]>().Task.WaitAsync(lifetime.ApplicationStopping).ConfigureAwait(true);
        }

        var key = chunk[0].Index;
        ledger.Add(key);
        try
        {
            // A backtest is CPU-bound for seconds: off the grain's turn, so the silo keeps answering probes and pings.
            return await Task.Run(() => Array.ConvertAll(chunk, RunOne), lifetime.ApplicationStopping).ConfigureAwait(true);
        }
        finally
        {
            ledger.Remove(key);
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
