using StrategyLab.Cli;

namespace StrategyLab.Tests.Cli;

/// <summary>The command tree a process builds: only the command it runs, or all of them when the first word names none.</summary>
public sealed class CommandTreeTests
{
    [Fact]
    public void EveryCommand_IsListedUnderItsOwnName_Once()
    {
        foreach (var (name, create) in CliApp.Commands)
        {
            Assert.Equal(name, create().Name);
        }

        Assert.Equal(CliApp.Commands.Length, CliApp.Commands.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(CliApp.Commands.Select(c => c.Name), CliApp.Build().Subcommands.Select(c => c.Name));
    }

    [Theory]
    [InlineData("backtest --config run.json --quiet", "backtest")]
    [InlineData("data info SPY", "data")]
    [InlineData("worker", "worker")]
    public void ARunOfOneCommand_BuildsOnlyThatCommand(string commandLine, string expected)
    {
        var root = CliApp.BuildFor(commandLine.Split(' '));
        Assert.Equal([expected], root.Subcommands.Select(c => c.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("backtset --quiet")]
    [InlineData("--version")]
    public void WithoutACommandName_EveryCommandIsBuilt(string commandLine)
    {
        var root = CliApp.BuildFor(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(CliApp.Commands.Length, root.Subcommands.Count);
    }

    [Theory]
    [InlineData("backtest --help")]
    [InlineData("data import --help")]
    [InlineData("backtest --no-such-flag")]
    [InlineData("sweep --param")]
    public async Task TheOneCommandTree_ParsesAndHelpsAsTheFullTree(string commandLine)
    {
        var args = commandLine.Split(' ');
        var (fullCode, fullOut, fullErr) = await Run(CliApp.Build(), args);
        var (oneCode, oneOut, oneErr) = await Run(CliApp.BuildFor(args), args);
        Assert.Equal(fullCode, oneCode);
        Assert.Equal(fullOut, oneOut);
        Assert.Equal(fullErr, oneErr);
        Assert.NotEmpty(fullOut + fullErr);
    }

    private static async Task<(int Code, string Out, string Err)> Run(System.CommandLine.RootCommand root, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(root, args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
