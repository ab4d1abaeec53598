using Microsoft.Extensions.Time.Testing;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// Outages against the loopback fakes (issue 10, point 21): the server drops every socket and answers 503 for a while,
/// the client reconnects, re-authenticates and re-subscribes; whatever the feed missed while it was not connected comes
/// back from REST history, wherever the outage falls against a bar boundary, for Polygon (minute aggregates, delivered
/// after their minute ends) and Finnhub (trades, a print of the last second may arrive after the boundary). Nothing is
/// lost or counted twice. The runner and the servers share one fake clock the test moves.
/// </summary>
public sealed class LiveOutageTests : IDisposable
{
    private const string PolygonKey = "fake-polygon-outage-key";
    private const string FinnhubKey = "fake-finnhub-outage-key";
    private const string Crypto = "BINANCE:BTCUSDT";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-outage-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(string text) => LiveTapes.Utc(text);

    private static List<FakePolygonTrade> PolygonTrades(DateTime from, DateTime to, int seed) =>
        LiveTapes.PolygonWalk(from, to, seed, firstGapMs: (100, 500), gapMs: (500, 3000));

    private static List<FakeTrade> FinnhubPrints(DateTime from, DateTime to, int seed)
    {
        var rng = new Random(seed);
        var list = new List<FakeTrade>();
        var price = 42_000.00m;
        for (var t = from.AddMilliseconds(rng.Next(100, 500)); t < to; t = t.AddMilliseconds(rng.Next(400, 1600)))
        {
            price = Math.Round(price + ((decimal)(rng.NextDouble() - 0.5) * 6m), 2);
            list.Add(new FakeTrade(Crypto, t, price, Math.Round((decimal)rng.NextDouble() + 0.0001m, 4)));
        }

        return list;
    }

    /// <summary>One-minute bars, the plain way (open/close by time).</summary>
    private static List<(DateTime, decimal, decimal, decimal, decimal, decimal)> Minutes(IEnumerable<(DateTime Time, decimal Price, decimal Size)> prints) =>
        [.. prints.GroupBy(p => new DateTime(p.Time.Ticks - (p.Time.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var o = g.OrderBy(p => p.Time).ToList();
                return (g.Key, o[0].Price, o.Max(p => p.Price), o.Min(p => p.Price), o[^1].Price, o.Sum(p => p.Size));
            })];

    /// <summary>
    /// Moves the shared clock in quarter seconds through an outage until the client is connected again (more
    /// <c>liveMode.connected</c> events than <paramref name="connectedBefore"/>) and <paramref name="until"/> is reached,
    /// running <paramref name="onStep"/> at each step. While a socket is open but the client's handshake has not finished,
    /// the clock stands still (the handshake's timeouts run on it too).
    /// </summary>
    private async Task StepThroughOutageAsync(FakeTimeProvider clock, Func<int> openSockets, int connectedBefore, DateTime until, Action<DateTime> onStep)
    {
        var guard = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            onStep(now);
            var reconnected = _logs.Named("liveMode.connected").Count > connectedBefore;
            if (reconnected && now >= until)
            {
                return;
            }

            if (DateTime.UtcNow > guard)
            {
                throw new TimeoutException($"no reconnect by {now:O}");
            }

            if (!reconnected && openSockets() > 0)
            {
                await Task.Delay(5, Ct); // a handshake is under way: let it finish on a still clock
                continue;
            }

            clock.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(15, Ct);
        }
    }

    /// <summary>Runs the wake-up after <paramref name="boundary"/> (boundary + 5 s buffer) if stepping has not passed it yet.</summary>
    private static async Task CycleAfterAsync(FakeTimeProvider clock, LiveRunner runner, DateTime boundary, int cycles)
    {
        var wake = boundary.AddSeconds(5.5);
        if (clock.GetUtcNow().UtcDateTime < wake)
        {
            clock.SetUtcNow(new DateTimeOffset(wake));
        }

        await Eventually.Until(() => runner.Counters.Cycles >= cycles, $"cycle {cycles}");
    }

