using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Statistics;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;

namespace StrategyLab.Runner.Configuration;

/// <summary>
/// A validated configuration turned into the engine's typed settings. Build it with <see cref="Resolve"/>,
/// which rejects impossible values with a message naming the key.
/// </summary>
public sealed record ResolvedRun
{
    /// <summary>The slowest replay clock: a market minute takes at most about 17 hours.</summary>
    public const double MinSpeedup = 0.001;

    /// <summary>The fastest scaled replay clock (above it, use 0: as fast as possible).</summary>
    public const double MaxSpeedup = 1_000_000;

    /// <summary>The largest money amount accepted anywhere in a configuration (cash, notional, fees): 10^15.</summary>
    public const decimal MaxMoney = 1_000_000_000_000_000m;

    /// <summary>The configuration as bound.</summary>
    public required RunConfig Config { get; init; }

    /// <summary>The effective configuration (defaults filled in, secrets removed) for the run's summary.</summary>
    public required JsonObject Echo { get; init; }

    /// <summary>Backtest, replay or live.</summary>
    public required RunMode Mode { get; init; }

    /// <summary>Things the user should know (e.g. replay winning over live_mode).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The symbols, in slice order.</summary>
    public required IReadOnlyList<Symbol> Symbols { get; init; }

    /// <summary>The strategy's timeframe.</summary>
    public required Timeframe Timeframe { get; init; }

    /// <summary>The source data's timeframe when given.</summary>
    public Timeframe? SourceTimeframe { get; init; }

    /// <summary>First date, exchange-local, inclusive.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last date, exchange-local, inclusive.</summary>
    public DateOnly? To { get; init; }

    /// <summary>
    /// The <c>data.adjustment</c> asked for: null when not given (the source's default: adjusted for LEAN, and for a store
    /// holding factors; as given otherwise).
    /// </summary>
    public PriceAdjustment? Adjustment { get; init; }

    /// <summary>The calendar of each symbol.</summary>
    public required Func<Symbol, IMarketCalendar> CalendarOf { get; init; }

    /// <summary>The strategy factory.</summary>
    public required IStrategyFactory StrategyFactory { get; init; }

    /// <summary>Where the strategy comes from (built in, a source file, a class library).</summary>
    public StrategyOrigin StrategyOrigin { get; init; } = StrategyOrigin.BuiltIn;

    /// <summary>The strategy's validated parameters.</summary>
    public required StrategyParameters StrategyParameters { get; init; }

    /// <summary>Risk settings.</summary>
    public required RiskSettings Risk { get; init; }

    /// <summary>Sizing settings.</summary>
    public required TradeManagerSettings TradeManager { get; init; }

    /// <summary>Exchange settings.</summary>
    public required ExchangeSettings Exchange { get; init; }

    /// <summary>Account type.</summary>
    public required AccountType Account { get; init; }

    /// <summary>Engine options.</summary>
    public required EngineOptions Engine { get; init; }

    /// <summary>The configured price increments and quantity steps, by symbol (the rest follow the built-in rules).</summary>
    public IReadOnlyDictionary<Symbol, InstrumentOverride> InstrumentOverrides { get; init; } = new Dictionary<Symbol, InstrumentOverride>();

    /// <summary>The benchmark symbol (<c>benchmark</c>; the first symbol by default); null for <c>"none"</c>.</summary>
    public Symbol? Benchmark { get; init; }

    /// <summary>The statistics' settings (<c>rolling_sharpe_days</c>).</summary>
    public StatisticsOptions Statistics { get; init; } = StatisticsOptions.Default;

    /// <summary>The parsed <c>auto_stop_at</c>, if any.</summary>
    public AutoStop? AutoStop { get; init; }

    /// <summary>The rows of <c>equity.csv</c> (<c>output.equity</c>); null: the mode's default (session in backtest, cycle otherwise).</summary>
    public EquityResolution? Equity { get; init; }

