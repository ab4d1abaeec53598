using System.Text.Json.Nodes;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Reporting;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Tests.Runner;

public sealed class ConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static ResolvedRun Resolve(string? path, params ConfigOverride[] overrides)
    {
        var (config, effective) = ConfigLoader.Load(path, overrides);
        return ResolvedRun.Resolve(config, effective);
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var run = Resolve(null);
        Assert.Equal(RunMode.Backtest, run.Mode);
        Assert.Equal("synthetic", run.Config.Data.Provider);
        Assert.Equal("orb", run.StrategyFactory.Name);
        Assert.Equal(15, run.StrategyParameters.GetInt("opening_range_minutes"));
        Assert.Equal(5, run.StrategyParameters.GetInt("flatten_minutes_before_close"));
        Assert.False(run.StrategyParameters.GetBool("allow_short"));
        Assert.Equal(2.0m, run.Risk.StopLossPct);
        Assert.Null(run.Risk.TakeProfitPct);
        Assert.Equal(SizingMode.RiskPercent, run.TradeManager.Sizing);
        Assert.Equal(0.5m, run.TradeManager.RiskPct);
        Assert.Equal(100m, run.TradeManager.MaxPositionPct);
        Assert.Equal(2m, run.TradeManager.StopDistancePct);
        Assert.Equal(3, run.TradeManager.MaxPositions);
        Assert.Equal(new PerShareCommission(0.005m, 1.00m, 0.5m), run.Exchange.Commission);
        Assert.Equal(100_000m, run.Config.Exchange.InitialCash);
        Assert.Equal(AccountType.Cash, run.Account);
        Assert.Equal(Timeframe.OneMinute, run.Timeframe);
        Assert.Equal(60, run.Config.PollingSeconds);
        Assert.Equal(1.0, run.Config.Speedup);
        Assert.Equal(20, run.Config.LiveMinBars);
        Assert.Equal(5, run.Config.LiveWarmupCycles);
        Assert.Equal(5, run.Config.MarketHours.BarSyncBufferSeconds);
    }

    [Fact]
    public void TheIssuesExampleFile_Loads()
    {
        var run = Resolve(Write("""
            { "mode": "backtest",
              "data": { "provider": "synthetic", "symbols": ["SPY"], "timeframe": "1m",
                        "from": "2013-10-07", "to": "2013-10-11" },
              "strategy": { "name": "orb", "params": { "opening_range_minutes": 15 } },
              "risk": { "stop_loss_pct": 2.0, "take_profit_pct": null, "trailing_stop_pct": null },
              "trade_manager": { "sizing": "percent_equity", "position_size_pct": 0.5, "max_positions": 3 },
              "exchange": { "initial_cash": 100000, "commission": { "model": "per_share" }, "slippage_bps": 0 },
              "output": { "dir": "runs/{timestamp}" } }
            """));
        Assert.Equal([Symbol.Equity("SPY")], run.Symbols);
        Assert.Equal(new DateOnly(2013, 10, 7), run.From);
        Assert.Equal(new DateOnly(2013, 10, 11), run.To);
    }

    [Fact]
    public void UnknownKey_NamesTheKey_TheFileAndTheLine()
    {
        var path = Write("""
            {
              "data": {
                "provider": "synthetic",
                "symbolz": ["SPY"]
              }
            }
            """);
        var ex = Assert.Throws<ConfigException>(() => Resolve(path));
        Assert.Equal("data.symbolz", ex.Key);
        Assert.Contains($"{path}:4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "risk": { "stop_loss_pct": "two" } }""", "risk.stop_loss_pct", "expected a number")]
    [InlineData("""{ "data": { "symbols": "SPY" } }""", "data.symbols", "expected a list of strings")]
    [InlineData("""{ "trade_manager": { "max_positions": 2.5 } }""", "trade_manager.max_positions", "expected a whole number")]
    [InlineData("""{ "engine": { "close_positions_at_end": "yes" } }""", "engine.close_positions_at_end", "expected true or false")]
    [InlineData("""{ "exchange": 5 }""", "exchange", "expected an object")]
    public void WrongTypes_NameTheKey(string json, string key, string problem)
    {
        var ex = Assert.Throws<ConfigException>(() => Resolve(Write(json)));
        Assert.Equal(key, ex.Key);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "exchange": { "initial_cash": -5 } }""", "exchange.initial_cash")]
    [InlineData("""{ "risk": { "stop_loss_pct": 100 } }""", "risk.stop_loss_pct")]
    [InlineData("""{ "risk": { "stop_loss_pct": 0 } }""", "risk.stop_loss_pct")]
    [InlineData("""{ "strategy": { "name": "sma_crossover", "params": { "fast": 30, "slow": 10 } } }""", "strategy.params.fast")]
    [InlineData("""{ "strategy": { "name": "sma_crossover", "params": { "fast": 30, "slow": 30 } } }""", "strategy.params.fast")]
    [InlineData("""{ "strategy": { "name": "orb", "params": { "opening_range": 15 } } }""", "strategy.params.opening_range")]
    [InlineData("""{ "strategy": { "name": "orb", "params": { "allow_short": "maybe" } } }""", "strategy.params.allow_short")]
    [InlineData("""{ "strategy": { "name": "nope" } }""", "strategy.name")]
    [InlineData("""{ "data": { "timeframe": "1h" }, "strategy": { "name": "orb", "params": { "opening_range_minutes": 15 } } }""", "strategy.params.opening_range_minutes")]
    [InlineData("""{ "data": { "timeframe": "7m" } }""", "data.timeframe")]
    [InlineData("""{ "data": { "provider": "ftp" } }""", "data.provider")]
    [InlineData("""{ "data": { "provider": "csv" } }""", "data.path")]
    [InlineData("""{ "data": { "provider": "csv", "path": "/no/such/file.csv" } }""", "data.path")]
    [InlineData("""{ "data": { "from": "2024-02-01", "to": "2024-01-01" } }""", "data.to")]
    [InlineData("""{ "data": { "from": "01/02/2024" } }""", "data.from")]
    [InlineData("""{ "data": { "symbols": [] } }""", "data.symbols")]
    [InlineData("""{ "trade_manager": { "sizing": "kelly" } }""", "trade_manager.sizing")]
    [InlineData("""{ "trade_manager": { "sizing": "fixed_qty" } }""", "trade_manager.quantity")]
    [InlineData("""{ "exchange": { "commission": { "model": "flat" } } }""", "exchange.commission.model")]
    [InlineData("""{ "speedup": -1 }""", "speedup")]
    [InlineData("""{ "auto_stop_at": "soon" }""", "auto_stop_at")]
    [InlineData("""{ "mode": "paper" }""", "mode")]
    [InlineData("""{ "market_hours": { "calendar": "LSE" } }""", "market_hours.calendar")]
    [InlineData("""{ "providers": { "finnhub": { "ws_url": "http://x" } } }""", "providers.finnhub.ws_url")]
    [InlineData("""{ "providers": { "finnhub": { "rest_url": "wss://ws.finnhub.io" } } }""", "providers.finnhub.rest_url")]
    [InlineData("""{ "providers": { "polygon": { "ws_url": "https://api.massive.com" } } }""", "providers.polygon.ws_url")]
    [InlineData("""{ "providers": { "alpaca": { "data_url": "wss://stream.data.alpaca.markets" } } }""", "providers.alpaca.data_url")]
    [InlineData("""{ "providers": { "alpaca": { "stream_url": "https://data.alpaca.markets" } } }""", "providers.alpaca.stream_url")]
    public void ImpossibleValues_NameTheKey(string json, string key)
    {
        var ex = Assert.Throws<ConfigException>(() => Resolve(Write(json)));
        Assert.Equal(key, ex.Key);
        Assert.StartsWith(key + ":", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInEndpoints_AreTheDefaults_AndPassTheUriCheckTheyShortcut()
    {
        // IsUrl skips Uri for these (loading System.Private.Uri costs ~1 % of a small run): each must be what Uri accepts.
        string[] expected = ["wss://ws.finnhub.io", "https://finnhub.io/api/v1", "wss://socket.massive.com/stocks", "https://api.massive.com", "wss://stream.data.alpaca.markets", "https://data.alpaca.markets"];
        Assert.Equal(expected, ResolvedRun.BuiltInEndpoints);
        foreach (var url in ResolvedRun.BuiltInEndpoints)
        {
            Assert.True(Uri.TryCreate(url, UriKind.Absolute, out var uri));
            var secure = uri.Scheme;
            var plain = secure == "wss" ? "ws" : "http";
            Assert.True(ResolvedRun.IsUrl(url, plain, secure));
            Assert.False(ResolvedRun.IsUrl(url, secure == "wss" ? "http" : "ws", secure == "wss" ? "https" : "wss"));
        }
    }

    [Theory]
    [InlineData("wss://ws.finnhub.io", "ws", "wss", true)]
    [InlineData("ws://localhost:8080/feed", "ws", "wss", true)]
    [InlineData("WSS://WS.FINNHUB.IO", "ws", "wss", true)]
    [InlineData("https://finnhub.io/api/v1", "ws", "wss", false)]
    [InlineData("http://127.0.0.1:5000", "http", "https", true)]
    [InlineData("wss://ws.finnhub.io", "http", "https", false)]
    [InlineData("finnhub.io", "http", "https", false)]
    [InlineData("", "http", "https", false)]
    [InlineData(null, "ws", "wss", false)]
    public void IsUrl_AgreesWithUri(string? text, string plain, string secure, bool expected)
    {
        var byUri = Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == plain || uri.Scheme == secure);
        Assert.Equal(expected, byUri);
        Assert.Equal(expected, ResolvedRun.IsUrl(text, plain, secure));
    }

    [Theory]
    [InlineData("sma_crossover")]
    [InlineData("rsi_reversion")]
    [InlineData("orb")]
    public void ShortSellingOnACashAccount_FailsAtLoad_NamingTheParameter(string strategy)
    {
        var ex = Assert.Throws<ConfigException>(() => Resolve(Write($$"""{ "strategy": { "name": "{{strategy}}", "params": { "allow_short": true } } }""")));
        Assert.Equal("strategy.params.allow_short", ex.Key);
        Assert.Contains("exchange.account: \"margin\"", ex.Message, StringComparison.Ordinal);

        // The same with a margin account, or without shorts, is fine.
        var margin = Resolve(Write($$"""{ "strategy": { "name": "{{strategy}}", "params": { "allow_short": true } }, "exchange": { "account": "margin" } }"""));
        Assert.True(margin.StrategyParameters.GetBool("allow_short"));
        Resolve(Write($$"""{ "strategy": { "name": "{{strategy}}", "params": { "allow_short": false } } }"""));
    }

    [Theory]
    [InlineData("2024-01-06", "2024-01-07")] // a weekend
    [InlineData("2020-01-20", "2020-01-20")] // Martin Luther King Jr. Day
    [InlineData("2023-12-23", "2023-12-25")] // a weekend and Christmas
    public void ARangeWithNoSession_FailsAtLoad_NamingTheRange(string from, string to)
    {
        var ex = Assert.Throws<ConfigException>(() => Resolve(Write($$"""{ "data": { "symbols": ["SPY"], "from": "{{from}}", "to": "{{to}}" } }""")));
        Assert.Equal("data.from", ex.Key);
        Assert.Contains($"{from}..{to}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("data.to", ex.Message, StringComparison.Ordinal);

        // One trading day more is enough; a crypto symbol trades every day.
        Resolve(Write($$"""{ "data": { "symbols": ["SPY"], "from": "{{from}}", "to": "2024-01-08" } }"""));
        Resolve(Write($$"""{ "data": { "symbols": ["BINANCE:BTCUSDT"], "from": "{{from}}", "to": "{{to}}" } }"""));
    }

    [Fact]
    public void BrokenJson_NamesTheFileAndLine()
    {
        var path = Write("{\n  \"data\": {\n    \"provider\": \"csv\",,\n  }\n}");
        var ex = Assert.Throws<ConfigException>(() => Resolve(path));
        Assert.Contains($"{path}:3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsAClearError()
    {
        var ex = Assert.Throws<ConfigException>(() => Resolve(Path.Combine(_dir, "missing.json")));
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overrides_WinOverTheFile_AndErrorsNameTheFlag()
    {
        var path = Write("""{ "data": { "symbols": ["SPY"] }, "strategy": { "name": "orb" } }""");
        var run = Resolve(
            path,
            new ConfigOverride("--symbols", "data.symbols", new JsonArray("AAPL", "MSFT")),
            new ConfigOverride("--strategy", "strategy.name", JsonValue.Create("sma_crossover")),
            new ConfigOverride("--param", "strategy.params.fast", JsonValue.Create("5")),
            new ConfigOverride("--cash", "exchange.initial_cash", ConfigLoader.Number("--cash", "exchange.initial_cash", "25000")));
        Assert.Equal(["AAPL", "MSFT"], run.Symbols.Select(s => s.Ticker));
        Assert.Equal(5, run.StrategyParameters.GetInt("fast"));
        Assert.Equal(25_000m, run.Config.Exchange.InitialCash);

        var bad = Assert.Throws<ConfigException>(() => Resolve(path, new ConfigOverride("--cash", "exchange.initial_cash", JsonValue.Create("lots"))));
        Assert.Contains("--cash", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => ConfigLoader.Number("--cash", "exchange.initial_cash", "lots"));
    }

    [Fact]
    public void AStrategyFlag_ForAnotherStrategy_StartsFromItsDefaults_AndSaysWhichParamsItDropped()
    {
        var path = Write("""{ "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } } }""");
        var run = Resolve(path, new ConfigOverride("--strategy", "strategy.name", JsonValue.Create("orb")));
        Assert.Equal("orb", run.StrategyFactory.Name);
        Assert.Equal(15, run.StrategyParameters.GetInt("opening_range_minutes"));
        var warning = Assert.Single(run.Warnings);
        Assert.Contains("--strategy orb replaces the configuration's strategy 'sma_crossover'", warning, StringComparison.Ordinal);
        Assert.Contains("(fast, slow)", warning, StringComparison.Ordinal);

        // The file's strategy named again keeps its parameters; --param still applies on top of the new defaults.
        var same = Resolve(path, new ConfigOverride("--strategy", "strategy.name", JsonValue.Create("sma_crossover")));
        Assert.Equal(20, same.StrategyParameters.GetInt("slow"));
        Assert.Empty(same.Warnings);
        var withParam = Resolve(
            path,
            new ConfigOverride("--strategy", "strategy.name", JsonValue.Create("orb")),
            new ConfigOverride("--param", "strategy.params.opening_range_minutes", JsonValue.Create("30")));
        Assert.Equal(30, withParam.StrategyParameters.GetInt("opening_range_minutes"));

        // A file naming no strategy runs the default (orb): its params are orb's, and --strategy orb keeps them.
        var implicitOrb = Write("""{ "strategy": { "params": { "opening_range_minutes": 30 } } }""");
        Assert.Equal(30, Resolve(implicitOrb, new ConfigOverride("--strategy", "strategy.name", JsonValue.Create("orb"))).StrategyParameters.GetInt("opening_range_minutes"));
        Assert.Equal(10, Resolve(implicitOrb, new ConfigOverride("--strategy", "strategy.name", JsonValue.Create("sma_crossover"))).StrategyParameters.GetInt("fast"));
    }

    [Theory]
    [InlineData("""{ "trade_manager": { "position_size_pct": 5 } }""", SizingMode.PercentEquity)]
    [InlineData("""{ "risk": { "stop_loss_pct": null } }""", SizingMode.PercentEquity)]
    [InlineData("""{ "risk": { "stop_loss_pct": null, "trailing_stop_pct": 3 } }""", SizingMode.RiskPercent)]
    [InlineData("""{ "trade_manager": { "sizing": "risk_percent", "position_size_pct": 5 } }""", SizingMode.RiskPercent)]
    [InlineData("""{ }""", SizingMode.RiskPercent)]
    public void TheDefaultSizing_IsRiskPercent_UnlessTheFileAsksForPercentOfEquityOrHasNoStop(string json, SizingMode expected)
    {
        var run = Resolve(Write(json));
        Assert.Equal(expected, run.TradeManager.Sizing);
        Assert.Equal(expected == SizingMode.RiskPercent ? "risk_percent" : "percent_equity", run.Echo["trade_manager"]?["sizing"]?.GetValue<string>() ?? FindSizing(run.Echo));
    }

    private static string? FindSizing(JsonNode? node) => node switch
    {
        JsonObject o when o["trade_manager"] is JsonObject tm => tm["sizing"]?.GetValue<string>(),
        JsonObject o => o.Select(p => FindSizing(p.Value)).FirstOrDefault(v => v is not null),
        _ => null,
    };

    [Fact]
    public void ReplayWinsOverLiveMode_WithAWarning()
    {
        var run = Resolve(Write("""{ "live_mode": true, "replay": { "enabled": true } }"""));
        Assert.Equal(RunMode.Replay, run.Mode);
        Assert.Contains(run.Warnings, w => w.Contains("replay takes precedence", StringComparison.Ordinal));
    }

    [Fact]
    public void ApiKeys_AreRedactedInTheEcho()
    {
        var run = Resolve(Write("""{ "providers": { "finnhub": { "api_key": "sekrit-123" } } }"""));
        Assert.DoesNotContain("sekrit-123", run.Echo.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("sekrit-123", run.Config.Providers.Finnhub.ApiKey);
    }

    [Theory]
    [InlineData("15:55", 15, 55, 8)]
    [InlineData("09:30:30", 9, 30, 9)] // already past at 10:00: the next day
    public void AutoStop_TimeOfDay(string text, int hour, int minute, int day)
    {
        var stop = AutoStop.Parse(text)!;
        Assert.Equal(hour, stop.TimeOfDay!.Value.Hour);
        Assert.Equal(minute, stop.TimeOfDay!.Value.Minute);
        var cal = StrategyLab.Core.Calendar.NyseCalendar.Instance;
        var start = new DateTime(2024, 1, 8, 15, 0, 0, DateTimeKind.Utc); // 10:00 New York
        Assert.Equal(cal.ToUtc(new DateTime(2024, 1, day, hour, minute, text.Length > 5 ? 30 : 0)), stop.FirstAfter(start, cal));
    }

    [Fact]
    public void AutoStop_Instant()
    {
        var stop = AutoStop.Parse("2024-01-08T15:55:00-05:00")!;
        Assert.Equal(new DateTime(2024, 1, 8, 20, 55, 0, DateTimeKind.Utc), stop.Instant);
        Assert.Null(AutoStop.Parse("2024-01-08 15:55"));
    }
    [Theory]
    [InlineData("""{ "mode": "backtest", "mode": "backtest" }""", "'mode'")]
    [InlineData("""{ "exchange": { "initial_cash": 1000, "initial_cash": 2000 } }""", "'initial_cash'")]
    [InlineData("""{ "exchange": { "commission": { "model": "zero", "model": "zero" } } }""", "'model'")]
    [InlineData("""{ "strategy": { "name": "sma_crossover", "params": { "fast": 5, "fast": 6 } } }""", "'fast'")]
    [InlineData("""{ "strategy": { "name": "sma_crossover", "params": { "fast": { "a": 1, "a": 2 } } } }""", "'a'")]
    [InlineData("""{ "data": { "symbols": ["SPY"] }, "instruments": { "SPY": { "price_increment": 0.01 }, "SPY": { "price_increment": 0.01 } } }""", "SPY")]
    public void ARepeatedKey_AtAnyDepth_IsAnErrorNamingIt(string json, string key)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Write(json)));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.Contains("uplicate", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("""{ "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } }, "exchange": { "initial_cash": 5000.50 } }""")]
    [InlineData("""{ "data": { "provider": "synthetic", "symbols": ["SYNA", "SYNB"] }, "risk": { "stop_loss_pct": null }, "benchmark": "none" }""")]
    public void TheEffectiveConfiguration_IsWhatTheSerializerMakesOfIt(string? json)
    {
        var (config, effective) = ConfigLoader.Load(json is null ? null : Write(json));
        var expected = System.Text.Json.JsonSerializer.SerializeToNode(config, ConfigLoader.SerializerOptions)!;
        Assert.Equal(expected.ToJsonString(), effective.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected, effective));
    }
}