    /// <summary>
    /// The case (the socket dropped 2 s before 15:02 and 503 for 5 s, the 15:01 aggregate sent into the outage),
    /// an outage starting just after the boundary (the 15:01 aggregate, due a moment after 15:02, is lost although the drop
    /// came after the minute ended), and a one-second blip in mid-minute (nothing lost; the backfill changes nothing).
    /// </summary>
    [Theory]
    [InlineData(-2.0, 5.0)]
    [InlineData(0.5, 3.0)]
    [InlineData(-30.0, 1.0)]
    public async Task Polygon_AnOutageAnywhereAroundABoundary_LosesNoMinute(double dropSecondsFromBoundary, double outageSeconds)
    {
        var start = Utc("2024-03-04T15:00:00Z"); // 10:00 New York, Monday
        var clock = new FakeTimeProvider(new DateTimeOffset(start));
        await using var server = await FakePolygonServer.StartAsync(
            new FakePolygonOptions { ApiKeys = [PolygonKey], RequestsPerMinute = 0, TimeProvider = clock, AuthTimeout = TimeSpan.FromHours(1) }, Ct);
        await using var live = LiveHarness.Start(
            $$"""
            { "mode": "live", "data": { "provider": "polygon", "symbols": ["AAPL"], "timeframe": "1m" },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-03-04T15:03:30Z",
              "providers": { "polygon": { "api_key": "{{PolygonKey}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}", "silence_timeout_seconds": 600 } } }
            """,
            _dir,
            _logs.CreateFactory(),
            clock);
        var runner = live.Runner;
        await server.WaitUntilAsync(s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("AM.AAPL")), cancellationToken: Ct);
        await Eventually.Until(() => _logs.Named("liveMode.connected").Count >= 1, "the first connection");