    /// <summary>Validates <paramref name="config"/> and builds the typed settings.</summary>
    /// <param name="config">The bound configuration.</param>
    /// <param name="effective">The effective configuration, echoed in the summary.</param>
    /// <param name="loggers">Where loading a user strategy logs (compiled, cache hit); none when null.</param>
    /// <exception cref="ConfigException">A value is impossible; the message names the key.</exception>
    /// <exception cref="Scripting.StrategyCompilationException">The strategy's source does not compile.</exception>
    public static ResolvedRun Resolve(RunConfig config, JsonObject effective, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(effective);
        var warnings = new List<string>();
        if (config.Strategy.DroppedParams is { } dropped)
        {
            warnings.Add(dropped);
        }

        var mode = ResolveMode(config, warnings);

        var data = config.Data;
        string[] providers = ["synthetic", "csv", "lean", "store", "finnhub", "polygon", "alpaca"];
        Require(providers.Contains(data.Provider), "data.provider", $"unknown provider '{data.Provider}'. Known: {string.Join(", ", providers)}.");
        if (data.Provider is "csv" or "lean" or "store")
        {
            Require(!string.IsNullOrWhiteSpace(data.Path), "data.path", $"provider '{data.Provider}' needs a path to a file or folder.");
            Require(File.Exists(data.Path) || Directory.Exists(data.Path), "data.path", $"'{data.Path}' does not exist.");
        }

        if (mode == RunMode.Live)
        {
            Require(data.Provider is "finnhub" or "polygon" or "alpaca", "data.provider", $"live mode needs a live provider (finnhub, polygon or alpaca), not '{data.Provider}'.");
        }
        else
        {
            Require(
                data.Provider is not ("finnhub" or "polygon" or "alpaca"),
                "data.provider",
                $"a {mode.ToString().ToLowerInvariant()} reads history: use synthetic, csv, lean or store (download '{data.Provider}' history into a store with 'strategylab data download').");
        }

        Require(data.Symbols.Count > 0, "data.symbols", "list at least one symbol.");
        var symbols = new List<Symbol>();
        AssetClass? forced = data.AssetClass switch
        {
            null => null,
            "equity" => AssetClass.UsEquity,
            "crypto" => AssetClass.Crypto,
            _ => throw new ConfigException("data.asset_class", $"expected 'equity' or 'crypto', got '{data.AssetClass}'."),
        };
        foreach (var text in data.Symbols)
        {
            try
            {
                var s = forced is { } ac ? Symbol.Create(text, ac) : Symbol.Parse(text);
                Require(!symbols.Contains(s), "data.symbols", $"'{text}' is listed twice.");
                symbols.Add(s);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException("data.symbols", e.Message);
            }
        }

        if (mode == RunMode.Live && data.Provider == "polygon" && symbols.FirstOrDefault(s => s.AssetClass != AssetClass.UsEquity) is { } notStock)
        {
            // The Polygon feed streams the stocks cluster: refuse at load rather than fail on connect.
            throw new ConfigException(
                "data.symbols",
                $"'{notStock}' is {notStock.AssetClass}: live Polygon streams US equities only (the stocks cluster); use finnhub for crypto.");
        }

        var timeframe = ParseTimeframe("data.timeframe", data.Timeframe);
        Timeframe? source = data.SourceTimeframe is null ? null : ParseTimeframe("data.source_timeframe", data.SourceTimeframe);
        if (source is { } src)
        {
            Require(timeframe.IsMultipleOf(src) && src <= timeframe, "data.source_timeframe", $"{src} bars cannot be combined into {timeframe} bars.");
            Require(!src.IsMultiSession, "data.source_timeframe", $"{src} bars are built from daily or finer bars; give the source's own timeframe (e.g. 1d).");
        }

        Require(
            !(timeframe.IsMultiSession && mode == RunMode.Live),
            "data.timeframe",
            $"live mode trades intraday or daily bars; {timeframe} bars are for backtests and replays.");

        var from = ParseDate("data.from", data.From);
        var to = ParseDate("data.to", data.To);
        Require(from is null || to is null || from <= to, "data.to", $"{data.To} is before data.from {data.From}.");
        Require(data.TimeIs is "start" or "end", "data.time_is", $"expected 'start' or 'end', got '{data.TimeIs}'.");
        var adjustment = ResolveAdjustment(data);

        var calendarOf = ResolveCalendar(config.MarketHours.Calendar);

        var (factory, origin) = StrategyResolution.Resolve(config.Strategy, loggers);

        StrategyParameters parameters;
        try
        {
            // Bind, then the strategy's own checks on a probe instance (fast < slow, a range that fits the bars…).
            parameters = factory.BindAndValidate(ToParameterValues(config.Strategy.Params), new StrategySetup(timeframe, symbols));
        }
        catch (StrategyConfigurationException e)
        {
            throw new ConfigException(e.Key, e.Message[(e.Key.Length + 2)..]);
        }
        catch (Exception e) when (origin.User is not null && e is not (StrategyDefinitionException or ConfigException))
        {
            throw new StrategyException(factory.Name, nameof(IStrategy.ValidateParameters), e); // a bug in user code: exit 1 with its line
        }

        var risk = config.Risk;
        RequirePercent("risk.stop_loss_pct", risk.StopLossPct, below100: true);
        RequirePercent("risk.take_profit_pct", risk.TakeProfitPct, below100: false);
        RequirePercent("risk.trailing_stop_pct", risk.TrailingStopPct, below100: true);
        RequirePercent("risk.daily_loss_limit_pct", risk.DailyLossLimitPct, below100: true);

        var tm = config.TradeManager;
        var sizing = tm.Sizing switch
        {
            "percent_equity" => SizingMode.PercentEquity,
            "fixed_qty" => SizingMode.FixedQuantity,
            "fixed_notional" => SizingMode.FixedNotional,
            "risk_percent" => SizingMode.RiskPercent,
            _ => throw new ConfigException("trade_manager.sizing", $"expected percent_equity, fixed_qty, fixed_notional or risk_percent, got '{tm.Sizing}'."),
        };
        if (sizing == SizingMode.RiskPercent)
        {
            Require(risk.StopLossPct is not null || risk.TrailingStopPct is not null, "trade_manager.sizing", "risk_percent sizes against the stop: set risk.stop_loss_pct (or risk.trailing_stop_pct).");
            Require(tm.RiskPct > 0 && tm.RiskPct <= 100, "trade_manager.risk_pct", $"must be in (0, 100], got {Num(tm.RiskPct)}.");
            Require(tm.MaxPositionPct > 0 && tm.MaxPositionPct <= 10_000, "trade_manager.max_position_pct", $"must be in (0, 10000], got {Num(tm.MaxPositionPct)}.");
        }
        if (sizing == SizingMode.PercentEquity)
        {
            Require(tm.PositionSizePct > 0 && tm.PositionSizePct <= 100, "trade_manager.position_size_pct", $"must be in (0, 100], got {Num(tm.PositionSizePct)}.");
        }

        Require(sizing != SizingMode.FixedQuantity || tm.Quantity > 0, "trade_manager.quantity", "fixed_qty sizing needs a positive quantity.");
        Require(sizing != SizingMode.FixedNotional || tm.Notional > 0, "trade_manager.notional", "fixed_notional sizing needs a positive notional.");
        Require(tm.MaxPositions >= 1, "trade_manager.max_positions", $"must be at least 1, got {tm.MaxPositions}.");

        var ex = config.Exchange;
        Require(ex.InitialCash > 0, "exchange.initial_cash", $"must be positive, got {Num(ex.InitialCash)}.");
        RequireMoney("exchange.initial_cash", ex.InitialCash);
        RequireMoney("trade_manager.notional", tm.Notional ?? 0);
        RequireMoney("trade_manager.quantity", tm.Quantity ?? 0);
        RequireMoney("exchange.commission.per_share", ex.Commission.PerShare);
        RequireMoney("exchange.commission.minimum", ex.Commission.Minimum);
        Require(ex.SlippageBps <= 10_000, "exchange.slippage_bps", $"must be at most 10000 (100 %), got {Num(ex.SlippageBps)}.");
        Require(ex.Commission.MaxPercent <= 100, "exchange.commission.max_percent", $"must be at most 100, got {Num(ex.Commission.MaxPercent)}.");
        Require(ex.Commission.Percent <= 100, "exchange.commission.percent", $"must be at most 100, got {Num(ex.Commission.Percent)}.");
        Require(ex.SlippageBps >= 0, "exchange.slippage_bps", $"must not be negative, got {Num(ex.SlippageBps)}.");
        Require(ex.MaxVolumePct is null or > 0 and <= 100, "exchange.max_volume_pct", $"must be in (0, 100], got {Num(ex.MaxVolumePct ?? 0)}.");
        var account = ex.Account switch
        {
            "cash" => AccountType.Cash,
            "margin" => AccountType.Margin,
            _ => throw new ConfigException("exchange.account", $"expected 'cash' or 'margin', got '{ex.Account}'."),
        };
        Require(ex.MarginLeverage is >= 1 and <= 100, "exchange.margin_leverage", $"must be in [1, 100], got {Num(ex.MarginLeverage)}.");
        var ordersAtClose = ex.OrdersAtClose switch
        {
            "next_open" => OrdersAtClose.NextOpen,
            "expire" => OrdersAtClose.Expire,
            _ => throw new ConfigException("exchange.orders_at_close", $"expected 'next_open' or 'expire', got '{ex.OrdersAtClose}'."),
        };
        var instruments = Configuration.InstrumentOverrides.Resolve(config.Instruments, symbols);

        if (account == AccountType.Cash)
        {
            RequireNoShortSelling(factory, parameters);
        }

        if (mode != RunMode.Live && from is { } first && to is { } last)
        {
            RequireSessions(symbols, calendarOf, first, last);
        }
        var c = ex.Commission;
        ICommissionModel commission = c.Model switch
        {
            "per_share" => new PerShareCommission(c.PerShare, c.Minimum, c.MaxPercent),
            "percent" => new PercentCommission(c.Percent),
            "zero" => ZeroCommission.Instance,
            _ => throw new ConfigException("exchange.commission.model", $"expected per_share, percent or zero, got '{c.Model}'."),
        };
        Require(c.PerShare >= 0, "exchange.commission.per_share", "must not be negative.");
        Require(c.Minimum >= 0, "exchange.commission.minimum", "must not be negative.");
        Require(c.MaxPercent >= 0, "exchange.commission.max_percent", "must not be negative.");
        Require(c.Percent >= 0, "exchange.commission.percent", "must not be negative.");

        Require(config.Engine.HistoryBars is >= 1 and <= 100_000, "engine.history_bars", $"must be in [1, 100000], got {config.Engine.HistoryBars}.");
        Require(config.PollingSeconds >= 1, "polling_seconds", $"must be at least 1, got {config.PollingSeconds}.");
        Require(
            config.Speedup == 0 || config.Speedup is >= MinSpeedup and <= MaxSpeedup,
            "speedup",
            $"must be in [{MinSpeedup.ToString(CultureInfo.InvariantCulture)}, {MaxSpeedup.ToString(CultureInfo.InvariantCulture)}] (or 0 for as fast as possible), got {config.Speedup.ToString(CultureInfo.InvariantCulture)}.");
        Require(config.LiveMinBars >= 0, "live_min_bars", "must not be negative.");
        Require(config.LiveWarmupCycles >= 0, "live_warmup_cycles", "must not be negative.");
        var mh = config.MarketHours;
        Require(mh.WhenClosed is "wait" or "exit", "market_hours.when_closed", $"expected 'wait' or 'exit', got '{mh.WhenClosed}'.");
        Require(mh.StopEntriesMinutesBeforeClose >= 0, "market_hours.stop_entries_minutes_before_close", "must not be negative.");
        Require(
            mh.StopEntriesMinutesBeforeClose == 0 || !timeframe.IsSessionBased,
            "market_hours.stop_entries_minutes_before_close",
            $"{timeframe} bars are decided at the close, so every entry would fall in the last {mh.StopEntriesMinutesBeforeClose} minutes; use 0 with session-based timeframes.");
        Require(mh.BarSyncBufferSeconds is >= 0 and <= 300, "market_hours.bar_sync_buffer_seconds", "must be in [0, 300].");
        ValidateProvider("providers.finnhub", config.Providers.Finnhub);
        ValidateProvider("providers.polygon", config.Providers.Polygon);
        ValidateAlpaca(config.Providers.Alpaca ?? new());
        Live.Broker.BrokerSettings.Validate(config, mode);
        Require(config.Output.Dir.Length > 0, "output.dir", "must not be empty.");
        EquityResolution? equity = config.Output.Equity switch
        {
            null => null,
            "cycle" => EquityResolution.Cycle,
            "session" => EquityResolution.Session,
            var other => throw new ConfigException("output.equity", $"expected 'cycle' or 'session', got '{other}'."),
        };

        AutoStop? autoStop = null;
        if (config.AutoStopAt is { } stopText)
        {
            autoStop = AutoStop.Parse(stopText) ?? throw new ConfigException("auto_stop_at", $"expected a time of day (HH:mm[:ss]) or an instant with offset (2024-01-02T15:55:00-05:00), got '{stopText}'.");
        }

        return new ResolvedRun
        {
            Config = config,
            Echo = BuildEcho(effective, parameters, factory.Name, origin),
            Mode = mode,
            Warnings = warnings,
            Symbols = symbols,
            Timeframe = timeframe,
            SourceTimeframe = source,
            From = from,
            To = to,
            Adjustment = adjustment,
            CalendarOf = calendarOf,
            Equity = equity,
            Benchmark = RunAnalyticsSettings.Benchmark(config, symbols, forced),
            Statistics = RunAnalyticsSettings.Statistics(config),
            StrategyFactory = factory,
            StrategyOrigin = origin,
            StrategyParameters = parameters,
            Risk = new RiskSettings
            {
                StopLossPct = risk.StopLossPct,
                TakeProfitPct = risk.TakeProfitPct,
                TrailingStopPct = risk.TrailingStopPct,
                DailyLossLimitPct = risk.DailyLossLimitPct,
                StopEntriesMinutesBeforeClose = mh.StopEntriesMinutesBeforeClose,
            },
            TradeManager = new TradeManagerSettings
            {
                Sizing = sizing,
                PositionSizePct = tm.PositionSizePct,
                Quantity = tm.Quantity ?? 0,
                Notional = tm.Notional ?? 0,
                RiskPct = tm.RiskPct,
                MaxPositionPct = tm.MaxPositionPct,
                StopDistancePct = risk.StopLossPct ?? risk.TrailingStopPct,
                MaxPositions = tm.MaxPositions,
            },
            Exchange = new ExchangeSettings
            {
                Commission = commission,
                SlippageBps = ex.SlippageBps,
                MaxVolumeFraction = ex.MaxVolumePct / 100m,
                ExtendedHours = mh.ExtendedHours,
                OrdersAtClose = ordersAtClose,
            },
            Account = account,
            InstrumentOverrides = instruments,
            Engine = new EngineOptions
            {
                Timeframe = timeframe,
                ExtendedHours = mh.ExtendedHours,
                HistoryCapacity = config.Engine.HistoryBars,
                ClosePositionsAtEnd = config.Engine.ClosePositionsAtEnd,
                MinCyclesBeforeTrading = mode == RunMode.Live ? config.LiveWarmupCycles : 0,
                StrategyName = factory.Name,
                ChartOverlays = config.Output.Report,
            },
            AutoStop = autoStop,
        };
    }

