using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;

namespace StrategyLab.Core.Aggregation;

/// <summary>
/// Combines bars into larger bars on the <see cref="BarWindows"/> grid of a target timeframe (1m → 5m, 1m → 1h,
/// 1m → 1d, 5s → 1m ...) for any number of symbols.
/// </summary>
/// <remarks>
/// <para>
/// Each symbol's input must come in time order without overlaps, and every input bar must lie inside one target
/// window (a 1m bar that straddles a 5m boundary, or runs past a segment end, is an error naming the bar). Input bars
/// that start outside the hours in use are dropped and counted (<see cref="DroppedOutsideHours"/>), and so are bars whose
/// window ends at or before a time already passed to <see cref="AdvanceTo"/> (<see cref="DroppedLate"/>).
/// </para>
/// <para>
/// A target bar covers its whole window ([09:30, 09:35) even when the first input starts at 09:31) and is emitted as
/// soon as it is complete: when an input bar ends exactly at the window end, when an input bar of a later window
/// arrives for the same symbol, or by <see cref="AdvanceTo"/> / <see cref="Flush"/> (in (end, symbol) order).
/// Open is the first input's open, close the last input's close, high/low the extremes, volume the sum. The trade count
/// is the sum, or unknown when any input lacks it. The VWAP is volume-weighted over the inputs with volume; it is unknown
/// when any such input lacks one, and absent when the total volume is zero. Zero-volume inputs (empty bars) still shape
/// the prices.
/// </para>
/// <para>O(1) per input bar and allocation-free once every symbol has been seen. Not thread-safe.</para>
/// </remarks>
public sealed class BarResampler
{
    private readonly Func<Symbol, IMarketCalendar> _calendarFor;
    private readonly Dictionary<Symbol, TargetState> _symbols = [];
    private readonly WindowCursorHeap<TargetState> _open = new();
    private Symbol? _lastSymbol;
    private TargetState? _lastState;
    private long _inputBars;
    private long _droppedOutsideHours;
    private long _droppedLate;
    private long _barsEmitted;
    private DateTime _clock = DateTime.MinValue;

    /// <summary>Creates a resampler where each symbol follows its standard calendar (<see cref="MarketCalendars.For"/>).</summary>
    /// <exception cref="ArgumentException">The timeframe is the default value.</exception>
    public BarResampler(Timeframe target, bool extendedHours = false)
        : this(MarketCalendars.For, target, extendedHours)
    {
    }

    /// <summary>Creates a resampler whose symbols all follow one calendar.</summary>
    /// <exception cref="ArgumentException">The timeframe is the default value.</exception>
    public BarResampler(IMarketCalendar calendar, Timeframe target, bool extendedHours = false)
        : this(CalendarFor(calendar), target, extendedHours)
    {
    }

    /// <summary>Creates a resampler that asks <paramref name="calendarFor"/> for each new symbol's calendar (once per symbol).</summary>
    /// <exception cref="ArgumentException">The timeframe is the default value.</exception>
    public BarResampler(Func<Symbol, IMarketCalendar> calendarFor, Timeframe target, bool extendedHours = false)
    {
        ArgumentNullException.ThrowIfNull(calendarFor);
        if (target.IsDefault)
        {
            throw new ArgumentException("A resampler needs a target timeframe; got the default value.", nameof(target));
        }

        _calendarFor = calendarFor;
        Target = target;
        ExtendedHours = extendedHours;
    }

    /// <summary>The target timeframe.</summary>
    public Timeframe Target { get; }

    /// <summary>True when pre-market and after-hours input is kept (in its own windows); otherwise it is dropped.</summary>
    public bool ExtendedHours { get; }

    /// <summary>Input bars received, dropped ones included.</summary>
    public long InputBars => _inputBars;

    /// <summary>Input bars dropped because they start outside the hours in use.</summary>
    public long DroppedOutsideHours => _droppedOutsideHours;

    /// <summary>
    /// Where the input bars dropped as outside the hours are tallied by kind and date, so the run can report them
    /// (<c>data.bars.outside_session</c>); none by default.
    /// </summary>
    public OutsideSessionBars? OutsideSession { get; init; }

    /// <summary>
    /// Input bars dropped because their target window ends at or before a time already passed to <see cref="AdvanceTo"/>
    /// (the caller declared the input complete too early).
    /// </summary>
    public long DroppedLate => _droppedLate;

    /// <summary>Target bars emitted.</summary>
    public long BarsEmitted => _barsEmitted;

    /// <summary>
    /// Adds one input bar; completed target bars go to <paramref name="sink"/> (the previous window when this bar starts
    /// a later one, and this window when the bar ends exactly at its end).
    /// </summary>
    /// <returns>
    /// False when the bar was dropped: it starts outside the hours in use, or its target window ends at or before a time
    /// already passed to <see cref="AdvanceTo"/>.
    /// </returns>
    /// <exception cref="ArgumentException">
    /// The bar is the default value, starts before the previous bar of its symbol ends, or is not aligned to the target
    /// grid; the message names the bar.
    /// </exception>
    public bool Add(in Bar bar, IBarSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var state = StateOf(bar);
        if (bar.Start < state.LastInputEnd)
        {
            throw new ArgumentException(
                $"Bar {bar} starts before the previous {bar.Symbol} bar ends ({state.LastInputEnd:O}); input must be in time order without overlaps.",
                nameof(bar));
        }

        _inputBars++;
        if (!state.Windows.TryGetWindow(bar.Start, out var window))
        {
            state.LastInputEnd = bar.End;
            _droppedOutsideHours++;
            OutsideSession?.Add(bar, state.Windows.Calendar);
            return false;
        }

        if (bar.End > window.End)
        {
            throw new ArgumentException(
                $"Bar {bar} is not aligned to the {Target} grid: it straddles the end of the window {window}.", nameof(bar));
        }

        state.LastInputEnd = bar.End;
        if (window.End <= _clock)
        {
            _droppedLate++;
            return false;
        }

        if (state.IsOpen && state.Window.Start != window.Start)
        {
            Emit(state, sink);
        }

        if (!state.IsOpen)
        {
            state.Start(window, bar);
            state.DueEnd = window.End;
            _open.Push(state);
        }
        else
        {
            state.Merge(bar);
        }

        if (bar.End == window.End)
        {
            Emit(state, sink);
        }

        return true;
    }

