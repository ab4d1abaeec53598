using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Indicators;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;

namespace StrategyLab.Benchmarks;

/// <summary>
/// Per-bar cost of the indicators and of each built-in strategy's <c>OnBar</c> (the strategy's share of the engine's
/// hot path), over a month of one-minute NYSE bars for one symbol. Each benchmark reports the time per bar.
/// </summary>
[MemoryDiagnoser]
public class StrategyBenchmarks
{
    private Bar[] _bars = [];
    private TradingSession?[] _sessionOpenAt = [];
    private BenchContext _context = null!;
    private IStrategy _orb = null!;
    private IStrategy _sma = null!;
    private IStrategy _rsi = null!;
    private Sma _smaIndicator = null!;
    private Ema _ema = null!;
    private Rsi _rsiIndicator = null!;
    private Atr _atr = null!;
    private BollingerBands _bollinger = null!;
    private Vwap _vwap = null!;

    /// <summary>Bars per invocation: the 20 sessions of March 2024 (Good Friday closed) × 390 minutes.</summary>
    private const int BarCount = 20 * 390;

    /// <summary>Builds a seeded random walk over the sessions of March 2024 and the strategies (defaults, shorts allowed).</summary>
    [GlobalSetup]
    public void Setup()
    {
        var symbol = Symbol.Equity("SPY");
        var rng = new Random(42);
        var bars = new List<Bar>();
        var opens = new List<TradingSession?>();
        var price = 500m;
        foreach (var session in NyseCalendar.Instance.GetSessions(new DateOnly(2024, 3, 1), new DateOnly(2024, 3, 31)))
        {
            for (var start = session.RegularOpen; start < session.RegularClose; start = start.AddMinutes(1))
            {
                var open = price;
                var close = Math.Round(open * (1m + (((decimal)rng.NextDouble() - 0.5m) * 0.002m)), 2);
                bars.Add(new Bar(symbol, start, start.AddMinutes(1), open, Math.Max(open, close) + 0.05m, Math.Min(open, close) - 0.05m, close, 1000m));
                opens.Add(start == session.RegularOpen ? session : null);
                price = close;
            }
        }

        if (bars.Count != BarCount)
        {
            throw new InvalidOperationException($"Expected {BarCount} bars, built {bars.Count}: the per-bar figures would be wrong.");
        }

        _bars = [.. bars];
        _sessionOpenAt = [.. opens];
        _context = new BenchContext(symbol);
        var shorts = new Dictionary<string, object?> { ["allow_short"] = true };
        var setup = new StrategySetup(_context.Timeframe, _context.Symbols);
        _orb = BuiltInStrategies.Create("orb", shorts, setup);
        _sma = BuiltInStrategies.Create("sma_crossover", shorts, setup);
        _rsi = BuiltInStrategies.Create("rsi_reversion", shorts, setup);
        _orb.Initialize(_context);
        _sma.Initialize(_context);
        _rsi.Initialize(_context);
        _smaIndicator = new Sma(30);
        _ema = new Ema(30);
        _rsiIndicator = new Rsi(14);
        _atr = new Atr(14);
        _bollinger = new BollingerBands(20);
        _vwap = new Vwap();
    }

    /// <summary>ORB: opening range, breakout and flatten logic.</summary>
    [Benchmark(OperationsPerInvoke = BarCount)]
    public int Orb() => Drive(_orb);

    /// <summary>SMA crossover 10/30.</summary>
    [Benchmark(OperationsPerInvoke = BarCount)]
    public int SmaCrossover() => Drive(_sma);

    /// <summary>RSI(14) reversion.</summary>
    [Benchmark(OperationsPerInvoke = BarCount)]
    public int RsiReversion() => Drive(_rsi);

    /// <summary>All six indicators updated from each bar.</summary>
    [Benchmark(OperationsPerInvoke = BarCount)]
    public double AllSixIndicators()
    {
        var sum = 0.0;
        var bars = _bars;
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var bar = ref bars[i];
            if (_sessionOpenAt[i] is not null)
            {
                _vwap.Reset();
            }

            _smaIndicator.Update(bar);
            _ema.Update(bar);
            _rsiIndicator.Update(bar);
            _atr.Update(bar);
            _bollinger.Update(bar);
            _vwap.Update(bar);
            sum += _bollinger.Upper + _vwap.Value;
        }

        return sum;
    }

    private int Drive(IStrategy strategy)
    {
        var bars = _bars;
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var bar = ref bars[i];
            if (_sessionOpenAt[i] is { } session)
            {
                strategy.OnSessionOpen(bar.Symbol, session, _context);
            }

            _context.TimeUtc = bar.End;
            strategy.OnBar(bar, _context);
        }

        return _context.Intents;
    }

    /// <summary>The cheapest possible context: intents fill at once and are only counted.</summary>
    private sealed class BenchContext(Symbol symbol) : IStrategyContext
    {
        private decimal _position;

        public int Intents { get; private set; }

        public DateTime TimeUtc { get; set; }

        public IReadOnlyList<Symbol> Symbols { get; } = [symbol];

        public Timeframe Timeframe => Timeframe.OneMinute;

        public bool IsWarmingUp => false;

        public Portfolio Portfolio { get; } = new(100_000m);

        public ILogger Log => NullLogger.Instance;

        public IMarketCalendar CalendarOf(Symbol s) => NyseCalendar.Instance;

        public TradingSession? CurrentSession(Symbol s) => NyseCalendar.Instance.SessionAt(TimeUtc.AddTicks(-1));

        public ReadOnlySpan<Bar> History(Symbol s, int count) => [];

        public decimal PositionOf(Symbol s) => _position;

        public bool HasPendingEntry(Symbol s) => false;

        public IEnumerable<Order> OpenOrdersOf(Symbol s) => [];

        public void EnterLong(Symbol s, string reason = "signal") => Set(1m);

        public void EnterShort(Symbol s, string reason = "signal") => Set(-1m);

        public void Exit(Symbol s, string reason = "signal") => Set(0m);

        public Order SubmitOrder(OrderRequest request) => throw new NotSupportedException();

        public bool CancelOrder(long orderId) => throw new NotSupportedException();

        // --- targets ---
        public void SetTarget(Symbol s, decimal percentOfEquity, string reason = "target") => Set(Math.Sign(percentOfEquity));

        public void SetTargetQuantity(Symbol s, decimal quantity, string reason = "target") => Set(quantity);

        public void Liquidate(string reason = "liquidate") => Set(0m);

        public void Liquidate(Symbol s, string reason = "liquidate") => Set(0m);
        // --- schedules ---
        public IStrategySchedule Schedule => throw new NotSupportedException();
        // --- timeframes ---
        public void Subscribe(Timeframe timeframe, BarHandler handler) => throw new NotSupportedException();

        public void Subscribe(Symbol symbol, Timeframe timeframe, BarHandler handler) => throw new NotSupportedException();

        public ReadOnlySpan<Bar> History(Symbol symbol, Timeframe timeframe, int count) => [];

        // --- plots ---
        public void Plot(string series, double value)
        {
        }

        public void Plot(Symbol symbol, string series, double value)
        {
        }

        public void Plot(Symbol symbol, string series, double value, StrategyLab.Core.Engine.PlotPane pane)
        {
        }

        private void Set(decimal position)
        {
            Intents++;
            _position = position;
        }
    }
}