    /// <summary>A fresh instrument catalog for one run (it learns increments from the run's bars).</summary>
    public InstrumentCatalog CreateInstruments() => new(InstrumentOverrides);

    /// <summary>The strategy, freshly created.</summary>
    public IStrategy CreateStrategy() => StrategyFactory.Create(StrategyParameters);

    /// <summary>
    /// This run with some strategy parameters set to <paramref name="values"/> (a sweep's combination): bound and
    /// checked as <c>--param key=value</c> flags would be, with the configuration and its echo updated to match, so the
    /// run is the one <c>backtest --param …</c> would make.
    /// </summary>
    /// <exception cref="ConfigException">The strategy refuses the values (unknown, mistyped, inconsistent); names the key.</exception>
    public ResolvedRun WithStrategyParameters(IEnumerable<KeyValuePair<string, string>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var node = Config.Strategy.Params.DeepClone().AsObject();
        foreach (var (key, value) in values)
        {
            node[key] = JsonValue.Create(value);
        }

        StrategyParameters parameters;
        try
        {
            parameters = StrategyFactory.BindAndValidate(ToParameterValues(node), new StrategySetup(Timeframe, Symbols));
        }
        catch (StrategyConfigurationException e)
        {
            throw new ConfigException(e.Key, e.Message[(e.Key.Length + 2)..]);
        }

        if (Account == AccountType.Cash)
        {
            RequireNoShortSelling(StrategyFactory, parameters);
        }

        return this with
        {
            Config = Config with { Strategy = Config.Strategy with { Params = node } },
            Echo = BuildEcho(Echo, parameters, StrategyFactory.Name, StrategyOrigin),
            StrategyParameters = parameters,
        };
    }

