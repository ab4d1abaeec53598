using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Statistics;

namespace StrategyLab.Runner.Sweeps;

/// <summary>A finished sweep.</summary>
/// <param name="Folder">The sweep folder (sweep.csv, sweep.json, sweep.html, runs/).</param>
/// <param name="Plan">What ran.</param>
/// <param name="Rows">Every row, by index.</param>
/// <param name="Ranked">The rows best first by the objective (ties by index).</param>
/// <param name="Overfitting">PSR and DSR of the best combination; null when it has too few daily returns.</param>
/// <param name="TopFolders">The full run folder of each of the best combinations, best first.</param>
/// <param name="WalkForward">The walk-forward windows, when asked for.</param>
/// <param name="Elapsed">Wall time of the whole sweep.</param>
public sealed record SweepResult(
    string Folder,
    SweepPlan Plan,
    IReadOnlyList<SweepRow> Rows,
    IReadOnlyList<SweepRow> Ranked,
    SharpeOverfitting? Overfitting,
    IReadOnlyList<(SweepRow Row, string Folder)> TopFolders,
    WalkForwardResult? WalkForward,
    TimeSpan Elapsed)
{
    /// <summary>The best row (first of <see cref="Ranked"/>) when it has a value for the objective.</summary>
    public SweepRow? Best => Ranked.Count > 0 && Ranked[0].Statistics is { } s && Plan.Objective.Value(s) is not null ? Ranked[0] : null;
}

/// <summary>
/// Runs a sweep end to end: every combination through an executor, rows sorted by index, the best ranked, the top N
/// rerun into full run folders, the walk-forward windows, and <c>sweep.csv</c>, <c>sweep.json</c> and <c>sweep.html</c>.
/// </summary>
public static class SweepRunner
{
    /// <summary>The sub-folder of the sweep folder holding the best combinations' run folders.</summary>
    public const string RunsFolder = "runs";

    /// <summary>Runs <paramref name="plan"/> on <paramref name="job"/> with <paramref name="executor"/> and writes the results into <paramref name="folder"/>.</summary>
    /// <param name="job">The prepared job.</param>
    /// <param name="plan">What to run.</param>
    /// <param name="executor">Where the combinations run (this machine's cores, or a cluster).</param>
    /// <param name="folder">The sweep folder (created when missing).</param>
    /// <param name="loggers">Logging of the top-N runs; none when null.</param>
    /// <param name="progress">Sees every row as it arrives (progress display); may be null.</param>
    /// <param name="cancellationToken">Stops the sweep.</param>
    public static async Task<SweepResult> RunAsync(
        SweepJob job, SweepPlan plan, ISweepExecutor executor, string folder, ILoggerFactory? loggers = null, Action<SweepRow>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(folder);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(folder);
        var rows = await Collect(executor.RunAsync(job, plan.Combinations, null, cancellationToken), plan.Combinations, progress).ConfigureAwait(false);
        var ranked = SweepColumns.Rank(rows, plan.Objective);

        // Best N: rerun each (deterministic, so the same numbers) into a normal run folder.
        var top = new List<(SweepRow, string)>();
        foreach (var row in ranked.Where(r => r.Statistics is not null && plan.Objective.Value(r.Statistics) is not null).Take(plan.Top))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var runFolder = Path.Combine(folder, RunsFolder, FolderName(row));
            Directory.CreateDirectory(runFolder);
            job.RunToFolder(new SweepCombination(row.Index, row.Parameters), runFolder, loggers);
            top.Add((row, runFolder));
        }

        var overfitting = Overfitting(ranked, plan);
        WalkForwardResult? walkForward = null;
        if (plan.WalkForward is { } spec)
        {
            walkForward = await WalkForwardAsync(job, plan, spec, executor, cancellationToken).ConfigureAwait(false);
        }

