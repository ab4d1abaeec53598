using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// The hand binder and writer of run configurations (<see cref="ConfigBinder"/>, <see cref="ConfigEcho"/>) against
/// the serializer they stand in for: what the binder accepts binds to the serializer's values, what the serializer
/// rejects the binder leaves to it, and the echo is the serializer's, key for key.
/// </summary>
public sealed class ConfigBinderTests
{
    /// <summary>Every key of every section the binder reads, with values other than the defaults.</summary>
    private const string EveryKey = """
        {
          // comments and trailing commas are allowed
          "mode": "replay",
          "data": { "provider": "csv", "path": "bars/x.csv", "symbols": ["SPY", "Q\u00e9Q", "a\"b"], "timeframe": "5m",
                    "source_timeframe": "1m", "from": "2024-01-02", "to": "2024-02-01", "time_is": "end", "skip_bad_rows": true,
                    "asset_class": "equity", "adjustment": "split", "seed": -7, },
          "strategy": { "name": "sma_crossover", "source": null, "assembly": "x.dll",
                        "params": { "fast": 3, "slow": 1.50, "nested": { "a": [1, { "b": null }], "c": "\u00fc" }, "flag": true } },
          "risk": { "stop_loss_pct": null, "take_profit_pct": 4.250, "trailing_stop_pct": 1e-3, "daily_loss_limit_pct": 79228162514264337593543950335 },
          "trade_manager": { "sizing": "fixed", "risk_pct": 0.25, "max_position_pct": 50, "position_size_pct": 2.0,
                             "quantity": 100, "notional": null, "max_positions": 9 },
          "exchange": { "initial_cash": 25000.00, "commission": { "model": "percent", "per_share": 0.01, "minimum": 0,
                        "max_percent": 1.5, "percent": 0.05 }, "slippage_bps": 2.5, "max_volume_pct": 10,
                        "account": "margin", "margin_leverage": 4, "orders_at_close": "same_close" },
          "output": { "dir": "out/{strategy}", "bars_csv": true, "report": false, "equity": "cycle" },
          "engine": { "close_positions_at_end": true, "history_bars": 512, "cancel_orders_on_stop": false },
          "live_mode": true, "polling_seconds": 30, "speedup": 2.5e3, "live_min_bars": 3, "live_warmup_cycles": 0,
          "auto_stop_at": "15:55", "benchmark": "none", "rolling_sharpe_days": 21,
          "replay": { "enabled": true },
          "market_hours": { "calendar": "24/7", "extended_hours": true, "when_closed": "exit",
                            "stop_entries_minutes_before_close": 10, "bar_sync_buffer_seconds": 0.25 },
          "providers": { "finnhub": { "api_key": "k", "ws_url": "wss://a", "rest_url": "https://b",
                                      "silence_timeout_seconds": 30, "late_grace_seconds": 0.5 },
                         "polygon": { "api_key": null, "ws_url": "wss://p", "rest_url": "https://q", "silence_timeout_seconds": 12,
                                      "late_grace_seconds": 0.75 },
                         "alpaca": { "api_key_id": "id", "api_secret_key": null, "data_url": "https://d", "stream_url": "wss://s",
                                     "feed": "sip", "silence_timeout_seconds": 1e2, "late_grace_seconds": 3,
                                     "trading_url": "https://t", "trade_stream_url": null } },
          "broker": { "type": "alpaca", "live": true },
          "instruments": { "SPY": { "price_increment": 0.010, "quantity_step": null }, "BTC-USD": {} },
        }
        """;

    public static TheoryData<string> Accepted() => new()
    {
        "{}",
        EveryKey,
        """{ "providers": { "alpaca": null } }""",
        """{ "output": { "bars_csv": null } }""",
        """{ "data": { "symbols": [] }, "strategy": { "params": {} } }""",
        """{ "exchange": { "initial_cash": 1.0E+5, "slippage_bps": -0 } }""",
        """{ "mo\u0064e": "backtest" }""",
    };

