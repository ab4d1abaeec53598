using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Aggregation;

/// <summary>
/// Builds time bars from trade prints for any number of symbols, in backtest, replay and live mode.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Add"/> puts a trade in the bar of its window (see <see cref="BarWindows"/>). A window stays open until the
/// aggregator's clock reaches its end + <see cref="TradeBarAggregatorOptions.Grace"/>, so trades may arrive out of order
/// within the grace: the bar's open is then the earliest print by trade time and its close the latest (ties go by
/// arrival: the first of equal earliest times opens, the last of equal latest times closes). The clock only moves when
/// the caller says so: <see cref="AdvanceTo"/> (live mode passes the wall clock, replay the data time) emits every window
/// whose end + grace is at or before the new time, in (end, symbol) order; <see cref="Flush"/> emits the rest at the end
/// of the data. After that a trade for a closed window is rejected as <see cref="TradeOutcome.Late"/>.
/// </para>
/// <para>
/// Checks run in this order: outside hours, late, size 0, duplicate id. A print with size 0 is counted
/// (<see cref="TradeAggregationCounters.ZeroSize"/>) and changes nothing: not the prices, the volume, the trade count or
/// the last price. A non-null trade id seen again while the first print's window is still open is a duplicate, counted
/// once; ids are forgotten when their window is emitted.
/// </para>
/// <para>
/// Bars carry the number of accepted trades and their VWAP. With <see cref="TradeBarAggregatorOptions.EmitEmptyBars"/>
/// a window without trades gives a flat bar at the symbol's last close with zero volume, trade count 0 and no VWAP,
/// but only for windows inside the hours in use and only after the symbol's first bar.
/// </para>
/// <para>
/// Per trade the work is O(1) (a dictionary lookup, a short scan of the symbol's open windows, which grace bounds) and,
/// once every symbol has been seen, allocation-free; emitting costs O(log symbols) per bar. Not thread-safe: feed it
/// from one thread.
/// </para>
/// </remarks>
public sealed class TradeBarAggregator
{
    private readonly Func<Symbol, IMarketCalendar> _calendarFor;
    private readonly Dictionary<Symbol, SymbolState> _symbols = [];
    private readonly WindowCursorHeap<SymbolState> _due = new();
    private readonly long _graceTicks;
    private readonly bool _emitEmpty;
    private Symbol? _lastSymbol;
    private SymbolState? _lastState;
    private DateTime _clock = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);

    private long _accepted;
    private long _duplicates;
    private long _late;
    private long _outsideHours;
    private long _zeroSize;
    private long _barsEmitted;
    private long _emptyBarsEmitted;

    /// <summary>Creates an aggregator where each symbol follows its standard calendar (<see cref="MarketCalendars.For"/>).</summary>
    /// <exception cref="ArgumentException">The grace is negative or the timeframe is missing.</exception>
    public TradeBarAggregator(TradeBarAggregatorOptions options)
        : this(MarketCalendars.For, options)
    {
    }

    /// <summary>Creates an aggregator whose symbols all follow one calendar.</summary>
    /// <exception cref="ArgumentException">The grace is negative or the timeframe is missing.</exception>
    public TradeBarAggregator(IMarketCalendar calendar, TradeBarAggregatorOptions options)
        : this(CalendarFor(calendar), options)
    {
    }

    /// <summary>Creates an aggregator that asks <paramref name="calendarFor"/> for each new symbol's calendar (once per symbol).</summary>
    /// <exception cref="ArgumentException">The grace is negative or the timeframe is missing.</exception>
    public TradeBarAggregator(Func<Symbol, IMarketCalendar> calendarFor, TradeBarAggregatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(calendarFor);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Timeframe.IsDefault)
        {
            throw new ArgumentException("TradeBarAggregatorOptions.Timeframe is missing.", nameof(options));
        }

        if (options.Grace < TimeSpan.Zero)
        {
            throw new ArgumentException($"TradeBarAggregatorOptions.Grace must not be negative; got {options.Grace}.", nameof(options));
        }

        _calendarFor = calendarFor;
        Options = options;
        _graceTicks = options.Grace.Ticks;
        _emitEmpty = options.EmitEmptyBars;
    }

    /// <summary>The options the aggregator was built with.</summary>
    public TradeBarAggregatorOptions Options { get; }

    /// <summary>The latest time passed to <see cref="AdvanceTo"/> (or reached by <see cref="Flush"/>); <see cref="DateTime.MinValue"/> at first.</summary>
    public DateTime Clock => _clock;

    /// <summary>The counters so far.</summary>
    public TradeAggregationCounters Counters =>
        new(_accepted, _duplicates, _late, _outsideHours, _zeroSize, _barsEmitted, _emptyBarsEmitted);

    /// <summary>
    /// The earliest clock time at which <see cref="AdvanceTo"/> will emit a bar (the first due window's end + grace),
    /// or null when nothing is waiting. Live mode can sleep until then.
    /// </summary>
    public DateTime? NextEmissionTime => _due.Count == 0 ? null : _due.Peek().DueEnd.AddTicks(_graceTicks);

    /// <summary>Adds one trade print; see the class remarks for the rules.</summary>
    /// <returns>What happened to the print.</returns>
    /// <exception cref="ArgumentException">
    /// The print has no symbol, a time that is not UTC, a price that is not positive or a negative size; the message
    /// names the field and the print.
    /// </exception>
    public TradeOutcome Add(in TradePrint trade)
    {
        var state = StateOf(trade);
        if (!state.Windows.TryGetWindow(trade.Time, out var window))
        {
            _outsideHours++;
            return TradeOutcome.OutsideHours;
        }

        if (window.End.Ticks + _graceTicks <= _clock.Ticks)
        {
            _late++;
            return TradeOutcome.Late;
        }

        if (trade.Size == 0m)
        {
            _zeroSize++;
            return TradeOutcome.ZeroSize;
        }

        if (trade.Id is not null)
        {
            state.Ids ??= new HashSet<string>(StringComparer.Ordinal);
            if (!state.Ids.Add(trade.Id))
            {
                _duplicates++;
                return TradeOutcome.Duplicate;
            }
        }

        var acc = state.GetOrOpen(window);
        acc.Add(trade.Time, trade.Price, trade.Size, trade.Id);
        _accepted++;

        // A newly opened window may now be the first one this symbol waits on.
        if (!state.InHeap)
        {
            state.DueEnd = window.End;
            _due.Push(state);
        }
        else if (!state.FollowsGrid && window.End < state.DueEnd)
        {
            state.DueEnd = window.End;
            _due.Update(state);
        }

        return TradeOutcome.Accepted;
    }

    /// <summary>
    /// Moves the clock to <paramref name="utcNow"/> and emits, in (end, symbol) order, every bar whose window end + grace
    /// is at or before it. A time earlier than <see cref="Clock"/> changes nothing.
    /// </summary>
    /// <returns>The number of bars emitted.</returns>
    /// <exception cref="ArgumentException">The time is not UTC.</exception>
    public int AdvanceTo(DateTime utcNow, IBarSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (utcNow.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC instant (DateTimeKind.Utc), got {utcNow:O} of kind {utcNow.Kind}.", nameof(utcNow));
        }

        if (utcNow <= _clock)
        {
            return 0;
        }

        _clock = utcNow;
        var emitted = 0;
        var limit = utcNow.Ticks - _graceTicks;
        while (_due.Count > 0 && _due.Peek().DueEnd.Ticks <= limit)
        {
            EmitNext(_due.Peek(), sink);
            emitted++;
        }

        return emitted;
    }

    /// <summary>
    /// Emits every open bar (end of data), in (end, symbol) order, by moving the clock to the last open window's
    /// end + grace; with empty bars on, every symbol gets its empty bars up to that point too.
    /// </summary>
    /// <returns>The number of bars emitted.</returns>
    public int Flush(IBarSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var lastEnd = DateTime.MinValue;
        foreach (var state in _symbols.Values)
        {
            if (state.OpenCount > 0 && state.LastOpenEnd > lastEnd)
            {
                lastEnd = state.LastOpenEnd;
            }
        }

        return lastEnd == DateTime.MinValue ? 0 : AdvanceTo(lastEnd.AddTicks(_graceTicks), sink);
    }

    private void EmitNext(SymbolState state, IBarSink sink)
    {
        Bar bar;
        BarWindow window;
        if (state.FollowsGrid)
        {
            window = state.NextWindow;
            if (state.OpenCount > 0 && state.FirstOpen.Window.Start == window.Start)
            {
                bar = state.CloseFirst();
            }
            else
            {
                bar = new Bar(state.Symbol, window.Start, window.End, state.LastClose, state.LastClose, state.LastClose,
                    state.LastClose, 0m, 0, null);
                _emptyBarsEmitted++;
            }
        }
        else
        {
            window = state.FirstOpen.Window;
            bar = state.CloseFirst();
        }

        state.LastClose = bar.Close;
        _barsEmitted++;

        if (_emitEmpty)
        {
            state.FollowsGrid = true;
            state.NextWindow = state.Windows.WindowAtOrAfter(window.End);
            state.DueEnd = state.NextWindow.End;
            _due.Update(state);
        }
        else if (state.OpenCount > 0)
        {
            state.DueEnd = state.FirstOpen.Window.End;
            _due.Update(state);
        }
        else
        {
            _due.Remove(state);
        }

        sink.OnBar(in bar);
    }

    private SymbolState StateOf(in TradePrint trade)
    {
        var symbol = trade.Symbol;
        if (ReferenceEquals(symbol, _lastSymbol) && symbol is not null)
        {
            Validate(trade);
            return _lastState!;
        }

        if (symbol is null)
        {
            throw new ArgumentException($"Trade print at {trade.Time:O} (id {trade.Id ?? "none"}) has no symbol.", nameof(trade));
        }

        Validate(trade);
        if (!_symbols.TryGetValue(symbol, out var state))
        {
            var calendar = _calendarFor(symbol)
                ?? throw new InvalidOperationException($"The calendar selector returned no calendar for symbol {symbol}.");
            state = new SymbolState(symbol, new BarWindows(calendar, Options.Timeframe, Options.ExtendedHours));
            _symbols.Add(symbol, state);
        }

        _lastSymbol = symbol;
        _lastState = state;
        return state;
    }

    private static void Validate(in TradePrint trade)
    {
        if (trade.Time.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException(
                $"Trade print {trade.Symbol} (id {trade.Id ?? "none"}): field Time {trade.Time:O} is not UTC (kind {trade.Time.Kind}).",
                nameof(trade));
        }

        if (trade.Price <= 0m)
        {
            throw new ArgumentException(
                $"Trade print {trade.Symbol} at {trade.Time:O} (id {trade.Id ?? "none"}): field Price {trade.Price} is not positive.",
                nameof(trade));
        }

        if (trade.Size < 0m)
        {
            throw new ArgumentException(
                $"Trade print {trade.Symbol} at {trade.Time:O} (id {trade.Id ?? "none"}): field Size {trade.Size} is negative.",
                nameof(trade));
        }
    }

    private static Func<Symbol, IMarketCalendar> CalendarFor(IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return _ => calendar;
    }

    /// <summary>One symbol's open windows, ids and emission cursor.</summary>
    private sealed class SymbolState(Symbol symbol, BarWindows windows) : WindowCursor(symbol)
    {
        private WindowAccumulator[] _open = new WindowAccumulator[4];
        private readonly Stack<WindowAccumulator> _pool = new();

        public BarWindows Windows { get; } = windows;

        /// <summary>Ids of the trades in open windows; created at the first id.</summary>
        public HashSet<string>? Ids { get; set; }

        /// <summary>Open windows with trades, in start order.</summary>
        public int OpenCount { get; private set; }

        public WindowAccumulator FirstOpen => _open[0];

        public DateTime LastOpenEnd => _open[OpenCount - 1].Window.End;

        /// <summary>
        /// True once the symbol emits a bar for every window (empty bars on and a first bar emitted); the cursor is
        /// then <see cref="NextWindow"/> rather than the first open window.
        /// </summary>
        public bool FollowsGrid { get; set; }

        /// <summary>The next window to emit when <see cref="FollowsGrid"/>.</summary>
        public BarWindow NextWindow { get; set; }

        public decimal LastClose { get; set; }

        public WindowAccumulator GetOrOpen(BarWindow window)
        {
            // Trades mostly land in the newest window: scan from the end.
            var i = OpenCount - 1;
            while (i >= 0 && _open[i].Window.Start > window.Start)
            {
                i--;
            }

            if (i >= 0 && _open[i].Window.Start == window.Start)
            {
                return _open[i];
            }

            if (OpenCount == _open.Length)
            {
                Array.Resize(ref _open, _open.Length * 2);
            }

            var insertAt = i + 1;
            Array.Copy(_open, insertAt, _open, insertAt + 1, OpenCount - insertAt);
            var acc = _pool.Count > 0 ? _pool.Pop() : new WindowAccumulator();
            acc.Reset(window);
            _open[insertAt] = acc;
            OpenCount++;
            return acc;
        }

        /// <summary>Removes the first open window and returns its bar; its trade ids are forgotten.</summary>
        public Bar CloseFirst()
        {
            var acc = _open[0];
            OpenCount--;
            Array.Copy(_open, 1, _open, 0, OpenCount);
            _open[OpenCount] = null!;
            if (Ids is not null)
            {
                foreach (var id in acc.Ids)
                {
                    Ids.Remove(id);
                }
            }

            var bar = acc.ToBar(Symbol);
            acc.Ids.Clear();
            _pool.Push(acc);
            return bar;
        }
    }

    /// <summary>The running OHLCV of one window.</summary>
    private sealed class WindowAccumulator
    {
        private decimal _open;
        private decimal _high;
        private decimal _low;
        private decimal _close;
        private decimal _volume;
        private decimal _notional;
        private DateTime _openTime;
        private DateTime _closeTime;
        private int _count;

        public BarWindow Window { get; private set; }

        public List<string> Ids { get; } = [];

        public void Reset(BarWindow window)
        {
            Window = window;
            _count = 0;
            _volume = 0m;
            _notional = 0m;
        }

        public void Add(DateTime time, decimal price, decimal size, string? id)
        {
            if (_count == 0)
            {
                _open = _high = _low = _close = price;
                _openTime = _closeTime = time;
            }
            else
            {
                if (time < _openTime)
                {
                    _open = price;
                    _openTime = time;
                }

                if (time >= _closeTime)
                {
                    _close = price;
                    _closeTime = time;
                }

                if (price > _high)
                {
                    _high = price;
                }

                if (price < _low)
                {
                    _low = price;
                }
            }

            _count++;
            _volume += size;
            _notional += price * size;
            if (id is not null)
            {
                Ids.Add(id);
            }
        }

        public Bar ToBar(Symbol symbol) =>
            new(symbol, Window.Start, Window.End, _open, _high, _low, _close, _volume, _count, VwapMath.Vwap(_notional, _volume));
    }
}
