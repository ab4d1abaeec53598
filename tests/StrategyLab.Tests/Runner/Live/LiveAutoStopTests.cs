using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Providers.Polygon;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// <c>auto_stop_at</c> bounds every wait (issue 10, point 23): the first connection being retried after
/// <c>max_connections</c> (a 30 s hold-off), and the warm-up's REST calls backing off after HTTP 429, both end at the stop
/// time, not when their own wait is over. The runner's clock is a fake the test moves.
/// </summary>
public sealed class LiveAutoStopTests : IDisposable
{
    private const string Key = "fake-polygon-autostop-key";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-autostop-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(string text) => LiveTapes.Utc(text);

    private string Config(FakePolygonServer server, int minBars) => $$"""
        { "mode": "live", "data": { "provider": "polygon", "symbols": ["AAPL"], "timeframe": "1m" },
          "live_min_bars": {{minBars}}, "live_warmup_cycles": 0, "auto_stop_at": "2024-03-04T15:00:15Z",
          "providers": { "polygon": { "api_key": "{{Key}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}", "silence_timeout_seconds": 600 } } }
        """;

    [Fact]
    public async Task AStopDueDuringAMaxConnectionsHoldOff_HappensAtTheStopTime()
    {
        var time = new WatchedFakeTime();
        time.Clock.SetUtcNow(new DateTimeOffset(Utc("2024-03-04T15:00:00Z")));
        await using var server = await FakePolygonServer.StartAsync(
            new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0, ConnectionLimitMode = FakeConnectionLimitMode.EvictNew }, Ct);

        // Another client holds the account's one stream: every connection of the run gets max_connections.
        await using var holder = new PolygonFeed(new PolygonOptions { ApiKey = Key, WebSocketUrl = server.WsUrl, RestUrl = server.RestUrl });
        await holder.ConnectAsync([Symbol.Equity("MSFT")], Ct);

        await using var live = LiveHarness.Start(Config(server, minBars: 0), _dir, _logs.CreateFactory(), time);
        await server.WaitUntilAsync(s => s.MaxConnectionsSent >= 1, cancellationToken: Ct);
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(30)); // the hold-off has begun

        time.Clock.SetUtcNow(new DateTimeOffset(Utc("2024-03-04T15:00:15Z")));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct));
        Assert.Equal(Utc("2024-03-04T15:00:15Z"), time.GetUtcNow().UtcDateTime);
        Assert.Single(_logs.Named("liveMode.autoStop"));
    }

    [Fact]
    public async Task AStopDueWhileTheWarmUpBacksOffFromRateLimits_HappensAtTheStopTime()
    {
        var time = new WatchedFakeTime();
        time.Clock.SetUtcNow(new DateTimeOffset(Utc("2024-03-04T15:00:00Z")));
        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0 }, Ct);
        server.Faults.RateLimitNext = 1000;

        await using var live = LiveHarness.Start(Config(server, minBars: 5), _dir, _logs.CreateFactory(), time);
        await server.WaitUntilAsync(s => s.RateLimitedResponses >= 1, cancellationToken: Ct);

        time.Clock.SetUtcNow(new DateTimeOffset(Utc("2024-03-04T15:00:15Z")));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct));
        Assert.Equal(Utc("2024-03-04T15:00:15Z"), time.GetUtcNow().UtcDateTime);
        Assert.Single(_logs.Named("liveMode.autoStop"));
    }
}
