using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Sweeps;
using StrategyLab.Tests.Data;

namespace StrategyLab.Tests.Runner.Sweeps;

/// <summary>Sweeps over a small synthetic market (fast, no shared data needed).</summary>
public sealed class SweepRunnerTests : IDisposable
{
    /// <summary>An SMA crossover on one synthetic symbol, 30-minute bars, a quarter: about 60 trading days.</summary>
    public const string SyntheticConfig = """
        {
          "data": { "provider": "synthetic", "symbols": ["SYNA"], "timeframe": "30m", "from": "2024-01-02", "to": "2024-03-28" },
          "strategy": { "name": "sma_crossover" },
          "trade_manager": { "position_size_pct": 50 },
          "output": { "report": false }
        }
        """;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The job of <paramref name="json"/> with the swept parameters left at the strategy's defaults.</summary>
    internal static SweepJob Prepare(string json, string folder)
    {
        var path = Path.Combine(folder, "run-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        var (config, effective) = ConfigLoader.Load(path);
        effective.Remove("sweep");
        return SweepJob.Prepare(new SweepJobSpec(effective.ToJsonString(), config.Strategy.BaseDirectory));
    }

    private static SweepPlan Plan(params string[] flags) => SweepPlan.Build(null, flags, ["fast<slow"], top: 2);

    [Fact]
    public async Task BestCombination_IsTheBestOfIndividualBacktests()
    {
        var job = Prepare(SyntheticConfig, _dir.Path);
        var plan = Plan("fast=2..8:3", "slow=10,20");
        var result = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(2), Path.Combine(_dir.Path, "sweep"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(6, result.Rows.Count);

        // Each combination as an ordinary backtest that opens its own data.
        var sharpes = new List<(int Index, double? Sharpe, decimal End)>();
        foreach (var c in plan.Combinations)
        {
            var (config, effective) = ConfigLoader.Load(_dir.File($"bt{c.Index}.json", SyntheticConfig), [.. c.Parameters.Select(p => new ConfigOverride("--param", "strategy.params." + p.Key, System.Text.Json.Nodes.JsonValue.Create(p.Value)))]);
            var run = ResolvedRun.Resolve(config, effective);
            var outcome = BacktestRunner.Run(run, Path.Combine(_dir.Path, "bt" + c.Index), NullLoggerFactory.Instance, cancellationToken: TestContext.Current.CancellationToken);
            sharpes.Add((c.Index, outcome.Statistics.Sharpe, outcome.Statistics.EndEquity));
            Assert.Equivalent(outcome.Statistics, result.Rows[c.Index].Statistics, strict: true);
        }

        var best = sharpes.Where(s => s.Sharpe is not null).OrderByDescending(s => s.Sharpe).ThenBy(s => s.Index).First();
        Assert.Equal(best.Index, result.Best!.Index);
        Assert.Equal(best.Sharpe, result.Best.Statistics!.Sharpe);

        // The best two keep full run folders, with the same numbers as the backtest of the same parameters.
        Assert.Equal(2, result.TopFolders.Count);
        Assert.Equal(best.Index, result.TopFolders[0].Row.Index);
        Assert.True(File.Exists(Path.Combine(result.TopFolders[0].Folder, "summary.json")));
        Assert.Equal(
            File.ReadAllText(Path.Combine(_dir.Path, "bt" + best.Index, "trades.csv")),
            File.ReadAllText(Path.Combine(result.TopFolders[0].Folder, "trades.csv")));
        Assert.True(File.Exists(Path.Combine(result.Folder, "sweep.csv")));
        Assert.True(File.Exists(Path.Combine(result.Folder, "sweep.json")));
        Assert.True(File.Exists(Path.Combine(result.Folder, "sweep.html")));
        Assert.NotNull(result.Overfitting);
    }

    [Fact]
    public async Task Jobs1AndJobs2_WriteTheSameSweepCsv()
    {
        var job = Prepare(SyntheticConfig, _dir.Path);
        var plan = Plan("fast=2..10:2", "slow=12..30:6");
        var one = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(1), Path.Combine(_dir.Path, "j1"), cancellationToken: TestContext.Current.CancellationToken);
        var two = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(2), Path.Combine(_dir.Path, "j2"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(File.ReadAllBytes(Path.Combine(one.Folder, "sweep.csv")), File.ReadAllBytes(Path.Combine(two.Folder, "sweep.csv")));
        Assert.Equal(plan.Combinations.Count + 1, File.ReadAllLines(Path.Combine(one.Folder, "sweep.csv")).Length);
    }

    [Fact]
    public async Task RowsArrivingInAnyOrder_AreSortedByIndex()
    {
        var job = Prepare(SyntheticConfig, _dir.Path);
        var plan = Plan("fast=2..8:3", "slow=10,20");
        var result = await SweepRunner.RunAsync(job, plan, new ReversedExecutor(), Path.Combine(_dir.Path, "rev"), cancellationToken: TestContext.Current.CancellationToken);
        var reference = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(1), Path.Combine(_dir.Path, "ref"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([0, 1, 2, 3, 4, 5], result.Rows.Select(r => r.Index));
        Assert.Equal(File.ReadAllText(Path.Combine(reference.Folder, "sweep.csv")), File.ReadAllText(Path.Combine(result.Folder, "sweep.csv")));
    }

    [Fact]
    public async Task RejectedCombination_HasAnErrorRow_NotAFailedSweep()
    {
        var job = Prepare(SyntheticConfig, _dir.Path);
        var plan = SweepPlan.Build(null, ["fast=5,20", "slow=10"], [], top: 0); // fast=20 ≥ slow: the strategy refuses it
        var result = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(2), Path.Combine(_dir.Path, "err"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(result.Rows[0].Statistics);
        Assert.Null(result.Rows[1].Statistics);
        Assert.Contains("strategy.params", result.Rows[1].Error, StringComparison.Ordinal);
        Assert.Contains(result.Rows[1].Error!.Split(',')[0], File.ReadAllText(Path.Combine(result.Folder, "sweep.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownParameter_IsAConfigError_NamingTheFlag()
    {
        var job = Prepare(SyntheticConfig, _dir.Path);
        var e = Assert.Throws<ConfigException>(() => SweepPlan.Build(null, ["fats=1,2"], []).CheckParameters(job.BaseRun));
        Assert.StartsWith("--param: 'fats' is not a parameter of strategy 'sma_crossover'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WalkForward_OptimisesEachTrainWindow_AndRunsTheWinnerOnTheNextTestWindow()
    {
        var job = Prepare(SyntheticConfig, _dir.Path);
        var plan = SweepPlan.Build(null, ["fast=2..8:3", "slow=10,20"], ["fast<slow"], top: 0, walkForward: "train=20d,test=10d");
        var result = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(2), Path.Combine(_dir.Path, "wf"), cancellationToken: TestContext.Current.CancellationToken);
        var wf = result.WalkForward!;
        var dates = job.TradingDates;
        Assert.Equal((dates.Count - 20 + 9) / 10, wf.Windows.Count);
        foreach (var w in wf.Windows)
        {
            var trainStart = (w.Number - 1) * 10;
            Assert.Equal(new SweepWindow(dates[trainStart], dates[trainStart + 19]), w.Train);
            Assert.Equal(dates[trainStart + 20], w.Test.From);
            Assert.True(w.Test.From > w.Train.To);

            // The in-sample winner is the best of the grid run on the train window alone.
            var rows = plan.Combinations.Select(c => job.Run(c, w.Train)).ToList();
            var best = SweepColumns.Rank(rows, plan.Objective)[0];
            Assert.Equal(best.Index, w.InSample!.Index);
            Assert.Equivalent(best.Statistics, w.InSample.Statistics, strict: true);
            Assert.Equivalent(job.Run(new SweepCombination(best.Index, best.Parameters), w.Test, warmUp: w.Train).Statistics, w.OutOfSample!.Statistics, strict: true);
            Assert.All(w.OutOfSample.DailyEquity, d => Assert.InRange(d.Date, w.Test.From, w.Test.To));
        }

        // The stitched curve holds every test day once, in order, compounding the windows.
        Assert.Equal(wf.Windows.Sum(w => w.OutOfSample!.DailyEquity.Count), wf.StitchedEquity.Count);
        Assert.Equal(wf.StitchedEquity.Select(d => d.Date).Order(), wf.StitchedEquity.Select(d => d.Date));
        var expected = wf.Windows.Aggregate(1.0, (acc, w) => acc * (double)(w.OutOfSample!.Statistics!.EndEquity / w.OutOfSample.Statistics.StartEquity)) - 1;
        Assert.Equal(expected, wf.StitchedReturn, 1e-9);
        var json = File.ReadAllText(Path.Combine(result.Folder, "sweep.json"));
        Assert.Contains("\"in_sample\"", json, StringComparison.Ordinal);
        Assert.Contains("\"out_of_sample\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void OutOfSampleRun_WarmedUpOnItsTrainWindow_CanTradeFromTheFirstTestBar_WhereAColdOneCannot()
    {
        // slow=20 on 30-minute bars (13 a day): a cold run has no slow average before the second day of its window, so
        // its first day is flat; warmed on the train window, the averages are full at the first test bar.
        var job = Prepare(SyntheticConfig, _dir.Path);
        var combination = new SweepCombination(0, [new("fast", "5"), new("slow", "20")]);
        var windows = WalkForwardSpec.Parse("train=10d,test=3d").Windows(job.TradingDates);
        var tradedOnFirstDay = 0;
        foreach (var (train, test) in windows)
        {
            var cold = job.Run(combination, test);
            var warm = job.Run(combination, test, warmUp: train);
            Assert.Equal(cold.Statistics!.StartEquity, cold.DailyEquity[0].Equity);
            Assert.Equal(test.From, warm.DailyEquity[0].Date);
            Assert.Equal(cold.Statistics.StartEquity, warm.Statistics!.StartEquity); // warm-up neither trades nor marks
            if (warm.DailyEquity[0].Equity != warm.Statistics.StartEquity)
            {
                tradedOnFirstDay++;
            }
        }

        Assert.True(tradedOnFirstDay > 0, $"no warmed-up window traded on its first day (of {windows.Count})");

        // Warm-up bars after the window's start are never used (a warm-up window must precede the run).
        var (firstTrain, firstTest) = windows[0];
        Assert.Equivalent(job.Run(combination, firstTest).Statistics, job.Run(combination, firstTest, warmUp: firstTest).Statistics, strict: true);
        Assert.Equivalent(job.Run(combination, firstTrain).Statistics, job.Run(combination, firstTrain, warmUp: firstTest).Statistics, strict: true);
    }

    /// <summary>Runs the combinations last first, to show the order of arrival does not matter.</summary>
    private sealed class ReversedExecutor : ISweepExecutor
    {
        public async IAsyncEnumerable<SweepRow> RunAsync(SweepJob job, IReadOnlyList<SweepCombination> combinations, SweepWindow? window, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var c in combinations.Reverse())
            {
                await Task.Yield();
                yield return job.Run(c, window);
            }
        }
    }
}

/// <summary>Rows shipped as JSON (a cluster worker's answer) come back exactly.</summary>
public sealed class SweepRowJsonTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void RoundTrip_GivesTheSameRow_AndTheSameCsv()
    {
        var job = SweepRunnerTests.Prepare(SweepRunnerTests.SyntheticConfig, _dir.Path);
        var plan = SweepPlan.Build(null, ["fast=3,40", "slow=12"], []);
        var rows = plan.Combinations.Select(c => job.Run(c)).ToList();
        Assert.NotNull(rows[1].Error); // fast=40 ≥ slow: an error row travels too
        var back = rows.Select(r => SweepRowJson.Deserialize(SweepRowJson.Serialize(r))).ToList();
        Assert.Equivalent(rows[0].Statistics, back[0].Statistics, strict: true);
        Assert.Equal(rows[0].DailyEquity, back[0].DailyEquity);
        Assert.Equal(rows[1].Error, back[1].Error);
        Assert.Equal(SweepOutput.Csv(plan, rows), SweepOutput.Csv(plan, back));
    }
}
