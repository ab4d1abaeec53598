using System.Text.Json;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary><c>backtest --timings</c>: the stage table on stderr, nothing else changed.</summary>
public sealed class BacktestTimingsCliTests : IDisposable
{
    private static readonly string[] Stages =
        ["command_line", "config_load", "config_resolve", "data_open", "first_bar", "engine_setup", "engine_loop", "finish", "run_folder_and_report", "summary", "total"];

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-timings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Timings_PrintEveryStageInOrderOnStderr_AndLeaveTheRunFolderAndStdoutAlone()
    {
        string[] run = ["backtest", "--strategy", "sma_crossover", "--symbols", "SYNA", "--from", "2024-01-02", "--to", "2024-01-05", "--quiet"];
        // The same --out twice (the second run lands in "<dir>-2"): the report names the configured folder.
        var plainDir = Path.Combine(_dir, "run");
        var timedDir = plainDir + "-2";
        var plain = await CliRunner.RunInProcessAsync([.. run, "--out", plainDir]);
        var timed = await CliRunner.RunInProcessAsync([.. run, "--out", plainDir, "--timings"]);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.True(timed.ExitCode == 0, timed.ToString());

        Assert.DoesNotContain("timings:", plain.StdErr, StringComparison.Ordinal);
        var lines = timed.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var header = Array.FindIndex(lines, l => l.StartsWith("timings:", StringComparison.Ordinal));
        Assert.True(header >= 0, timed.ToString());
        // In process there is no Main of ours, so no "runtime" line: the stages start at the command line.
        Assert.Equal(Stages, lines.Skip(header + 2).Select(l => l.Split(' ')[0]));
        foreach (var line in lines.Skip(header + 2))
        {
            var wall = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(wall >= 0, line);
        }

        Assert.Contains("Sharpe", timed.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("engine_loop", timed.StdOut, StringComparison.Ordinal);
        var files = Directory.GetFiles(plainDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Directory.GetFiles(timedDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        Assert.Contains("report.html", files);
        foreach (var f in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(plainDir, f!)).SequenceEqual(File.ReadAllBytes(Path.Combine(timedDir, f!))), $"{f} differs with --timings");
        }
    }

    [Fact]
    public async Task WithJson_StdoutStaysOneJsonDocument_AndARunWithoutAReportHasNoReportStage()
    {
        var config = Path.Combine(_dir, "no-report.json");
        File.WriteAllText(config, """{ "data": { "provider": "synthetic", "symbols": ["SYNA"], "from": "2024-01-02", "to": "2024-01-02" }, "output": { "report": false } }""");
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", Path.Combine(_dir, "json"), "--json", "--timings");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.True(doc.RootElement.TryGetProperty("summary", out _));
        Assert.Contains("engine_loop", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("\nreport ", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("run_folder_and_report", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("\nrun_folder ", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyBacktest_HasTheFlag()
    {
        var r = await CliRunner.RunInProcessAsync("replay", "--timings", "--out", Path.Combine(_dir, "replay"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--timings", r.StdErr, StringComparison.Ordinal);
    }
}
