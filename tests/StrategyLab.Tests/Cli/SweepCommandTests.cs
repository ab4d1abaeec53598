using System.Text.Json;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

public sealed class SweepCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string SyntheticConfig(string? sweep = null) => _dir.File(
        "run-" + Guid.NewGuid().ToString("N") + ".json",
        StrategyLab.Tests.Runner.Sweeps.SweepRunnerTests.SyntheticConfig.TrimEnd().TrimEnd('}') + (sweep is null ? "}" : ", \"sweep\": " + sweep + "}"));

    [Theory]
    [InlineData("--param", "fast=30..5", "--param: fast=30..5: the range ends before it starts.")]
    [InlineData("--param", "fats=1,2", "--param: 'fats' is not a parameter of strategy 'sma_crossover'")]
    [InlineData("--objective", "luck", "--objective: unknown objective 'luck'")]
    [InlineData("--walk-forward", "train=x", "--walk-forward: ")]
    [InlineData("--constraint", "fast>slow", "--constraint: the constraints (fast>slow) reject every one")]
    public async Task ConfigErrors_ExitWith2_AndNameTheFlag(string flag, string value, string expected)
    {
        var args = new List<string> { "sweep", "--config", SyntheticConfig(), "--out", Path.Combine(_dir.Path, "out"), "--quiet" };
        if (flag != "--param")
        {
            args.AddRange(["--param", "fast=2,4", "--param", "slow=10,20"]);
        }

        args.AddRange([flag, value]);
        var run = await CliRunner.RunInProcessAsync([.. args]);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("error: " + expected, run.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "out")), "a sweep that did not start leaves no folder");
    }

    [Fact]
    public async Task SweepSection_OfTheConfiguration_RunsWithoutFlags()
    {
        var config = SyntheticConfig("""{ "params": { "fast": "2..6:2", "slow": [10, 20] }, "constraints": ["fast<slow"], "objective": "total_return", "top": 1 }""");
        var out1 = Path.Combine(_dir.Path, "s");
        var run = await CliRunner.RunInProcessAsync("sweep", "--config", config, "--out", out1, "--jobs", "2");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("best by total_return", run.StdOut, StringComparison.Ordinal);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(out1, "sweep.csv")).Length);

        // In a pipe, progress comes as plain lines (at most one per tenth), counting up to 6/6; the last one's best
        // is the final best.
        var progress = run.StdOut.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains(" done", StringComparison.Ordinal)).ToList();
        Assert.InRange(progress.Count, 1, 10);
        Assert.Equal(progress.Select(l => int.Parse(l["sweep: ".Length..l.IndexOf('/', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).Order(), progress.Select(l => int.Parse(l["sweep: ".Length..l.IndexOf('/', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.StartsWith("sweep: 6/6 done, best total_return ", progress[^1], StringComparison.Ordinal);
        var bestLine = run.StdOut.Split('\n').Single(l => l.StartsWith("best by total_return: ", StringComparison.Ordinal));
        var bestIndex = bestLine["best by total_return: ".Length..bestLine.IndexOf(' ', "best by total_return: ".Length)];
        Assert.Contains("(" + bestIndex + " ", progress[^1], StringComparison.Ordinal);
        var quiet = await CliRunner.RunInProcessAsync("sweep", "--config", config, "--out", Path.Combine(_dir.Path, "q"), "--quiet");
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.DoesNotContain(" done", quiet.StdOut, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(out1, "sweep.json")));
        Assert.Equal("total_return", json.RootElement.GetProperty("objective").GetString());
        Assert.Single(Directory.GetDirectories(Path.Combine(out1, "runs")));

        // The same file still runs as a plain backtest: the sweep section is for the sweep command only.
        var backtest = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", Path.Combine(_dir.Path, "bt"), "--quiet");
        Assert.True(backtest.ExitCode == 0, backtest.ToString());
    }

    /// <summary>
    /// The 4-symbol LEAN minute data of October 2013: --jobs 1 and --jobs 2 write the same sweep.csv, and the best
    /// combination's numbers are those of `backtest` with its parameters.
    /// </summary>
    [Fact]
    public async Task LeanMinutes_Jobs1AndJobs2_SameCsv_BestEqualsItsBacktest()
    {
        var lean = TestPaths.RequireLean();
        var config = _dir.File("lean.json", JsonSerializer.Serialize(new
        {
            data = new { provider = "lean", path = lean, symbols = new[] { "SPY", "AIG", "BAC", "IBM" }, from = "2013-10-07", to = "2013-10-11" },
            strategy = new { name = "sma_crossover" },
            output = new { report = false },
        }));
        var results = new List<string>();
        foreach (var jobs in new[] { "1", "2" })
        {
            var folder = Path.Combine(_dir.Path, "j" + jobs);
            var run = await CliRunner.RunInProcessAsync("sweep", "--config", config, "--param", "fast=5..15:5", "--param", "slow=20,40", "--jobs", jobs, "--top", "1", "--out", folder, "--quiet");
            Assert.True(run.ExitCode == 0, run.ToString());
            results.Add(folder);
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(results[0], "sweep.csv")), File.ReadAllBytes(Path.Combine(results[1], "sweep.csv")));

        using var sweep = JsonDocument.Parse(File.ReadAllText(Path.Combine(results[0], "sweep.json")));
        var best = sweep.RootElement.GetProperty("best");
        var p = best.GetProperty("parameters");
        var bt = Path.Combine(_dir.Path, "bt");
        var backtest = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--param", "fast=" + p.GetProperty("fast").GetString(), "--param", "slow=" + p.GetProperty("slow").GetString(), "--out", bt, "--quiet");
        Assert.True(backtest.ExitCode == 0, backtest.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(bt, "summary.json")));
        var expected = summary.RootElement.GetProperty("statistics");
        foreach (var name in new[] { "sharpe", "net_profit", "trade_count", "max_drawdown" })
        {
            Assert.Equal(expected.GetProperty(name).GetRawText(), best.GetProperty("statistics").GetProperty(name).GetRawText());
        }

        // Every other combination's sharpe is no better (the best really is the best of the grid).
        var sharpes = sweep.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => r.GetProperty("statistics").GetProperty("sharpe")).Where(s => s.ValueKind == JsonValueKind.Number).Select(s => s.GetDouble());
        Assert.All(sharpes, s => Assert.True(s <= best.GetProperty("statistics").GetProperty("sharpe").GetDouble()));
        Assert.Equal(
            File.ReadAllText(Path.Combine(bt, "trades.csv")),
            File.ReadAllText(Path.Combine(results[0], sweep.RootElement.GetProperty("top")[0].GetProperty("folder").GetString()!, "trades.csv")));
    }
}
