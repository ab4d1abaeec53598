using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Statistics;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>
/// What the trading path allocates per round trip (entry, protective exits in an OCO group, exit, fills, the closed
/// trip): the engine, exchange, trade manager, portfolio and statistics of a real SMA crossover run, beyond what the same
/// bars cost a strategy that never trades. Allocation counts are deterministic, unlike timings, so a bound is asserted;
/// the time per round trip is measured by <c>throughput engine</c>.
/// </summary>
public class TradingPathAllocationTests(ITestOutputHelper output)
{
    // Three or four orders (entry, stop-loss and take-profit, an exit) and the RoundTrip record kept by the recorders;
    // the trading path allocated about 1,800 bytes before the orders lost their requests and OCO names, and measures
    // ~580 since orders keep their decimals packed (128 bytes an order) and the trade manager makes no closures.
    private const double MaxBytesPerRoundTrip = 700;

    private static readonly Symbol[] Symbols = [Symbol.Equity("ALC0"), Symbol.Equity("ALC1"), Symbol.Equity("ALC2")];

    [Fact]
    public void RoundTrip_AllocatesLessThanABound()
    {
        var bars = Generate(sessions: 30);

        // A first pass of each takes the one-time costs (JIT tiering, lazily built caches): steady state is measured.
        Allocated(bars, new NeverTrades(), out _);
        Allocated(bars, new SmaCrossoverStrategy { Fast = 5, Slow = 20 }, out _);

        var quiet = Allocated(bars, new NeverTrades(), out _);
        var trading = Allocated(bars, new SmaCrossoverStrategy { Fast = 5, Slow = 20 }, out var statistics);

        var trips = statistics.RoundTripCount;
        Assert.True(trips > 300, $"the run should trade (round trips: {trips})");
        var reasons = ExitReasons(bars);
        Assert.Contains("stop_loss", reasons);
        Assert.Contains("take_profit", reasons);
        var perTrip = (trading - quiet) / (double)trips;
        output.WriteLine($"{perTrip:F0} bytes per round trip over {trips} round trips");
        Assert.True(perTrip <= MaxBytesPerRoundTrip, $"{perTrip:F0} bytes per round trip (bound {MaxBytesPerRoundTrip})");
    }

    /// <summary>The exit reasons of the SMA run's round trips (a run of its own, outside the measured ones).</summary>
    private static HashSet<string?> ExitReasons(Bar[] bars)
    {
        var reasons = new ExitReasonRecorder();
        Allocated(bars, new SmaCrossoverStrategy { Fast = 5, Slow = 20 }, out _, reasons);
        return reasons.Seen;
    }

    private sealed class ExitReasonRecorder : IRunRecorder
    {
        public HashSet<string?> Seen { get; } = [];

        public void OnRoundTrip(RoundTrip trip) => Seen.Add(trip.ExitReason);
    }

    private static long Allocated(Bar[] bars, IStrategy strategy, out StatisticsRecorder statistics, IRunRecorder? probe = null)
    {
        var portfolio = new Portfolio(1_000_000m);
        var exchange = new SimulatedExchange(new ExchangeSettings(), portfolio, MarketCalendars.For, Symbols);
        var risk = new RiskSettings { StopLossPct = 0.3m, TakeProfitPct = 0.3m };
        var tradeManager = new TradeManager(new TradeManagerSettings { PositionSizePct = 10m, MaxPositions = 10 }, risk, exchange, portfolio, NullLogger.Instance);
        statistics = new StatisticsRecorder(portfolio.InitialCash, NyseCalendar.Instance);
        var engine = new TradingEngine(
            strategy,
            exchange,
            portfolio,
            tradeManager,
            Symbols,
            MarketCalendars.For,
            probe is null ? statistics : new CompositeRecorder([statistics, probe]),
            NullLogger.Instance,
            new EngineOptions { Timeframe = Timeframe.OneMinute });
        exchange.Listener = engine;
        var before = GC.GetAllocatedBytesForCurrentThread();
        engine.Run(bars);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Seeded random-walk minute bars of the regular sessions, in slice order.</summary>
    private static Bar[] Generate(int sessions)
    {
        var rng = new Random(7);
        var prices = Symbols.Select(_ => 100m).ToArray();
        var bars = new List<Bar>();
        foreach (var session in NyseCalendar.Instance.GetSessions(new DateOnly(2024, 3, 4), new DateOnly(2024, 12, 31)).Take(sessions))
        {
            for (var t = session.RegularOpen; t < session.RegularClose; t = t.AddMinutes(1))
            {
                for (var s = 0; s < Symbols.Length; s++)
                {
                    var open = prices[s];
                    var close = Math.Max(1m, Math.Round(open * (1m + (((decimal)rng.NextDouble() - 0.5m) * 0.004m)), 2));
                    var high = Math.Max(open, close) + 0.03m;
                    var low = Math.Min(open, close) - 0.03m;
                    bars.Add(new Bar(Symbols[s], t, t.AddMinutes(1), open, high, low, close, 10_000m));
                    prices[s] = close;
                }
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
}
