using System.Globalization;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Tests.Providers.Alpaca;

namespace StrategyLab.Tests.Support;

/// <summary>
/// A market for <c>strategylab live</c> processes: the Alpaca fake (trading REST, <c>trade_updates</c>, crypto data stream)
/// and a price pump that prints a seeded BTC/USD random walk every 100 ms, both as a trade on the data stream (the run's
/// 1-second bars) and as the fake's fill price (its market orders fill on the next print). Writes the live config.
/// </summary>
public sealed class AlpacaLiveMarket : IAsyncDisposable
{
    /// <summary>The traded symbol.</summary>
    public const string Symbol = "BTC/USD";

    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private Task _pump = Task.CompletedTask;
    private volatile bool _paused;
    private decimal _price = 42_000m;
    private long _tradeId;

    private AlpacaLiveMarket(FakeAlpacaServer server, int seed)
    {
        Server = server;
        _random = new Random(seed);
    }

    /// <summary>The Alpaca fake.</summary>
    public FakeAlpacaServer Server { get; }

    /// <summary>The environment of a CLI process: the Alpaca keys (never in the config file).</summary>
    public static IReadOnlyDictionary<string, string> KeyEnvironment { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [AlpacaOptions.KeyIdVariable] = AlpacaHarness.KeyId,
        [AlpacaOptions.SecretKeyVariable] = AlpacaHarness.Secret,
    };

    /// <summary>Starts the fake and the pump.</summary>
    public static async Task<AlpacaLiveMarket> StartAsync(int seed)
    {
        var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), TestContext.Current.CancellationToken);
        var market = new AlpacaLiveMarket(server, seed);
        market._pump = Task.Run(market.PumpAsync);
        return market;
    }

    /// <summary>Stops the prints (and so the fills) until <see cref="Resume"/>.</summary>
    public void Pause() => _paused = true;

    /// <summary>Prints again.</summary>
    public void Resume() => _paused = false;

    /// <summary>
    /// Drops every stream (<c>trade_updates</c> and market data) and refuses their reconnects for <paramref name="outage"/>
    /// while prices keep moving: orders fill at the fake and nobody hears of it until the client is back and reconciles.
    /// </summary>
    public async Task DropStreamsAsync(TimeSpan outage)
    {
        Server.Faults.RefuseStreamUpgrades = true;
        Server.AbortTradeStreams();
        Server.AbortDataStreams();
        try
        {
            await Task.Delay(outage, TestContext.Current.CancellationToken);
        }
        finally
        {
            Server.Faults.RefuseStreamUpgrades = false;
        }
    }

    /// <summary>
    /// A live config: SMA 2/3 on 1-second BTC/USD bars from Alpaca's crypto trades, 0.01 BTC a trade, orders to the Alpaca
    /// fake (paper), no commission, open orders left at the broker on a stop (so a resume has something to find).
    /// <paramref name="broker"/> <c>simulated</c> trades the simulated exchange on the same data instead.
    /// </summary>
    public string WriteConfig(string directory, string outputFolder, string broker = "alpaca")
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, $$"""
            { "mode": "live",
              "data": { "provider": "alpaca", "symbols": ["{{Symbol}}"], "timeframe": "1s" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 0.01 },
              "exchange": { "commission": { "model": "zero" } },
              "engine": { "cancel_orders_on_stop": false },
              "live_min_bars": 0, "live_warmup_cycles": 0,
              "market_hours": { "bar_sync_buffer_seconds": 0.2 },
              "broker": { "type": "{{broker}}" },
              "providers": { "alpaca": {
                "trading_url": "{{Server.TradingUrl}}", "trade_stream_url": "{{Server.TradeStreamUrl}}",
                "data_url": "{{Server.DataUrl}}", "stream_url": "{{Server.DataStreamUrl}}", "late_grace_seconds": 0.3 } },
              "output": { "dir": "{{outputFolder.Replace('\\', '/')}}", "report": false } }
            """);
        return path;
    }

    /// <summary>Stops the pump and the fake.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        await Server.DisposeAsync();
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (_paused)
                {
                    continue;
                }

                _price = Math.Round(_price + ((decimal)(_random.NextDouble() - 0.5) * 40m), 2);
                Server.PushTrade(Symbol, _price, 0.5m, DateTime.UtcNow, Interlocked.Increment(ref _tradeId));
                Server.PushPrice(Symbol, _price);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Text for the test output.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"BTC/USD at {_price}, {Server.Orders.Count} order(s) at the fake");
}
