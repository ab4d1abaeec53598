using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live.Broker;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Live;

/// <summary>The <c>broker</c> section: paper by default, live only with the file's flag and the command line's, clear errors, no key shown.</summary>
public sealed class BrokerConfigTests : IDisposable
{
    private const string Secret = "sEcReT/broker+config=1";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-brokercfg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string mode, string broker)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, $$"""
            { "mode": "{{mode}}", "data": { "provider": "{{(mode == "live" ? "polygon" : "synthetic")}}", "symbols": ["SPY"], "timeframe": "1m" },
              "broker": {{broker}},
              "output": { "dir": "{{Path.Combine(_dir, "out").Replace("\\", "/", StringComparison.Ordinal)}}" },
              "providers": { "polygon": { "api_key": "k" },
                             "alpaca": { "api_key_id": "PKCONFIGTEST", "api_secret_key": "{{Secret}}", "trading_url": "http://127.0.0.1:9", "trade_stream_url": "ws://127.0.0.1:9/stream" } } }
            """);
        return path;
    }

    private ResolvedRun Resolve(string mode, string broker)
    {
        var (config, effective) = ConfigLoader.Load(Write(mode, broker));
        return ResolvedRun.Resolve(config, effective);
    }

    [Theory]
    [InlineData("backtest", """{ "type": "alpaca" }""", "broker.type")]
    [InlineData("live", """{ "type": "ibkr" }""", "broker.type")]
    [InlineData("live", """{ "type": "simulated", "live": true }""", "broker.live")]
    public void ImpossibleSettings_AreConfigErrors_NamingTheKey(string mode, string broker, string key)
    {
        var e = Assert.Throws<ConfigException>(() => Resolve(mode, broker));
        Assert.Equal(key, e.Key);
    }

    [Fact]
    public async Task PaperIsTheDefault_LiveNeedsTheCommandLinesConfirmation()
    {
        Assert.Null(BrokerSettings.CreateVenue(Resolve("live", "{}"), "r", NullLoggerFactory.Instance, liveTradingConfirmed: true));
        await using (var paper = BrokerSettings.CreateVenue(Resolve("live", """{ "type": "alpaca" }"""), "r", NullLoggerFactory.Instance, liveTradingConfirmed: false))
        {
            Assert.Equal("alpaca-paper", paper!.Name);
        }

        var live = Resolve("live", """{ "type": "alpaca", "live": true }""");
        var e = Assert.Throws<ConfigException>(() => BrokerSettings.CreateVenue(live, "r", NullLoggerFactory.Instance, liveTradingConfirmed: false));
        Assert.Equal("broker.live", e.Key);
        Assert.Contains(BrokerSettings.LiveConfirmationFlag, e.Message, StringComparison.Ordinal);
        await using var confirmed = BrokerSettings.CreateVenue(live, "r", NullLoggerFactory.Instance, liveTradingConfirmed: true);
        Assert.Equal("alpaca-live", confirmed!.Name);
        Assert.Contains(Secret, BrokerSettings.SecretsOf(live));
        Assert.DoesNotContain(Secret, live.Echo.ToJsonString(), StringComparison.Ordinal); // summary.json's configuration
        Assert.DoesNotContain("PKCONFIGTEST", live.Echo.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(Resolve("live", "{}").Echo["broker"]); // defaults are not echoed: summaries of other runs stay as they were
    }

    [Fact]
    public async Task LiveTradingWithoutTheFlag_IsACleanCliError_ThatShowsNoKey()
    {
        var r = await CliRunner.RunInProcessAsync("live", "--config", Write("live", """{ "type": "alpaca", "live": true }"""), "--quiet");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("broker.live", r.StdErr, StringComparison.Ordinal);
        Assert.Contains(BrokerSettings.LiveConfirmationFlag, r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, r.StdOut + r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("PKCONFIGTEST", r.StdOut + r.StdErr, StringComparison.Ordinal);
    }
}
