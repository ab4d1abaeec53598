using StrategyLab.Cli;

namespace StrategyLab.Tests.Cli;

/// <summary>What Ctrl+C does, without the process: the first asks for a graceful stop, a second exits at once.</summary>
public sealed class ShutdownSignalsTests
{
    [Fact]
    public void FirstCtrlC_AsksForAGracefulStop_TheSecondExitsWith130()
    {
        var exits = new List<int>();
        var error = new StringWriter();
        using var signals = new ShutdownSignals(CancellationToken.None, error, install: false, exits.Add);

        signals.Interrupt();
        Assert.True(signals.Token.IsCancellationRequested);
        Assert.Empty(exits);
        Assert.Contains("Ctrl+C: stopping gracefully", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Second Ctrl+C", error.ToString(), StringComparison.Ordinal);

        signals.Interrupt();
        Assert.Equal([130], exits);
        Assert.Contains("Second Ctrl+C: exiting now.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheOuterToken_StopsTheRunToo()
    {
        using var outer = new CancellationTokenSource();
        using var signals = new ShutdownSignals(outer.Token, TextWriter.Null, install: false, _ => Assert.Fail("no exit"));
        outer.Cancel();
        Assert.True(signals.Token.IsCancellationRequested);
    }
}
