using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Indicators;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Data.Lean;
using StrategyLab.Examples;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Examples;

/// <summary>The multi-timeframe example (examples/multi-timeframe) run in the engine over the LEAN SPY minutes.</summary>
public class MultiTimeframeExampleTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");

    private static Bar[] SpyMinutes(string lean) =>
        [.. new LeanDataFolder(lean).ReadBars(Spy, LeanResolution.Minute, new DateOnly(2013, 10, 4), new DateOnly(2013, 10, 11))];

    /// <summary>Runs the strategy on a margin account (shorts allowed), 100 shares a trade, a 0.5 % stop.</summary>
    private static (RecordingRecorder Recorder, PlotCollector Plots) Run(MultiTimeframe strategy, Bar[] minutes)
    {
        strategy.ValidateParameters(new StrategySetup(Timeframe.OneMinute, [Spy]));
        var recorder = new RecordingRecorder();
        var plots = new PlotCollector();
        var portfolio = new Portfolio(100_000m, AccountType.Margin);
        var exchange = new SimulatedExchange(new ExchangeSettings { Commission = ZeroCommission.Instance }, portfolio, _ => NyseCalendar.Instance, [Spy]);
        var manager = new TradeManager(
            new TradeManagerSettings { Sizing = SizingMode.FixedQuantity, Quantity = 100 },
            new RiskSettings { StopLossPct = 0.5m },
            exchange,
            portfolio,
            NullLogger.Instance);
        var engine = new TradingEngine(
            strategy, exchange, portfolio, manager, [Spy], _ => NyseCalendar.Instance, new CompositeRecorder(recorder, plots), NullLogger.Instance, new EngineOptions());
        exchange.Listener = engine;
        engine.Run(minutes);
        return (recorder, plots);
    }

    [Fact]
    public void OnSpyMinutes_ItTrades_AndEveryEntryIsOnTheSideOfThe15mTrendInForceAtTheDecision()
    {
        var lean = TestPaths.RequireLean();
        var minutes = SpyMinutes(lean);
        var strategy = new MultiTimeframe { AllowShort = true };

        var (recorder, _) = Run(strategy, minutes);

        Assert.NotEmpty(recorder.Trips);

        // The trend, computed here from the resampler's 15m bars and the library's EMA, as of each 15m bar end.
        var fifteen = new BarCollector();
        var resampler = new BarResampler(NyseCalendar.Instance, Timeframe.FifteenMinutes);
        foreach (var bar in minutes)
        {
            resampler.Add(bar, fifteen);
        }

        var ema = new Ema(strategy.TrendPeriod);
        var trends = new List<(DateTime End, int Trend)>();
        foreach (var bar in fifteen.Bars)
        {
            var previous = ema.Value;
            var value = ema.Update((double)bar.Close);
            var close = (double)bar.Close;
            var trend = !ema.IsReady || double.IsNaN(previous) ? 0 : close > value && value > previous ? 1 : close < value && value < previous ? -1 : 0;
            trends.Add((bar.End, trend));
        }

        var entries = recorder.Events
            .Where(e => e.Kind == OrderEventKind.Accepted && (e.Order.Tag ?? string.Empty).StartsWith("breakout", StringComparison.Ordinal))
            .Select(e => e.Order)
            .ToList();
        Assert.NotEmpty(entries);
        Assert.Contains(entries, o => o.Side == OrderSide.Buy);
        Assert.Contains(entries, o => o.Side == OrderSide.Sell); // the week had down trends too: both sides are checked
        foreach (var order in entries)
        {
            // OnBar runs before the 15m handler of its slice: the trend in force is the one of the last 15m bar ended before.
            var inForce = trends.LastOrDefault(t => t.End < order.CreatedUtc).Trend;
            Assert.True(
                inForce == (order.Side == OrderSide.Buy ? 1 : -1),
                $"{order.Side} entry '{order.Tag}' decided at {order.CreatedUtc:O} while the 15m trend was {inForce}");
        }

        // Entries come only from the strategy's own rules: never in the flat window before the close.
        Assert.All(entries, o => Assert.True(
            NyseCalendar.Instance.SessionAt(o.CreatedUtc.AddTicks(-1))!.RegularClose - o.CreatedUtc > TimeSpan.FromMinutes(strategy.FlatMinutesBeforeClose)));
    }

    [Fact]
    public void ItPlotsThe15mEma_OncePerCompleted15mBarAfterTheEmaIsReady()
    {
        var lean = TestPaths.RequireLean();
        var minutes = SpyMinutes(lean);
        var strategy = new MultiTimeframe();

        var (_, plots) = Run(strategy, minutes);

        Assert.Equal((6 * 26) - strategy.TrendPeriod, plots.Points.Count);
        Assert.All(plots.Points, p => Assert.Equal(("ema_15m", Spy), (p.Series, p.Symbol)));
        Assert.All(plots.Points, p => Assert.InRange(p.Value, 160, 180)); // SPY traded near 165–171 that week
    }

    private sealed class PlotCollector : IRunRecorder
    {
        public List<PlotPoint> Points { get; } = [];

        public void OnPlot(in PlotPoint point) => Points.Add(point);
    }
}
