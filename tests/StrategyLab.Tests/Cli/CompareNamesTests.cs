using System.Text.Json;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary><c>compare</c> names each run by what differs between them, and <c>--json</c> carries the parameters.</summary>
public class CompareNamesTests
{
    [Fact]
    public async Task RunsAreNamedByTheirDifferingParameters()
    {
        using var dir = new TempDir();
        var a = Path.Combine(dir.Path, "a");
        var b = Path.Combine(dir.Path, "b");
        Assert.Equal(0, (await CliRunner.RunInProcessAsync("backtest", "--strategy", "sma_crossover", "-p", "fast=5", "--out", a, "--quiet")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunInProcessAsync("backtest", "--strategy", "sma_crossover", "-p", "fast=8", "--out", b, "--quiet")).ExitCode);

        var r = await CliRunner.RunInProcessAsync("compare", a, b, "--out", Path.Combine(dir.Path, "c.html"), "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        var runs = doc.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["fast=5", "fast=8"], runs.Select(x => x.GetProperty("name").GetString()));
        Assert.Equal(8, runs[1].GetProperty("parameters").GetProperty("fast").GetInt32());
        Assert.Equal("8", runs[1].GetProperty("differs").GetProperty("strategy.params.fast").GetString());
        Assert.Contains("fast=5 · fast=8", File.ReadAllText(Path.Combine(dir.Path, "c.html")), StringComparison.Ordinal);

        // The same configuration twice: the folders tell them apart.
        var c = Path.Combine(dir.Path, "c");
        Assert.Equal(0, (await CliRunner.RunInProcessAsync("backtest", "--strategy", "sma_crossover", "-p", "fast=5", "--out", c, "--quiet")).ExitCode);
        var same = await CliRunner.RunInProcessAsync("compare", a, c, "--out", Path.Combine(dir.Path, "d.html"), "--json");
        using var sameDoc = JsonDocument.Parse(same.StdOut);
        Assert.Equal(["a", "c"], sameDoc.RootElement.GetProperty("runs").EnumerateArray().Select(x => x.GetProperty("name").GetString()));
    }
}
