using System.Text.Json.Nodes;

namespace StrategyLab.Runner.Configuration;

/// <summary>
/// A run's configuration: one JSON file (snake_case keys), every key optional with the defaults documented in
/// <c>docs/configuration.md</c>. Unknown keys, wrong types and impossible values are errors naming the key.
/// </summary>
/// <remarks>
/// The properties have <c>set</c>, not <c>init</c>, for the source-generated binding (<see cref="RunConfigJsonContext"/>):
/// the generator treats init-only properties like constructor parameters, which resets every key the file does not
/// name to null/0 (losing the <c>= new()</c> defaults) and reports a wrong type against the section instead of the key.
/// Treat a bound configuration as immutable all the same (copy with <c>with</c>).
/// </remarks>
public sealed record RunConfig
{
    /// <summary><c>backtest</c> (default), <c>replay</c> or <c>live</c>.</summary>
    public string Mode { get; set; } = "backtest";

    /// <summary>Where bars come from.</summary>
    public DataConfig Data { get; set; } = new();

    /// <summary>Which strategy runs, with its parameters.</summary>
    public StrategyConfig Strategy { get; set; } = new();

    /// <summary>Protective exits and loss limits.</summary>
    public RiskConfig Risk { get; set; } = new();

    /// <summary>Sizing and position limits.</summary>
    public TradeManagerConfig TradeManager { get; set; } = new();

    /// <summary>The simulated exchange and the account.</summary>
    public ExchangeConfig Exchange { get; set; } = new();

    /// <summary>Where results go.</summary>
    public OutputConfig Output { get; set; } = new();

    /// <summary>Engine details.</summary>
    public EngineConfig Engine { get; set; } = new();

    /// <summary>Live mode (the original design's flag); <c>mode</c> is the preferred way to choose.</summary>
    public bool LiveMode { get; set; }

    /// <summary>How often a live run waiting for the open wakes to report and re-check its stop time, seconds (default 60).</summary>
    public int PollingSeconds { get; set; } = 60;

    /// <summary>Replay clock speed: 1 = real time, 60 = a minute per second; any value &gt; 0; 0 = as fast as possible.</summary>
    public double Speedup { get; set; } = 1.0;

    /// <summary>Bars to load before the first live cycle so indicators are ready (default 20).</summary>
    public int LiveMinBars { get; set; } = 20;

    /// <summary>Live cycles that must run before the first order (default 5).</summary>
    public int LiveWarmupCycles { get; set; } = 5;

    /// <summary>Stop time: a time of day in exchange time (<c>15:55</c>) or an instant with offset (<c>2024-01-02T15:55:00-05:00</c>).</summary>
    public string? AutoStopAt { get; set; }

    /// <summary>
    /// The benchmark the run is measured against: buy-and-hold of this symbol from the data source (default: the
    /// first of <c>data.symbols</c>; <c>"none"</c> for no benchmark).
    /// </summary>
    public string? Benchmark { get; set; }

    /// <summary>Window of the rolling Sharpe ratio under the report's equity chart, in trading days (default 63, at least 2).</summary>
    public int RollingSharpeDays { get; set; } = Core.Statistics.StatisticsOptions.DefaultRollingSharpeDays;

    /// <summary>Replay settings; <c>replay.enabled</c> wins over <c>live_mode</c>.</summary>
    public ReplayConfig Replay { get; set; } = new();

    /// <summary>Market-hours behaviour of live and replay runs.</summary>
    public MarketHoursConfig MarketHours { get; set; } = new();

    /// <summary>Live data providers.</summary>
    public ProvidersConfig Providers { get; set; } = new();

    /// <summary>Where a live run's orders go (the simulated exchange unless <c>broker.type</c> says otherwise).</summary>
    public BrokerConfig Broker { get; set; } = new();

    /// <summary>Per-symbol price increments and quantity steps overriding the built-in rules (key: the symbol).</summary>
    public Dictionary<string, InstrumentConfig> Instruments { get; set; } = [];

    /// <summary>The parameter sweep of <c>strategylab sweep</c> (docs/configuration.md, "sweep"); other commands ignore it.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Sweeps.SweepConfig? Sweep { get; set; }
}

/// <summary>One entry of the <c>instruments</c> section.</summary>
public sealed record InstrumentConfig
{
    /// <summary>The smallest price step (tick size); null keeps the built-in rule.</summary>
    public decimal? PriceIncrement { get; set; }

    /// <summary>The smallest quantity step (lot size); null keeps the built-in rule. Whole shares for US equities.</summary>
    public decimal? QuantityStep { get; set; }
}

