using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Strategies;
using StrategyLab.Examples;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Examples;

/// <summary>
/// The example examples/momentum-rotation (MomentumRotation.cs compiled into this project, its run.json read for
/// everything but the strategy) on the real LEAN daily data of ../shared.
/// </summary>
public sealed class MomentumRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-momentum-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The example's run.json with the LEAN path of this machine and a built-in strategy name standing in for the source file.</summary>
    private ResolvedRun ExampleRun()
    {
        var lean = TestPaths.RequireLean();
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "examples", "momentum-rotation", "run.json"));
        var root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        root["data"]!["path"] = lean;
        Assert.Equal("MomentumRotation.cs", (string?)root["strategy"]!["source"]);
        root["strategy"] = new JsonObject { ["name"] = "sma_crossover" }; // the strategy object is passed in below
        var config = Path.Combine(_dir, "run.json");
        File.WriteAllText(config, root.ToJsonString());
        var (loaded, effective) = ConfigLoader.Load(config, []);
        return ResolvedRun.Resolve(loaded, effective);
    }

    [Fact]
    public void RunsOnTheLeanDailyEtfs_RebalancingMonthly_IntoAtMostTopCountPositions()
    {
        var run = ExampleRun();
        var strategy = new MomentumRotation();
        strategy.ValidateParameters(new StrategySetup(run.Engine.Timeframe, run.Symbols));
        var data = HistoricalDataFactory.Open(run, NullLoggerFactory.Instance);
        var recorder = new RecordingRecorder();
        var assembly = EngineAssembly.Build(
            run with { Engine = run.Engine with { CorporateActions = data.Actions } },
            recorder,
            NullLoggerFactory.Instance,
            strategy,
            data.OutsideSession);

        assembly.Engine.Run(data.Bars);
        assembly.Engine.Finish(assembly.Engine.LastSliceTimeUtc);

        Assert.Equal(4, run.Symbols.Count);
        Assert.True(strategy.Rebalances >= 12 * 10, $"{strategy.Rebalances} rebalances over 2005–2020");
        Assert.NotEmpty(recorder.Trips);
        Assert.All(recorder.Trips, t => Assert.Equal("rotate_out", t.ExitReason));
        Assert.Contains(recorder.Trips, t => t.Symbol != recorder.Trips[0].Symbol);

        // Every order is decided at the close of a month's first session (a deferred buy: of its second one).
        var ny = run.CalendarOf(run.Symbols[0]);
        var sessions = recorder.Bars.Where(b => b.Symbol == Symbol.Equity("SPY")).Select(b => DateOnly.FromDateTime(ny.ToExchangeTime(b.Start))).ToList();
        var firstOfMonth = sessions.Where((d, i) => i > 0 && d.Month != sessions[i - 1].Month).ToHashSet();
        var secondOfMonth = sessions.Where((d, i) => i > 1 && firstOfMonth.Contains(sessions[i - 1])).ToHashSet();
        var decisions = recorder.Events.Where(e => e.Kind == OrderEventKind.Accepted).Select(e => DateOnly.FromDateTime(ny.ToExchangeTime(e.Order.CreatedUtc))).ToList();
        Assert.NotEmpty(decisions);
        Assert.All(decisions, d => Assert.True(firstOfMonth.Contains(d) || secondOfMonth.Contains(d), $"an order decided on {d}"));
        Assert.True(decisions.Distinct().Count(firstOfMonth.Contains) >= 12 * 10);

        // Never more than top_count (2) positions; fully invested most of the time; no order refused.
        Assert.All(recorder.Equity, p => Assert.InRange(p.OpenPositions, 0, strategy.TopCount));
        Assert.True(recorder.Equity.Count(p => p.OpenPositions == strategy.TopCount) > recorder.Equity.Count * 9 / 10);
        var rejected = recorder.Events.Where(e => e.Kind == OrderEventKind.Rejected).Select(e => $"{e.Order} {e.Order.RejectReason} at {e.TimeUtc:O}").ToList();
        Assert.True(rejected.Count == 0, string.Join(Environment.NewLine, rejected.Take(10)));
        Assert.All(recorder.Fills, f => Assert.Equal(f.TimeUtc, recorder.Bars.First(b => b.Symbol == f.Symbol && b.Start == f.TimeUtc).Start));
        Assert.True(assembly.Portfolio.Equity > 0);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{strategy.Rebalances} rebalances, {recorder.Fills.Count} fills, {recorder.Trips.Count} trades, " +
            $"equity {assembly.Portfolio.Equity:F2} from {assembly.Portfolio.InitialCash:F2}, blocked {assembly.TradeManager.BlockedEntries}");
    }
}