        var m0 = PolygonTrades(start, start.AddMinutes(1), seed: 41);
        server.PushTrades(m0);
        server.EmitMinute(start);
        await Eventually.Until(() => runner.Counters.ProviderBars >= 1, "minute 0");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(65)));
        await Eventually.Until(() => runner.Counters.Cycles >= 1, "cycle 1");

        // Minute 1 trades on the server's tape; its AM goes out half a second after 15:02, to whoever is connected then.
        var boundary = start.AddMinutes(2);
        var m1 = PolygonTrades(start.AddMinutes(1), boundary, seed: 42);
        server.PushTrades(m1);
        var drop = boundary.AddSeconds(dropSecondsFromBoundary);
        clock.SetUtcNow(new DateTimeOffset(drop));
        var connectedBefore = _logs.Named("liveMode.connected").Count;
        server.DropFor(TimeSpan.FromSeconds(outageSeconds));
        await Eventually.Until(() => runner.Counters.Disconnects >= 1 && server.Connections.Count == 0, "the drop to be seen");
        var emitted = false;
        await StepThroughOutageAsync(clock, () => server.Connections.Count, connectedBefore, boundary.AddSeconds(1), now =>
        {
            if (!emitted && now >= boundary.AddSeconds(0.5))
            {
                server.EmitMinute(start.AddMinutes(1));
                emitted = true;
            }
        });
        await server.WaitUntilAsync(s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("AM.AAPL")), cancellationToken: Ct);
        await CycleAfterAsync(clock, runner, boundary, cycles: 2);

        var m2 = PolygonTrades(boundary, boundary.AddMinutes(1), seed: 43);
        server.PushTrades(m2);
        clock.SetUtcNow(new DateTimeOffset(boundary.AddSeconds(60.5)));
        server.EmitMinute(boundary);
        await Eventually.Until(() => runner.Counters.ProviderBars >= (dropSecondsFromBoundary < -5 ? 3 : 2), "minute 2");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(185)));
        await Eventually.Until(() => runner.Counters.Cycles >= 3, "cycle 3");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(210)));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct));

        Assert.True(server.UnavailableResponses >= 1, "the outage answered 503");
        var expected = Minutes([.. m0.Select(t => (t.TimeUtc, t.Price, t.Size)), .. m1.Select(t => (t.TimeUtc, t.Price, t.Size)), .. m2.Select(t => (t.TimeUtc, t.Price, t.Size))]);
        Assert.Equal(expected, live.Bars);
        Assert.Contains(server.RestRequests, r => r.Path.Contains("/v2/aggs/ticker/AAPL/range/1/minute/", StringComparison.Ordinal) && r.StatusCode == 200);
        Assert.True(runner.Counters.BarsBackfilled >= 1);
        Assert.Empty(_logs.Named("liveMode.gap.unfilled"));
        _logs.AssertNoneContains(PolygonKey);
    }

    /// <summary>
    /// Finnhub: the outage starts half a second after 10:02; prints of 10:01:57..59 that would have arrived in that half
    /// second are lost with the socket. The 10:01 bar must come from candles, not be used as built.
    /// </summary>
    [Fact]
    public async Task Finnhub_AnOutageJustAfterABoundary_LosesNoPrintOfThePreviousMinute()
    {
        var start = Utc("2024-01-06T10:00:00Z"); // Saturday: crypto trades
        var clock = new FakeTimeProvider(new DateTimeOffset(start));
        await using var server = await FakeFinnhubServer.StartAsync(
            new FakeFinnhubOptions { ApiKeys = [FinnhubKey], PingInterval = TimeSpan.Zero, TimeProvider = clock }, Ct);
        await using var live = LiveHarness.Start(
            $$"""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["{{Crypto}}"], "timeframe": "1m" },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:03:30Z",
              "providers": { "finnhub": { "api_key": "{{FinnhubKey}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}", "silence_timeout_seconds": 600 } } }
            """,
            _dir,
            _logs.CreateFactory(),
            clock);
        var runner = live.Runner;
        await server.WaitUntilAsync(s => s.SubscribeMessages >= 1, cancellationToken: Ct);
        await Eventually.Until(() => _logs.Named("liveMode.connected").Count >= 1, "the first connection");

        var m0 = FinnhubPrints(start, start.AddMinutes(1), seed: 51);
        server.PushTrades(m0);
        await Eventually.Until(() => runner.Counters.Trades >= m0.Count, "minute 0");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(65)));
        await Eventually.Until(() => runner.Counters.Cycles >= 1, "cycle 1");

        // Minute 1: everything up to 10:01:59 arrives; the prints of its last seconds are still in flight at 10:02:00.5.
        var boundary = start.AddMinutes(2);
        var m1 = FinnhubPrints(start.AddMinutes(1), boundary, seed: 52);
        var onTime = m1.Where(p => p.TimeUtc < boundary.AddSeconds(-3)).ToList();
        var inFlight = m1.Except(onTime).ToList();
        Assert.NotEmpty(inFlight);
        server.PushTrades(onTime);
        await Eventually.Until(() => runner.Counters.Trades >= m0.Count + onTime.Count, "minute 1 on time");
        clock.SetUtcNow(new DateTimeOffset(boundary.AddSeconds(0.5)));
        var connectedBefore = _logs.Named("liveMode.connected").Count;
        server.DropFor(TimeSpan.FromSeconds(3));
        server.PushTrades(inFlight); // on the tape (so in its candles), never delivered
        await Eventually.Until(() => runner.Counters.Disconnects >= 1 && server.Connections.Count == 0, "the drop to be seen");
        await StepThroughOutageAsync(clock, () => server.Connections.Count, connectedBefore, boundary.AddSeconds(1), _ => { });
        await server.WaitUntilAsync(s => s.SubscribeMessages >= 2 && s.Connections.Count >= 1, cancellationToken: Ct);
        await CycleAfterAsync(clock, runner, boundary, cycles: 2);

        var m2 = FinnhubPrints(clock.GetUtcNow().UtcDateTime.AddSeconds(1), boundary.AddMinutes(1), seed: 53);
        server.PushTrades(m2);
        await Eventually.Until(() => runner.TradeCounters.Accepted >= m0.Count + onTime.Count + m2.Count, "minute 2");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(185)));
        await Eventually.Until(() => runner.Counters.Cycles >= 3, "cycle 3");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(210)));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct));

        Assert.True(server.UnavailableResponses >= 1, "the outage answered 503");
        var expected = Minutes([.. m0.Select(p => (p.TimeUtc, p.Price, p.Volume)), .. m1.Select(p => (p.TimeUtc, p.Price, p.Volume)), .. m2.Select(p => (p.TimeUtc, p.Price, p.Volume))]);
        Assert.Equal(expected, live.Bars);
        Assert.Contains(server.RestRequests, r => r.Path.EndsWith("/stock/candle", StringComparison.Ordinal) && r.StatusCode == 200);
        Assert.Empty(_logs.Named("liveMode.gap.unfilled"));
        _logs.AssertNoneContains(FinnhubKey);
    }
}
