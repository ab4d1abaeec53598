using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Core.Engine;

// The context a strategy sees. Each group of context features (targets, schedules, timeframes, plots) keeps its
// implementation in its own partial file next to this one.
public sealed partial class TradingEngine
{
    private sealed partial class Context(TradingEngine engine) : IStrategyContext
    {
        public DateTime TimeUtc => engine._now;

        public IReadOnlyList<Symbol> Symbols => engine._symbols;

        public Timeframe Timeframe => engine._options.Timeframe;

        public bool IsWarmingUp => engine._warmingUp;

        public Portfolio Portfolio => engine._portfolio;

        public ILogger Log => engine._logger;

        public IMarketCalendar CalendarOf(Symbol symbol) =>
            (engine._states.Get(symbol) ?? throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol))).Calendar;

        public TradingSession? CurrentSession(Symbol symbol) => engine.SessionOf(symbol);

        public ReadOnlySpan<Bar> History(Symbol symbol, int count) =>
            engine._states.Get(symbol) is { } s ? s.History(count) : [];

        public decimal PositionOf(Symbol symbol) => engine._portfolio.QuantityOf(symbol);

        public bool HasPendingEntry(Symbol symbol) => engine._tradeManager.HasPendingEntry(symbol);

        public IEnumerable<Order> OpenOrdersOf(Symbol symbol) => engine._venue.OpenOrders.Where(o => o.Symbol == symbol);

        public void EnterLong(Symbol symbol, string reason = "signal") => engine._intents.Add(new Intent(symbol, IntentKind.EnterLong, reason));

        public void EnterShort(Symbol symbol, string reason = "signal") => engine._intents.Add(new Intent(symbol, IntentKind.EnterShort, reason));

        public void Exit(Symbol symbol, string reason = "signal") => engine._intents.Add(new Intent(symbol, IntentKind.Exit, reason));

        public Order SubmitOrder(OrderRequest request) => engine._halted ? engine.RefuseHalted(request) : engine._venue.Submit(request, engine._now);

        public bool CancelOrder(long orderId) => engine._venue.Cancel(orderId, engine._now);

        // --- schedules ---
        public IStrategySchedule Schedule => engine.Schedule;
    }
}
