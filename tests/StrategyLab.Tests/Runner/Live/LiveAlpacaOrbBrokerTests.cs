using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Strategies;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// Issue 13: a live ORB session (default risk: a stop-loss and a take-profit on every entry) with its data from the Alpaca
/// fake's bar stream and its orders to the Alpaca fake (<c>broker.type: alpaca</c>, journalled, through
/// <see cref="LiveSession"/> so the run folder is the real one) makes the trades of the backtest of the same bars (real SPY
/// minutes of 2013-10-10); and its journal, resumed in a copy of the folder after the close (replayed, the broker reconciled
/// against the same fake, then stopped at once), rebuilds the same orders, fills and trades.
/// <para>
/// The fake fills at whatever price is pushed; the simulated exchange fills against the bar's range. Before each bar the
/// test plays the simulated exchange's rule at the fake (FillPrices): each working order the bar reaches, in the exchange's
/// order (market, then stops, then limits; then by submission), gets its price pushed (the open when the bar opens at or
/// beyond it, else its level), and the engine hears of the fill (cancelling the OCO sibling, placing the exits of an entry)
/// before the next order is looked at: the exits an entry gets at the open may fill on the same bar, as on the exchange.
/// A price is pushed only when an order fills at it, so no order fills at a price the exchange would not have given it.
/// ORB enters once a day: on this day no bar reaches both exits of the trade, so the stop-first rule is played but not
/// exercised; nor does a stop-limit or trailing stop occur (the script refuses them rather than guess).
/// </para>
/// </summary>
public sealed class LiveAlpacaOrbBrokerTests : IDisposable
{
    private static readonly DateOnly Day = new(2013, 10, 10);
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-alporbbroker-").FullName;
    private readonly CapturingLoggerProvider _logs = new();
    private int _settledFills;

