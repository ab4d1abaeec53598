using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Statistics;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Benchmarks;

/// <summary>
/// The trading path per round trip, apart from any strategy's own work: a strategy that enters on one bar and exits on
/// the next, over 1,002 minute bars of one symbol whose price never reaches the 2 % stop-loss. Each of the 500 round
/// trips is an entry, its stop-loss (cancelled by the exit), the exit, two fills and a closed trip, through the
/// exchange, trade manager, portfolio and statistics. The figures are per round trip (BenchmarkDotNet divides by the
/// 500 trips); <see cref="NoTrips"/> is the same run with a strategy that never trades (setting up the engine, two bars
/// a trip of its own per-bar work), so the difference of the two is what a round trip costs.
/// </summary>
[MemoryDiagnoser]
public class TradingPathBenchmarks
{
    private const int Trips = 500;

    // Two bars a trip, and two more: the exit decided on the last bar has no bar to fill on.
    private const int BarCount = (2 * Trips) + 2;

    private static readonly Symbol Traded = Symbol.Equity("TRIP");

    private Bar[] _bars = [];

    /// <summary>Makes the bars, and checks that a run makes exactly <see cref="Trips"/> round trips.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _bars = FlatBars(BarCount);
        var trips = RoundTrips();
        if (trips != Trips)
        {
            throw new InvalidOperationException($"The run made {trips} round trips, not {Trips}: the per-trip figures would be wrong.");
        }
    }

    /// <summary>The same bars and engine, no trades: divided by the same 500.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Trips)]
    public int NoTrips() => Run(new NeverTrades());

    /// <summary>One run: 500 round trips.</summary>
    [Benchmark(OperationsPerInvoke = Trips)]
    public int RoundTrips() => Run(new EnterThenExit());

    private int Run(IStrategy strategy)
    {
        var symbols = new[] { Traded };
        var portfolio = new Portfolio(1_000_000m);
        var exchange = new SimulatedExchange(new ExchangeSettings(), portfolio, MarketCalendars.For, symbols);
        var tradeManager = new TradeManager(new TradeManagerSettings { PositionSizePct = 5m }, new RiskSettings(), exchange, portfolio, NullLogger.Instance);
        var statistics = new StatisticsRecorder(portfolio.InitialCash, NyseCalendar.Instance);
        var engine = new TradingEngine(
            strategy,
            exchange,
            portfolio,
            tradeManager,
            symbols,
            MarketCalendars.For,
            statistics,
            NullLogger.Instance,
            new EngineOptions { Timeframe = Timeframe.OneMinute });
        exchange.Listener = engine;
        engine.Run(_bars);
        return statistics.RoundTripCount;
    }

    /// <summary>Minute bars of the regular sessions at 100 ± 0.05: nothing ever reaches a 2 % stop.</summary>
    private static Bar[] FlatBars(int count)
    {
        var bars = new List<Bar>(count);
        foreach (var session in NyseCalendar.Instance.GetSessions(new DateOnly(2024, 3, 4), new DateOnly(2024, 12, 31)))
        {
            for (var t = session.RegularOpen; t < session.RegularClose && bars.Count < count; t = t.AddMinutes(1))
            {
                bars.Add(new Bar(Traded, t, t.AddMinutes(1), 100m, 100.05m, 99.95m, 100m, 10_000m));
            }

            if (bars.Count == count)
            {
                break;
            }
        }

        return [.. bars];
    }

    private sealed class NeverTrades : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    /// <summary>Asks to enter on even bars and to exit on odd ones: each entry fills at the next open, its exit at the one after.</summary>
    private sealed class EnterThenExit : IStrategy
    {
        private int _bars;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (_bars++ % 2 == 0)
            {
                context.EnterLong(bar.Symbol, "enter");
            }
            else
            {
                context.Exit(bar.Symbol, "exit");
            }
        }
    }
}
