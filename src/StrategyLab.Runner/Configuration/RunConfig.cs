using System.Text.Json.Nodes;

namespace StrategyLab.Runner.Configuration;

/// <summary>
/// A run's configuration: one JSON file (snake_case keys), every key optional with the defaults documented in
/// <c>docs/configuration.md</c>. Unknown keys, wrong types and impossible values are errors naming the key.
/// </summary>
public sealed record RunConfig
{
    /// <summary><c>backtest</c> (default), <c>replay</c> or <c>live</c>.</summary>
    public string Mode { get; init; } = "backtest";

    /// <summary>Where bars come from.</summary>
    public DataConfig Data { get; init; } = new();

    /// <summary>Which strategy runs, with its parameters.</summary>
    public StrategyConfig Strategy { get; init; } = new();

    /// <summary>Protective exits and loss limits.</summary>
    public RiskConfig Risk { get; init; } = new();

    /// <summary>Sizing and position limits.</summary>
    public TradeManagerConfig TradeManager { get; init; } = new();

    /// <summary>The simulated exchange and the account.</summary>
    public ExchangeConfig Exchange { get; init; } = new();

    /// <summary>Where results go.</summary>
    public OutputConfig Output { get; init; } = new();

    /// <summary>Engine details.</summary>
    public EngineConfig Engine { get; init; } = new();

    /// <summary>Live mode (the original design's flag); <c>mode</c> is the preferred way to choose.</summary>
    public bool LiveMode { get; init; }

    /// <summary>How often a live run waiting for the open wakes to report and re-check its stop time, seconds (default 60).</summary>
    public int PollingSeconds { get; init; } = 60;

    /// <summary>Replay clock speed: 1 = real time, 60 = a minute per second; any value &gt; 0; 0 = as fast as possible.</summary>
    public double Speedup { get; init; } = 1.0;

    /// <summary>Bars to load before the first live cycle so indicators are ready (default 20).</summary>
    public int LiveMinBars { get; init; } = 20;

    /// <summary>Live cycles that must run before the first order (default 5).</summary>
    public int LiveWarmupCycles { get; init; } = 5;

    /// <summary>Stop time: a time of day in exchange time (<c>15:55</c>) or an instant with offset (<c>2024-01-02T15:55:00-05:00</c>).</summary>
    public string? AutoStopAt { get; init; }

    /// <summary>Replay settings; <c>replay.enabled</c> wins over <c>live_mode</c>.</summary>
    public ReplayConfig Replay { get; init; } = new();

    /// <summary>Market-hours behaviour of live and replay runs.</summary>
    public MarketHoursConfig MarketHours { get; init; } = new();

    /// <summary>Live data providers.</summary>
    public ProvidersConfig Providers { get; init; } = new();

    /// <summary>Per-symbol price increments and quantity steps overriding the built-in rules (key: the symbol).</summary>
    public Dictionary<string, InstrumentConfig> Instruments { get; init; } = [];
}

/// <summary>One entry of the <c>instruments</c> section.</summary>
public sealed record InstrumentConfig
{
    /// <summary>The smallest price step (tick size); null keeps the built-in rule.</summary>
    public decimal? PriceIncrement { get; init; }

    /// <summary>The smallest quantity step (lot size); null keeps the built-in rule. Whole shares for US equities.</summary>
    public decimal? QuantityStep { get; init; }
}

/// <summary>The <c>data</c> section.</summary>
public sealed record DataConfig
{
    /// <summary><c>synthetic</c> (default, built in), <c>csv</c>, <c>lean</c>, <c>store</c>, <c>finnhub</c>, <c>polygon</c>.</summary>
    public string Provider { get; init; } = "synthetic";

    /// <summary>File or folder for <c>csv</c>, <c>lean</c> and <c>store</c>.</summary>
    public string? Path { get; init; }

    /// <summary>Symbols to trade (tickers; crypto as <c>BINANCE:BTCUSDT</c>, <c>BTC/USD</c>…).</summary>
    public List<string> Symbols { get; init; } = ["SYNA", "SYNB", "SYNC"];

    /// <summary>The bar timeframe the strategy runs on (default <c>1m</c>).</summary>
    public string Timeframe { get; init; } = "1m";

    /// <summary>The timeframe of the source data when it differs (bars are combined up to <see cref="Timeframe"/>).</summary>
    public string? SourceTimeframe { get; init; }

    /// <summary>First date (exchange-local, inclusive), <c>yyyy-MM-dd</c>.</summary>
    public string? From { get; init; }

    /// <summary>Last date (exchange-local, inclusive), <c>yyyy-MM-dd</c>.</summary>
    public string? To { get; init; }

    /// <summary>CSV: whether the time column marks the bar <c>start</c> (default) or <c>end</c>.</summary>
    public string TimeIs { get; init; } = "start";

    /// <summary>CSV: log and skip malformed rows instead of stopping.</summary>
    public bool SkipBadRows { get; init; }

    /// <summary>Force the asset class of every symbol: <c>equity</c> or <c>crypto</c> (default: inferred from the ticker).</summary>
    public string? AssetClass { get; init; }

