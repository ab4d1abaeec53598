using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Indicators;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;

namespace StrategyLab.Tests.Core.Strategies;

/// <summary>
/// The per-bar path must not allocate in steady state (it runs for every bar of a 10-million-bar benchmark).
/// Allocation counts are deterministic, unlike timings, so they are asserted here.
/// </summary>
public class AllocationTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly Symbol Qqq = Symbol.Equity("QQQ");

    private sealed record Day(TradingSession Session, Bar[] Spy, Bar[] Qqq);

    /// <summary>Twenty July 2024 sessions of 1-minute bars for two symbols, as a seeded random walk.</summary>
    private static List<Day> Days()
    {
        var calendar = NyseCalendar.Instance;
        var rng = new Random(42);
        var days = new List<Day>();
        var price = new[] { 100m, 400m };
        foreach (var session in calendar.GetSessions(new DateOnly(2024, 7, 1), new DateOnly(2024, 7, 31)))
        {
            var minutes = (int)(session.RegularClose - session.RegularOpen).TotalMinutes;
            var bars = new Bar[2][];
            for (var s = 0; s < 2; s++)
            {
                bars[s] = new Bar[minutes];
                for (var m = 0; m < minutes; m++)
                {
                    var open = price[s];
                    var close = Math.Max(1m, Math.Round(open * (1m + ((decimal)rng.NextDouble() - 0.5m) * 0.004m), 2));
                    var high = Math.Max(open, close) + 0.05m;
                    var low = Math.Min(open, close) - 0.05m;
                    var start = session.RegularOpen.AddMinutes(m);
                    bars[s][m] = new Bar(s == 0 ? Spy : Qqq, start, start.AddMinutes(1), open, high, low, close, 1000m + m);
                    price[s] = close;
                }
            }

            days.Add(new Day(session, bars[0], bars[1]));
        }

        return days;
    }

    private static void Run(IStrategy strategy, CountingContext context, List<Day> days, int from, int to)
    {
        for (var d = from; d < to; d++)
        {
            var day = days[d];
            for (var m = 0; m < day.Spy.Length; m++)
            {
                context.TimeUtc = day.Spy[m].End;
                if (m == 0)
                {
                    strategy.OnSessionOpen(Qqq, day.Session, context);
                    strategy.OnSessionOpen(Spy, day.Session, context);
                }

                strategy.OnBar(day.Qqq[m], context);
                strategy.OnBar(day.Spy[m], context);
            }
        }
    }

    public static TheoryData<string> StrategyNames => ["orb", "sma_crossover", "rsi_reversion"];

    [Theory]
    [MemberData(nameof(StrategyNames))]
    public void OnBar_DoesNotAllocate_InSteadyState(string name)
    {
        var days = Days();
        var parameters = new Dictionary<string, object?> { ["allow_short"] = true };
        if (name == "sma_crossover")
        {
            parameters["fast"] = 5;
            parameters["slow"] = 20;
        }

        var strategy = BuiltInStrategies.Create(name, parameters, new StrategySetup(Timeframe.OneMinute, [Qqq, Spy]));
        var context = new CountingContext(Timeframe.OneMinute, NyseCalendar.Instance, Qqq, Spy);
        strategy.Initialize(context);
        Run(strategy, context, days, 0, 2); // first sight of each symbol creates its state; JIT warms up
        var intentsBefore = context.IntentCount;

        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(strategy, context, days, 2, days.Count);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(context.IntentCount - intentsBefore > 10, $"the run should trade (intents: {context.IntentCount - intentsBefore})");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void IndicatorUpdates_DoNotAllocate()
    {
        var bars = Days().SelectMany(d => d.Spy).ToArray();
        var sma = new Sma(20);
        var ema = new Ema(20);
        var rsi = new Rsi(14);
        var atr = new Atr(14);
        var bb = new BollingerBands(20);
        var vwap = new Vwap();
        void Feed(int from, int to)
        {
            for (var i = from; i < to; i++)
            {
                sma.Update(bars[i]);
                ema.Update(bars[i]);
                rsi.Update(bars[i]);
                atr.Update(bars[i]);
                bb.Update(bars[i]);
                vwap.Update(bars[i]);
            }
        }

        Feed(0, 100);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(100, bars.Length);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sma.IsReady && ema.IsReady && rsi.IsReady && atr.IsReady && bb.IsReady && vwap.IsReady);
    }

    /// <summary>A context that fills intents at once and only counts them: nothing in it allocates per call.</summary>
    private sealed class CountingContext(Timeframe timeframe, IMarketCalendar calendar, params Symbol[] symbols) : IStrategyContext
    {
        private readonly Dictionary<Symbol, decimal> _positions = symbols.ToDictionary(s => s, _ => 0m);

        public int IntentCount { get; private set; }

        public DateTime TimeUtc { get; set; }

        public IReadOnlyList<Symbol> Symbols { get; } = symbols;

        public Timeframe Timeframe { get; } = timeframe;

        public bool IsWarmingUp => false;

        public Portfolio Portfolio { get; } = new(100_000m);

        public ILogger Log => NullLogger.Instance;

        public IMarketCalendar CalendarOf(Symbol symbol) => calendar;

        public TradingSession? CurrentSession(Symbol symbol) => calendar.SessionAt(TimeUtc.AddTicks(-1), extendedHours: true);

        public ReadOnlySpan<Bar> History(Symbol symbol, int count) => [];

        public decimal PositionOf(Symbol symbol) => _positions[symbol];

        public bool HasPendingEntry(Symbol symbol) => false;

        public IEnumerable<Order> OpenOrdersOf(Symbol symbol) => [];

        public void EnterLong(Symbol symbol, string reason = "signal") => Set(symbol, 1m);

        public void EnterShort(Symbol symbol, string reason = "signal") => Set(symbol, -1m);

        public void Exit(Symbol symbol, string reason = "signal") => Set(symbol, 0m);

        public Order SubmitOrder(OrderRequest request) => throw new NotSupportedException();

        public bool CancelOrder(long orderId) => throw new NotSupportedException();

        // --- targets ---
        public void SetTarget(Symbol symbol, decimal percentOfEquity, string reason = "target") => Set(symbol, Math.Sign(percentOfEquity));

        public void SetTargetQuantity(Symbol symbol, decimal quantity, string reason = "target") => Set(symbol, quantity);

        public void Liquidate(string reason = "liquidate")
        {
            foreach (var symbol in Symbols)
            {
                Set(symbol, 0m);
            }
        }

        public void Liquidate(Symbol symbol, string reason = "liquidate") => Set(symbol, 0m);
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

        private void Set(Symbol symbol, decimal position)
        {
            IntentCount++;
            _positions[symbol] = position;
        }
    }
}
