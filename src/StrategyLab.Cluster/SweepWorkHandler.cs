using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Cluster;

/// <summary>
/// A worker's handler of sweep combinations: prepares each sweep's job once (configuration resolved, bars read once,
/// shared by every combination of that sweep this worker runs) and runs <see cref="SweepJob.Run"/>, the very function
/// the local executor calls, so a row is the same wherever it ran. The row goes back as <see cref="SweepRowJson"/>.
/// </summary>
/// <param name="dataPath">The shared data as this worker sees it: replaces <c>data.path</c> of every sweep; null: as given.</param>
/// <param name="loggers">Where reading the data logs; none when null.</param>
public sealed class SweepWorkHandler(string? dataPath = null, ILoggerFactory? loggers = null) : IWorkHandler
{
    // A few sweeps at most are alive on a worker at a time; the bars of each stay in memory while it lives.
    private const int MaxJobs = 4;

    private readonly ConcurrentDictionary<SweepJobSpec, Lazy<SweepJob>> _jobs = new();

    /// <inheritdoc />
    public string Run(string payload, CancellationToken cancellationToken)
    {
        var work = SweepPayload.FromJson(payload);
        var job = Job(work.Spec);
        cancellationToken.ThrowIfCancellationRequested();
        return SweepRowJson.Serialize(job.Run(work.Combination, work.Window));
    }

    private SweepJob Job(SweepJobSpec spec)
    {
        if (_jobs.Count >= MaxJobs && !_jobs.ContainsKey(spec))
        {
            _jobs.Clear(); // a new sweep: the old ones' bars are let go (a running combination keeps its own reference)
        }

        var lazy = _jobs.GetOrAdd(spec, s => new Lazy<SweepJob>(() => SweepJob.Prepare(dataPath is null ? s : s.WithDataPath(dataPath), loggers), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _jobs.TryRemove(KeyValuePair.Create(spec, lazy)); // a failed preparation is not cached (the data may appear)
            throw;
        }
    }
}