        var result = new SweepResult(Path.GetFullPath(folder), plan, rows, ranked, overfitting, top, walkForward, clock.Elapsed);
        SweepOutput.WriteCsv(Path.Combine(folder, SweepOutput.CsvFileName), result);
        SweepOutput.WriteJson(Path.Combine(folder, SweepOutput.JsonFileName), result);
        SweepHtml.Write(Path.Combine(folder, SweepHtml.FileName), result);
        return result;
    }

    /// <summary>The daily returns of a row's equity curve, from its start equity.</summary>
    public static IReadOnlyList<double> DailyReturns(SweepRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var returns = new List<double>(row.DailyEquity.Count);
        if (row.Statistics is not { } s)
        {
            return returns;
        }

        var previous = s.StartEquity;
        foreach (var day in row.DailyEquity)
        {
            returns.Add(previous == 0 ? 0 : (double)((day.Equity - previous) / previous));
            previous = day.Equity;
        }

        return returns;
    }

    /// <summary>The folder name of a row's run: <c>0007_fast=5_slow=20</c>.</summary>
    public static string FolderName(SweepRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var parts = row.Parameters.Select(p => Safe(p.Key) + "=" + Safe(p.Value));
        return row.Index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture) + "_" + string.Join("_", parts);
    }

    private static string Safe(string text) => new([.. text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_')]);

    private static async Task<List<SweepRow>> Collect(IAsyncEnumerable<SweepRow> source, IReadOnlyList<SweepCombination> combinations, Action<SweepRow>? progress)
    {
        var byIndex = new Dictionary<int, SweepRow>();
        await foreach (var row in source.ConfigureAwait(false))
        {
            // A combination counted twice (a retried chunk on a cluster) keeps its first row: runs are deterministic.
            if (byIndex.TryAdd(row.Index, row))
            {
                progress?.Invoke(row);
            }
        }

        var missing = combinations.Where(c => !byIndex.ContainsKey(c.Index)).Select(c => c.Index).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"the sweep ended without {missing.Count} combination(s) (first: #{missing[0]}).");
        }

        return [.. byIndex.Values.OrderBy(r => r.Index)]; // results never depend on the order they finished in
    }

    private static SharpeOverfitting? Overfitting(IReadOnlyList<SweepRow> ranked, SweepPlan plan)
    {
        var best = ranked.FirstOrDefault(r => r.Statistics is { } s && plan.Objective.Value(s) is not null);
        if (best?.Statistics is null)
        {
            return null;
        }

        var trials = ranked.Where(r => r.Statistics?.Sharpe is not null).Select(r => r.Statistics!.Sharpe!.Value / Math.Sqrt(PerformanceStatistics.TradingDaysPerYear)).ToList();
        var riskFree = best.Statistics.RiskFreeRate / PerformanceStatistics.TradingDaysPerYear;
        return OverfittingStatistics.Of(DailyReturns(best), trials, riskFree);
    }

    private static async Task<WalkForwardResult> WalkForwardAsync(SweepJob job, SweepPlan plan, WalkForwardSpec spec, ISweepExecutor executor, CancellationToken cancellationToken)
    {
        var windows = new List<WalkForwardWindow>();
        var number = 0;
        foreach (var (train, test) in spec.Windows(job.TradingDates))
        {
            number++;
            var rows = await Collect(executor.RunAsync(job, plan.Combinations, train, cancellationToken), plan.Combinations, null).ConfigureAwait(false);
            var best = SweepColumns.Rank(rows, plan.Objective).FirstOrDefault(r => r.Statistics is { } s && plan.Objective.Value(s) is not null);
            // The winner trades the test window warmed up on the train window's bars (indicators full, flat book), as
            // it would be when deployed after training; a cold start would lose the first bars of every window.
            var outOfSample = best is null ? null : job.Run(new SweepCombination(best.Index, best.Parameters), test, warmUp: train);
            windows.Add(new WalkForwardWindow(number, train, test, best, outOfSample));
        }

        return WalkForwardResult.Stitch(spec, windows, job.BaseRun.Config.Exchange.InitialCash);
    }
}
