using System.Runtime.CompilerServices;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

// The exchange's per-symbol book: working orders (and their quiet range), last price, and the session cache; an order leaving it.
public sealed partial class SimulatedExchange
{
    private void RemoveOpen(Order order)
    {
        _byId.Remove(order.Id);
        RemoveSame(_open, order);
        var book = _books.Get(order.Symbol)!;
        RemoveSame(book.Working, order);
        book.ForgetQuiet();
    }

    /// <summary>
    /// Removes <paramref name="order"/> (this very object) keeping the others' order. <see cref="List{T}.Remove"/> would
    /// compare through the default equality comparer, a shared-generic lookup per element on every order closed.
    /// </summary>
    private static void RemoveSame(List<Order> orders, Order order)
    {
        for (var i = 0; i < orders.Count; i++)
        {
            if (ReferenceEquals(orders[i], order))
            {
                orders.RemoveAt(i);
                return;
            }
        }
    }

    private sealed class Book(Symbol symbol, IMarketCalendar calendar)
    {
        private TradingSession? _regular;
        private TradingSession? _extended;

        // The working orders' quiet range while HasQuiet: a bar strictly inside it reaches none of them.
        private QuietRange _quiet;

        public Symbol Symbol { get; } = symbol;

        public IMarketCalendar Calendar { get; } = calendar;

        /// <summary>True when the symbol's price increment is learnt from its bars (the catalog must see them).</summary>
        public bool LearnsIncrement { get; init; }

        public List<Order> Working { get; } = [];

        /// <summary>Ids of the orders matched on the current bar: a few at most, so a list searched linearly beats a hash set.</summary>
        public List<long> Matched { get; } = [];

        public decimal LastPrice { get; set; }

        public bool HasPrice { get; set; }

        public decimal VolumeUsed { get; set; }

        /// <summary>True while <see cref="_quiet"/> holds for the working orders.</summary>
        public bool HasQuiet { get; private set; }

        /// <summary>
        /// Whether the bar can be skipped: a known quiet range of these working orders holds it. Inlined into the
        /// exchange's per-bar method, reading the range where it is (a field: no copy).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool IsQuiet(in Bar bar) => HasQuiet && _quiet.OrderCount == Working.Count && _quiet.Contains(bar);

        /// <summary>Learns the quiet range of the working orders at <paramref name="barStart"/>, if they have one.</summary>
        public void LearnQuiet(DateTime barStart) => HasQuiet = QuietRange.TryOf(Working, barStart, out _quiet);

        /// <summary>Forgets the quiet range: the working orders or their prices changed.</summary>
        public void ForgetQuiet() => HasQuiet = false;

        public TradingSession? SessionAt(DateTime utc, bool extended)
        {
            // Consecutive bars nearly always fall in the session seen last: skip the calendar lookup then.
            var cached = extended ? _extended : _regular;
            if (cached is not null && cached.Contains(utc, extended))
            {
                return cached;
            }

            var s = Calendar.SessionAt(utc, extended);
            if (s is not null)
            {
                if (extended)
                {
                    _extended = s;
                }
                else
                {
                    _regular = s;
                }
            }

            return s;
        }
    }
}