/// <summary>The <c>data</c> section.</summary>
public sealed record DataConfig
{
    /// <summary><c>synthetic</c> (default, built in), <c>csv</c>, <c>lean</c>, <c>store</c>, <c>finnhub</c>, <c>polygon</c>.</summary>
    public string Provider { get; set; } = "synthetic";

    /// <summary>File or folder for <c>csv</c>, <c>lean</c> and <c>store</c>.</summary>
    public string? Path { get; set; }

    /// <summary>Symbols to trade (tickers; crypto as <c>BINANCE:BTCUSDT</c>, <c>BTC/USD</c>…).</summary>
    public List<string> Symbols { get; set; } = ["SYNA", "SYNB", "SYNC"];

    /// <summary>The bar timeframe the strategy runs on (default <c>1m</c>).</summary>
    public string Timeframe { get; set; } = "1m";

    /// <summary>The timeframe of the source data when it differs (bars are combined up to <see cref="Timeframe"/>).</summary>
    public string? SourceTimeframe { get; set; }

    /// <summary>First date (exchange-local, inclusive), <c>yyyy-MM-dd</c>.</summary>
    public string? From { get; set; }

    /// <summary>Last date (exchange-local, inclusive), <c>yyyy-MM-dd</c>.</summary>
    public string? To { get; set; }

    /// <summary>CSV: whether the time column marks the bar <c>start</c> (default) or <c>end</c>.</summary>
    public string TimeIs { get; set; } = "start";

    /// <summary>CSV: log and skip malformed rows instead of stopping.</summary>
    public bool SkipBadRows { get; set; }

    /// <summary>Force the asset class of every symbol: <c>equity</c> or <c>crypto</c> (default: inferred from the ticker).</summary>
    public string? AssetClass { get; set; }

    /// <summary>
    /// How prices with corporate-action factors are served: <c>raw</c> (the engine applies splits and dividends to the
    /// account), <c>split_adjusted</c> or <c>adjusted</c> (default for <c>lean</c>, and for a <c>store</c> holding factors).
    /// CSV and synthetic bars are taken as given (only <c>raw</c> is accepted).
    /// </summary>
    public string? Adjustment { get; set; }

    /// <summary>Seed of the synthetic market (default 42).</summary>
    public int Seed { get; set; } = 42;
}

/// <summary>The <c>strategy</c> section.</summary>
public sealed record StrategyConfig
{
    /// <summary>The built-in strategy run when the section names none.</summary>
    public const string DefaultName = "orb";

    /// <summary>
    /// Strategy name: a built-in one (<c>orb</c>, the default; <c>sma_crossover</c>, <c>rsi_reversion</c>), or with
    /// <see cref="Source"/> / <see cref="Assembly"/> the class to run (its <c>[Strategy]</c> name or class name; optional
    /// when the file defines one strategy).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>A C# file, or a folder of them, compiled at run start (relative to the configuration file's folder).</summary>
    public string? Source { get; set; }

    /// <summary>A class library (.dll) defining the strategy (relative to the configuration file's folder).</summary>
    public string? Assembly { get; set; }

    /// <summary>
    /// The folder a relative <see cref="Source"/> or <see cref="Assembly"/> starts from: the configuration file's when the
    /// file gave the path, the current one when a flag did (set by <see cref="ConfigLoader"/>; not a key).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? BaseDirectory { get; set; }

    /// <summary>Strategy parameters; each strategy documents its own.</summary>
    public JsonObject Params { get; set; } = [];

    /// <summary>
    /// What was left out of the file's parameters because a flag chose another strategy (set by
    /// <see cref="ConfigLoader"/>; not a key), for the run to say; null when nothing was.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? DroppedParams { get; set; }
}

/// <summary>The <c>risk</c> section.</summary>
public sealed record RiskConfig
{
    /// <summary>Stop-loss in percent of the entry price (default 2.0); null for none.</summary>
    public decimal? StopLossPct { get; set; } = 2.0m;

    /// <summary>Take-profit in percent of the entry price; null for none.</summary>
    public decimal? TakeProfitPct { get; set; }

    /// <summary>Trailing stop in percent of the best price since entry; null for none.</summary>
    public decimal? TrailingStopPct { get; set; }

    /// <summary>Daily loss (percent of the day's starting equity) that blocks new entries for the day; null for none.</summary>
    public decimal? DailyLossLimitPct { get; set; }
}

/// <summary>The <c>trade_manager</c> section.</summary>
public sealed record TradeManagerConfig
{
    /// <summary>
    /// <c>risk_percent</c> (default), <c>percent_equity</c>, <c>fixed_qty</c> or <c>fixed_notional</c>. A file that gives
    /// <c>position_size_pct</c> without <c>sizing</c>, or turns every stop off, gets <c>percent_equity</c> (set by
    /// <see cref="ConfigLoader"/>).
    /// </summary>
    public string Sizing { get; set; } = "risk_percent";

