using System.Globalization;
using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Core.Calendar;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// Live mode with <c>data.provider = polygon</c> against the Polygon fake: a whole SPY session (real LEAN minutes) sent as
/// <c>AM</c> aggregates, ORB with the default risk, until the close. The trades equal a backtest over the same bars.
/// </summary>
public sealed class LivePolygonOrbTests : IDisposable
{
    private const string Key = "fake-polygon-orb-key";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-pgorb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);


    [Fact]
    public async Task OrbOnMinuteAggregates_OfAScriptedSession_MakesTheBacktestsTrades()
    {
        var lean = TestPaths.RequireLean();
        var day = new DateOnly(2013, 10, 10);
        var ny = NyseCalendar.Instance;

        // The session's regular minutes, read straight from the LEAN zip.
        var minutes = new List<FakeAggregate>();
        using (var zip = ZipFile.OpenRead(Path.Combine(lean, "equity", "usa", "minute", "spy", "20131010_trade.zip")))
        using (var reader = new StreamReader(zip.Entries[0].Open()))
        {
            while (reader.ReadLine() is { Length: > 0 } line)
            {
                var f = line.Split(',');
                var local = day.ToDateTime(TimeOnly.MinValue).AddMilliseconds(long.Parse(f[0], CultureInfo.InvariantCulture));
                if (local.TimeOfDay < new TimeSpan(9, 30, 0) || local.TimeOfDay >= new TimeSpan(16, 0, 0))
                {
                    continue;
                }

                decimal P(int i) => decimal.Parse(f[i], CultureInfo.InvariantCulture) / 10000m;
                var startMs = new DateTimeOffset(ny.ToUtc(local)).ToUnixTimeMilliseconds();
                minutes.Add(new FakeAggregate("SPY", startMs, startMs + 60_000, P(1), P(2), P(3), P(4), decimal.Parse(f[5], CultureInfo.InvariantCulture), P(4), 1));
            }
        }

        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0 }, TestContext.Current.CancellationToken);
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, $$"""
            { "data": { "provider": "polygon", "symbols": ["SPY"], "timeframe": "1m", "from": "2013-10-10", "to": "2013-10-10" },
              "strategy": { "name": "orb" }, "trade_manager": { "position_size_pct": 50 },
              "live_min_bars": 0, "live_warmup_cycles": 0, "market_hours": { "when_closed": "exit" },
              "providers": { "polygon": { "api_key": "{{Key}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        var live = ResolvedRun.Resolve(config with { Mode = "live" }, effective);

        // The backtest over the same bars (the LEAN day itself).
        // The fake is fed the raw LEAN minutes: the backtest reads them raw too (LEAN's default is adjusted).
        var leanConfig = config with { Data = config.Data with { Provider = "lean", Path = lean, Adjustment = "raw" } };
        var backtest = ResolvedRun.Resolve(leanConfig, effective);
        var backtestTrades = new RecordingRecorder();
        BacktestRunner.Run(backtest, Directory.CreateDirectory(Path.Combine(_dir, "bt")).FullName, NullLoggerFactory.Instance, backtestTrades, TestContext.Current.CancellationToken);

        var clock = new FakeTimeProvider(new DateTimeOffset(ny.ToUtc(day.ToDateTime(new TimeOnly(9, 30)))));
        var recorder = new RecordingRecorder();
        var assembly = EngineAssembly.Build(live, recorder, NullLoggerFactory.Instance);
        await using var feed = LiveFeeds.Create(live, NullLoggerFactory.Instance, clock);
        var runner = new LiveRunner(live, feed, assembly, clock, NullLoggerFactory.Instance);
        var task = runner.RunAsync(TestContext.Current.CancellationToken);
        await server.WaitUntilAsync(s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("AM.SPY")), cancellationToken: TestContext.Current.CancellationToken);

        var sent = 0;
        foreach (var m in minutes)
        {
            server.SendAggregate(m);
            sent++;
            await Eventually.Until(() => runner.Counters.ProviderBars >= sent, $"AM #{sent}");
            clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(m.EndMs + 5_000));
            await Eventually.Until(() => runner.Counters.Cycles >= sent || task.IsCompleted, $"cycle #{sent}");
        }

        Assert.Equal(LiveStopReason.MarketClosed, await task);
        Assert.Equal(minutes.Count, recorder.Bars.Count);
        Assert.NotEmpty(backtestTrades.Trips);
        Assert.Equal(backtestTrades.Trips, recorder.Trips);
        Assert.Equal(backtestTrades.Fills, recorder.Fills);
    }
}