    public static TheoryData<string> LeftToTheSerializer() => new()
    {
        """{ "unknown": 1 }""",
        """{ "data": { "symbol": ["SPY"] } }""",
        """{ "mode": "a", "mode": "b" }""",
        """{ "risk": { "stop_loss_pct": 1, "stop_loss_pct": 2 } }""",
        """{ "strategy": { "params": { "a": 1, "a": 2 } } }""",
        """{ "strategy": { "params": { "a": { "b": 1, "b": 2 } } } }""",
        """{ "instruments": { "SPY": {}, "SPY": {} } }""",
        """{ "instruments": { "SPY": null } }""",
        """{ "data": { "symbols": ["SPY", null] } }""",
        """{ "data": { "symbols": "SPY" } }""",
        """{ "data": null }""",
        """{ "mode": null }""",
        """{ "strategy": { "params": null } }""",
        """{ "strategy": { "params": [] } }""",
        """{ "strategy": { "params": 5 } }""",
        """{ "polling_seconds": 1.5 }""",
        """{ "polling_seconds": 3000000000 }""",
        """{ "polling_seconds": "5" }""",
        """{ "exchange": { "initial_cash": "100" } }""",
        """{ "exchange": { "initial_cash": 1e29 } }""",
        """{ "exchange": { "initial_cash": null } }""",
        """{ "live_mode": 1 }""",
        """{ "live_mode": null }""",
        """{ "Mode": "backtest" }""",
        """{ "sweep": { } }""",
        """{ "sweep": null }""",
        """{ "$id": "1" }""",
        """[]""",
        """null""",
        """{ "mode": "backtest" """,
        """{ "mode": 'backtest' }""",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_BindsToTheSerializersValues(string json)
    {
        var byHand = ConfigBinder.TryBind(Encoding.UTF8.GetBytes(json));
        Assert.NotNull(byHand);
        var bySerializer = JsonSerializer.Deserialize<RunConfig>(json, ConfigLoader.SerializerOptions)!;
        Assert.Equal(Serialized(bySerializer), Serialized(byHand));
        Assert.Equal(Serialized(bySerializer), Echoed(byHand));

        // The node path (a file with overrides set in its tree) binds the same.
        var root = JsonNode.Parse(json, documentOptions: ConfigBinder.DocumentOptions)!.AsObject();
        Assert.Equal(Serialized(bySerializer), Serialized(ConfigBinder.TryBind(root)!));
    }

    [Theory]
    [MemberData(nameof(LeftToTheSerializer))]
    public void Doubtful_IsLeftToTheSerializer(string json) =>
        Assert.Null(ConfigBinder.TryBind(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void ANumberBeyondTheDoubleRange_ReadsAsInfinity_LikeTheSerializers()
    {
        // The loader then rejects it by name (RequireFinite); neither can write it back.
        const string json = """{ "speedup": 1e309, "market_hours": { "bar_sync_buffer_seconds": -1e400 } }""";
        var byHand = ConfigBinder.TryBind(Encoding.UTF8.GetBytes(json))!;
        var bySerializer = JsonSerializer.Deserialize<RunConfig>(json, ConfigLoader.SerializerOptions)!;
        Assert.Equal(bySerializer.Speedup, byHand.Speedup);
        Assert.Equal(double.PositiveInfinity, byHand.Speedup);
        Assert.Equal(bySerializer.MarketHours.BarSyncBufferSeconds, byHand.MarketHours.BarSyncBufferSeconds);
    }

    [Fact]
    public void Params_AreANodeTreeLikeTheSerializers()
    {
        var byHand = ConfigBinder.TryBind(Encoding.UTF8.GetBytes(EveryKey))!;
        var bySerializer = JsonSerializer.Deserialize<RunConfig>(EveryKey, ConfigLoader.SerializerOptions)!;
        Assert.True(JsonNode.DeepEquals(bySerializer.Strategy.Params, byHand.Strategy.Params));
        Assert.Equal(1.50m, byHand.Strategy.Params["slow"]!.GetValue<decimal>());
        Assert.Equal(["SPY", "BTC-USD"], byHand.Instruments.Keys);
        Assert.Equal(0.010m, byHand.Instruments["SPY"].PriceIncrement);
        Assert.Equal("0.010", byHand.Instruments["SPY"].PriceIncrement!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Effective_IsTheSerializersEcho()
    {
        foreach (var config in new[]
        {
            new RunConfig(),
            JsonSerializer.Deserialize<RunConfig>(EveryKey, ConfigLoader.SerializerOptions)!,
            new RunConfig { AutoStopAt = "<&'>\u2028", Data = new DataConfig { Symbols = ["é", "\u0001"] } },
        })
        {
            Assert.Equal(Serialized(config), ConfigLoader.Effective(config).ToJsonString());
        }
    }

    [Fact]
    public void Effective_WithASweep_IsStillTheSerializers()
    {
        var config = JsonSerializer.Deserialize<RunConfig>(
            """{ "sweep": { "params": { "fast": [5, 10] } } }""", ConfigLoader.SerializerOptions)!;
        Assert.NotNull(config.Sweep);
        Assert.Equal(Serialized(config), ConfigLoader.Effective(config).ToJsonString());
    }

    [Fact]
    public void EveryKey_NamesEveryPropertyOfTheModel()
    {
        // A property added to the model but not to the binder and the echo would be bound by the serializer (an unknown
        // key sends the file there) but left out of the echoed config.json when it is null by default; this keeps the
        // test file's EveryKey, and so the comparisons above, complete. The sweep section is the serializer's alone.
        var modelKeys = new SortedSet<string>(StringComparer.Ordinal);
        AddKeys(ConfigLoader.SerializerOptions.GetTypeInfo(typeof(RunConfig)), "", modelKeys, depth: 0);
        modelKeys.RemoveWhere(k => k == "sweep" || k.StartsWith("sweep.", StringComparison.Ordinal));
        var fileKeys = new HashSet<string>(StringComparer.Ordinal);
        AddKeys(JsonNode.Parse(EveryKey, documentOptions: ConfigBinder.DocumentOptions)!.AsObject(), "", fileKeys);

        Assert.True(modelKeys.Count > 60, $"only {modelKeys.Count} keys found in the model");
        var missing = string.Join(", ", modelKeys.Where(k => !fileKeys.Contains(k)));
        Assert.True(missing.Length == 0, $"keys of the model that EveryKey does not name: {missing}");
    }

    private static void AddKeys(System.Text.Json.Serialization.Metadata.JsonTypeInfo info, string prefix, ISet<string> keys, int depth)
    {
        if (info.Kind != System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object || depth > 8)
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider?.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), inherit: true)
                    .Cast<System.Text.Json.Serialization.JsonIgnoreAttribute>().Any(a => a.Condition == System.Text.Json.Serialization.JsonIgnoreCondition.Always) == true)
            {
                continue; // not a key (set by the loader)
            }

            var key = prefix + property.Name;
            keys.Add(key);
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            AddKeys(info.Options.GetTypeInfo(type), key + ".", keys, depth + 1);
        }
    }

    private static void AddKeys(JsonObject node, string prefix, ISet<string> keys)
    {
        foreach (var (name, value) in node)
        {
            keys.Add(prefix + name);
            if (value is JsonObject child)
            {
                AddKeys(child, prefix + name + ".", keys);
            }
        }
    }

    /// <summary>The serializer's echo of <paramref name="config"/>, as the loader built it before the hand writer.</summary>
    private static string Serialized(RunConfig config) =>
        JsonNode.Parse(JsonSerializer.SerializeToUtf8Bytes(config, ConfigLoader.SerializerOptions))!.ToJsonString();

    private static string Echoed(RunConfig config) => JsonNode.Parse(ConfigEcho.Write(config).Span)!.ToJsonString();
}
