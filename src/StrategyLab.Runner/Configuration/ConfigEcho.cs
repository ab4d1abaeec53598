using System.Text.Json;

namespace StrategyLab.Runner.Configuration;

/// <summary>
/// Writes a bound configuration as the serializer writes it (the same keys in the same order, the same numbers and
/// strings through the same <see cref="Utf8JsonWriter"/> calls), without the serializer's generic metadata over
/// <c>decimal?</c> and friends (see <see cref="ConfigBinder"/>). A configuration with a <c>sweep</c> section is left to
/// the serializer. ConfigBinderTests compare the two over default and fully written configurations.
/// </summary>
internal static class ConfigEcho
{
    /// <summary>The configuration as UTF-8 JSON (the effective configuration's source).</summary>
    public static ReadOnlyMemory<byte> Write(RunConfig c)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Run(w, c);
        }

        return buffer.WrittenMemory;
    }

    private static void Run(Utf8JsonWriter w, RunConfig c)
    {
        w.WriteStartObject();
        w.WriteString("mode", c.Mode);
        w.WritePropertyName("data");
        Data(w, c.Data);
        w.WritePropertyName("strategy");
        Strategy(w, c.Strategy);
        w.WritePropertyName("risk");
        Risk(w, c.Risk);
        w.WritePropertyName("trade_manager");
        TradeManager(w, c.TradeManager);
        w.WritePropertyName("exchange");
        Exchange(w, c.Exchange);
        w.WritePropertyName("output");
        Output(w, c.Output);
        w.WritePropertyName("engine");
        Engine(w, c.Engine);
        w.WriteBoolean("live_mode", c.LiveMode);
        w.WriteNumber("polling_seconds", c.PollingSeconds);
        w.WriteNumber("speedup", c.Speedup);
        w.WriteNumber("live_min_bars", c.LiveMinBars);
        w.WriteNumber("live_warmup_cycles", c.LiveWarmupCycles);
        w.WriteString("auto_stop_at", c.AutoStopAt);
        w.WriteString("benchmark", c.Benchmark);
        w.WriteNumber("rolling_sharpe_days", c.RollingSharpeDays);
        w.WriteStartObject("replay");
        w.WriteBoolean("enabled", c.Replay.Enabled);
        w.WriteEndObject();
        w.WritePropertyName("market_hours");
        MarketHours(w, c.MarketHours);
        w.WritePropertyName("providers");
        Providers(w, c.Providers);
        w.WriteStartObject("broker");
        w.WriteString("type", c.Broker.Type);
        w.WriteBoolean("live", c.Broker.Live);
        w.WriteEndObject();
        w.WriteStartObject("instruments");
        foreach (var (symbol, instrument) in c.Instruments)
        {
            if (instrument is null)
            {
                // The serializer binds a null entry (a dictionary's values are not checked for null) and echoes it; the
                // echo writes what the serializer writes for any model (ConfigLoader rejects such a file: ConfigNullElements).
                w.WriteNull(symbol);
                continue;
            }

            w.WriteStartObject(symbol);
            Decimal(w, "price_increment", instrument.PriceIncrement);
            Decimal(w, "quantity_step", instrument.QuantityStep);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Data(Utf8JsonWriter w, DataConfig c)
    {
        w.WriteStartObject();
        w.WriteString("provider", c.Provider);
        w.WriteString("path", c.Path);
        w.WriteStartArray("symbols");
        foreach (var symbol in c.Symbols)
        {
            w.WriteStringValue(symbol);
        }

        w.WriteEndArray();
        w.WriteString("timeframe", c.Timeframe);
        w.WriteString("source_timeframe", c.SourceTimeframe);
        w.WriteString("from", c.From);
        w.WriteString("to", c.To);
        w.WriteString("time_is", c.TimeIs);
        w.WriteBoolean("skip_bad_rows", c.SkipBadRows);
        w.WriteString("asset_class", c.AssetClass);
        w.WriteString("adjustment", c.Adjustment);
        w.WriteNumber("seed", c.Seed);
        w.WriteEndObject();
    }

    private static void Strategy(Utf8JsonWriter w, StrategyConfig c)
    {
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        w.WriteString("source", c.Source);
        w.WriteString("assembly", c.Assembly);
        w.WritePropertyName("params");
        c.Params.WriteTo(w);
        w.WriteEndObject();
    }

    private static void Risk(Utf8JsonWriter w, RiskConfig c)
    {
        w.WriteStartObject();
        Decimal(w, "stop_loss_pct", c.StopLossPct);
        Decimal(w, "take_profit_pct", c.TakeProfitPct);
        Decimal(w, "trailing_stop_pct", c.TrailingStopPct);
        Decimal(w, "daily_loss_limit_pct", c.DailyLossLimitPct);
        w.WriteEndObject();
    }

    private static void TradeManager(Utf8JsonWriter w, TradeManagerConfig c)
    {
        w.WriteStartObject();
        w.WriteString("sizing", c.Sizing);
        w.WriteNumber("risk_pct", c.RiskPct);
        w.WriteNumber("max_position_pct", c.MaxPositionPct);
        w.WriteNumber("position_size_pct", c.PositionSizePct);
        Decimal(w, "quantity", c.Quantity);
        Decimal(w, "notional", c.Notional);
        w.WriteNumber("max_positions", c.MaxPositions);
        w.WriteEndObject();
    }

    private static void Exchange(Utf8JsonWriter w, ExchangeConfig c)
    {
        w.WriteStartObject();
        w.WriteNumber("initial_cash", c.InitialCash);
        w.WriteStartObject("commission");
        w.WriteString("model", c.Commission.Model);
        w.WriteNumber("per_share", c.Commission.PerShare);
        w.WriteNumber("minimum", c.Commission.Minimum);
        w.WriteNumber("max_percent", c.Commission.MaxPercent);
        w.WriteNumber("percent", c.Commission.Percent);
        w.WriteEndObject();
        w.WriteNumber("slippage_bps", c.SlippageBps);
        Decimal(w, "max_volume_pct", c.MaxVolumePct);
        w.WriteString("account", c.Account);
        w.WriteNumber("margin_leverage", c.MarginLeverage);
        w.WriteString("orders_at_close", c.OrdersAtClose);
        w.WriteEndObject();
    }

    private static void Output(Utf8JsonWriter w, OutputConfig c)
    {
        w.WriteStartObject();
        w.WriteString("dir", c.Dir);
        if (c.BarsCsv is { } barsCsv)
        {
            w.WriteBoolean("bars_csv", barsCsv);
        }
        else
        {
            w.WriteNull("bars_csv");
        }

        w.WriteBoolean("report", c.Report);
        w.WriteString("equity", c.Equity);
        w.WriteEndObject();
    }

    private static void Engine(Utf8JsonWriter w, EngineConfig c)
    {
        w.WriteStartObject();
        w.WriteBoolean("close_positions_at_end", c.ClosePositionsAtEnd);
        w.WriteNumber("history_bars", c.HistoryBars);
        w.WriteBoolean("cancel_orders_on_stop", c.CancelOrdersOnStop);
        w.WriteEndObject();
    }

    private static void MarketHours(Utf8JsonWriter w, MarketHoursConfig c)
    {
        w.WriteStartObject();
        w.WriteString("calendar", c.Calendar);
        w.WriteBoolean("extended_hours", c.ExtendedHours);
        w.WriteString("when_closed", c.WhenClosed);
        w.WriteNumber("stop_entries_minutes_before_close", c.StopEntriesMinutesBeforeClose);
        w.WriteNumber("bar_sync_buffer_seconds", c.BarSyncBufferSeconds);
        w.WriteEndObject();
    }

    private static void Providers(Utf8JsonWriter w, ProvidersConfig c)
    {
        w.WriteStartObject();
        w.WritePropertyName("finnhub");
        Provider(w, c.Finnhub);
        w.WritePropertyName("polygon");
        Provider(w, c.Polygon);

        // Left out while null (JsonIgnoreCondition.WhenWritingNull on the property).
        if (c.Alpaca is { } a)
        {
            w.WriteStartObject("alpaca");
            w.WriteString("api_key_id", a.ApiKeyId);
            w.WriteString("api_secret_key", a.ApiSecretKey);
            w.WriteString("data_url", a.DataUrl);
            w.WriteString("stream_url", a.StreamUrl);
            w.WriteString("feed", a.Feed);
            w.WriteNumber("silence_timeout_seconds", a.SilenceTimeoutSeconds);
            w.WriteNumber("late_grace_seconds", a.LateGraceSeconds);
            w.WriteString("trading_url", a.TradingUrl);
            w.WriteString("trade_stream_url", a.TradeStreamUrl);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void Provider(Utf8JsonWriter w, ProviderConfig c)
    {
        w.WriteStartObject();
        w.WriteString("api_key", c.ApiKey);
        w.WriteString("ws_url", c.WsUrl);
        w.WriteString("rest_url", c.RestUrl);
        w.WriteNumber("silence_timeout_seconds", c.SilenceTimeoutSeconds);
        w.WriteNumber("late_grace_seconds", c.LateGraceSeconds);
        w.WriteEndObject();
    }

    private static void Decimal(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
