using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>What a help text promises is what the command does.</summary>
public class HelpTextTests
{
    [Fact]
    public async Task Live_PromisesNoBuiltInDefault_AndHasNone()
    {
        var help = await CliRunner.RunInProcessAsync("live", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.DoesNotContain("built-in default runs", help.StdOut, StringComparison.Ordinal);
        Assert.Contains("data.provider", help.StdOut, StringComparison.Ordinal);

        using var dir = new TempDir();
        var run = await CliRunner.RunInProcessAsync("live", "--out", Path.Combine(dir.Path, "x"), "--quiet");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("data.provider", run.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("backtest")]
    [InlineData("replay")]
    public async Task BacktestAndReplay_PromiseTheBuiltInDefault_AndRunIt(string command)
    {
        var help = await CliRunner.RunInProcessAsync(command, "--help");
        Assert.Contains("Without it the built-in default runs", help.StdOut, StringComparison.Ordinal);

        using var dir = new TempDir();
        string[] args = command == "replay" ? [command, "--speedup", "0", "--out", Path.Combine(dir.Path, "x"), "--quiet"] : [command, "--out", Path.Combine(dir.Path, "x"), "--quiet"];
        var run = await CliRunner.RunInProcessAsync(args);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(dir.Path, "x", "summary.json")), "no summary.json");
    }

    [Fact]
    public async Task Data_DescriptionNamesEverySubcommand()
    {
        var help = await CliRunner.RunInProcessAsync("--help");
        var line = help.StdOut.Split('\n').Single(l => l.TrimStart().StartsWith("data ", StringComparison.Ordinal));
        var data = await CliRunner.RunInProcessAsync("data", "--help");
        var commands = data.StdOut[data.StdOut.IndexOf("Commands:", StringComparison.Ordinal)..]
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(l => l.Trim().Split(' ')[0])
            .Where(c => c.Length > 0)
            .ToList();
        Assert.Equal(["import", "info", "migrate", "download"], commands);

        // What each subcommand does, as the top-level description words it.
        foreach (var word in new[] { "import", "coverage", "migrate", "download" })
        {
            Assert.Contains(word, line, StringComparison.Ordinal);
        }
    }
}