    private static RunMode ResolveMode(RunConfig config, List<string> warnings)
    {
        var mode = config.Mode switch
        {
            "backtest" => RunMode.Backtest,
            "replay" => RunMode.Replay,
            "live" => RunMode.Live,
            _ => throw new ConfigException("mode", $"expected backtest, replay or live, got '{config.Mode}'."),
        };
        if (config.LiveMode && mode == RunMode.Backtest)
        {
            mode = RunMode.Live;
        }

        if (config.Replay.Enabled)
        {
            if (mode == RunMode.Live)
            {
                warnings.Add("replay.enabled and live mode are both set: replay takes precedence, live mode is off.");
            }

            mode = RunMode.Replay;
        }

        return mode;
    }

    private static PriceAdjustment? ResolveAdjustment(DataConfig data)
    {
        if (data.Adjustment is null)
        {
            return null;
        }

        Require(
            PriceAdjustments.TryParse(data.Adjustment, out var adjustment),
            "data.adjustment",
            $"expected 'raw', 'split_adjusted' or 'adjusted', got '{data.Adjustment}'.");
        Require(
            adjustment == PriceAdjustment.Raw || data.Provider is "lean" or "store",
            "data.adjustment",
            $"'{data.Adjustment}' needs corporate-action factors, which only the lean and store providers have; {data.Provider} bars are taken as given (leave data.adjustment out, or set \"raw\"; to backtest adjusted prices, give adjusted bars).");
        return adjustment;
    }

