using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Cluster;

/// <summary>
/// The sweep's <see cref="ISweepExecutor"/> on an Orleans cluster: each combination becomes a <see cref="SweepPayload"/>
/// handed out in chunks by <see cref="ClusterSweepExecutor"/>, and each worker's row comes back through
/// <see cref="SweepRowJson"/>, so the rows (and <c>sweep.csv</c>) equal a local sweep's.
/// </summary>
public sealed class ClusterSweepRunner : ISweepExecutor, IAsyncDisposable
{
    private readonly ClusterSweepExecutor _executor;

    private ClusterSweepRunner(ClusterSweepExecutor executor) => _executor = executor;

    /// <summary>Combinations handed out again because the worker running them was lost.</summary>
    public int Reassigned => _executor.Reassigned;

    /// <summary>Chunks handed out again because their live worker did not hold them (a call or an answer lost on the way).</summary>
    public int ChunksLost => _executor.ChunksLost;

    /// <summary>The ledger of the running (or last) sweep (<see cref="ClusterSweepExecutor.State"/>).</summary>
    public string State => _executor.State;

    /// <summary>Connects to the cluster <paramref name="options"/> names (its events logged where <paramref name="logging"/> says).</summary>
    public static async Task<ClusterSweepRunner> ConnectAsync(ClusterSweepOptions options, CancellationToken cancellationToken = default, Action<ILoggingBuilder>? logging = null) =>
        new(await ClusterSweepExecutor.ConnectAsync(options, logging, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">A worker could not run a combination at all (its data is missing, the configuration does not resolve there).</exception>
    public async IAsyncEnumerable<SweepRow> RunAsync(
        SweepJob job, IReadOnlyList<SweepCombination> combinations, SweepWindow? window, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(combinations);
        var items = combinations.Select(c => new WorkItem(c.Index, SweepPayload.Of(job.Spec, c, window).ToJson())).ToList();
        await foreach (var result in _executor.RunAsync(items, cancellationToken).ConfigureAwait(false))
        {
            if (result.Result is null)
            {
                // A row carries the combination's own failures (refused parameters); this is the worker's: fatal.
                throw new InvalidOperationException($"worker {result.Worker} could not run combination #{result.Index}: {result.Error}");
            }

            var row = SweepRowJson.Deserialize(result.Result);
            yield return row with { Elapsed = TimeSpan.FromSeconds(result.Seconds) };
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _executor.DisposeAsync();
}
