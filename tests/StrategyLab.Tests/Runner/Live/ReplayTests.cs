using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

public sealed class ReplayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ResolvedRun Config(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        var (config, effective) = ConfigLoader.Load(path);
        return ResolvedRun.Resolve(config, effective);
    }

    [Theory]
    [InlineData("orb", "2013-10-08")]
    [InlineData("sma_crossover", "2013-10-10")]
    public async Task ReplayOfARealSpyDay_AtSpeedup600_MakesTheBacktestsTrades(string strategy, string day)
    {
        var lean = TestPaths.RequireLean().Replace("\\", "/", StringComparison.Ordinal);
        var json = $$"""
            { "data": { "provider": "lean", "path": "{{lean}}", "symbols": ["SPY"], "timeframe": "1m", "from": "{{day}}", "to": "{{day}}" },
              "strategy": { "name": "{{strategy}}" }, "trade_manager": { "position_size_pct": 50 },
              "speedup": 600, "replay": { "enabled": true } }
            """;
        var backtest = Config(json.Replace("\"replay\": { \"enabled\": true }", "\"replay\": { \"enabled\": false }", StringComparison.Ordinal));
        var replay = Config(json);
        var backtestFolder = Directory.CreateDirectory(Path.Combine(_dir, "backtest")).FullName;
        var replayFolder = Directory.CreateDirectory(Path.Combine(_dir, "replay")).FullName;

        BacktestRunner.Run(backtest, backtestFolder, NullLoggerFactory.Instance, cancellationToken: TestContext.Current.CancellationToken);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var clock = new SteppingClock(start);
        var task = LiveSession.RunAsync(replay, replayFolder, NullLoggerFactory.Instance, clock, TestContext.Current.CancellationToken);
        await clock.RunAsync(task, start.AddDays(1));
        var outcome = await task;

        var trades = File.ReadAllText(Path.Combine(backtestFolder, "trades.csv"));
        Assert.True(trades.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length > 1, "the backtest made no trade: the comparison would be empty");
        Assert.Equal(trades, File.ReadAllText(Path.Combine(replayFolder, "trades.csv")));
        Assert.Equal(File.ReadAllText(Path.Combine(backtestFolder, "fills.csv")), File.ReadAllText(Path.Combine(replayFolder, "fills.csv")));

        // 390 regular minutes at 600× take 39 s on the replay's clock (the pre-market is skipped, not waited for).
        var elapsed = clock.UtcNow - start;
        Assert.InRange(elapsed.TotalSeconds, 38.9, 39.1);
        Assert.Null(outcome.StopReason);
        Assert.True(File.Exists(Path.Combine(replayFolder, "log.jsonl")));
        Assert.True(File.Exists(Path.Combine(replayFolder, "bars.csv")));
    }
}
