using System.Globalization;
using System.IO.Compression;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Core.Calendar;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>
/// Live mode with <c>data.provider = alpaca</c> against the Alpaca fake: a whole SPY session (real LEAN minutes) streamed as
/// minute bars (<c>T:"b"</c>), ORB with the default risk, until the close. The trades equal a backtest over the same bars.
/// </summary>
public sealed class LiveAlpacaOrbTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-alporb-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task OrbOnAlpacaMinuteBars_OfAScriptedSession_MakesTheBacktestsTrades()
    {
        var lean = TestPaths.RequireLean();
        var day = new DateOnly(2013, 10, 10);
        var ny = NyseCalendar.Instance;

        var minutes = SpyRegularMinutes(lean, day);

        var clock = new FakeTimeProvider(new DateTimeOffset(ny.ToUtc(day.ToDateTime(new TimeOnly(9, 30)))));
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(o => o with { TimeProvider = clock }), TestContext.Current.CancellationToken);
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, $$"""
            { "data": { "provider": "alpaca", "symbols": ["SPY"], "timeframe": "1m", "from": "2013-10-10", "to": "2013-10-10" },
              "strategy": { "name": "orb" }, "trade_manager": { "position_size_pct": 50 },
              "live_min_bars": 0, "live_warmup_cycles": 0, "market_hours": { "when_closed": "exit" },
              "providers": { "alpaca": { "api_key_id": "{{AlpacaHarness.KeyId}}", "api_secret_key": "{{AlpacaHarness.Secret}}",
                                         "data_url": "{{server.DataUrl}}", "stream_url": "{{server.DataStreamUrl}}", "feed": "iex" } } }
            """);
        var (config, effective) = ConfigLoader.Load(path);
        var live = ResolvedRun.Resolve(config with { Mode = "live" }, effective);
        Assert.Equal("***", live.Echo["providers"]!["alpaca"]!["api_secret_key"]!.GetValue<string>());
        Assert.Equal("***", live.Echo["providers"]!["alpaca"]!["api_key_id"]!.GetValue<string>());

        var leanConfig = config with { Data = config.Data with { Provider = "lean", Path = lean, Adjustment = "raw" } };
        var backtest = ResolvedRun.Resolve(leanConfig, effective);
        var backtestTrades = new RecordingRecorder();
        BacktestRunner.Run(backtest, Directory.CreateDirectory(Path.Combine(_dir, "bt")).FullName, NullLoggerFactory.Instance, backtestTrades, TestContext.Current.CancellationToken);

        var recorder = new RecordingRecorder();
        var assembly = EngineAssembly.Build(live, recorder, NullLoggerFactory.Instance);
        await using var feed = LiveFeeds.Create(live, NullLoggerFactory.Instance, clock);
        Assert.IsType<AlpacaDataFeed>(feed);
        var runner = new LiveRunner(live, feed, assembly, clock, NullLoggerFactory.Instance);
        var task = runner.RunAsync(TestContext.Current.CancellationToken);
        await server.WaitUntilAsync(s => s.DataStreamListeners == 1 && s.ClientMessages.Any(m => m.Contains("\"bars\":[\"SPY\"]", StringComparison.Ordinal)), cancellationToken: TestContext.Current.CancellationToken);

        var sent = 0;
        foreach (var m in minutes)
        {
            server.PushBar(m);
            sent++;
            await Eventually.Until(() => runner.Counters.ProviderBars >= sent, $"bar #{sent}");
            clock.SetUtcNow(new DateTimeOffset(m.StartUtc.AddMinutes(1).AddSeconds(5)));
            await Eventually.Until(() => runner.Counters.Cycles >= sent || task.IsCompleted, $"cycle #{sent}");
        }

        Assert.Equal(LiveStopReason.MarketClosed, await task);
        Assert.Equal(minutes.Count, recorder.Bars.Count);
        Assert.NotEmpty(backtestTrades.Trips);
        Assert.Equal(backtestTrades.Trips, recorder.Trips);
        Assert.Equal(backtestTrades.Fills, recorder.Fills);
    }

    /// <summary>SPY's regular-session minutes of <paramref name="day"/> from the LEAN minute zip, as the Alpaca fake's bars.</summary>
    internal static List<FakeAlpacaBar> SpyRegularMinutes(string lean, DateOnly day)
    {
        var ny = NyseCalendar.Instance;
        var minutes = new List<FakeAlpacaBar>();
        using var zip = ZipFile.OpenRead(Path.Combine(lean, "equity", "usa", "minute", "spy", day.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "_trade.zip"));
        using var reader = new StreamReader(zip.Entries[0].Open());
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var f = line.Split(',');
            var local = day.ToDateTime(TimeOnly.MinValue).AddMilliseconds(long.Parse(f[0], CultureInfo.InvariantCulture));
            if (local.TimeOfDay < new TimeSpan(9, 30, 0) || local.TimeOfDay >= new TimeSpan(16, 0, 0))
            {
                continue;
            }

            decimal P(int i) => decimal.Parse(f[i], CultureInfo.InvariantCulture) / 10000m;
            minutes.Add(new FakeAlpacaBar("SPY", ny.ToUtc(local), P(1), P(2), P(3), P(4), long.Parse(f[5], CultureInfo.InvariantCulture)));
        }

        return minutes;
    }
}
