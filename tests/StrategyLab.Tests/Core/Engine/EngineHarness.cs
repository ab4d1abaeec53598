using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>Records everything a run produces, for assertions and invariant checks.</summary>
internal sealed class RecordingRecorder : IRunRecorder
{
    public List<Bar> Bars { get; } = [];

    public List<OrderEvent> Events { get; } = [];

    public List<Fill> Fills { get; } = [];

    public List<RoundTrip> Trips { get; } = [];

    public List<EquityPoint> Equity { get; } = [];

    public List<StrategyLab.Core.CorporateActions.AppliedCorporateAction> CorporateActions { get; } = [];

    public void OnCorporateAction(StrategyLab.Core.CorporateActions.AppliedCorporateAction applied) => CorporateActions.Add(applied);

    public void OnBar(in Bar bar) => Bars.Add(bar);

    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        Events.Add(orderEvent);
        if (orderEvent.Fill is { } f)
        {
            Fills.Add(f);
        }
    }

    public void OnRoundTrip(RoundTrip trip) => Trips.Add(trip);

    public void OnEquity(in EquityPoint point) => Equity.Add(point);
}

/// <summary>A scripted strategy: acts at given New York bar-end times.</summary>
internal sealed class ScriptedStrategy : IStrategy
{
    public Dictionary<DateTime, List<Action<IStrategyContext>>> Actions { get; } = [];

    public List<(Symbol Symbol, DateTime End)> Seen { get; } = [];

    public List<DateOnly> SessionOpens { get; } = [];

    public ScriptedStrategy At(string nyBarEnd, Action<IStrategyContext> action)
    {
        var t = Bars.Ny(nyBarEnd);
        if (!Actions.TryGetValue(t, out var list))
        {
            Actions[t] = list = [];
        }

        list.Add(action);
        return this;
    }

    public void OnSessionOpen(Symbol symbol, StrategyLab.Core.Calendar.TradingSession session, IStrategyContext context) =>
        SessionOpens.Add(session.Date);

    public void OnBar(in Bar bar, IStrategyContext context)
    {
        Seen.Add((bar.Symbol, bar.End));
        Assert.Equal(bar.End, context.TimeUtc);
        if (Actions.Remove(bar.End, out var list))
        {
            foreach (var a in list)
            {
                a(context);
            }
        }
    }
}

internal sealed class EngineHarness
{
    public EngineHarness(
        IStrategy strategy,
        Symbol[] symbols,
        RiskSettings? risk = null,
        TradeManagerSettings? sizing = null,
        ExchangeSettings? exchange = null,
        EngineOptions? options = null,
        decimal cash = 100_000m,
        StrategyLab.Core.Calendar.IMarketCalendar? calendar = null,
        AccountType account = AccountType.Cash,
        IRunRecorder? recorder = null)
    {
        Portfolio = new Portfolio(cash, account);
        calendar ??= WeekdayTestCalendar.Instance;
        var exchangeSettings = (exchange ?? new ExchangeSettings { Commission = ZeroCommission.Instance }) with { KeepOrderHistory = true };
        Exchange = new SimulatedExchange(exchangeSettings, Portfolio, _ => calendar, symbols);
        TradeManager = new TradeManager(
            (sizing ?? new TradeManagerSettings { Sizing = SizingMode.FixedQuantity, Quantity = 10 }) with { Instruments = exchangeSettings.Instruments },
            risk ?? new RiskSettings { StopLossPct = null },
            Exchange,
            Portfolio,
            NullLogger.Instance);
        Engine = new TradingEngine(strategy, Exchange, Portfolio, TradeManager, symbols, _ => calendar, recorder ?? Recorder, NullLogger.Instance, options ?? new EngineOptions());
        Exchange.Listener = Engine;
    }

    public Portfolio Portfolio { get; }

    public SimulatedExchange Exchange { get; }

    public TradeManager TradeManager { get; }

    public TradingEngine Engine { get; }

    public RecordingRecorder Recorder { get; } = new();

    /// <summary>The engine invariants, checked after a run.</summary>
    public void AssertInvariants(IReadOnlyList<Bar> bars)
    {
        foreach (var p in Recorder.Equity)
        {
            Assert.Equal(p.Equity, p.Cash + p.PositionsValue);
        }

        // Positions value from scratch equals the incrementally kept one.
        Assert.Equal(Portfolio.Positions.Sum(p => p.Quantity * p.LastPrice), Portfolio.PositionsValue);

        // Σ round-trip PnL − all fees + unrealized PnL of open positions = equity change.
        var unrealized = Portfolio.Positions.Sum(p => p.UnrealizedPnl);
        var openTripFees = Recorder.Fills.Sum(f => f.Commission) - Recorder.Trips.Sum(t => t.Commission);
        // Average prices can be non-terminating decimals (rounded at 28 digits): compare to 1e-12.
        Assert.Equal(
            Math.Round(Portfolio.Equity - Portfolio.InitialCash, 12),
            Math.Round(Recorder.Trips.Sum(t => t.Pnl) - Recorder.Trips.Sum(t => t.Commission) - openTripFees + unrealized, 12));

        // Every fill price lies within its bar's [low, high] (no slippage in these runs).
        foreach (var f in Recorder.Fills)
        {
            Assert.InRange(f.Price, f.BarLow, f.BarHigh);
            var created = Recorder.Events.First(e => e.Order.Id == f.OrderId).Order.CreatedUtc;
            Assert.Contains(
                bars,
                b => b.Symbol == f.Symbol && (b.Start == f.TimeUtc || b.End == f.TimeUtc) && b.Low == f.BarLow && b.High == f.BarHigh && b.Start >= created);
        }
    }
}
