using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

// The exchange's per-symbol book: working orders, last price, and the session cache.
public sealed partial class SimulatedExchange
{
    private sealed class Book(Symbol symbol, IMarketCalendar calendar)
    {
        private TradingSession? _regular;
        private TradingSession? _extended;

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