    private static Func<Symbol, IMarketCalendar> ResolveCalendar(string name)
    {
        if (string.Equals(name, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return MarketCalendars.For;
        }

        if (!MarketCalendars.TryGet(name, out var calendar))
        {
            throw new ConfigException("market_hours.calendar", $"unknown calendar '{name}'. Known: auto, {MarketCalendars.KnownNamesText}.");
        }

        return _ => calendar;
    }

    private static void RequireNoShortSelling(IStrategyFactory factory, StrategyParameters parameters)
    {
        // Said once here, not as a rejected order per signal: a cash account refuses every short sale.
        foreach (var spec in factory.Parameters)
        {
            if (spec.EnablesShortSelling && spec.Kind == ParameterKind.Boolean && parameters.GetBool(spec.Name))
            {
                throw new ConfigException(
                    $"strategy.params.{spec.Name}",
                    $"true lets '{factory.Name}' sell short, which a cash account cannot do (exchange.account is \"cash\", the default): every short entry would be rejected. Set exchange.account: \"margin\", or {spec.Name}: false.");
            }
        }
    }

    private static void RequireSessions(List<Symbol> symbols, Func<Symbol, IMarketCalendar> calendarOf, DateOnly from, DateOnly to)
    {
        foreach (var symbol in symbols)
        {
            var calendar = calendarOf(symbol);
            bool any;
            try
            {
                any = calendar.GetSessions(from, to).Any();
            }
            catch (ArgumentOutOfRangeException)
            {
                continue; // the calendar does not cover these years; the data will tell
            }

            if (!any)
            {
                throw new ConfigException(
                    "data.from",
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"data.from..data.to ({from:yyyy-MM-dd}..{to:yyyy-MM-dd}) holds no trading session of {symbol} on the {calendar.Name} calendar (only weekend days or holidays): the run would have nothing to trade."));
            }
        }
    }

