using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;

namespace StrategyLab.Tests.Core.Strategies;

/// <summary>The built-in strategies through the real engine, trade manager and simulated exchange, on hand-made NYSE days.</summary>
public class StrategyEngineTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly NyseCalendar Nyse = NyseCalendar.Instance;

    private sealed class TripRecorder : IRunRecorder
    {
        public List<RoundTrip> Trips { get; } = [];

        public void OnRoundTrip(RoundTrip trip) => Trips.Add(trip);
    }

    private readonly record struct Ohlc(decimal O, decimal H, decimal L, decimal C)
    {
        public static Ohlc Flat(decimal p) => new(p, p, p, p);
    }

    /// <summary>
    /// One-minute bars for the whole regular session of <paramref name="date"/> (to 13:00 on an early close). The
    /// opening range is the same every day: flat 100 with a 101 high at 09:37 and a 99 low at 09:41, i.e. [99, 101].
    /// </summary>
    private static IEnumerable<Bar> Session(DateOnly date, Func<TimeOnly, Ohlc> afterRange)
    {
        var session = Nyse.GetSession(date)!;
        for (var start = session.RegularOpen; start < session.RegularClose; start = start.AddMinutes(1))
        {
            var local = TimeOnly.FromDateTime(Nyse.ToExchangeTime(start));
            var p = local switch
            {
                _ when local == new TimeOnly(9, 37) => new Ohlc(100m, 101m, 100m, 100.5m),
                _ when local == new TimeOnly(9, 41) => new Ohlc(100m, 100m, 99m, 99.5m),
                _ when local < new TimeOnly(9, 45) => Ohlc.Flat(100m),
                _ => afterRange(local),
            };
            yield return new Bar(Spy, start, start.AddMinutes(1), p.O, p.H, p.L, p.C, 1000m);
        }
    }

    private static (TradingEngine Engine, Portfolio Portfolio, TripRecorder Recorder) Wire(IStrategy strategy, decimal? stopLossPct)
    {
        var portfolio = new Portfolio(100_000m, AccountType.Margin); // shorting needs a margin account
        var symbols = new[] { Spy };
        var exchange = new SimulatedExchange(new ExchangeSettings { Commission = ZeroCommission.Instance }, portfolio, _ => Nyse, symbols);
        var tradeManager = new TradeManager(
            new TradeManagerSettings { Sizing = SizingMode.FixedQuantity, Quantity = 10 },
            new RiskSettings { StopLossPct = stopLossPct },
            exchange,
            portfolio,
            NullLogger.Instance);
        var recorder = new TripRecorder();
        var engine = new TradingEngine(
            strategy, exchange, portfolio, tradeManager, symbols, _ => Nyse, recorder, NullLogger.Instance,
            new EngineOptions { Timeframe = Timeframe.OneMinute });
        exchange.Listener = engine;
        return (engine, portfolio, recorder);
    }

    private static DateTime Ny(DateOnly date, int hour, int minute) => Nyse.ToUtc(date.ToDateTime(new TimeOnly(hour, minute)));

    [Fact]
    public void BreakoutEntries_StopLoss_AndFlattenBeforeTheClose_IncludingAnEarlyClose()
    {
        var monday = new DateOnly(2024, 7, 1);
        var tuesday = new DateOnly(2024, 7, 2);
        var wednesday = new DateOnly(2024, 7, 3); // NYSE closes at 13:00
        Assert.True(Nyse.GetSession(wednesday)!.IsEarlyClose);

        var bars = new List<Bar>();
        // Monday: 09:46 closes 101.10 > 101 → long decided 09:47, filled at the 09:47 open 101.50; flat 101.50 then
        // 102 from noon; flatten decided at 15:55 (16:00 − 5), filled at the 15:55 open 102. PnL 10 × 0.50 = 5.
        bars.AddRange(Session(monday, t => t switch
        {
            _ when t == new TimeOnly(9, 45) => Ohlc.Flat(100.5m),
            _ when t == new TimeOnly(9, 46) => new Ohlc(100.5m, 101.2m, 100.5m, 101.1m),
            _ when t < new TimeOnly(12, 0) => Ohlc.Flat(101.5m),
            _ => Ohlc.Flat(102m),
        }));
        // Tuesday: 09:45 closes 101.25 → long decided 09:46, filled at 101.00. Stop-loss 2%: 101 × 0.98 = 98.98, hit
        // inside the 10:00 bar (low 98.50, open 100 above the stop) → filled at 98.98, stamped at the bar's end 10:01.
        // PnL 10 × (98.98 − 101) = −20.20. The 10:30 bar closes 103 above the range again: no second entry today.
        bars.AddRange(Session(tuesday, t => t switch
        {
            _ when t == new TimeOnly(9, 45) => new Ohlc(100m, 101.3m, 100m, 101.25m),
            _ when t == new TimeOnly(9, 46) => Ohlc.Flat(101m),
            _ when t < new TimeOnly(10, 0) => Ohlc.Flat(100m),
            _ when t == new TimeOnly(10, 0) => new Ohlc(100m, 100m, 98.5m, 98.6m),
            _ when t < new TimeOnly(10, 30) => Ohlc.Flat(98.6m),
            _ when t == new TimeOnly(10, 30) => new Ohlc(98.6m, 103m, 98.6m, 103m),
            _ => Ohlc.Flat(103m),
        }));
        // Wednesday (early close): 09:45 closes 98.80 < 99 → short decided 09:46, filled at 98.50 (stop 100.47 never
        // reached); flatten decided at 12:55 (13:00 − 5), filled at the 12:55 open 98.00. PnL 10 × 0.50 = 5.
        bars.AddRange(Session(wednesday, t => t switch
        {
            _ when t == new TimeOnly(9, 45) => new Ohlc(100m, 100m, 98.7m, 98.8m),
            _ when t < new TimeOnly(12, 0) => Ohlc.Flat(98.5m),
            _ => Ohlc.Flat(98m),
        }));

        var (engine, portfolio, recorder) = Wire(
            BuiltInStrategies.Create("orb", new Dictionary<string, object?> { ["allow_short"] = true }, new StrategySetup(Timeframe.OneMinute, [Spy])), stopLossPct: 2m);

        engine.Run(bars);
        engine.Finish(bars[^1].End);

        Assert.Equal(
            [
                new RoundTrip(Spy, TradeDirection.Long, 10m, Ny(monday, 9, 47), 101.50m, Ny(monday, 15, 55), 102.00m, 5.00m, 0m, "flatten"),
                new RoundTrip(Spy, TradeDirection.Long, 10m, Ny(tuesday, 9, 46), 101.00m, Ny(tuesday, 10, 1), 98.98m, -20.20m, 0m, "stop_loss"),
                new RoundTrip(Spy, TradeDirection.Short, 10m, Ny(wednesday, 9, 46), 98.50m, Ny(wednesday, 12, 55), 98.00m, 5.00m, 0m, "flatten"),
            ],
            recorder.Trips);
        Assert.Equal(new DateTime(2024, 7, 3, 16, 55, 0, DateTimeKind.Utc), recorder.Trips[2].ExitTimeUtc);
        Assert.Equal(0m, portfolio.QuantityOf(Spy));
        Assert.Equal(100_000m - 10.20m, portfolio.Equity);
    }

    [Fact]
    public void SmaCrossover_ReversesThroughTheTradeManager_WithTheCrossAsExitReason()
    {
        // fast 2 / slow 3 on flat bars from 09:30 (closes as in SmaCrossoverStrategyTests): cross up decided at the end
        // of bar 5 (09:35), cross down at bar 7 (09:37), cross up at bar 9 (09:39). Orders fill at the next bar's open,
        // which for flat bars is its close: long 10 @ 13 (09:35) → out @ 8 (09:37), −50; short 10 @ 8 → out @ 11
        // (09:39), −30; then long @ 11, still open.
        var day = new DateOnly(2024, 7, 1);
        decimal[] closes = [10, 10, 10, 9, 12, 13, 8, 8, 11, 11, 11];
        var bars = closes.Select((c, i) =>
        {
            var start = Ny(day, 9, 30).AddMinutes(i);
            return new Bar(Spy, start, start.AddMinutes(1), c, c, c, c, 1000m);
        }).ToList();
        var (engine, portfolio, recorder) = Wire(
            BuiltInStrategies.Create("sma_crossover", new Dictionary<string, object?> { ["fast"] = 2, ["slow"] = 3, ["allow_short"] = true }, new StrategySetup(Timeframe.OneMinute, [Spy])),
            stopLossPct: null);

        engine.Run(bars);

        Assert.Equal(
            [
                new RoundTrip(Spy, TradeDirection.Long, 10m, Ny(day, 9, 35), 13m, Ny(day, 9, 37), 8m, -50m, 0m, "sma_cross_down"),
                new RoundTrip(Spy, TradeDirection.Short, 10m, Ny(day, 9, 37), 8m, Ny(day, 9, 39), 11m, -30m, 0m, "sma_cross_up"),
            ],
            recorder.Trips);
        Assert.Equal(10m, portfolio.QuantityOf(Spy));
    }
}
