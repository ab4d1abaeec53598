using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Core.Engine;

/// <summary>
/// The orchestrator. For each completed time slice (the bars of all symbols that end at the same instant) it runs
/// one cycle: <b>update prices</b> (the venue fills what the bars allow, the portfolio is marked), <b>signals</b>
/// (the strategy sees each bar, in symbol order), <b>orders</b> (the trade manager turns intents into orders),
/// <b>record</b> (an equity mark to the recorders). Backtest, replay and live all drive this same class: they differ
/// only in where slices come from and when. A bar is seen at its end; an order decided at a bar's end can only
/// fill on a later bar.
/// </summary>
public sealed partial class TradingEngine : IOrderEventListener
{
    private IStrategy _strategy; // replaced by a silent one once it has thrown (see StrategyFailed)
    private readonly IExecutionVenue _venue;
    private readonly IBarDrivenVenue? _barVenue;

    // The usual venue as its sealed type: its per-bar OnBar is then a direct call (no interface dispatch per bar).
    private readonly SimulatedExchange? _simulatedExchange;
    private readonly Portfolio _portfolio;
    private readonly TradeManager _tradeManager;
    private readonly IRunRecorder _recorder;
    private readonly ILogger _logger;
    private readonly EngineOptions _options;
    private readonly SymbolTable<SymbolState> _states = new();
    private readonly Symbol[] _symbols;
    private readonly IMarketCalendar _primaryCalendar;
    private readonly List<Intent> _intents = [];
    private readonly Context _context;

    // The trade manager's price and session lookups, made once (a method group converted per call allocates).
    private readonly Func<Symbol, decimal?> _priceOf;
    private readonly Func<Symbol, TradingSession?> _sessionOf;
    private Bar[] _slice = new Bar[8];
    private SymbolState[] _sliceStates = new SymbolState[8];
    private bool[] _accepted = new bool[8];
    private DateTime _now;
    private DateTime _lastSliceEnd = DateTime.MinValue;
    private DateOnly _day;
    private DateTime _dayEndUtc = DateTime.MinValue;
    private bool _initialized;
    private bool _warmingUp;
    private int _warmUpBars;

    /// <summary>Wires an engine. The venue's events must reach <see cref="OnOrderEvent"/> (set it as the venue's listener).</summary>
    /// <param name="strategy">The strategy.</param>
    /// <param name="venue">Where orders go.</param>
    /// <param name="portfolio">The account.</param>
    /// <param name="tradeManager">Turns intents into orders.</param>
    /// <param name="symbols">The symbols traded.</param>
    /// <param name="calendars">The calendar of each symbol.</param>
    /// <param name="recorder">Receives bars, order events and equity marks.</param>
    /// <param name="logger">Logging.</param>
    /// <param name="options">Engine options.</param>
    /// <param name="outsideSession">
    /// Where bars outside the sessions are tallied, when the data source drops some too (a resampler) and shares the
    /// tally; by default a new one.
    /// </param>
    public TradingEngine(
        IStrategy strategy,
        IExecutionVenue venue,
        Portfolio portfolio,
        TradeManager tradeManager,
        IReadOnlyList<Symbol> symbols,
        Func<Symbol, IMarketCalendar> calendars,
        IRunRecorder recorder,
        ILogger logger,
        EngineOptions options,
        OutsideSessionBars? outsideSession = null)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(calendars);
        if (symbols.Count == 0)
        {
            throw new ArgumentException("A run needs at least one symbol.", nameof(symbols));
        }

        _strategy = strategy;
        _venue = venue;
        _barVenue = venue as IBarDrivenVenue;
        _simulatedExchange = venue as SimulatedExchange;
        _portfolio = portfolio;
        _tradeManager = tradeManager;
        _recorder = recorder;
        _recordsPlots = CompositeRecorder.EventsOf(recorder).HasFlag(RecorderEvents.Plots);
        _logger = logger;
        _options = options;
        OutsideSession = outsideSession ?? new OutsideSessionBars(options.ExtendedHours);
        _symbols = [.. symbols.Distinct().Order()];
        for (var i = 0; i < _symbols.Length; i++)
        {
            _states.Set(_symbols[i], new SymbolState(_symbols[i], i, calendars(_symbols[i]), options.HistoryCapacity, options.HistoryBuffers));
        }

