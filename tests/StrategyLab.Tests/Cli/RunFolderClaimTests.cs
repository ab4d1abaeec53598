using System.Text.Json;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>Through the CLI: concurrent runs never share a folder, and a folder with anything in it is never written into.</summary>
public sealed class RunFolderClaimTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-claim-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ThreeProcesses_WithTheSameOut_EachWriteTheirOwnFolder()
    {
        var outDir = Path.Combine(_dir, "same");
        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            CliRunner.RunProcessAsync(["backtest", "--out", outDir, "--json", "--strategy", "sma_crossover"], timeout: TimeSpan.FromMinutes(3))));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        var folders = runs.Select(r => JsonDocument.Parse(r.StdOut).RootElement.GetProperty("run_folder").GetString()!).ToList();
        Assert.Equal(new[] { outDir, outDir + "-2", outDir + "-3" }, folders.Order(StringComparer.Ordinal));

        // Each folder holds one whole run: the same equity curve, not the interleaved lines of several.
        var equity = File.ReadAllBytes(Path.Combine(outDir, "equity.csv"));
        Assert.All(folders, f => Assert.Equal(equity, File.ReadAllBytes(Path.Combine(f, "equity.csv"))));
        Assert.All(folders, f => Assert.True(File.Exists(Path.Combine(f, "summary.json")), f));
    }

    [Fact]
    public async Task AUserFolderHoldingATradesCsv_IsNotOverwritten()
    {
        var mine = Path.Combine(_dir, "mine");
        Directory.CreateDirectory(mine);
        File.WriteAllText(Path.Combine(mine, "trades.csv"), "my own trades\n");

        var r = await CliRunner.RunInProcessAsync("backtest", "--out", mine, "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(mine + "-2", JsonDocument.Parse(r.StdOut).RootElement.GetProperty("run_folder").GetString());
        Assert.Equal("my own trades\n", File.ReadAllText(Path.Combine(mine, "trades.csv")));
        Assert.Equal(["trades.csv"], Directory.EnumerateFileSystemEntries(mine).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(mine + "-2", "summary.json")));
    }
}