    /// <summary>Percent of equity a stopped-out position loses, for <c>risk_percent</c> (default 0.5).</summary>
    public decimal RiskPct { get; set; } = 0.5m;

    /// <summary>The largest position in percent of equity, for <c>risk_percent</c> (default 100: buying power is the cap).</summary>
    public decimal MaxPositionPct { get; set; } = 100m;

    /// <summary>Percent of equity per position for <c>percent_equity</c> (default 0.5).</summary>
    public decimal PositionSizePct { get; set; } = 0.5m;

    /// <summary>Quantity per position for <c>fixed_qty</c>.</summary>
    public decimal? Quantity { get; set; }

    /// <summary>Notional per position for <c>fixed_notional</c>.</summary>
    public decimal? Notional { get; set; }

    /// <summary>Most positions open at once (default 3).</summary>
    public int MaxPositions { get; set; } = 3;
}

/// <summary>The <c>exchange</c> section.</summary>
public sealed record ExchangeConfig
{
    /// <summary>Starting cash (default 100000).</summary>
    public decimal InitialCash { get; set; } = 100_000m;

    /// <summary>Commission model.</summary>
    public CommissionConfig Commission { get; set; } = new();

    /// <summary>Adverse slippage on market and stop fills, basis points (default 0).</summary>
    public decimal SlippageBps { get; set; }

    /// <summary>Most of a bar's volume one symbol may fill, percent (default: no cap).</summary>
    public decimal? MaxVolumePct { get; set; }

    /// <summary><c>cash</c> (default) or <c>margin</c>.</summary>
    public string Account { get; set; } = "cash";

    /// <summary>Leverage of a margin account (default 2).</summary>
    public decimal MarginLeverage { get; set; } = 2m;

    /// <summary>
    /// An order decided at or after the close: <c>next_open</c> (default; a market order fills at the next session's
    /// open) or <c>expire</c> (a DAY order decided at the close expires, one decided while closed is rejected).
    /// </summary>
    public string OrdersAtClose { get; set; } = "next_open";
}

/// <summary>The <c>exchange.commission</c> section.</summary>
public sealed record CommissionConfig
{
    /// <summary><c>per_share</c> (default), <c>percent</c> or <c>zero</c>.</summary>
    public string Model { get; set; } = "per_share";

    /// <summary>Per-share fee (default 0.005).</summary>
    public decimal PerShare { get; set; } = 0.005m;

    /// <summary>Minimum per execution for <c>per_share</c> (default 1.00).</summary>
    public decimal Minimum { get; set; } = 1.00m;

    /// <summary>Cap in percent of trade value for <c>per_share</c> (default 0.5).</summary>
    public decimal MaxPercent { get; set; } = 0.5m;

    /// <summary>Percent of value for <c>percent</c> (default 0.1).</summary>
    public decimal Percent { get; set; } = 0.1m;
}

/// <summary>The <c>output</c> section.</summary>
public sealed record OutputConfig
{
    /// <summary>The run folder; <c>{timestamp}</c> becomes the UTC start time, <c>{strategy}</c> the strategy name (default <c>runs/{timestamp}</c>).</summary>
    public string Dir { get; set; } = "runs/{timestamp}";

    /// <summary>Write <c>bars.csv</c> (default: false in backtest, true in replay and live).</summary>
    public bool? BarsCsv { get; set; }

    /// <summary>Write <c>report.html</c> (default true).</summary>
    public bool Report { get; set; } = true;

    /// <summary>
    /// Rows of <c>equity.csv</c>: <c>cycle</c> (every mark) or <c>session</c> (the last mark of each exchange-local date
    /// and the run's first mark). Default: <c>session</c> in backtest, <c>cycle</c> in replay and live.
    /// </summary>
    public string? Equity { get; set; }
}

/// <summary>The <c>engine</c> section.</summary>
public sealed record EngineConfig
{
    /// <summary>Close all positions at the last price when the run ends (default false).</summary>
    public bool ClosePositionsAtEnd { get; set; }

    /// <summary>Bars of history kept per symbol for strategies (default 256).</summary>
    public int HistoryBars { get; set; } = 256;

    /// <summary>Cancel open orders when a live or replay run is stopped (default true); false leaves them working.</summary>
    public bool CancelOrdersOnStop { get; set; } = true;
}

/// <summary>The <c>replay</c> section.</summary>
public sealed record ReplayConfig
{
    /// <summary>Run as a replay (wins over <c>live_mode</c>).</summary>
    public bool Enabled { get; set; }
}

/// <summary>The <c>market_hours</c> section.</summary>
public sealed record MarketHoursConfig
{
    /// <summary>Calendar: <c>auto</c> (by asset class, default), <c>NYSE</c> or <c>24/7</c>.</summary>
    public string Calendar { get; set; } = "auto";

