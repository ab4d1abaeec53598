using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// Shows a sweep's combinations as they finish (locally or on a cluster): on a terminal a progress bar whose text
/// says how many are done and the best so far; in a pipe or a file one plain line at every tenth of the sweep (so a
/// long cluster sweep shows it is alive without flooding a log); nothing with <c>--quiet</c> or <c>--json</c>.
/// </summary>
/// <remarks>
/// Rows arrive on the one thread that collects them (<see cref="SweepRunner"/>), so the counters need no lock. The
/// best so far is ranked as the final table is (<see cref="SweepColumns.Rank"/>: objective, then combination index).
/// </remarks>
internal sealed class SweepProgress
{
    private readonly SweepColumn _objective;
    private readonly int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private SweepRow? _best;
    private int _done;

    private SweepProgress(SweepColumn objective, int total)
    {
        _objective = objective;
        _total = total;
    }

    /// <summary>How many combinations have finished.</summary>
    public int Done => _done;

    /// <summary>The best row so far by the objective (null until one has a value).</summary>
    public SweepRow? Best => _best;

    /// <summary>
    /// Runs <paramref name="sweep"/> (given the callback to call per finished row) with the progress display that fits
    /// <paramref name="stdout"/>.
    /// </summary>
    public static async Task<T> RunAsync<T>(TextWriter stdout, bool silent, SweepColumn objective, int total, Func<Action<SweepRow>?, Task<T>> sweep)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(sweep);
        if (silent || total <= 0)
        {
            return await sweep(null).ConfigureAwait(false);
        }

        var progress = new SweepProgress(objective, total);
        if (!RunConsole.IsTerminal(stdout))
        {
            var nextTenth = 1;
            return await sweep(row =>
            {
                progress.Add(row);
                if (progress._done * 10 >= nextTenth * total)
                {
                    while (progress._done * 10 >= nextTenth * total)
                    {
                        nextTenth++;
                    }

                    stdout.WriteLine(progress.Describe(withTime: false));
                }
            }).ConfigureAwait(false);
        }

        T result = default!;
        await RunConsole.For(stdout).Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(progress.Describe(withTime: true), maxValue: total);
                result = await sweep(row =>
                {
                    progress.Add(row);
                    task.Value = progress._done;
                    task.Description = Markup.Escape(progress.Describe(withTime: true));
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }

    /// <summary>Counts <paramref name="row"/> and keeps it when it beats the best so far.</summary>
    public void Add(SweepRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _done++;
        if (row.Statistics is { } s && _objective.Value(s) is not null
            && (_best is null || SweepColumns.Rank([_best, row], _objective)[0] == row))
        {
            _best = row;
        }
    }

    /// <summary><c>sweep: 30/100 done, best sharpe 0.6407 (#1 fast=5, slow=100)</c>, with the elapsed time on a terminal.</summary>
    public string Describe(bool withTime)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"sweep: {_done}/{_total} done");
        if (_best is { Statistics: { } s })
        {
            text += string.Create(CultureInfo.InvariantCulture, $", best {_objective.Name} {_objective.Value(s):0.####} (#{_best.Index} {string.Join(", ", _best.Parameters.Select(p => p.Key + "=" + p.Value))})");
        }

        return withTime ? text + string.Create(CultureInfo.InvariantCulture, $", {_clock.Elapsed.TotalSeconds:0} s") : text;
    }
}
