using System.Buffers;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

// The engine's per-symbol state (bar history, session, pending actions).
public sealed partial class TradingEngine
{
    /// <summary>
    /// Hands the bar-history buffers back to <see cref="EngineOptions.HistoryBuffers"/> (nothing without a pool). The
    /// engine must not be used afterwards: a later run may already be writing into them.
    /// </summary>
    public void ReturnHistoryBuffers()
    {
        if (_options.HistoryBuffers is not { } pool)
        {
            return;
        }

        foreach (var symbol in _symbols)
        {
            _states.Get(symbol)?.ReturnBuffer(pool);
        }
    }

    private sealed class SymbolState
    {
        /// <summary>The most bars an array holds and stays off the large object heap (85,000 bytes, less the array header).</summary>
        private static readonly int SmallObjectLimit = (85_000 - 32) / System.Runtime.CompilerServices.Unsafe.SizeOf<Bar>();

        private readonly int _capacity;
        private Bar[] _buffer;
        private int _start;
        private int _count;
        private CorporateAction[] _actions = [];
        private int _actionIndex;

        public SymbolState(Symbol symbol, int index, IMarketCalendar calendar, int capacity, ArrayPool<Bar>? pool)
        {
            Symbol = symbol;
            Index = index;
            Calendar = calendar;
            _capacity = Math.Max(1, capacity);
            // Up to four times the window: the newest bars move to the front once per 3 × capacity appends, not once
            // per capacity (the copy was ~3 % of a backtest's engine time at twice the window). But no larger than
            // the large-object-heap threshold when the window allows it: an array above it is allocated in gen2, so a
            // sweep's thousands of short runs each left four to the next full GC (11 gen2 GCs per 100-run sweep,
            // running beside the worker thread and eating the second core). At the default 256 bars this is ~817.
            // A pooled buffer is reused, not collected: four times the window then, whatever its size (a rented array
            // may be longer; the window slides over all of it, and stale bars past the window are never read).
            _buffer = pool?.Rent(4 * _capacity) ?? new Bar[Math.Max(2 * _capacity, Math.Min(4 * _capacity, SmallObjectLimit))];
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

        /// <summary>Bars of this symbol seen in the run so far, warm-up bars included (for <see cref="Strategies.IStrategy.WarmUpBars"/>).</summary>
        public long BarsSeen { get; private set; }

        /// <summary>True once the suppression of this symbol's intents during its warm-up was logged.</summary>
        public bool WarmUpLogged { get; set; }

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
            // A sliding window over an array four times the capacity: append at the end, and when the end is reached
            // move the newest `capacity - 1` bars to the front. Amortised O(1), always contiguous.
            if (_start + _count == _buffer.Length)
            {
                var keep = Math.Min(_count, _capacity - 1);
                Array.Copy(_buffer, _start + _count - keep, _buffer, 0, keep);
                _start = 0;
                _count = keep;
            }

            BarsSeen++;
            BarCopy.Store(ref _buffer[_start + _count], bar); // a plain assignment, without its rep movsq
            if (_count == _capacity)
            {
                _start++;
            }
            else
            {
                _count++;
            }
        }

        public void ReturnBuffer(ArrayPool<Bar> pool)
        {
            var buffer = _buffer;
            _buffer = [];
            _start = 0;
            _count = 0;
            if (buffer.Length > 0)
            {
                pool.Return(buffer);
            }
        }

        public ReadOnlySpan<Bar> History(int count) =>
            _buffer.AsSpan(_start + _count - Math.Min(count, _count), Math.Min(count, _count));
    }
}