    /// <summary>
    /// How prices with corporate-action factors are served: <c>raw</c> (the engine applies splits and dividends to the
    /// account), <c>split_adjusted</c> or <c>adjusted</c> (default for <c>lean</c>, and for a <c>store</c> holding factors).
    /// CSV and synthetic bars are taken as given (only <c>raw</c> is accepted).
    /// </summary>
    public string? Adjustment { get; init; }

    /// <summary>Seed of the synthetic market (default 42).</summary>
    public int Seed { get; init; } = 42;
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
    public string? Name { get; init; }

    /// <summary>A C# file, or a folder of them, compiled at run start (relative to the configuration file's folder).</summary>
    public string? Source { get; init; }

    /// <summary>A class library (.dll) defining the strategy (relative to the configuration file's folder).</summary>
    public string? Assembly { get; init; }

    /// <summary>
    /// The folder a relative <see cref="Source"/> or <see cref="Assembly"/> starts from: the configuration file's when the
    /// file gave the path, the current one when a flag did (set by <see cref="ConfigLoader"/>; not a key).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? BaseDirectory { get; init; }

    /// <summary>Strategy parameters; each strategy documents its own.</summary>
    public JsonObject Params { get; init; } = [];
}

/// <summary>The <c>risk</c> section.</summary>
public sealed record RiskConfig
{
    /// <summary>Stop-loss in percent of the entry price (default 2.0); null for none.</summary>
    public decimal? StopLossPct { get; init; } = 2.0m;

    /// <summary>Take-profit in percent of the entry price; null for none.</summary>
    public decimal? TakeProfitPct { get; init; }

    /// <summary>Trailing stop in percent of the best price since entry; null for none.</summary>
    public decimal? TrailingStopPct { get; init; }

    /// <summary>Daily loss (percent of the day's starting equity) that blocks new entries for the day; null for none.</summary>
    public decimal? DailyLossLimitPct { get; init; }
}

/// <summary>The <c>trade_manager</c> section.</summary>
public sealed record TradeManagerConfig
{
    /// <summary><c>percent_equity</c> (default), <c>fixed_qty</c> or <c>fixed_notional</c>.</summary>
    public string Sizing { get; init; } = "percent_equity";

    /// <summary>Percent of equity per position for <c>percent_equity</c> (default 0.5).</summary>
    public decimal PositionSizePct { get; init; } = 0.5m;

    /// <summary>Quantity per position for <c>fixed_qty</c>.</summary>
    public decimal? Quantity { get; init; }

    /// <summary>Notional per position for <c>fixed_notional</c>.</summary>
    public decimal? Notional { get; init; }

    /// <summary>Most positions open at once (default 3).</summary>
    public int MaxPositions { get; init; } = 3;
}

/// <summary>The <c>exchange</c> section.</summary>
public sealed record ExchangeConfig
{
    /// <summary>Starting cash (default 100000).</summary>
    public decimal InitialCash { get; init; } = 100_000m;

    /// <summary>Commission model.</summary>
    public CommissionConfig Commission { get; init; } = new();

    /// <summary>Adverse slippage on market and stop fills, basis points (default 0).</summary>
    public decimal SlippageBps { get; init; }

    /// <summary>Most of a bar's volume one symbol may fill, percent (default: no cap).</summary>
    public decimal? MaxVolumePct { get; init; }

    /// <summary><c>cash</c> (default) or <c>margin</c>.</summary>
    public string Account { get; init; } = "cash";

    /// <summary>Leverage of a margin account (default 2).</summary>
    public decimal MarginLeverage { get; init; } = 2m;

    /// <summary>
    /// An order decided at or after the close: <c>next_open</c> (default; a market order fills at the next session's
    /// open) or <c>expire</c> (a DAY order decided at the close expires, one decided while closed is rejected).
    /// </summary>
    public string OrdersAtClose { get; init; } = "next_open";
}

/// <summary>The <c>exchange.commission</c> section.</summary>
public sealed record CommissionConfig
{
    /// <summary><c>per_share</c> (default), <c>percent</c> or <c>zero</c>.</summary>
    public string Model { get; init; } = "per_share";

    /// <summary>Per-share fee (default 0.005).</summary>
    public decimal PerShare { get; init; } = 0.005m;

    /// <summary>Minimum per execution for <c>per_share</c> (default 1.00).</summary>
    public decimal Minimum { get; init; } = 1.00m;

    /// <summary>Cap in percent of trade value for <c>per_share</c> (default 0.5).</summary>
    public decimal MaxPercent { get; init; } = 0.5m;

    /// <summary>Percent of value for <c>percent</c> (default 0.1).</summary>
    public decimal Percent { get; init; } = 0.1m;
}

/// <summary>The <c>output</c> section.</summary>
public sealed record OutputConfig
{
    /// <summary>The run folder; <c>{timestamp}</c> becomes the UTC start time, <c>{strategy}</c> the strategy name (default <c>runs/{timestamp}</c>).</summary>
    public string Dir { get; init; } = "runs/{timestamp}";