    private static void ValidateProvider(string key, ProviderConfig p)
    {
        Require(Uri.TryCreate(p.WsUrl, UriKind.Absolute, out var ws) && ws.Scheme is "ws" or "wss", $"{key}.ws_url", $"expected a ws:// or wss:// URL, got '{p.WsUrl}'.");
        Require(Uri.TryCreate(p.RestUrl, UriKind.Absolute, out var rest) && rest.Scheme is "http" or "https", $"{key}.rest_url", $"expected an http:// or https:// URL, got '{p.RestUrl}'.");
        Require(p.SilenceTimeoutSeconds > 0, $"{key}.silence_timeout_seconds", "must be positive.");
        Require(p.LateGraceSeconds >= 0, $"{key}.late_grace_seconds", "must not be negative.");
    }

    private static void ValidateAlpaca(AlpacaConfig p)
    {
        const string Key = "providers.alpaca";
        Require(Uri.TryCreate(p.StreamUrl, UriKind.Absolute, out var ws) && ws.Scheme is "ws" or "wss", $"{Key}.stream_url", $"expected a ws:// or wss:// URL, got '{p.StreamUrl}'.");
        Require(Uri.TryCreate(p.DataUrl, UriKind.Absolute, out var rest) && rest.Scheme is "http" or "https", $"{Key}.data_url", $"expected an http:// or https:// URL, got '{p.DataUrl}'.");
        Require(p.Feed is "iex" or "sip" or "delayed_sip" or "test", $"{Key}.feed", $"expected iex, sip, delayed_sip or test, got '{p.Feed}'.");
        Require(p.SilenceTimeoutSeconds > 0, $"{Key}.silence_timeout_seconds", "must be positive.");
        Require(p.LateGraceSeconds >= 0, $"{Key}.late_grace_seconds", "must not be negative.");
    }

