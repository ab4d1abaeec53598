using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Tests.Runner;

/// <summary>A backtest stopped by Ctrl+C records the stop in summary.json and report.html, not only on stdout.</summary>
public sealed class BacktestStopReasonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-btstop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ResolvedRun DefaultRun()
    {
        var (config, effective) = ConfigLoader.Load(null, []);
        return ResolvedRun.Resolve(config, effective);
    }

    private static string? StopReason(string folder)
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        return summary.RootElement.TryGetProperty("session", out var session) ? session.GetProperty("stop_reason").GetString() : null;
    }

    [Fact]
    public void CancelledMidRun_TheSummaryAndTheReportSayCancelled()
    {
        using var stop = new CancellationTokenSource();
        var folder = Path.Combine(_dir, "cancelled");
        var outcome = BacktestRunner.Run(DefaultRun(), folder, NullLoggerFactory.Instance, new StopAfterBars(stop, 500), stop.Token);

        Assert.Equal("cancelled", outcome.StopReason);
        Assert.Equal("cancelled", StopReason(folder));
        Assert.Contains("stop_reason: cancelled", File.ReadAllText(Path.Combine(folder, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void RunToTheEnd_TheSummarySaysEndOfData_AndTheReportShowsNoStop()
    {
        var folder = Path.Combine(_dir, "full");
        var outcome = BacktestRunner.Run(DefaultRun(), folder, NullLoggerFactory.Instance, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Null(outcome.StopReason);
        Assert.Equal("end_of_data", StopReason(folder));
        Assert.DoesNotContain("stop_reason:", File.ReadAllText(Path.Combine(folder, "report.html")), StringComparison.Ordinal);
    }

    /// <summary>Plays the user pressing Ctrl+C once <paramref name="bars"/> bars have gone through.</summary>
    private sealed class StopAfterBars(CancellationTokenSource stop, int bars) : IRunRecorder
    {
        private int _seen;

        public void OnBar(in Bar bar)
        {
            if (++_seen == bars)
            {
                stop.Cancel();
            }
        }
    }
}
