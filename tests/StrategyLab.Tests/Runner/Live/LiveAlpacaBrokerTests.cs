using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// A live SMA session with <c>broker.type: alpaca</c>: bars from the Polygon fake, orders (entries, the default stop-loss,
/// its cancel at each exit) to the Alpaca fake, which fills every market order at the open of the next bar, as the
/// simulated exchange does. The trades equal those of the engine run over the same bars on the simulated exchange.
/// </summary>
public sealed class LiveAlpacaBrokerTests : IDisposable
{
    private const string PolygonKey = "fake-polygon-broker-key";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-livealpaca-").FullName;
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static List<FakeAggregate> Minutes(DateOnly day, int count)
    {
        var ny = NyseCalendar.Instance;
        var list = new List<FakeAggregate>();
        var close = 100m;
        for (var i = 0; i < count; i++)
        {
            var open = close;
            close = Math.Round(100m + (0.8m * (decimal)Math.Sin(i / 2.0)), 2);
            var startMs = new DateTimeOffset(ny.ToUtc(day.ToDateTime(new TimeOnly(9, 30)).AddMinutes(i))).ToUnixTimeMilliseconds();
            list.Add(new FakeAggregate("SPY", startMs, startMs + 60_000, open, Math.Max(open, close) + 0.05m, Math.Min(open, close) - 0.05m, close, 1000, close, 10));
        }

        return list;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SmaSession_TradingThroughAlpaca_MakesTheSimulatedExchangesTrades(bool journalled)
    {
        var day = new DateOnly(2024, 3, 4);
        var minutes = Minutes(day, 40);
        var ct = TestContext.Current.CancellationToken;
        await using var polygon = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [PolygonKey], RequestsPerMinute = 0 }, ct);
        await using var alpaca = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), ct);
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, $$"""
            { "mode": "live",
              "data": { "provider": "polygon", "symbols": ["SPY"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 5 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 10 },
              "exchange": { "commission": { "model": "zero" } },
              "live_min_bars": 0, "live_warmup_cycles": 0, "market_hours": { "when_closed": "exit" },
              "auto_stop_at": "2024-03-04T10:10:30-05:00",
              "broker": { "type": "alpaca" },
              "providers": {
                "polygon": { "api_key": "{{PolygonKey}}", "ws_url": "{{polygon.WsUrl}}", "rest_url": "{{polygon.RestUrl}}" },
                "alpaca": { "api_key_id": "{{AlpacaHarness.KeyId}}", "api_secret_key": "{{AlpacaHarness.Secret}}",
                            "trading_url": "{{alpaca.TradingUrl}}", "trade_stream_url": "{{alpaca.TradeStreamUrl}}" } } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        var run = ResolvedRun.Resolve(config, effective);
        var loggers = _logs.CreateFactory();

        // The same bars on the simulated exchange.
        var expected = new RecordingRecorder();
        var simulated = EngineAssembly.Build(run, expected, NullLoggerFactory.Instance);
        simulated.Engine.Run(minutes.Select(m => new Bar(
            Symbol.Equity("SPY"),
            DateTimeOffset.FromUnixTimeMilliseconds(m.StartMs).UtcDateTime,
            DateTimeOffset.FromUnixTimeMilliseconds(m.EndMs).UtcDateTime,
            m.Open, m.High, m.Low, m.Close, m.Volume)));

        var clock = new FakeTimeProvider(new DateTimeOffset(NyseCalendar.Instance.ToUtc(day.ToDateTime(new TimeOnly(9, 30)))));
        var recorder = new RecordingRecorder();
        var folder = Path.Combine(_dir, "e2e-run");
        using var journal = journalled ? RunJournal.Open(folder, run.Echo, resume: false, clock, loggers.CreateLogger("test"), fsyncEachCommit: false) : null;
        await using var broker = BrokerSettings.CreateVenue(run, "e2e-run", loggers, liveTradingConfirmed: false)!;
        var assembly = EngineAssembly.Build(run, recorder, loggers, broker: broker, journal: journal);
        Assert.Same(broker, assembly.Broker);
        await using var feed = LiveFeeds.Create(run, loggers, clock);
        var runner = new LiveRunner(run, feed, assembly, clock, loggers);
        var task = runner.RunAsync(ct);
        await polygon.WaitUntilAsync(s => s.Connections.Any(c => c.Authenticated && c.Subscriptions.Contains("AM.SPY")), cancellationToken: ct);

        var sent = 0;
        foreach (var m in minutes)
        {
            // Every order of the last cycle is at Alpaca; the market ones fill at this bar's open, and the engine has
            // the fills before it sees the bar.
            await Eventually.Until(() => alpaca.Orders.Count == _logs.Named("broker.order.submitted").Count, $"orders before bar #{sent}");
            alpaca.PushPrice("SPY", m.Open);
            await Eventually.Until(() => assembly.Engine.Counters.Fills == alpaca.Orders.Count(o => o.Status == "filled"), $"fills before bar #{sent}");

            polygon.SendAggregate(m);
            sent++;
            await Eventually.Until(() => runner.Counters.ProviderBars >= sent, $"AM #{sent}");
            clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(m.EndMs + 5_000));
            await Eventually.Until(() => runner.Counters.Cycles >= sent || task.IsCompleted, $"cycle #{sent}");
        }

        clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(minutes[^1].EndMs + 30_000));
        Assert.Equal(LiveStopReason.AutoStop, await task);

        static object Key(StrategyLab.Core.Accounting.RoundTrip t) => (t.Symbol, t.Direction, t.Quantity, t.EntryPrice, t.ExitPrice, t.Pnl, t.ExitReason);
        Assert.True(expected.Trips.Count >= 2, $"the path must make trades ({expected.Trips.Count})");
        Assert.Equal(expected.Trips.Select(Key), recorder.Trips.Select(Key));
        Assert.Equal(expected.Fills.Select(f => (f.Side, f.Quantity, f.Price, f.Tag)), recorder.Fills.Select(f => (f.Side, f.Quantity, f.Price, f.Tag)));

        // Each fill once at Alpaca too, and every order of the run carries the run's deterministic id.
        Assert.Equal(recorder.Fills.Count, alpaca.Orders.Count(o => o.Status == "filled"));
        Assert.All(alpaca.Orders, o => Assert.StartsWith("sl-e2erun-", o.ClientOrderId, StringComparison.Ordinal));
        Assert.Contains(alpaca.Orders, o => o.Type == "stop" && o.Status == "canceled"); // the stop-loss, cancelled at each exit
        Assert.NotEmpty(_logs.Named("broker.connected"));
        if (journalled)
        {
            // The journal in front of the broker: every order Alpaca got was journalled first, under the id Alpaca got,
            // and the journal's fills and positions are Alpaca's.
            journal!.Dispose();
            var state = JournalState.Load(folder);
            Assert.Equal(alpaca.Orders.Select(o => o.ClientOrderId).Order(), state.OrderRequests.Order());
            Assert.Equal(
                alpaca.Orders.Select(o => $"{o.ClientOrderId} {o.Type} {o.Status}").Order(),
                alpaca.Orders.Select(o => $"{o.ClientOrderId} {o.Type} {state.Orders[o.ClientOrderId].Status}").Order());

            Assert.Equal(recorder.Fills.Sum(f => f.Quantity), state.Orders.Values.Sum(o => o.FilledQuantity));
            Assert.Equal(assembly.Portfolio.GetPosition(Symbol.Equity("SPY"))?.Quantity ?? 0m, state.Positions.GetValueOrDefault("SPY"));
        }

        _logs.AssertNoneContains(AlpacaHarness.Secret);
        _logs.AssertNoneContains(PolygonKey);
    }
}
