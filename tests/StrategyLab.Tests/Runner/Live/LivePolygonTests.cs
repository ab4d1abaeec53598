using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// The live runner with the real Polygon client (minute aggregates) against the loopback Polygon fake: the bars the engine
/// sees are exactly the minutes of the scripted trades, a late <c>AM</c> correction sent before its bar closes replaces the
/// first version, one sent after it is ignored, and the key is never logged. The runner's clock is a fake the test moves.
/// </summary>
public sealed class LivePolygonTests : IDisposable
{
    private const string Key = "fake-polygon-live+key";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-livepg-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static List<FakePolygonTrade> Trades(DateTime from, int seed)
    {
        var rng = new Random(seed);
        var list = new List<FakePolygonTrade>();
        var price = 180.00m;
        for (var t = from.AddMilliseconds(rng.Next(100, 500)); t < from.AddMinutes(1); t = t.AddMilliseconds(rng.Next(500, 3000)))
        {
            price = Math.Round(price + ((decimal)(rng.NextDouble() - 0.5) * 0.2m), 2);
            list.Add(new FakePolygonTrade("AAPL", t, price, rng.Next(1, 500)));
        }

        return list;
    }

    /// <summary>One-minute bars from trades, the plain way (open/close by time).</summary>
    private static List<(DateTime, decimal, decimal, decimal, decimal, decimal)> Minutes(IEnumerable<FakePolygonTrade> trades) =>
        [.. trades.GroupBy(p => new DateTime(p.TimeUtc.Ticks - (p.TimeUtc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var o = g.OrderBy(p => p.TimeUtc).ToList();
                return (g.Key, o[0].Price, o.Max(p => p.Price), o.Min(p => p.Price), o[^1].Price, o.Sum(p => p.Size));
            })];


    [Fact]
    public async Task MinuteAggregates_WithALateCorrection_GiveExactlyTheTapesBars()
    {
        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0 }, TestContext.Current.CancellationToken);
        var start = DateTime.Parse("2024-03-04T15:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal); // 10:00 New York, Monday
        var clock = new FakeTimeProvider(new DateTimeOffset(start));
        await using var live = LiveHarness.Start(
            $$"""
            { "mode": "live", "data": { "provider": "polygon", "symbols": ["AAPL"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-03-04T15:03:30Z",
              "providers": { "polygon": { "api_key": "{{Key}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } } }
            """,
            _dir,
            _logs.CreateFactory(),
            clock);
        var runner = live.Runner;
        await server.WaitUntilAsync(s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("AM.AAPL")), cancellationToken: TestContext.Current.CancellationToken);

        // Minute 0: its AM, then a late trade and the corrected AM with the same start, both before the bar closes.
        var m0 = Trades(start, seed: 21);
        server.PushTrades(m0);
        server.EmitMinute(start);
        var late = new FakePolygonTrade("AAPL", start.AddSeconds(59.5), m0.Max(t => t.Price) + 0.37m, 1234m);
        server.PushTrades(late);
        server.EmitMinute(start);
        await Eventually.Until(() => runner.Counters.ProviderBars >= 2, "minute 0 and its correction");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(65)));
        await Eventually.Until(() => runner.Counters.Cycles >= 1, "cycle 1");

        // The same minute once more after it was closed off: ignored, never counted twice.
        server.EmitMinute(start);
        var m1 = Trades(start.AddMinutes(1), seed: 22);
        server.PushTrades(m1);
        server.EmitMinute(start.AddMinutes(1));
        await Eventually.Until(() => runner.Counters.ProviderBars >= 4, "minute 1");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(125)));
        await Eventually.Until(() => runner.Counters.Cycles >= 2, "cycle 2");

        var m2 = Trades(start.AddMinutes(2), seed: 23);
        server.PushTrades(m2);
        server.EmitMinute(start.AddMinutes(2));
        await Eventually.Until(() => runner.Counters.ProviderBars >= 5, "minute 2");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(185)));
        await Eventually.Until(() => runner.Counters.Cycles >= 3, "cycle 3");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(210)));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task);

        var expected = Minutes([.. m0, late, .. m1, .. m2]);
        Assert.Equal(expected, live.Bars);
        Assert.Equal(1, runner.Counters.LateProviderBars);
        Assert.NotEmpty(_logs.Named("liveMode.connected"));
        _logs.AssertNoneContains(Key);
        _logs.AssertNoneContains(Uri.EscapeDataString(Key));
    }

    [Fact]
    public async Task ADropMidSession_LosesNoBar_TheMissedMinuteComesFromRestAggregates()
    {
        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0 }, TestContext.Current.CancellationToken);
        var start = DateTime.Parse("2024-03-04T15:00:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        var clock = new FakeTimeProvider(new DateTimeOffset(start));
        await using var live = LiveHarness.Start(
            $$"""
            { "mode": "live", "data": { "provider": "polygon", "symbols": ["AAPL"], "timeframe": "1m" },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-03-04T15:03:30Z",
              "providers": { "polygon": { "api_key": "{{Key}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } } }
            """,
            _dir,
            _logs.CreateFactory(),
            clock);
        var runner = live.Runner;
        await server.WaitUntilAsync(s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("AM.AAPL")), cancellationToken: TestContext.Current.CancellationToken);

        var m0 = Trades(start, seed: 31);
        server.PushTrades(m0);
        server.EmitMinute(start);
        await Eventually.Until(() => runner.Counters.ProviderBars >= 1, "minute 0");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(65)));
        await Eventually.Until(() => runner.Counters.Cycles >= 1, "cycle 1");

        // Minute 1 trades while the socket is down: its AM never reaches the client.
        var m1 = Trades(start.AddMinutes(1), seed: 32);
        server.AbortConnections();
        server.PushTrades(m1);
        await server.WaitUntilAsync(s => s.ConnectionsAccepted >= 2 && s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("AM.AAPL")), cancellationToken: TestContext.Current.CancellationToken);
        await Eventually.Until(() => runner.Counters.Disconnects >= 1, "the drop to be seen");
        await Eventually.Until(() => _logs.Named("liveMode.connected").Count >= 2, "the client's own handshake to finish (before the fake clock moves)");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(125)));
        await Eventually.Until(() => runner.Counters.Cycles >= 2, "cycle 2");

        var m2 = Trades(start.AddMinutes(2), seed: 33);
        server.PushTrades(m2);
        server.EmitMinute(start.AddMinutes(2));
        await Eventually.Until(() => runner.Counters.ProviderBars >= 2, "minute 2");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(185)));
        await Eventually.Until(() => runner.Counters.Cycles >= 3, "cycle 3");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(210)));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task);

        var expected = Minutes([.. m0, .. m1, .. m2]);
        Assert.Equal(expected, live.Bars);
        Assert.Equal(1, runner.Counters.BarsBackfilled);
        Assert.Contains(server.RestRequests, r => r.Path.Contains("/v2/aggs/ticker/AAPL/range/1/minute/", StringComparison.Ordinal));
        _logs.AssertNoneContains(Key);
    }
}
