using Microsoft.Extensions.Time.Testing;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// Sub-minute timeframes on Polygon (issue 10, point 22): a 5 s run subscribes to second aggregates (<c>A.*</c>), warms up
/// from REST second aggregates, and builds exactly the 5 s bars of the tape across a minute boundary (where a minute
/// aggregate used to end the run); a combination the Polygon stream cannot serve is refused at load, naming the key.
/// </summary>
public sealed class LivePolygonSecondsTests : IDisposable
{
    private const string Key = "fake-polygon-seconds-key";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-livepg5s-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(string text) => LiveTapes.Utc(text);

    private static List<FakePolygonTrade> Trades(DateTime from, DateTime to, int seed) =>
        LiveTapes.PolygonWalk(from, to, seed, firstGapMs: (50, 300), gapMs: (200, 900));

    /// <summary>Five-second bars from trades, the plain way.</summary>
    private static List<(DateTime, decimal, decimal, decimal, decimal, decimal)> FiveSeconds(IEnumerable<FakePolygonTrade> trades) =>
        [.. trades.GroupBy(p => new DateTime(p.TimeUtc.Ticks - (p.TimeUtc.Ticks % (5 * TimeSpan.TicksPerSecond)), DateTimeKind.Utc))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var o = g.OrderBy(p => p.TimeUtc).ToList();
                return (g.Key, o[0].Price, o.Max(p => p.Price), o.Min(p => p.Price), o[^1].Price, o.Sum(p => p.Size));
            })];

    [Fact]
    public async Task FiveSecondBars_ComeFromSecondAggregates_AcrossAMinuteBoundary_WithRestWarmUp()
    {
        var start = Utc("2024-03-04T15:00:50Z");
        var clock = new FakeTimeProvider(new DateTimeOffset(start));
        await using var server = await FakePolygonServer.StartAsync(
            new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0, TimeProvider = clock, AuthTimeout = TimeSpan.FromHours(1) }, Ct);
        var warm = Trades(start.AddSeconds(-20), start, seed: 61);
        server.PushTrades(warm); // history only: nobody is connected yet
        await using var live = LiveHarness.Start(
            $$"""
            { "mode": "live", "data": { "provider": "polygon", "symbols": ["AAPL"], "timeframe": "5s" },
              "live_min_bars": 3, "live_warmup_cycles": 0, "auto_stop_at": "2024-03-04T15:01:12Z",
              "market_hours": { "bar_sync_buffer_seconds": 1 },
              "providers": { "polygon": { "api_key": "{{Key}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}",
                                          "late_grace_seconds": 0.5, "silence_timeout_seconds": 600 } } }
            """,
            _dir,
            _logs.CreateFactory(),
            clock);
        var runner = live.Runner;
        await server.WaitUntilAsync(s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("A.AAPL")), cancellationToken: Ct);
        await Eventually.Until(() => runner.Counters.WarmupBars > 0 || _logs.Named("liveMode.warmup.unavailable").Count > 0, "the warm-up");
        Assert.Equal(3, runner.Counters.WarmupBars);
        Assert.Contains(server.RestRequests, r => r.Path.Contains("/range/1/second/", StringComparison.Ordinal) && r.StatusCode == 200);
        Assert.DoesNotContain(server.Connections, c => c.Subscriptions.Contains("AM.AAPL"));

        // Twenty seconds of trades across 15:01; the server sends every second's A (and would send AM to AM subscribers).
        var trades = Trades(start, start.AddSeconds(20), seed: 62);
        server.PushTrades(trades);
        var sent = 0;
        for (var s = start; s < start.AddSeconds(20); s = s.AddSeconds(1))
        {
            sent += server.EmitSecond(s).Count;
        }

        server.EmitMinute(Utc("2024-03-04T15:00:00Z"));
        await Eventually.Until(() => runner.Counters.ProviderBars >= sent, "the second aggregates");
        clock.SetUtcNow(new DateTimeOffset(Utc("2024-03-04T15:01:12Z")));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct));

        Assert.Equal(FiveSeconds(trades), live.Bars);
        _logs.AssertNoneContains(Key);
    }

    [Fact]
    public void PolygonLive_WithACryptoSymbol_IsRefusedAtLoad_NamingTheKey()
    {
        var path = Path.Combine(_dir, "live.json");
        File.WriteAllText(path, """
            { "mode": "live", "data": { "provider": "polygon", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "5s" },
              "providers": { "polygon": { "api_key": "k" } } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        var e = Assert.Throws<ConfigException>(() => ResolvedRun.Resolve(config, effective));
        Assert.Equal("data.symbols", e.Key);
        Assert.Contains("BINANCE:BTCUSDT", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolygonLive_WithACryptoSymbol_ExitsWith2_WithoutAStackTrace()
    {
        var path = Path.Combine(_dir, "live-cli.json");
        File.WriteAllText(path, $$"""
            { "mode": "live", "data": { "provider": "polygon", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "5s" },
              "providers": { "polygon": { "api_key": "k", "ws_url": "ws://127.0.0.1:9/stocks", "rest_url": "http://127.0.0.1:9" } },
              "output": { "dir": "{{Path.Combine(_dir, "run").Replace("\\", "/", StringComparison.Ordinal)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync("live", "--config", path);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("data.symbols", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
    }
}