    /// <summary>
    /// Emits, in (end, symbol) order, every open target bar whose window ends at or before <paramref name="utc"/>.
    /// Pass the time up to which input is complete (for input from a <see cref="TradeBarAggregator"/>: its clock minus
    /// its grace).
    /// </summary>
    /// <returns>The number of bars emitted.</returns>
    public int AdvanceTo(DateTime utc, IBarSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (utc > _clock)
        {
            _clock = utc;
        }

        var emitted = 0;
        while (_open.Count > 0 && _open.Peek().DueEnd <= utc)
        {
            Emit(_open.Peek(), sink);
            emitted++;
        }

        return emitted;
    }

    /// <summary>Emits every open target bar (end of data), in (end, symbol) order.</summary>
    /// <returns>The number of bars emitted.</returns>
    public int Flush(IBarSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var emitted = 0;
        while (_open.Count > 0)
        {
            Emit(_open.Peek(), sink);
            emitted++;
        }

        return emitted;
    }

    /// <summary>A sink that feeds every bar it receives into this resampler, whose output goes to <paramref name="downstream"/>.</summary>
    public IBarSink Into(IBarSink downstream)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        return new FeedingSink(this, downstream);
    }

    private void Emit(TargetState state, IBarSink sink)
    {
        var bar = state.ToBar();
        state.IsOpen = false;
        _open.Remove(state);
        _barsEmitted++;
        sink.OnBar(in bar);
    }

    private TargetState StateOf(in Bar bar)
    {
        var symbol = bar.Symbol;
        if (symbol is null)
        {
            throw new ArgumentException("Cannot resample a default (empty) Bar value.", nameof(bar));
        }

        if (ReferenceEquals(symbol, _lastSymbol))
        {
            return _lastState!;
        }

        if (!_symbols.TryGetValue(symbol, out var state))
        {
            var calendar = _calendarFor(symbol)
                ?? throw new InvalidOperationException($"The calendar selector returned no calendar for symbol {symbol}.");
            state = new TargetState(symbol, new BarWindows(calendar, Target, ExtendedHours));
            _symbols.Add(symbol, state);
        }

        _lastSymbol = symbol;
        _lastState = state;
        return state;
    }

    private static Func<Symbol, IMarketCalendar> CalendarFor(IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return _ => calendar;
    }

    private sealed class FeedingSink(BarResampler resampler, IBarSink downstream) : IBarSink
    {
        public void OnBar(in Bar bar) => resampler.Add(bar, downstream);
    }

    /// <summary>One symbol's open target bar.</summary>
    private sealed class TargetState(Symbol symbol, BarWindows windows) : WindowCursor(symbol)
    {
        private decimal _open;
        private decimal _high;
        private decimal _low;
        private decimal _close;
        private decimal _volume;
        private decimal _notional;
        private int _tradeCount;
        private bool _tradeCountKnown;
        private bool _vwapKnown;

        public BarWindows Windows { get; } = windows;

        public DateTime LastInputEnd { get; set; } = DateTime.MinValue;

        public bool IsOpen { get; set; }

        public BarWindow Window { get; private set; }

        public void Start(BarWindow window, in Bar bar)
        {
            Window = window;
            IsOpen = true;
            _open = bar.Open;
            _high = bar.High;
            _low = bar.Low;
            _close = bar.Close;
            _volume = 0m;
            _notional = 0m;
            _tradeCount = 0;
            _tradeCountKnown = true;
            _vwapKnown = true;
            AddQuantities(bar);
        }

        public void Merge(in Bar bar)
        {
            if (bar.High > _high)
            {
                _high = bar.High;
            }

            if (bar.Low < _low)
            {
                _low = bar.Low;
            }

            _close = bar.Close;
            AddQuantities(bar);
        }

        public Bar ToBar() => new(
            Symbol,
            Window.Start,
            Window.End,
            _open,
            _high,
            _low,
            _close,
            _volume,
            _tradeCountKnown ? _tradeCount : null,
            _vwapKnown ? VwapMath.Vwap(_notional, _volume) : null);

        private void AddQuantities(in Bar bar)
        {
            _volume += bar.Volume;
            if (bar.TradeCount is { } count)
            {
                _tradeCount += count;
            }
            else
            {
                _tradeCountKnown = false;
            }

            if (bar.Volume != 0m)
            {
                if (bar.Vwap is { } vwap)
                {
                    _notional += VwapMath.Notional(vwap, bar.Volume);
                }
                else
                {
                    _vwapKnown = false;
                }
            }
        }
    }
}