    /// <summary>Write <c>bars.csv</c> (default: false in backtest, true in replay and live).</summary>
    public bool? BarsCsv { get; init; }

    /// <summary>Write <c>report.html</c> (default true).</summary>
    public bool Report { get; init; } = true;

    /// <summary>
    /// Rows of <c>equity.csv</c>: <c>cycle</c> (every mark) or <c>session</c> (the last mark of each exchange-local date
    /// and the run's first mark). Default: <c>session</c> in backtest, <c>cycle</c> in replay and live.
    /// </summary>
    public string? Equity { get; init; }
}

/// <summary>The <c>engine</c> section.</summary>
public sealed record EngineConfig
{
    /// <summary>Close all positions at the last price when the run ends (default false).</summary>
    public bool ClosePositionsAtEnd { get; init; }

    /// <summary>Bars of history kept per symbol for strategies (default 256).</summary>
    public int HistoryBars { get; init; } = 256;

    /// <summary>Cancel open orders when a live or replay run is stopped (default true); false leaves them working.</summary>
    public bool CancelOrdersOnStop { get; init; } = true;
}

/// <summary>The <c>replay</c> section.</summary>
public sealed record ReplayConfig
{
    /// <summary>Run as a replay (wins over <c>live_mode</c>).</summary>
    public bool Enabled { get; init; }
}

/// <summary>The <c>market_hours</c> section.</summary>
public sealed record MarketHoursConfig
{
    /// <summary>Calendar: <c>auto</c> (by asset class, default), <c>NYSE</c> or <c>24/7</c>.</summary>
    public string Calendar { get; init; } = "auto";

    /// <summary>Trade pre-market and after-hours too (default false).</summary>
    public bool ExtendedHours { get; init; }

    /// <summary>What live mode does when the market is closed: <c>wait</c> (default) for the next open, or <c>exit</c>.</summary>
    public string WhenClosed { get; init; } = "wait";

    /// <summary>No new entries within this many minutes of the close (default 0).</summary>
    public int StopEntriesMinutesBeforeClose { get; init; }

    /// <summary>Seconds after a bar boundary before the live cycle runs, for late prints (default 5).</summary>
    public double BarSyncBufferSeconds { get; init; } = 5;
}

/// <summary>The <c>providers</c> section.</summary>
public sealed record ProvidersConfig
{
    /// <summary>Finnhub settings.</summary>
    public FinnhubConfig Finnhub { get; init; } = new();

    /// <summary>Polygon (Massive) settings.</summary>
    public PolygonConfig Polygon { get; init; } = new();

    /// <summary>
    /// Alpaca settings (market data; the broker's trading URL lives here too); null when the file has no such section (then
    /// the defaults apply). Left out of the configuration echo while null, so run folders of other providers stay unchanged.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public AlpacaConfig? Alpaca { get; init; }
}

/// <summary>
/// The <c>providers.alpaca</c> section: keys and market data endpoints (<c>data.provider: "alpaca"</c>). The keys are better
/// given as <c>ALPACA_API_KEY_ID</c> / <c>ALPACA_API_SECRET_KEY</c>; they are never logged.
/// </summary>
public sealed record AlpacaConfig
{
    /// <summary>The key id; prefer <c>ALPACA_API_KEY_ID</c>. Never logged.</summary>
    public string? ApiKeyId { get; init; }

    /// <summary>The secret key; prefer <c>ALPACA_API_SECRET_KEY</c>. Never logged.</summary>
    public string? ApiSecretKey { get; init; }

    /// <summary>The market data REST base (historical bars), default <c>https://data.alpaca.markets</c>.</summary>
    public string DataUrl { get; init; } = "https://data.alpaca.markets";

    /// <summary>The market data stream base, without the feed path (default <c>wss://stream.data.alpaca.markets</c>).</summary>
    public string StreamUrl { get; init; } = "wss://stream.data.alpaca.markets";

    /// <summary>The stock feed: <c>iex</c> (free, default), <c>sip</c> (paid), <c>delayed_sip</c> or <c>test</c>.</summary>
    public string Feed { get; init; } = "iex";

    /// <summary>Seconds without any frame, while the market is open, before the stream is reconnected (default 90).</summary>
    public double SilenceTimeoutSeconds { get; init; } = 90;

    /// <summary>Seconds a late print may arrive after its bar's end and still count (default 2).</summary>
    public double LateGraceSeconds { get; init; } = 2;
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
    public string? ApiKey { get; init; }

    /// <summary>WebSocket base URL.</summary>
    public string WsUrl { get; init; } = string.Empty;

    /// <summary>REST base URL.</summary>
    public string RestUrl { get; init; } = string.Empty;

    /// <summary>Seconds without any frame, while the market is open, before the stream is reconnected (default 90).</summary>
    public double SilenceTimeoutSeconds { get; init; } = 90;

    /// <summary>Seconds a late print may arrive after its bar's end and still count (default 2).</summary>
    public double LateGraceSeconds { get; init; } = 2;
}