    private static Timeframe ParseTimeframe(string key, string text)
    {
        try
        {
            return Timeframe.Parse(text);
        }
        catch (FormatException e)
        {
            throw new ConfigException(key, e.Message);
        }
    }

    private static DateOnly? ParseDate(string key, string? text)
    {
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new ConfigException(key, $"expected a date yyyy-MM-dd, got '{text}'.");
    }

    private static void RequirePercent(string key, decimal? value, bool below100)
    {
        if (value is not { } v)
        {
            return;
        }

        Require(v > 0, key, $"must be positive (or null for none), got {Num(v)}.");
        Require(!below100 || v < 100, key, $"must be below 100%, got {Num(v)}.");
    }

    private static Dictionary<string, object?> ToParameterValues(JsonObject node)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in node)
        {
            values[key] = value switch
            {
                null => null,
                JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.TryGetValue<decimal>(out var d) ? d : (object)v.GetValue<double>(),
                JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                _ => value.ToJsonString(),
            };
        }

        return values;
    }

    private static JsonObject BuildEcho(JsonObject effective, StrategyParameters parameters, string strategyName, StrategyOrigin origin)
    {
        var copy = effective.DeepClone().AsObject();

        // The parameters the strategy really ran with, defaults included.
        if (copy["strategy"] is JsonObject strategy)
        {
            var resolved = new JsonObject();
            foreach (var (name, value) in parameters.Values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                resolved[name] = value switch
                {
                    int i => JsonValue.Create(i),
                    long l => JsonValue.Create(l),
                    decimal d => JsonValue.Create(d),
                    bool b => JsonValue.Create(b),
                    _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
                };
            }

            strategy["params"] = resolved;
            strategy["name"] = strategyName;
            if (origin.User is not null)
            {
                strategy["origin"] = origin.ToJson();
            }
        }

        if (copy["providers"] is JsonObject providers)
        {
            foreach (var (_, p) in providers)
            {
                if (p is JsonObject po)
                {
                    foreach (var secret in (string[])["api_key", "api_key_id", "api_secret_key"])
                    {
                        if (po[secret] is not null)
                        {
                            po[secret] = "***";
                        }
                    }
                }
            }

            // The Alpaca section (a broker's keys and URLs) is echoed only when set: runs without it keep their summary as it was.
            if (providers["alpaca"] is JsonObject alpaca && alpaca.All(kv => kv.Value is null))
            {
                providers.Remove("alpaca");
            }
        }

        // Likewise the broker section at its defaults (the simulated exchange, paper).
        if (copy["broker"] is JsonObject broker && broker["type"]?.GetValue<string>() == "simulated" && broker["live"]?.GetValue<bool>() != true)
        {
            copy.Remove("broker");
        }

        return copy;
    }

    private static void Require(bool condition, string key, string problem)
    {
        if (!condition)
        {
            throw new ConfigException(key, problem);
        }
    }

    private static string Num(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>Bounds a money amount (or a quantity) so that no product of the run can overflow decimal arithmetic.</summary>
    private static void RequireMoney(string key, decimal value) =>
        Require(value <= MaxMoney, key, $"must be at most {Num(MaxMoney)} (10^15), got {Num(value)}.");
}

/// <summary>When a live or replay run stops by itself.</summary>
/// <param name="TimeOfDay">A time of day in exchange time (the first such time after the start).</param>
/// <param name="Instant">An absolute instant, UTC.</param>
public sealed record AutoStop(TimeOnly? TimeOfDay, DateTime? Instant)
{
    /// <summary>Reads <c>HH:mm</c>, <c>HH:mm:ss</c> or an ISO-8601 instant with offset; null when neither.</summary>
    public static AutoStop? Parse(string text)
    {
        if (TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            return new AutoStop(t, null);
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dto)
            && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal)))
        {
            return new AutoStop(null, dto.UtcDateTime);
        }

        return null;
    }

    /// <summary>The first stop instant at or after <paramref name="startUtc"/>.</summary>
    public DateTime FirstAfter(DateTime startUtc, IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (Instant is { } i)
        {
            return i;
        }

        var local = calendar.ToExchangeTime(startUtc);
        var candidate = calendar.ToUtc(DateOnly.FromDateTime(local).ToDateTime(TimeOfDay!.Value));
        return candidate >= startUtc ? candidate : calendar.ToUtc(DateOnly.FromDateTime(local).AddDays(1).ToDateTime(TimeOfDay.Value));
    }
}