        foreach (var group in options.CorporateActions.GroupBy(a => a.Symbol))
        {
            if (_states.Get(group.Key) is { } state)
            {
                // A dividend is per pre-split share: on a shared ex-date it goes before the split.
                state.SetActions([.. group.OrderBy(a => a.ExDate).ThenBy(a => a.Kind == CorporateActionKind.Dividend ? 0 : 1)]);
            }
        }

        _primaryCalendar = calendars(_symbols[0]);
        _context = new Context(this);
        _priceOf = PriceOf;
        _sessionOf = SessionOf;
        _portfolio.RoundTripClosed += OnRoundTripClosed;
    }

    /// <summary>What the engine has done so far.</summary>
    public EngineCounters Counters { get; } = new();

    /// <summary>The portfolio.</summary>
    public Portfolio Portfolio => _portfolio;

    /// <summary>The bars left out because they lie outside the sessions, by kind (reported once, by <see cref="Finish"/>).</summary>
    public OutsideSessionBars OutsideSession { get; }

    /// <summary>The strategy being run.</summary>
    public IStrategy Strategy => _strategy;

    /// <summary>The symbols, in slice order.</summary>
    public IReadOnlyList<Symbol> Symbols => _symbols;

    /// <summary>The time of the last slice processed.</summary>
    public DateTime LastSliceTimeUtc => _lastSliceEnd;

    /// <summary>The last bar acted on for <paramref name="symbol"/>, if any.</summary>
    public Bar? LastBar(Symbol symbol) =>
        _states.Get(symbol) is { HistoryCount: > 0 } s ? s.Last : null;

    /// <summary>Runs a backtest over bars sorted by end time (then any symbol order): groups slices and processes each.</summary>
    /// <exception cref="InvalidOperationException">A bar ends before the previous one (the input is not time-ordered).</exception>
    public void Run(IEnumerable<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (bars is Bar[] array)
        {
            Run(array.AsSpan());
            return;
        }

        var buffer = new Bar[Math.Max(8, _symbols.Length * 2)];
        var count = 0;
        foreach (var bar in bars)
        {
            if (count > 0 && bar.End != buffer[0].End)
            {
                if (bar.End < buffer[0].End)
                {
                    throw new InvalidOperationException(
                        $"Bars are not in time order: {bar} comes after a bar ending {buffer[0].End:O}.");
                }

                ProcessSlice(buffer.AsSpan(0, count));
                count = 0;
            }

            if (count == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            buffer[count++] = bar;
        }

        if (count > 0)
        {
            ProcessSlice(buffer.AsSpan(0, count));
        }
    }

    /// <summary>Runs a backtest over bars in memory, sorted by end time: each slice is processed in place, without copies.</summary>
    /// <exception cref="InvalidOperationException">A bar ends before the previous one.</exception>
    public void Run(ReadOnlySpan<Bar> bars)
    {
        // One slice at a time: SliceEnd finds where the slice ends (the first touch of each bar) and asks the processor
        // for the bars after it, which the engine's own work per slice gives time to arrive.
        var start = 0;
        while (start < bars.Length)
        {
            var end = SliceEnd(bars, start);
            ProcessSlice(bars[start..end]);
            start = end;
        }
    }

    /// <summary>
    /// Prefetches the bars <c>[from + ahead, to + ahead)</c>: as many bars as the slice just found, a slice or two later.
    /// The slice scan is each bar's first touch, and it waited on memory (~7 % of a trading run's samples, though the
    /// bars are read in order; ~4 % with this).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchAhead(ReadOnlySpan<Bar> bars, int from, int to)
    {
        const int barsAhead = 16;
        to = Math.Min(to + barsAhead, bars.Length);
        from += barsAhead;
        if (from < to)
        {
            BarPrefetch.Bars(in bars[from], to - from);
        }
    }

    /// <summary>The index after the last bar that ends when <c>bars[start]</c> does.</summary>
    /// <exception cref="InvalidOperationException">The next bar ends before it.</exception>
    [MethodImpl(MethodImplOptions.NoInlining)] // not in Run's loop, which the runtime compiles once, by on-stack replacement
    private static int SliceEnd(ReadOnlySpan<Bar> bars, int start)
    {
        var endTicks = bars[start].End.Ticks;
        var i = start + 1;
        while (i < bars.Length && bars[i].End.Ticks == endTicks)
        {
            i++;
        }

        PrefetchAhead(bars, start, i);

        if (i < bars.Length && bars[i].End.Ticks < endTicks)
        {
            throw new InvalidOperationException(
                $"Bars are not in time order: {bars[i]} comes after a bar ending {bars[start].End:O}.");
        }

        return i;
    }

    /// <summary>
    /// Shows the strategy historical bars (in time order) before trading starts (live warm-up): indicators fill,
    /// history grows, intents are ignored, the venue and the portfolio see nothing.
    /// </summary>
    public void WarmUp(ReadOnlySpan<Bar> slice)
    {
        EnsureInitialized();
        _warmingUp = true;
        try
        {
            foreach (ref readonly var bar in slice)
            {
                if (_states.Get(bar.Symbol) is not { } state || !InHours(state, bar))
                {
                    continue;
                }

                if (_feeds is not null && bar.End != _now && _now != default)
                {
                    AdvanceTimeframes(_now); // every bar ending at _now was fed: close the windows ending then
                }

                _now = bar.End;
                NoteSession(state, bar);
                state.Append(bar);
                Counters.WarmupBars++;
                WarmUpBar(bar);
                if (_feeds is not null)
                {
                    FeedTimeframe(bar);
                }
            }

            if (_feeds is not null && _now != default)
            {
                AdvanceTimeframes(_now);
            }

            Counters.IntentsSuppressed += _intents.Count;
            _intents.Clear();
        }
        finally
        {
            _warmingUp = false;
        }
    }

    /// <summary>
    /// Processes one time slice: bars that all end at the same instant (any order; they are handled in symbol order).
    /// </summary>
    /// <exception cref="ArgumentException">The bars do not share one end time, or the slice is older than the last one.</exception>
    public void ProcessSlice(ReadOnlySpan<Bar> bars)
    {
        if (bars.Length == 0)
        {
            return;
        }

        EnsureInitialized();
        var now = bars[0].End;
        if (now <= _lastSliceEnd)
        {
            throw new ArgumentException($"Slice at {now:O} is not after the previous slice at {_lastSliceEnd:O}.", nameof(bars));
        }

        var slice = InSymbolOrder(bars, now);
        var n = slice.Length;
        _now = now;
        if (now >= _dayEndUtc)
        {
            // A new exchange-local date: find it (and its end) once, not on every slice.
            var day = DateOnly.FromDateTime(_primaryCalendar.ToExchangeTime(now));
            _dayEndUtc = _primaryCalendar.ToUtc(day.AddDays(1).ToDateTime(TimeOnly.MinValue));
            if (day != _day)
            {
                _day = day;
                _tradeManager.BeginDay(day);
            }
        }

        // 1. update prices
        var any = UpdatePrices(slice);
        if (!any)
        {
            return;
        }

        if (_scheduled is { } scheduled)
        {
            RunScheduled(scheduled, now);
        }

        // 2. signals (one protected region around the loop: nothing per bar on the normal path)
        try
        {
            for (var i = 0; i < n; i++)
            {
                if (_accepted[i])
                {
                    _strategy.OnBar(slice[i], _context);
                }
            }
        }
        catch (Exception e) when (e is not StrategyException)
        {
            throw StrategyFailed(nameof(IStrategy.OnBar), e);
        }

        if (_feeds is not null)
        {
            FeedTimeframes(slice, now); // higher bars these base bars complete, after the strategy saw the base bars
        }

        // 3. orders
        _tradeManager.CheckDailyLoss(now);
        if (_intents.Count > 0 || _tradeManager.HasDeferredTargets)
        {
            if (_halted)
            {
                DropHaltedIntents(now);
            }
            else if (Counters.Cycles < _options.MinCyclesBeforeTrading)
            {
                Counters.IntentsSuppressed += _intents.Count;
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    _logger.LogInformation(
                        EngineEvents.IntentSuppressed,
                        "{Count} intent(s) at {Time:O} during warm-up ({Cycles}/{Needed} cycles)",
                        _intents.Count,
                        now,
                        Counters.Cycles,
                        _options.MinCyclesBeforeTrading);
                }
            }
            else
            {
                if (_warmUpBars > 0)
                {
                    DropWarmingUpIntents();
                }

                // Deferred targets (buys waiting for a rotation's sales) are processed even on a slice with no intent.
                if (_intents.Count > 0 || _tradeManager.HasDeferredTargets)
                {
                    _tradeManager.Process(_intents, now, _priceOf, _sessionOf);
                }
            }

            _intents.Clear();
        }

        if (_simulatedExchange is { } exchange)
        {
            exchange.AdvanceTime(now); // the sealed type: a comparison inlined, not an interface call per cycle
        }
        else
        {
            _barVenue?.AdvanceTime(now);
        }

        // 4. record
        Counters.Cycles++;
        _lastSliceEnd = now;
        _recorder.OnEquity(new EquityPoint(now, _portfolio.Cash, _portfolio.PositionsValue, _portfolio.Equity, _portfolio.OpenPositionCount));
    }

    /// <summary>
    /// Ends the run at <paramref name="endUtc"/>: optionally closes every position at its last price (no further bar
    /// exists to fill a market order on), expires DAY orders, and reports the bars left out as outside the sessions
    /// (<c>data.bars.outside_session</c>, once).
    /// </summary>
    public void Finish(DateTime endUtc)
    {
        OutsideSession.Log(_logger);
        FinishScheduled(endUtc);
        _barVenue?.AdvanceTime(endUtc);
        if (_options.ClosePositionsAtEnd)
        {
            _barVenue?.LiquidateAtLastPrice(endUtc, "end_of_run");
            _recorder.OnEquity(new EquityPoint(endUtc, _portfolio.Cash, _portfolio.PositionsValue, _portfolio.Equity, _portfolio.OpenPositionCount));
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(
                EngineEvents.RunFinished,
                "{Cycles} cycles, {Bars} bars, {Orders} orders, {Fills} fills, equity {Equity}, {Open} open position(s)",
                Counters.Cycles,
                Counters.Bars,
                Counters.OrdersSubmitted,
                Counters.Fills,
                _portfolio.Equity,
                _portfolio.OpenPositionCount);
        }
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        switch (orderEvent.Kind)
        {
            case OrderEventKind.Accepted:
                Counters.OrdersSubmitted++;
                break;
            case OrderEventKind.Rejected:
                Counters.OrdersRejected++;
                if (orderEvent.Order.AcceptedUtc is null)
                {
                    Counters.OrdersSubmitted++; // refused at submission: it never had an Accepted event
                }

                break;
        }

        Log(orderEvent); // before the fill is applied, so a closing fill is logged before the trade it closes
        if (orderEvent.Fill is { } fill)
        {
            Counters.Fills++;
            _portfolio.ApplyFill(fill);
        }

        _tradeManager.OnOrderEvent(orderEvent);
        _recorder.OnOrderEvent(orderEvent);
        StrategyOrderEvent(orderEvent);
    }

    private void Log(in OrderEvent e)
    {
        var o = e.Order;
        switch (e.Kind)
        {
            case OrderEventKind.Filled or OrderEventKind.PartiallyFilled when _logger.IsEnabled(LogLevel.Information):
                var f = e.Fill!.Value;
                _logger.LogInformation(
                    EngineEvents.OrderFilled,
                    "#{OrderId} {Side} {Quantity} {Symbol} @ {Price} fee {Commission} ({Tag}) at {Time:O}",
                    o.Id,
                    o.Side,
                    f.Quantity,
                    o.Symbol,
                    f.Price,
                    f.Commission,
                    o.Tag,
                    f.TimeUtc);
                break;
            case OrderEventKind.Rejected when _logger.IsEnabled(LogLevel.Warning):
                _logger.LogWarning(
                    EngineEvents.OrderRejected,
                    "#{OrderId} {Side} {Quantity} {Symbol} {Type} ({Tag}): {Reason} at {Time:O}",
                    o.Id,
                    o.Side,
                    o.Quantity,
                    o.Symbol,
                    o.Type,
                    o.Tag,
                    o.RejectReason,
                    e.TimeUtc);
                break;
            case OrderEventKind.Accepted when _logger.IsEnabled(LogLevel.Debug):
                _logger.LogDebug(
                    EngineEvents.OrderAccepted,
                    "#{OrderId} {Side} {Quantity} {Symbol} {Type} ({Tag}) at {Time:O}",
                    o.Id,
                    o.Side,
                    o.Quantity,
                    o.Symbol,
                    o.Type,
                    o.Tag,
                    e.TimeUtc);
                break;
            case OrderEventKind.Canceled when _logger.IsEnabled(LogLevel.Debug):
                _logger.LogDebug(EngineEvents.OrderCanceled, "#{OrderId} {Symbol} ({Tag}) at {Time:O}", o.Id, o.Symbol, o.Tag, e.TimeUtc);
                break;
            case OrderEventKind.Expired when _logger.IsEnabled(LogLevel.Debug):
                _logger.LogDebug(EngineEvents.OrderExpired, "#{OrderId} {Symbol} ({Tag}) at {Time:O}", o.Id, o.Symbol, o.Tag, e.TimeUtc);
                break;
        }
    }

    private void OnRoundTripClosed(RoundTrip trip)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(
                EngineEvents.TradeClosed,
                "{Symbol} {Direction} {Quantity} {EntryPrice} -> {ExitPrice} pnl {Pnl} fees {Commission} ({Reason})",
                trip.Symbol,
                trip.Direction,
                trip.Quantity,
                trip.EntryPrice,
                trip.ExitPrice,
                trip.Pnl,
                trip.Commission,
                trip.ExitReason);
        }

        _recorder.OnRoundTrip(trip);
    }

    // Checked on every slice: the flag inline, the initialization behind a call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureInitialized()
    {
        if (!_initialized)
        {
            Initialize();
        }
    }

    private void Initialize()
    {
        _initialized = true;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(
                EngineEvents.RunStarted,
                "{Symbols} on {Timeframe}, equity {Equity}",
                string.Join(',', _symbols.Select(s => s.Ticker)),
                _options.Timeframe,
                _portfolio.Equity);
        }

        _initializing = true;
        try
        {
            StrategyInitialize();
        }
        finally
        {
            SealSchedule();
        }

        _warmUpBars = Math.Max(0, _strategy.WarmUpBars);
    }

    private decimal? PriceOf(Symbol symbol) =>
        _states.Get(symbol) is { HistoryCount: > 0 } s ? s.Last.Close : null;

    private TradingSession? SessionOf(Symbol symbol)
    {
        var state = _states.Get(symbol) ?? throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol));
        var ext = _options.ExtendedHours;
        var s = state.Session;
        if (s is not null && _now > s.Open(ext) && _now <= s.Close(ext))
        {
            return s;
        }

        return state.Calendar.SessionAt(_now, ext)
            ?? (state.Calendar.SessionAt(_now.AddTicks(-1), ext) is { } before && before.Close(ext) == _now ? before : null);
    }
}