    /// <summary>Trade pre-market and after-hours too (default false).</summary>
    public bool ExtendedHours { get; set; }

    /// <summary>What live mode does when the market is closed: <c>wait</c> (default) for the next open, or <c>exit</c>.</summary>
    public string WhenClosed { get; set; } = "wait";

    /// <summary>No new entries within this many minutes of the close (default 0).</summary>
    public int StopEntriesMinutesBeforeClose { get; set; }

    /// <summary>Seconds after a bar boundary before the live cycle runs, for late prints (default 5).</summary>
    public double BarSyncBufferSeconds { get; set; } = 5;
}

/// <summary>The <c>providers</c> section.</summary>
public sealed record ProvidersConfig
{
    /// <summary>Finnhub settings.</summary>
    public FinnhubConfig Finnhub { get; set; } = new();

    /// <summary>Polygon (Massive) settings.</summary>
    public PolygonConfig Polygon { get; set; } = new();

    /// <summary>
    /// Alpaca settings (keys, market data and the broker's trading endpoints); null when the file has no such section (then
    /// the defaults apply). Left out of the configuration echo while null, so run folders of other providers stay unchanged.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AlpacaConfig? Alpaca { get; set; }
}

/// <summary>
/// The <c>providers.alpaca</c> section: keys and market data endpoints (<c>data.provider: "alpaca"</c>). The keys are better
/// given as <c>ALPACA_API_KEY_ID</c> / <c>ALPACA_API_SECRET_KEY</c>; they are never logged.
/// </summary>
public sealed record AlpacaConfig
{
    /// <summary>The key id; prefer <c>ALPACA_API_KEY_ID</c>. Never logged.</summary>
    public string? ApiKeyId { get; set; }

    /// <summary>The secret key; prefer <c>ALPACA_API_SECRET_KEY</c>. Never logged.</summary>
    public string? ApiSecretKey { get; set; }

    /// <summary>The market data REST base (historical bars), default <c>https://data.alpaca.markets</c>.</summary>
    public string DataUrl { get; set; } = "https://data.alpaca.markets";

    /// <summary>The market data stream base, without the feed path (default <c>wss://stream.data.alpaca.markets</c>).</summary>
    public string StreamUrl { get; set; } = "wss://stream.data.alpaca.markets";

    /// <summary>The stock feed: <c>iex</c> (free, default), <c>sip</c> (paid), <c>delayed_sip</c> or <c>test</c>.</summary>
    public string Feed { get; set; } = "iex";

    /// <summary>Seconds without any frame, while the market is open, before the stream is reconnected (default 90).</summary>
    public double SilenceTimeoutSeconds { get; set; } = 90;

    /// <summary>Seconds a late print may arrive after its bar's end and still count (default 2).</summary>
    public double LateGraceSeconds { get; set; } = 2;

    /// <summary>The trading REST base (<c>broker.type: alpaca</c>); null: paper (<c>https://paper-api.alpaca.markets</c>) or live per <c>broker.live</c>.</summary>
    public string? TradingUrl { get; set; }

    /// <summary>The <c>trade_updates</c> stream; null: paper or live per <c>broker.live</c>.</summary>
    public string? TradeStreamUrl { get; set; }
}

/// <summary>The <c>providers.finnhub</c> section.</summary>
public sealed record FinnhubConfig : ProviderConfig
{
    /// <summary>Finnhub's production endpoints.</summary>
    public FinnhubConfig()
    {
        WsUrl = "wss://ws.finnhub.io";
        RestUrl = "https://finnhub.io/api/v1";
    }
}

/// <summary>The <c>providers.polygon</c> section.</summary>
public sealed record PolygonConfig : ProviderConfig
{
    /// <summary>Polygon's (Massive's) production endpoints.</summary>
    public PolygonConfig()
    {
        WsUrl = "wss://socket.massive.com/stocks";
        RestUrl = "https://api.massive.com";
    }
}

/// <summary>What every live provider's section has.</summary>
public abstract record ProviderConfig
{
    /// <summary>The API key; prefer the environment variable (<c>FINNHUB_API_KEY</c>, <c>POLYGON_API_KEY</c>). Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>WebSocket base URL.</summary>
    public string WsUrl { get; set; } = string.Empty;

    /// <summary>REST base URL.</summary>
    public string RestUrl { get; set; } = string.Empty;

    /// <summary>Seconds without any frame, while the market is open, before the stream is reconnected (default 90).</summary>
    public double SilenceTimeoutSeconds { get; set; } = 90;

    /// <summary>Seconds a late print may arrive after its bar's end and still count (default 2).</summary>
    public double LateGraceSeconds { get; set; } = 2;
}
