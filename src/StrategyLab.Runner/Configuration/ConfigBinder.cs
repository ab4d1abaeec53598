using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Runner.Configuration;

/// <summary>
/// Binds a run configuration by hand from a parsed document, for the common case that every key is known and every
/// value has its key's type. The serializer's metadata for <see cref="RunConfig"/> is generic code over
/// <c>decimal</c>, <c>decimal?</c>, <c>bool?</c> and the serializer's own structs, which no ReadyToRun image outside the
/// framework can hold: building it JIT-compiled ~130 methods on every start (a fifth of a small run's JIT work).
/// </summary>
/// <remarks>
/// The binder is stricter than the serializer, never looser: anything it is not sure of (an unknown or repeated key, a
/// value of another type, a null where the serializer might accept one, a <c>sweep</c> section) returns null, and
/// <see cref="ConfigLoader"/> then binds with the serializer as before, which accepts the file or names its error with
/// the same words and line as always. So a configuration the serializer rejects is never accepted here, and one it
/// accepts binds to the same values (ConfigBinderTests compare the two).
/// </remarks>
internal static class ConfigBinder
{
    /// <summary>Reads a document the way the serializer's options do (comments skipped, trailing commas allowed).</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Binds <paramref name="utf8Json"/>; null when the serializer has to (see the type's remarks).</summary>
    public static RunConfig? TryBind(ReadOnlyMemory<byte> utf8Json)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8Json, DocumentOptions);
            return Run(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (NotBindableException)
        {
            return null;
        }
    }

    /// <summary>Binds <paramref name="root"/> (written to bytes as the serializer does for a node); null as above.</summary>
    public static RunConfig? TryBind(JsonObject root)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            root.WriteTo(writer);
        }

        return TryBind(buffer.WrittenMemory);
    }

    private static RunConfig Run(JsonElement e)
    {
        var c = new RunConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "mode": c.Mode = String(v); break;
                case "data": c.Data = Data(v); break;
                case "strategy": c.Strategy = Strategy(v); break;
                case "risk": c.Risk = Risk(v); break;
                case "trade_manager": c.TradeManager = TradeManager(v); break;
                case "exchange": c.Exchange = Exchange(v); break;
                case "output": c.Output = Output(v); break;
                case "engine": c.Engine = Engine(v); break;
                case "live_mode": c.LiveMode = Bool(v); break;
                case "polling_seconds": c.PollingSeconds = Int(v); break;
                case "speedup": c.Speedup = Double(v); break;
                case "live_min_bars": c.LiveMinBars = Int(v); break;
                case "live_warmup_cycles": c.LiveWarmupCycles = Int(v); break;
                case "auto_stop_at": c.AutoStopAt = StringOrNull(v); break;
                case "benchmark": c.Benchmark = StringOrNull(v); break;
                case "rolling_sharpe_days": c.RollingSharpeDays = Int(v); break;
                case "replay": c.Replay = Replay(v); break;
                case "market_hours": c.MarketHours = MarketHours(v); break;
                case "providers": c.Providers = Providers(v); break;
                case "broker": c.Broker = Broker(v); break;
                case "instruments": c.Instruments = Instruments(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static DataConfig Data(JsonElement e)
    {
        var c = new DataConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "provider": c.Provider = String(v); break;
                case "path": c.Path = StringOrNull(v); break;
                case "symbols": c.Symbols = Strings(v); break;
                case "timeframe": c.Timeframe = String(v); break;
                case "source_timeframe": c.SourceTimeframe = StringOrNull(v); break;
                case "from": c.From = StringOrNull(v); break;
                case "to": c.To = StringOrNull(v); break;
                case "time_is": c.TimeIs = String(v); break;
                case "skip_bad_rows": c.SkipBadRows = Bool(v); break;
                case "asset_class": c.AssetClass = StringOrNull(v); break;
                case "adjustment": c.Adjustment = StringOrNull(v); break;
                case "seed": c.Seed = Int(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static StrategyConfig Strategy(JsonElement e)
    {
        var c = new StrategyConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "name": c.Name = StringOrNull(v); break;
                case "source": c.Source = StringOrNull(v); break;
                case "assembly": c.Assembly = StringOrNull(v); break;
                case "params": c.Params = FreeObject(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static RiskConfig Risk(JsonElement e)
    {
        var c = new RiskConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "stop_loss_pct": c.StopLossPct = DecimalOrNull(v); break;
                case "take_profit_pct": c.TakeProfitPct = DecimalOrNull(v); break;
                case "trailing_stop_pct": c.TrailingStopPct = DecimalOrNull(v); break;
                case "daily_loss_limit_pct": c.DailyLossLimitPct = DecimalOrNull(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static TradeManagerConfig TradeManager(JsonElement e)
    {
        var c = new TradeManagerConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "sizing": c.Sizing = String(v); break;
                case "risk_pct": c.RiskPct = Decimal(v); break;
                case "max_position_pct": c.MaxPositionPct = Decimal(v); break;
                case "position_size_pct": c.PositionSizePct = Decimal(v); break;
                case "quantity": c.Quantity = DecimalOrNull(v); break;
                case "notional": c.Notional = DecimalOrNull(v); break;
                case "max_positions": c.MaxPositions = Int(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static ExchangeConfig Exchange(JsonElement e)
    {
        var c = new ExchangeConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "initial_cash": c.InitialCash = Decimal(v); break;
                case "commission": c.Commission = Commission(v); break;
                case "slippage_bps": c.SlippageBps = Decimal(v); break;
                case "max_volume_pct": c.MaxVolumePct = DecimalOrNull(v); break;
                case "account": c.Account = String(v); break;
                case "margin_leverage": c.MarginLeverage = Decimal(v); break;
                case "orders_at_close": c.OrdersAtClose = String(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static CommissionConfig Commission(JsonElement e)
    {
        var c = new CommissionConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "model": c.Model = String(v); break;
                case "per_share": c.PerShare = Decimal(v); break;
                case "minimum": c.Minimum = Decimal(v); break;
                case "max_percent": c.MaxPercent = Decimal(v); break;
                case "percent": c.Percent = Decimal(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static OutputConfig Output(JsonElement e)
    {
        var c = new OutputConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "dir": c.Dir = String(v); break;
                case "bars_csv": c.BarsCsv = v.ValueKind == JsonValueKind.Null ? null : Bool(v); break;
                case "report": c.Report = Bool(v); break;
                case "equity": c.Equity = StringOrNull(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static EngineConfig Engine(JsonElement e)
    {
        var c = new EngineConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "close_positions_at_end": c.ClosePositionsAtEnd = Bool(v); break;
                case "history_bars": c.HistoryBars = Int(v); break;
                case "cancel_orders_on_stop": c.CancelOrdersOnStop = Bool(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static ReplayConfig Replay(JsonElement e)
    {
        var c = new ReplayConfig();
        foreach (var p in Properties(e))
        {
            c.Enabled = p.Name == "enabled" ? Bool(p.Value) : throw new NotBindableException();
        }

        return c;
    }

    private static MarketHoursConfig MarketHours(JsonElement e)
    {
        var c = new MarketHoursConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "calendar": c.Calendar = String(v); break;
                case "extended_hours": c.ExtendedHours = Bool(v); break;
                case "when_closed": c.WhenClosed = String(v); break;
                case "stop_entries_minutes_before_close": c.StopEntriesMinutesBeforeClose = Int(v); break;
                case "bar_sync_buffer_seconds": c.BarSyncBufferSeconds = Double(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static ProvidersConfig Providers(JsonElement e)
    {
        var c = new ProvidersConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "finnhub": c.Finnhub = Provider(v, new FinnhubConfig()); break;
                case "polygon": c.Polygon = Provider(v, new PolygonConfig()); break;
                case "alpaca": c.Alpaca = v.ValueKind == JsonValueKind.Null ? null : Alpaca(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static T Provider<T>(JsonElement e, T c)
        where T : ProviderConfig
    {
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "api_key": c.ApiKey = StringOrNull(v); break;
                case "ws_url": c.WsUrl = String(v); break;
                case "rest_url": c.RestUrl = String(v); break;
                case "silence_timeout_seconds": c.SilenceTimeoutSeconds = Double(v); break;
                case "late_grace_seconds": c.LateGraceSeconds = Double(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static AlpacaConfig Alpaca(JsonElement e)
    {
        var c = new AlpacaConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "api_key_id": c.ApiKeyId = StringOrNull(v); break;
                case "api_secret_key": c.ApiSecretKey = StringOrNull(v); break;
                case "data_url": c.DataUrl = String(v); break;
                case "stream_url": c.StreamUrl = String(v); break;
                case "feed": c.Feed = String(v); break;
                case "silence_timeout_seconds": c.SilenceTimeoutSeconds = Double(v); break;
                case "late_grace_seconds": c.LateGraceSeconds = Double(v); break;
                case "trading_url": c.TradingUrl = StringOrNull(v); break;
                case "trade_stream_url": c.TradeStreamUrl = StringOrNull(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static BrokerConfig Broker(JsonElement e)
    {
        var c = new BrokerConfig();
        foreach (var p in Properties(e))
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "type": c.Type = String(v); break;
                case "live": c.Live = Bool(v); break;
                default: throw new NotBindableException();
            }
        }

        return c;
    }

    private static Dictionary<string, InstrumentConfig> Instruments(JsonElement e)
    {
        var instruments = new Dictionary<string, InstrumentConfig>();
        foreach (var p in Properties(e))
        {
            var c = new InstrumentConfig();
            foreach (var q in Properties(p.Value))
            {
                var v = q.Value;
                switch (q.Name)
                {
                    case "price_increment": c.PriceIncrement = DecimalOrNull(v); break;
                    case "quantity_step": c.QuantityStep = DecimalOrNull(v); break;
                    default: throw new NotBindableException();
                }
            }

            instruments.Add(p.Name, c);
        }

        return instruments;
    }

    /// <summary>
    /// A free-form object (<c>strategy.params</c>), as the serializer builds it: a node over its own copy of the
    /// element. A key repeated at any depth is left to the serializer, which names it.
    /// </summary>
    private static JsonObject FreeObject(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new NotBindableException();
        }

        RequireUniqueKeys(e);
        return JsonObject.Create(e.Clone())!;
    }

    private static void RequireUniqueKeys(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                RequireUniqueKeys(item);
            }
        }
        else if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in Properties(e))
            {
                RequireUniqueKeys(p.Value);
            }
        }
    }

    /// <summary>
    /// The properties of an object whose keys are all different (compared one by one: the objects are small, and a hash
    /// set's randomized string hash would seed itself from OpenSSL at its first use).
    /// </summary>
    private static JsonElement.ObjectEnumerator Properties(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new NotBindableException();
        }

        var count = 0;
        foreach (var unused in e.EnumerateObject())
        {
            count++;
        }

        if (count > 1)
        {
            var names = new string[count];
            var i = 0;
            foreach (var p in e.EnumerateObject())
            {
                var name = p.Name;
                for (var j = 0; j < i; j++)
                {
                    if (string.Equals(names[j], name, StringComparison.Ordinal))
                    {
                        throw new NotBindableException();
                    }
                }

                names[i++] = name;
            }
        }

        return e.EnumerateObject();
    }

    private static string String(JsonElement v) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new NotBindableException();

    private static string? StringOrNull(JsonElement v) => v.ValueKind == JsonValueKind.Null ? null : String(v);

    private static List<string> Strings(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new NotBindableException();
        }

        var list = new List<string>(v.GetArrayLength());
        foreach (var item in v.EnumerateArray())
        {
            list.Add(String(item));
        }

        return list;
    }

    private static bool Bool(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new NotBindableException(),
    };

    private static int Int(JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var value) ? value : throw new NotBindableException();

    private static double Double(JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var value) ? value : throw new NotBindableException();

    private static decimal Decimal(JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var value) ? value : throw new NotBindableException();

    private static decimal? DecimalOrNull(JsonElement v) => v.ValueKind == JsonValueKind.Null ? null : Decimal(v);

    /// <summary>Something the serializer must judge (caught in <see cref="TryBind(ReadOnlyMemory{byte})"/>).</summary>
    private sealed class NotBindableException : Exception;
}