    public void Dispose()
    {
        _logs.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData("", "flatten")] // the default risk: the stop-loss is cancelled at the flatten
    [InlineData(""" "risk": { "stop_loss_pct": 1, "take_profit_pct": 0.3 },""", "take_profit")] // the take-profit fills intrabar
    [InlineData(""" "risk": { "stop_loss_pct": 0.1, "take_profit_pct": 2 },""", "stop_loss")] // the stop-loss fills intrabar
    public async Task OrbTradingThroughAlpaca_OnAlpacaBars_MakesTheBacktestsTrades_AndItsJournalReplaysToTheSameRunFolder(string risk, string exit)
    {
        var ct = TestContext.Current.CancellationToken;
        var lean = TestPaths.RequireLean();
        var ny = NyseCalendar.Instance;
        var minutes = LiveAlpacaOrbTests.SpyRegularMinutes(lean, Day);
        var clock = new FakeTimeProvider(new DateTimeOffset(ny.ToUtc(Day.ToDateTime(new TimeOnly(9, 30)))));
        await using var alpaca = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(o => o with { TimeProvider = clock }), ct);
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, $$"""
            { "mode": "live",
              "data": { "provider": "alpaca", "symbols": ["SPY"], "timeframe": "1m", "from": "2013-10-10", "to": "2013-10-10" },
              "strategy": { "name": "orb" }, "trade_manager": { "position_size_pct": 50 },
              "exchange": { "commission": { "model": "zero" } },
              "engine": { "cancel_orders_on_stop": false },{{risk}}
              "output": { "report": false },
              "live_min_bars": 0, "live_warmup_cycles": 0, "market_hours": { "when_closed": "exit" },
              "broker": { "type": "alpaca" },
              "providers": { "alpaca": { "api_key_id": "{{AlpacaHarness.KeyId}}", "api_secret_key": "{{AlpacaHarness.Secret}}",
                                         "data_url": "{{alpaca.DataUrl}}", "stream_url": "{{alpaca.DataStreamUrl}}", "feed": "iex",
                                         "trading_url": "{{alpaca.TradingUrl}}", "trade_stream_url": "{{alpaca.TradeStreamUrl}}" } } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        var live = ResolvedRun.Resolve(config, effective);

        // The backtest of the same bars, on the simulated exchange.
        var backtest = ResolvedRun.Resolve(config with { Mode = "backtest", Broker = new(), Data = config.Data with { Provider = "lean", Path = lean, Adjustment = "raw" } }, effective);
        var expected = new RecordingRecorder();
        BacktestRunner.Run(backtest, Directory.CreateDirectory(Path.Combine(_dir, "bt")).FullName, NullLoggerFactory.Instance, expected, ct);
        Assert.True(expected.Trips.Count >= 1, "the day must trade");

        // The live session.
        var folder = Path.Combine(_dir, "live", "run");
        var recorder = new RecordingRecorder();
        CountingFeed? feed = null;
        using var stop = new CancellationTokenSource();
        var loggers = _logs.CreateFactory();
        var task = LiveSession.RunAsync(live, folder, loggers, clock, stop.Token, feedFactory: (r, l, t) => feed = new CountingFeed(LiveFeeds.Create(r, l, t)), observer: recorder);
        await alpaca.WaitUntilAsync(s => s.DataStreamListeners == 1 && s.TradeStreamListeners >= 1 && s.ClientMessages.Any(m => m.Contains("\"bars\":[\"SPY\"]", StringComparison.Ordinal)), cancellationToken: ct);

        var sent = 0;
        foreach (var m in minutes)
        {
            await PlayBarAtTheFakeAsync(alpaca, recorder, m);
            alpaca.PushBar(m);
            sent++;
            await Eventually.Until(() => feed!.Bars >= sent, $"bar #{sent}");
            var cycles = recorder.Equity.Count; // an equity point ends each cycle, after its orders went to the broker
            clock.SetUtcNow(new DateTimeOffset(m.StartUtc.AddMinutes(1).AddSeconds(5)));
            await Eventually.Until(() => recorder.Equity.Count > cycles || task.IsCompleted, $"cycle #{sent}");
        }

        await task;
        Assert.Equal(minutes.Count, recorder.Bars.Count);

        static object Trip(StrategyLab.Core.Accounting.RoundTrip t) => (t.Symbol, t.Direction, t.Quantity, t.EntryPrice, t.ExitPrice, t.Pnl, t.ExitReason);
        static object Fill(StrategyLab.Core.Execution.Fill f) => (f.Side, f.Quantity, f.Price, f.Tag);
        Assert.Equal(expected.Fills.Select(Fill), recorder.Fills.Select(Fill));
        Assert.Equal(expected.Trips.Select(Trip), recorder.Trips.Select(Trip));
        Assert.Equal(recorder.Fills.Count, alpaca.Orders.Count(o => o.Status == "filled"));
        Assert.Equal(exit, recorder.Trips[^1].ExitReason);
        if (exit != OrbStrategy.FlattenReason)
        {
            // The exit filled inside the bar, at its level, at the fake.
            Assert.Contains(alpaca.Orders, o => o.Status == "filled" && o.FilledAvgPrice is { } p && (p == o.StopPrice || p == o.LimitPrice));
        }
        Assert.Empty(alpaca.Positions);

        // The journal replays to the same run folder: a copy of it (the journal and the configuration only) resumed after
        // the close, against the same fake, replays the session and stops at once.
        var copy = Path.Combine(_dir, "copy", "run");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(folder).Where(f => Path.GetFileName(f).StartsWith(LiveJournal.FileName, StringComparison.Ordinal) || Path.GetFileName(f) == RunJournal.ConfigFileName))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var ordersAtAlpaca = alpaca.Orders.Count;
        var after = new FakeTimeProvider(new DateTimeOffset(ny.ToUtc(Day.ToDateTime(new TimeOnly(16, 10)))));
        clock.SetUtcNow(after.GetUtcNow());
        var replayed = new RecordingRecorder();
        await LiveSession.RunAsync(live, copy, loggers, after, ct, resume: true, observer: replayed);
        Assert.Equal(ordersAtAlpaca, alpaca.Orders.Count); // nothing sent again
        Assert.NotEmpty(_logs.Named("reconcile.replayed"));
        Assert.Equal(1 + recorder.Trips.Count, File.ReadAllLines(Path.Combine(folder, "trades.csv")).Length);
        Assert.Equal(recorder.Fills.Count, replayed.Fills.Count);
        foreach (var file in (string[])["orders.csv", "fills.csv", "trades.csv", "equity.csv"])
        {
            Assert.Equal(File.ReadAllText(Path.Combine(folder, file)), File.ReadAllText(Path.Combine(copy, file)));
        }

        _logs.AssertNoneContains(AlpacaHarness.Secret);
    }

    /// <summary>
    /// The simulated exchange's fills of bar <paramref name="bar"/>, made at the fake before the bar is sent: every working
    /// order the bar reaches, in the exchange's order, filled at the exchange's price, one at a time with the engine caught up.
    /// </summary>
    private async Task PlayBarAtTheFakeAsync(FakeAlpacaServer alpaca, RecordingRecorder recorder, FakeAlpacaBar bar)
    {
        await SettledAsync(alpaca, recorder, $"orders before {bar.StartUtc:HH:mm}");
        for (var step = 0; step < 8; step++)
        {
            var next = alpaca.Orders
                .Select((o, i) => (Order: o, Index: i))
                .Where(x => x.Order.Status is "new" or "accepted" or "partially_filled")
                .OrderBy(x => x.Order.Type switch { "market" => 0, "stop" => 1, _ => 2 })
                .ThenBy(x => x.Index)
                .Select(x => ExchangePrice(x.Order, bar))
                .FirstOrDefault(p => p is not null);
            if (next is not { } price)
            {
                return;
            }

            var fills = alpaca.Orders.Count(o => o.Status == "filled");
            alpaca.PushPrice("SPY", price);
            Assert.True(alpaca.Orders.Count(o => o.Status == "filled") > fills, $"{price} filled nothing");
            await SettledAsync(alpaca, recorder, $"fills at {price} in {bar.StartUtc:HH:mm}");
        }

        Assert.Fail($"more than 8 fills in the bar of {bar.StartUtc:HH:mm}");
    }

    /// <summary>The simulated exchange's price for <paramref name="o"/> on <paramref name="bar"/> (FillPrices.TryPrice), or null.</summary>
    private static decimal? ExchangePrice(FakeAlpacaOrder o, FakeAlpacaBar bar)
    {
        var buy = o.Side == "buy";
        switch (o.Type)
        {
            case "market":
                return bar.Open;
            case "stop":
                var stop = o.StopPrice!.Value;
                return (buy ? bar.Open >= stop : bar.Open <= stop) ? bar.Open : (buy ? bar.High >= stop : bar.Low <= stop) ? stop : null;
            case "limit":
                var limit = o.LimitPrice!.Value;
                return (buy ? bar.Open <= limit : bar.Open >= limit) ? bar.Open : (buy ? bar.Low < limit : bar.High > limit) ? limit : null;
            default:
                throw new InvalidOperationException($"ORB's risk sends no {o.Type} orders");
        }
    }

    /// <summary>
    /// The engine has every fill the fake made, and what it did about them (exits placed, OCO siblings cancelled) reached the
    /// fake. Checked twice, a little apart: the fill is recorded just before the engine reacts to it on its own thread.
    /// </summary>
    private async Task SettledAsync(FakeAlpacaServer alpaca, RecordingRecorder recorder, string what)
    {
        bool Settled()
        {
            var orders = alpaca.Orders;
            return orders.Count == _logs.Named("broker.order.submitted").Count
                && orders.Count(o => o.Status == "canceled") == _logs.Named("broker.order.cancel_sent").Count
                && orders.Count(o => o.Status == "filled") == recorder.Fills.Count
                && orders.All(o => o.Status != "pending_new");
        }

        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                await Eventually.Until(Settled, what);
            }
            catch (TimeoutException)
            {
                var orders = alpaca.Orders;
                Assert.Fail($"{what}: fake {string.Join("; ", orders.Select(o => $"{o.ClientOrderId} {o.Side} {o.Type} {o.Status} {o.FilledQty}@{o.FilledAvgPrice}"))}; submitted {_logs.Named("broker.order.submitted").Count}, cancels {_logs.Named("broker.order.cancel_sent").Count}, fills {recorder.Fills.Count}");
            }
            if (recorder.Fills.Count == _settledFills)
            {
                return;
            }

            await Task.Delay(40, TestContext.Current.CancellationToken);
            if (Settled())
            {
                _settledFills = recorder.Fills.Count;
                return;
            }
        }

        Assert.Fail($"not settled: {what}");
    }

    /// <summary>A feed that counts the bars the runner has taken from it.</summary>
    private sealed class CountingFeed(ILiveMarketDataFeed inner) : ILiveMarketDataFeed
    {
        private readonly CountingReader _events = new(inner.Events);

        public string Name => inner.Name;

        public Timeframe HistoryResolution => inner.HistoryResolution;

        public ChannelReader<MarketEvent> Events => _events;

        public int Bars => _events.Bars;

        public Task ConnectAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken) => inner.ConnectAsync(symbols, cancellationToken);

        public Task<HistoryResult> GetHistoryAsync(Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken) =>
            inner.GetHistoryAsync(symbol, timeframe, fromUtc, toUtc, cancellationToken);

        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private sealed class CountingReader(ChannelReader<MarketEvent> reader) : ChannelReader<MarketEvent>
        {
            private int _bars;

            public int Bars => Volatile.Read(ref _bars);

            public override bool TryRead(out MarketEvent item)
            {
                if (!reader.TryRead(out item!))
                {
                    return false;
                }

                if (item is BarEvent)
                {
                    Interlocked.Increment(ref _bars);
                }

                return true;
            }

            public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => reader.WaitToReadAsync(cancellationToken);
        }
    }
}
