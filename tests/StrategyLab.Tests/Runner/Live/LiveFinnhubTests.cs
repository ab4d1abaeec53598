using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// The live runner with the real Finnhub client against the loopback Finnhub fake: a scripted session of prints becomes
/// exactly the bars computed here; a connection dropped mid-bar loses and double counts nothing (REST backfill);
/// duplicates count once; garbage frames are skipped; the key is never logged. The runner's clock is a fake the test
/// moves; sockets are real.
/// </summary>
public sealed class LiveFinnhubTests : IDisposable
{
    private const string Key = "fake-finnhub-key";
    private const string Ticker = "BINANCE:BTCUSDT";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-livefh-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static DateTime Utc(string text) =>
        DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), DateTimeKind.Utc);

    private static List<FakeTrade> Prints(DateTime from, DateTime to, int seed)
    {
        var rng = new Random(seed);
        var list = new List<FakeTrade>();
        var price = 42_000.00m;
        for (var t = from.AddMilliseconds(rng.Next(100, 500)); t < to; t = t.AddMilliseconds(rng.Next(400, 1600)))
        {
            price = Math.Round(price + ((decimal)(rng.NextDouble() - 0.5) * 6m), 2);
            list.Add(new FakeTrade(Ticker, t, price, Math.Round((decimal)rng.NextDouble() + 0.0001m, 4)));
        }

        return list;
    }

    /// <summary>One-minute bars from prints, the plain way (open/close by time).</summary>
    private static List<(DateTime, decimal, decimal, decimal, decimal, decimal)> Minutes(IEnumerable<FakeTrade> prints) =>
        [.. prints.GroupBy(p => new DateTime(p.TimeUtc.Ticks - (p.TimeUtc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc))
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var o = g.OrderBy(p => p.TimeUtc).ToList();
                return (g.Key, o[0].Price, o.Max(p => p.Price), o.Min(p => p.Price), o[^1].Price, o.Sum(p => p.Volume));
            })];


    [Fact]
    public async Task ScriptedSession_WithDuplicatesGarbageAndADrop_GivesExactlyTheTapesBars()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { PingInterval = TimeSpan.Zero }, TestContext.Current.CancellationToken);
        var start = Utc("2024-01-06T10:00:00Z");
        var clock = new FakeTimeProvider(new DateTimeOffset(start));
        await using var live = LiveHarness.Start(
            $$"""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["{{Ticker}}"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } },
              "live_min_bars": 0, "live_warmup_cycles": 0, "auto_stop_at": "2024-01-06T10:03:30Z",
              "providers": { "finnhub": { "api_key": "{{Key}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } } }
            """,
            _dir,
            _logs.CreateFactory(),
            clock);
        var runner = live.Runner;
        await server.WaitUntilAsync(s => s.SubscribeMessages >= 1, cancellationToken: TestContext.Current.CancellationToken);

        // Minute 0: every frame twice (duplicates), some frames reversed (out of order), and garbage in between.
        var m0 = Prints(start, start.AddMinutes(1), seed: 11);
        server.Faults.DuplicateFrames = true;
        server.PushTrades(m0[..20]);
        server.SendRaw("this is not json");
        server.SendRaw("{\"type\":\"trade\",\"data\":[{\"s\":\"BINANCE:BTCUSDT\",\"p\":\"oops\",\"t\":1,\"v\":1}]}");
        server.Faults.DuplicateFrames = false;
        server.Faults.OutOfOrder = true;
        server.PushTrades(m0[20..]);
        server.Faults.OutOfOrder = false;
        await Eventually.Until(() => runner.Counters.Trades >= m0.Count + 20, "minute 0 prints");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(65)));
        await Eventually.Until(() => runner.Counters.Cycles >= 1, "cycle 1");

        // Minute 1: half arrives, the socket is dropped, prints during the outage never arrive (they are on the
        // server's tape, so its candles have them), the client reconnects and gets the rest.
        var m1 = Prints(start.AddMinutes(1), start.AddMinutes(2), seed: 12);
        var third = m1.Count / 3;
        server.PushTrades(m1[..third]);
        await Eventually.Until(() => runner.Counters.Trades >= m0.Count + 20 + third, "minute 1, first third");
        server.AbortConnections();
        server.Tape.Add(m1[third..(2 * third)]);
        await server.WaitUntilAsync(s => s.ConnectionsAccepted >= 2 && s.SubscribeMessages >= 2, cancellationToken: TestContext.Current.CancellationToken);
        await Eventually.Until(() => runner.Counters.Disconnects >= 1, "the drop to be seen");
        server.PushTrades(m1[(2 * third)..]);
        await Eventually.Until(() => runner.Counters.Trades >= m0.Count + 20 + third + (m1.Count - (2 * third)), "minute 1, last third");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(125)));
        await Eventually.Until(() => runner.Counters.Cycles >= 2, "cycle 2");

        // Minute 2: quiet and normal.
        var m2 = Prints(start.AddMinutes(2), start.AddMinutes(3), seed: 13);
        server.PushTrades(m2);
        await Eventually.Until(() => runner.TradeCounters.Accepted >= m0.Count + third + (m1.Count - (2 * third)) + m2.Count, "minute 2");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(185)));
        await Eventually.Until(() => runner.Counters.Cycles >= 3, "cycle 3");
        clock.SetUtcNow(new DateTimeOffset(start.AddSeconds(210)));
        Assert.Equal(LiveStopReason.AutoStop, await live.Task);

        var expected = Minutes([.. m0, .. m1, .. m2]);
        Assert.Equal(expected, live.Bars);
        Assert.Equal(20, runner.TradeCounters.Duplicates);
        Assert.Equal(1, runner.Counters.BarsBackfilled);
        Assert.Contains(server.RestRequests, r => r.Path.EndsWith("/stock/candle", StringComparison.Ordinal));
        Assert.Equal(2, _logs.Named("finnhub.frame.malformed").Count);
        Assert.NotEmpty(_logs.Named("liveMode.connected"));
        Assert.NotEmpty(_logs.Named("bar.sync"));
        _logs.AssertNoneContains(Key);
    }

    [Fact]
    public async Task QuoteCheck_FlagsAnUnknownSymbol_NotAsAZeroPrice()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { PingInterval = TimeSpan.Zero }, TestContext.Current.CancellationToken);
        server.Tape.Add([new FakeTrade(Ticker, Utc("2024-01-06T10:00:01Z"), 42_000.5m, 0.1m)]);
        var path = Path.Combine(_dir, "quote.json");
        File.WriteAllText(path, $$"""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["{{Ticker}}", "NOSUCH"] },
              "providers": { "finnhub": { "api_key": "{{Key}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        var run = ResolvedRun.Resolve(config, effective);
        var loggers = _logs.CreateFactory();
        await using var feed = LiveFeeds.Create(run, loggers, TimeProvider.System);
        var missing = await LiveFeeds.CheckSymbolsAsync(feed, run.Symbols, loggers.CreateLogger("test"), TestContext.Current.CancellationToken);
        Assert.Equal(["NOSUCH"], missing.Select(s => s.Ticker));
        Assert.Contains(_logs.Named("liveMode.symbol.noData"), l => l.Message.Contains("NOSUCH", StringComparison.Ordinal));
        Assert.Contains(_logs.Named("liveMode.symbol.quote"), l => l.Message.Contains("42000.5", StringComparison.Ordinal));
        _logs.AssertNoneContains(Key);
    }
}
