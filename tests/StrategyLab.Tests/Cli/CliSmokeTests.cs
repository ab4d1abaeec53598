using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

public class CliSmokeTests
{
    [Fact]
    public async Task Help_ListsCommands()
    {
        var r = await CliRunner.RunInProcessAsync("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("calendar", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealProcess_RunsAndPrintsHelp()
    {
        var r = await CliRunner.RunProcessAsync(["--help"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Strategy Lab", r.StdOut, StringComparison.Ordinal);
    }
}
