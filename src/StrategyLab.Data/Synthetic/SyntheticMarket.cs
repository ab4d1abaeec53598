using System.Globalization;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Synthetic;

/// <summary>
/// A deterministic generator of realistic intraday market data for any number of made-up symbols over a date range:
/// 1-minute bars, bars of any timeframe, and the trade prints behind them. Everything is streamed (constant memory) and
/// the same seed and options give the same output, bit for bit, on every platform.
/// </summary>
/// <remarks>
/// <para>
/// The data follows each symbol's calendar: no bars on weekends and holidays, a short session on early-close days
/// (210 minutes on the NYSE), pre-market and after-hours bars only with <see cref="SyntheticMarketOptions.ExtendedHours"/>.
/// Regular-session minutes always trade; extended-hours minutes trade sparsely. Its shape is that of liquid US stocks:
/// U-shaped intraday volume with spikes at the open and the closing auction, higher volatility after the open, overnight
/// gaps, and trend / range / volatility regimes that persist for days, so breakout and moving-average strategies find
/// something to trade. Prices are positive and in steps of 0.01; volumes are whole shares (crypto: steps of 10^-8).
/// </para>
/// <para>
/// Bars come in (end, symbol) order. 1-minute bars carry a trade count but no VWAP; <see cref="Trades"/> gives, per
/// minute, prints that aggregate back to exactly that minute's bar (open, high, low, close, volume and trade count), so
/// their VWAP is the one a <see cref="TradeBarAggregator"/> computes. Each symbol's path depends only on the seed and its
/// own ticker, not on the other symbols in the market.
/// </para>
/// </remarks>
public sealed class SyntheticMarket
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private readonly Func<Symbol, IMarketCalendar> _calendarFor;

    /// <summary>Creates a market.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public SyntheticMarket(SyntheticMarketOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        Options = options;
        _calendarFor = options.CalendarFor ?? MarketCalendars.For;
    }

    /// <summary>The options the market was built with.</summary>
    public SyntheticMarketOptions Options { get; }

    /// <summary>
    /// Synthetic US equities <c>SYNA</c>, <c>SYNB</c> … <c>SYNZ</c>, <c>SYNAA</c> … with varied prices (about 20 to 300),
    /// daily volatilities (1.2 % to 2.2 %) and volumes (1 to 5 M shares a day).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive.</exception>
    public static IReadOnlyList<SyntheticSymbol> DefaultSymbols(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var list = new SyntheticSymbol[count];
        for (var i = 0; i < count; i++)
        {
            list[i] = SyntheticSymbol.Equity(
                "SYN" + Letters(i),
                20m + (i * 37 % 281) + (i % 100 / 100m),
                0.012 + (0.002 * (i % 6)),
                1_000_000.0 * (1 + (i % 5)));
        }

        return list;
    }

    /// <summary>Synthetic crypto pairs <c>SYNA-USD</c>, <c>SYNB-USD</c> … trading 24/7 (prices about 30,000, 2,000, 150 …).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is not positive.</exception>
    public static IReadOnlyList<SyntheticSymbol> DefaultCryptoSymbols(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        decimal[] prices = [30_000m, 2_000m, 150m, 25m, 1.5m];
        var list = new SyntheticSymbol[count];
        for (var i = 0; i < count; i++)
        {
            list[i] = SyntheticSymbol.Crypto("SYN" + Letters(i) + "-USD", prices[i % prices.Length], 0.025 + (0.005 * (i % 3)));
        }

        return list;
    }

    /// <summary>One-minute bars of every symbol, in (end, symbol) order.</summary>
    public IEnumerable<Bar> MinuteBars()
    {
        var clock = new MinuteClock(this);
        while (clock.MoveNext())
        {
            for (var k = 0; k < clock.Count; k++)
            {
                yield return clock.BarAt(k);
            }
        }
    }

    /// <summary>
    /// Bars of any supported timeframe, in (end, symbol) order: 1m as generated, longer ones resampled from 1m on the
    /// calendar's windows (<see cref="BarResampler"/>), second bars aggregated from <see cref="Trades"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The timeframe is the default value.</exception>
    public IEnumerable<Bar> Bars(Timeframe timeframe)
    {
        if (timeframe.IsDefault)
        {
            throw new ArgumentException("Bars needs a timeframe; got the default value.", nameof(timeframe));
        }

        return timeframe == Timeframe.OneMinute ? MinuteBars()
            : timeframe.IsSeconds ? SecondBars(timeframe)
            : Resampled(timeframe);
    }

    /// <summary>
    /// Trade prints of every symbol in time order (ties in symbol order). The prints of each minute aggregate back to
    /// exactly that minute's bar from <see cref="MinuteBars"/>. Ids are set when <see cref="SyntheticMarketOptions.TradeIds"/> is.
    /// </summary>
    public IEnumerable<TradePrint> Trades()
    {
        var clock = new MinuteClock(this);
        var slots = new List<TradeSlot>(256);
        var prices = new long[64];
        var sizes = new long[64];
        var offsets = new long[64];
        while (clock.MoveNext())
        {
            slots.Clear();
            for (var k = 0; k < clock.Count; k++)
            {
                var (path, draw) = clock.DrawAt(k);
                path.SplitIntoTrades(draw, prices, sizes, offsets);
                for (var i = 0; i < draw.TradeCount; i++)
                {
                    var id = Options.TradeIds
                        ? path.Symbol.Ticker + "-" + path.NextTradeSequence().ToString(CultureInfo.InvariantCulture)
                        : null;
                    var print = new TradePrint(
                        path.Symbol,
                        clock.Minute.AddTicks(offsets[i]),
                        Price(prices[i]),
                        Units(sizes[i], path.VolumeScale),
                        id);
                    slots.Add(new TradeSlot(slots.Count, print));
                }
            }

            slots.Sort(TradeSlotOrder.Instance);
            foreach (var slot in slots)
            {
                yield return slot.Print;
            }
        }
    }

    private IEnumerable<Bar> Resampled(Timeframe timeframe)
    {
        var resampler = new BarResampler(_calendarFor, timeframe, Options.ExtendedHours);
        var collector = new BarCollector();
        var clock = new MinuteClock(this);
        while (clock.MoveNext())
        {
            collector.Bars.Clear();
            for (var k = 0; k < clock.Count; k++)
            {
                resampler.Add(clock.BarAt(k), collector);
            }

            // A symbol without a bar in a window's last minute (sparse extended hours) completes it only now.
            resampler.AdvanceTo(clock.Minute + Minute, collector);
            collector.Bars.Sort(BarOrder.Instance);
            foreach (var bar in collector.Bars)
            {
                yield return bar;
            }
        }

        collector.Bars.Clear();
        resampler.Flush(collector);
        foreach (var bar in collector.Bars)
        {
            yield return bar;
        }
    }

    private IEnumerable<Bar> SecondBars(Timeframe timeframe)
    {
        var aggregator = new TradeBarAggregator(
            _calendarFor, new TradeBarAggregatorOptions { Timeframe = timeframe, ExtendedHours = Options.ExtendedHours });
        var collector = new BarCollector();
        foreach (var trade in Trades())
        {
            aggregator.AdvanceTo(trade.Time, collector);
            aggregator.Add(trade);
            if (collector.Bars.Count > 0)
            {
                foreach (var bar in collector.Bars)
                {
                    yield return bar;
                }

                collector.Bars.Clear();
            }
        }

        aggregator.Flush(collector);
        foreach (var bar in collector.Bars)
        {
            yield return bar;
        }
    }

    private static decimal Price(long cents) => new((int)(uint)cents, (int)(uint)(cents >> 32), 0, false, 2);

    private static decimal Units(long units, byte scale) => new((int)(uint)units, (int)(uint)(units >> 32), 0, false, scale);

    // A, B ... Z, AA, AB ... (bijective base 26).
    private static string Letters(int index)
    {
        var text = string.Empty;
        var n = index + 1;
        while (n > 0)
        {
            n--;
            text = (char)('A' + (n % 26)) + text;
            n /= 26;
        }

        return text;
    }

    private static void Validate(SyntheticMarketOptions options)
    {
        if (options.Symbols is null || options.Symbols.Count == 0)
        {
            throw new ArgumentException("SyntheticMarketOptions.Symbols: give at least one symbol.", nameof(options));
        }

        if (options.From > options.To)
        {
            throw new ArgumentException(
                $"SyntheticMarketOptions.From {options.From:yyyy-MM-dd} is after To {options.To:yyyy-MM-dd}.", nameof(options));
        }

        var seen = new HashSet<Symbol>();
        foreach (var s in options.Symbols)
        {
            if (s is null)
            {
                throw new ArgumentException("SyntheticMarketOptions.Symbols contains a null entry.", nameof(options));
            }

            if (!seen.Add(s.Symbol))
            {
                throw new ArgumentException($"SyntheticMarketOptions.Symbols lists {s.Symbol} twice.", nameof(options));
            }

            if (s.StartPrice <= 0m)
            {
                throw new ArgumentException($"SyntheticMarketOptions.Symbols[{s.Symbol}].StartPrice {s.StartPrice} is not positive.", nameof(options));
            }

            if (!(s.DailyVolatility > 0 && s.DailyVolatility <= 0.5))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"SyntheticMarketOptions.Symbols[{s.Symbol}].DailyVolatility {s.DailyVolatility} is outside (0, 0.5]."),
                    nameof(options));
            }

            if (!(s.AverageDailyVolume > 0 && s.AverageDailyVolume <= 1e12))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"SyntheticMarketOptions.Symbols[{s.Symbol}].AverageDailyVolume {s.AverageDailyVolume} is outside (0, 1e12]."),
                    nameof(options));
            }
        }
    }

    private readonly record struct TradeSlot(int Order, TradePrint Print);

    private sealed class TradeSlotOrder : IComparer<TradeSlot>
    {
        public static readonly TradeSlotOrder Instance = new();

        public int Compare(TradeSlot x, TradeSlot y)
        {
            var c = x.Print.Time.CompareTo(y.Print.Time);
            return c != 0 ? c : x.Order.CompareTo(y.Order);
        }
    }

    private sealed class BarOrder : IComparer<Bar>
    {
        public static readonly BarOrder Instance = new();

        public int Compare(Bar x, Bar y)
        {
            var c = x.End.CompareTo(y.End);
            return c != 0 ? c : x.Symbol.CompareTo(y.Symbol);
        }
    }

    /// <summary>
    /// Walks the whole UTC minutes at which any symbol's market is open, skipping closed time, and draws each open
    /// symbol's minute (in symbol order).
    /// </summary>
    private sealed class MinuteClock
    {
        private readonly SymbolPath[] _paths;
        private readonly CalendarCursor[] _cursorOfPath;
        private readonly CalendarCursor[] _cursors;
        private readonly (SymbolPath Path, MinuteDraw Draw)[] _draws;
        private bool _started;

        public MinuteClock(SyntheticMarket market)
        {
            var options = market.Options;
            var specs = options.Symbols.OrderBy(s => s.Symbol).ToArray();
            var byCalendar = new Dictionary<IMarketCalendar, CalendarCursor>(ReferenceEqualityComparer.Instance);
            _paths = new SymbolPath[specs.Length];
            _cursorOfPath = new CalendarCursor[specs.Length];
            for (var i = 0; i < specs.Length; i++)
            {
                var calendar = market._calendarFor(specs[i].Symbol)
                    ?? throw new InvalidOperationException($"The calendar selector returned no calendar for {specs[i].Symbol}.");
                if (!byCalendar.TryGetValue(calendar, out var cursor))
                {
                    cursor = new CalendarCursor(calendar, options.From, options.To, options.ExtendedHours);
                    byCalendar.Add(calendar, cursor);
                }

                _paths[i] = new SymbolPath(specs[i], options.Seed, calendar);
                _cursorOfPath[i] = cursor;
            }

            _cursors = [.. byCalendar.Values];
            _draws = new (SymbolPath, MinuteDraw)[specs.Length];
        }

        public DateTime Minute { get; private set; }

        public int Count { get; private set; }

        public (SymbolPath Path, MinuteDraw Draw) DrawAt(int k) => _draws[k];

        public Bar BarAt(int k)
        {
            var (path, d) = _draws[k];
            return new Bar(
                path.Symbol, Minute, Minute + SyntheticMarket.Minute, Price(d.Open), Price(d.High), Price(d.Low), Price(d.Close),
                Units(d.Volume, path.VolumeScale), d.TradeCount);
        }

        /// <summary>Moves to the next minute at which some market is open; false at the end of the range.</summary>
        public bool MoveNext()
        {
            var next = _started ? Minute + SyntheticMarket.Minute : DateTime.MinValue;
            _started = true;
            var earliest = DateTime.MaxValue;
            foreach (var cursor in _cursors)
            {
                var t = cursor.NextActive(next);
                if (t < earliest)
                {
                    earliest = t;
                }
            }

            if (earliest == DateTime.MaxValue)
            {
                Count = 0;
                return false;
            }

            Minute = earliest;
            foreach (var cursor in _cursors)
            {
                cursor.Observe(earliest);
            }

            Count = 0;
            for (var i = 0; i < _paths.Length; i++)
            {
                var cursor = _cursorOfPath[i];
                if (cursor.IsOpen && _paths[i].Step(earliest, cursor.Session!, cursor.Segment, out var draw))
                {
                    _draws[Count++] = (_paths[i], draw);
                }
            }

            return true;
        }
    }

    /// <summary>One calendar's sessions in the range and where the clock is among them.</summary>
    private sealed class CalendarCursor(IMarketCalendar calendar, DateOnly from, DateOnly to, bool extendedHours)
    {
        private readonly TradingSession[] _sessions = [.. calendar.GetSessions(from, to)];
        private int _index;

        public bool IsOpen { get; private set; }

        public TradingSession? Session { get; private set; }

        public MarketSegment Segment { get; private set; }

        /// <summary>The first instant at or after <paramref name="t"/> at which this market is open; MaxValue when past the range.</summary>
        public DateTime NextActive(DateTime t)
        {
            while (_index < _sessions.Length && t >= _sessions[_index].Close(extendedHours))
            {
                _index++;
            }

            if (_index == _sessions.Length)
            {
                return DateTime.MaxValue;
            }

            var open = _sessions[_index].Open(extendedHours);
            return t < open ? open : t;
        }

        /// <summary>Records whether the market is open at <paramref name="t"/> and in which session and segment.</summary>
        public void Observe(DateTime t)
        {
            IsOpen = false;
            if (_index == _sessions.Length)
            {
                return;
            }

            var s = _sessions[_index];
            if (t >= s.Open(extendedHours) && t < s.Close(extendedHours))
            {
                IsOpen = true;
                Session = s;
                Segment = s.SegmentAt(t);
            }
        }
    }
}
