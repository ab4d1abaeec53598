using StrategyLab.Core.Statistics;

namespace StrategyLab.Runner.Sweeps;

/// <summary>One point of a parameter sweep: the strategy parameters one run overrides.</summary>
/// <param name="Index">
/// The position of the combination in grid order (the first parameter varies slowest), stable however the sweep is
/// executed: rows are sorted by it before anything is written. A random search keeps the grid index of each sample.
/// </param>
/// <param name="Parameters">The swept parameters, in the order the sweep names them, values as text (<c>fast=5</c>).</param>
public sealed record SweepCombination(int Index, IReadOnlyList<KeyValuePair<string, string>> Parameters)
{
    /// <summary>The combination as <c>fast=5,slow=20</c> (folder names, logs).</summary>
    public string Label => string.Join(",", Parameters.Select(p => p.Key + "=" + p.Value));
}

/// <summary>A range of exchange-local dates (both inclusive) a combination runs over: one walk-forward window.</summary>
/// <param name="From">First date.</param>
/// <param name="To">Last date.</param>
public sealed record SweepWindow(DateOnly From, DateOnly To);

/// <summary>The result of one combination: every statistic of its run, or why it did not run.</summary>
/// <param name="Index">The combination's <see cref="SweepCombination.Index"/>.</param>
/// <param name="Parameters">The combination's parameters.</param>
/// <param name="Statistics">The run's statistics; null when the run failed (see <paramref name="Error"/>).</param>
/// <param name="Error">
/// Why the combination has no result (the strategy refused the parameters, the strategy threw); null when it ran.
/// </param>
/// <param name="DailyEquity">The run's equity at the end of each trading date (for PSR and the equity overlay).</param>
/// <param name="Elapsed">How long the run took. Not deterministic: kept out of <c>sweep.csv</c>.</param>
public sealed record SweepRow(
    int Index,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    PerformanceStatistics? Statistics,
    string? Error,
    IReadOnlyList<DailyEquity> DailyEquity,
    TimeSpan Elapsed)
{
    /// <summary>Closed round trips (0 when the run failed).</summary>
    public int TradeCount => Statistics?.TradeCount ?? 0;
}

/// <summary>
/// Runs combinations of one prepared sweep and yields their rows, in any order (the caller sorts by index). The local
/// executor runs them on this machine's cores; a cluster executor ships them to workers, which call
/// <see cref="SweepJob.Run(SweepCombination, SweepWindow?, SweepWindow?)"/> on a job prepared from the same
/// <see cref="SweepJobSpec"/>, so both give the same rows.
/// </summary>
public interface ISweepExecutor
{
    /// <summary>Runs every combination of <paramref name="combinations"/> against <paramref name="job"/>, each once.</summary>
    /// <param name="job">The prepared job (configuration resolved, bars read once).</param>
    /// <param name="combinations">What to run.</param>
    /// <param name="window">The dates to run over (a walk-forward window); null: the whole range.</param>
    /// <param name="cancellationToken">Stops handing out combinations.</param>
    IAsyncEnumerable<SweepRow> RunAsync(SweepJob job, IReadOnlyList<SweepCombination> combinations, SweepWindow? window, CancellationToken cancellationToken);
}
