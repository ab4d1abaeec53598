using System.Globalization;
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
public sealed partial record ResolvedRun
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
}
