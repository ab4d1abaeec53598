using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Core.Engine;

// The engine's per-symbol state (bar history, session, pending actions) and the context a strategy sees.
public sealed partial class TradingEngine
{
    private sealed class SymbolState
    {
        private readonly int _capacity;
        private readonly Bar[] _buffer;
        private int _start;
        private int _count;
        private CorporateAction[] _actions = [];
        private int _actionIndex;

        public SymbolState(Symbol symbol, int index, IMarketCalendar calendar, int capacity)
        {
            Symbol = symbol;
            Index = index;
            Calendar = calendar;
            _capacity = Math.Max(1, capacity);
            _buffer = new Bar[_capacity * 2];
        }

        public Symbol Symbol { get; }

        public int Index { get; }

        public IMarketCalendar Calendar { get; }

        public TradingSession? HoursSession { get; set; }

        public Position? Position { get; set; }

        public int PositionsSeen { get; set; }

        public TradingSession? Session { get; set; }

        /// <summary>The ex-date of the next action to apply (MaxValue when none): the per-session check is one comparison.</summary>
        public DateOnly NextActionDate { get; private set; } = DateOnly.MaxValue;

        public CorporateAction? NextAction => _actionIndex < _actions.Length ? _actions[_actionIndex] : null;

        public int HistoryCount => _count;

        public void SetActions(CorporateAction[] actions)
        {
            _actions = actions;
            _actionIndex = 0;
            NextActionDate = actions.Length > 0 ? actions[0].ExDate : DateOnly.MaxValue;
        }

        public void AdvanceAction()
        {
            _actionIndex++;
            NextActionDate = _actionIndex < _actions.Length ? _actions[_actionIndex].ExDate : DateOnly.MaxValue;
        }

        public ref readonly Bar Last => ref _buffer[_start + _count - 1];

        public void Append(in Bar bar)
        {
            // A sliding window over an array twice the capacity: append at the end, and when the end is reached
            // move the newest `capacity - 1` bars to the front. Amortised O(1), always contiguous.
            if (_start + _count == _buffer.Length)
            {
                var keep = Math.Min(_count, _capacity - 1);
                Array.Copy(_buffer, _start + _count - keep, _buffer, 0, keep);
                _start = 0;
                _count = keep;
            }

            _buffer[_start + _count] = bar;
            if (_count == _capacity)
            {
                _start++;
            }
            else
            {
                _count++;
            }
        }

        public ReadOnlySpan<Bar> History(int count) =>
            _buffer.AsSpan(_start + _count - Math.Min(count, _count), Math.Min(count, _count));
    }

    private sealed class Context(TradingEngine engine) : IStrategyContext
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

        public Order SubmitOrder(OrderRequest request) => engine._venue.Submit(request, engine._now);

        public bool CancelOrder(long orderId) => engine._venue.Cancel(orderId, engine._now);
    }
}
