using System.Runtime.ExceptionServices;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;

namespace StrategyLab.Runner;

/// <summary>How a backtest hands its recorders' events to a thread of their own (<see cref="RecorderThread"/>).</summary>
internal sealed record RecorderThreadOptions
{
    /// <summary>
    /// The environment variable that chooses: <c>0</c>, the recorders run on the engine's thread; <c>1</c>, on their own
    /// thread; unset (or anything else), on their own thread when the machine has more than two cores.
    /// </summary>
    public const string SwitchVariable = "STRATEGYLAB_RECORDER_THREAD";

    /// <summary>
    /// A backtest's: 4,096 events a block, four blocks, when <see cref="SwitchVariable"/> and the machine's cores say so
    /// (<see cref="Chosen"/>); null (the engine's thread records) otherwise.
    /// </summary>
    public static RecorderThreadOptions? Default { get; } = Chosen(Environment.GetEnvironmentVariable(SwitchVariable), Environment.ProcessorCount);

    /// <summary>
    /// Whether the recorders get a thread: as <paramref name="setting"/> says (<c>0</c> or <c>1</c>), else only with more
    /// than two cores. Handing the events over costs CPU (each bar, mark and plot point is copied and read again on
    /// another core: +15–20 % of the process's CPU in a long run, docs/performance.md, session 33); on two cores the
    /// read-ahead and the JIT compiler already keep the second one busy, and the command was not faster.
    /// </summary>
    /// <param name="setting">The value of <see cref="SwitchVariable"/>, if set.</param>
    /// <param name="processors">The cores the process may run on.</param>
    /// <returns>The options, or null for the engine's thread.</returns>
    internal static RecorderThreadOptions? Chosen(string? setting, int processors) => setting switch
    {
        "0" => null,
        "1" => new RecorderThreadOptions(),
        _ => processors > 2 ? new RecorderThreadOptions() : null,
    };

    /// <summary>Events in a block: the unit handed over (one hand-over, at most one wake-up, per block).</summary>
    public int BlockEvents { get; init; } = 4096;

    /// <summary>Blocks in the ring: the engine waits when they are all filled and not yet recorded.</summary>
    public int Blocks { get; init; } = 4;
}

/// <summary>
/// The recorders of a backtest (statistics, the run-folder writer, the report) on a thread of their own: the engine's
/// thread only copies each event into a block of compact records and hands over whole blocks through a bounded ring;
/// the recorders' thread replays them, in order, into the same recorders as on the engine's thread.
/// </summary>
/// <remarks>
/// <para>
/// No allocation and no lock per event: a block keeps one array per kind of event (bars, equity marks, plot points,
/// order events, round trips and corporate actions) and the order of the kinds; the ring's two counters are the only
/// shared state, and a thread sleeps (on an event) only when the ring is empty, or full. Bars, marks, plot points,
/// fills, round trips and corporate actions are values or immutable; an <see cref="Order"/> is not (the venue changes
/// it later): what changes on it is captured at the event (<see cref="OrderReplicas.Capture"/>) and the recorders are
/// handed the order's copy brought to that state (<see cref="OrderReplicas.Replicate"/>).
/// </para>
/// <para>
/// <see cref="Drain"/> ends the thread once the engine's loop is over: every event handed over is recorded, the copies
/// of the orders still open catch up with their orders, and the events after it (the run's end: <see cref="TradingEngine.Finish"/>)
/// are recorded on the calling thread, through the same copies. A recorder's exception ends the thread and calls
/// <c>onFault</c> (the runner stops the engine's loop between slices, as a cancellation does, never inside a strategy's
/// call); the events after it are dropped, as none was recorded after it on the engine's thread, and <see cref="Drain"/>
/// (or <see cref="Dispose"/> on the way out of a run that threw later) throws it, the same exception. The engine's
/// thread never waits for a thread that has stopped. Not thread-safe: the events, <see cref="Drain"/> and
/// <see cref="Dispose"/> come from one thread (the engine's).
/// </para>
/// </remarks>
internal sealed class RecorderThread : ISelectiveRecorder, IDisposable
{
    private readonly CompositeRecorder _recorders;
    private readonly OrderReplicas _replicas = new();
    private readonly EventBlock[] _ring;
    private readonly Thread _thread;
    private readonly Action? _onFault;

    // Set by the engine's thread after it publishes a block (and at the end); the recorders' thread sleeps on it.
    private readonly ManualResetEventSlim _published = new(false, 1);

    // Set by the recorders' thread after it recorded a block (and when it stops); the engine's thread sleeps on it when the ring is full.
    private readonly ManualResetEventSlim _recorded = new(false, 1);

    // The block being filled (the engine's thread's own until published).
    private EventBlock _block;

    // Blocks published and blocks recorded since the start: the block of sequence number n is _ring[n % length].
    private long _publishedBlocks;
    private long _recordedBlocks;
    private volatile bool _ending;
    private volatile bool _faulted;
    private ExceptionDispatchInfo? _fault;
    private bool _inline;
    private bool _disposed;

    /// <summary>Starts the thread that records into <paramref name="recorders"/>.</summary>
    /// <param name="recorders">The recorders, in their order (statistics, then the writer, then the report).</param>
    /// <param name="options">The blocks' size and number.</param>
    /// <param name="onFault">Called on the recorders' thread when a recorder threw (the runner stops the engine's loop).</param>
    public RecorderThread(CompositeRecorder recorders, RecorderThreadOptions options, Action? onFault = null)
    {
        ArgumentNullException.ThrowIfNull(recorders);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlockEvents, 1, nameof(options.BlockEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Blocks, 2, nameof(options.Blocks));
        _recorders = recorders;
        _onFault = onFault;
        _ring = new EventBlock[options.Blocks];
        for (var i = 0; i < _ring.Length; i++)
        {
            _ring[i] = new EventBlock(options.BlockEvents);
        }

        _block = _ring[0];
        _thread = new Thread(Record) { IsBackground = true, Name = "StrategyLab recorders" };
        _thread.Start();
    }

    /// <inheritdoc />
    public RecorderEvents Events => _recorders.Events;

    /// <inheritdoc />
    public void OnBar(in Bar bar)
    {
        if (_inline)
        {
            _recorders.OnBar(bar);
            return;
        }

        var b = _block;
        if (b.BarCount == b.Bars.Length)
        {
            b.Bars = Grown(b.Bars, b.Capacity);
        }

        b.Bars[b.BarCount++] = bar;
        Add(b, EventKind.Bar);
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        if (_inline)
        {
            _recorders.OnOrderEvent(orderEvent with { Order = _replicas.Replicate(orderEvent.Order, OrderReplicas.Capture(orderEvent.Order)) });
            return;
        }

        var b = _block;
        if (b.OrderCount == b.Orders.Length)
        {
            b.Orders = Grown(b.Orders, b.Capacity);
            b.OrderStates = Grown(b.OrderStates, b.Capacity);
        }

        b.Orders[b.OrderCount] = orderEvent;
        b.OrderStates[b.OrderCount++] = OrderReplicas.Capture(orderEvent.Order);
        Add(b, EventKind.Order);
    }

    /// <inheritdoc />
    public void OnRoundTrip(RoundTrip trip)
    {
        if (_inline)
        {
            _recorders.OnRoundTrip(trip);
            return;
        }

        AddObject(trip, EventKind.RoundTrip);
    }

    /// <inheritdoc />
    public void OnEquity(in EquityPoint point)
    {
        if (_inline)
        {
            _recorders.OnEquity(point);
            return;
        }

        var b = _block;
        if (b.EquityCount == b.Equity.Length)
        {
            b.Equity = Grown(b.Equity, b.Capacity);
        }

        b.Equity[b.EquityCount++] = point;
        Add(b, EventKind.Equity);
    }

    /// <inheritdoc />
    public void OnCorporateAction(AppliedCorporateAction applied)
    {
        if (_inline)
        {
            _recorders.OnCorporateAction(applied);
            return;
        }

        AddObject(applied, EventKind.CorporateAction);
    }

    /// <inheritdoc />
    public void OnPlot(in PlotPoint point)
    {
        if (_inline)
        {
            _recorders.OnPlot(point);
            return;
        }

        var b = _block;
        if (b.PlotCount == b.Plots.Length)
        {
            b.Plots = Grown(b.Plots, b.Capacity);
        }

        b.Plots[b.PlotCount++] = point;
        Add(b, EventKind.Plot);
    }

    /// <summary>
    /// Hands over the last block, waits until the recorders' thread has recorded every event and ended, and lets the
    /// copies of the orders still open catch up with them; the events after this are recorded on the calling thread.
    /// Call it once the engine's loop is over, before anything reads the recorders. Does nothing the second time.
    /// </summary>
    /// <exception cref="Exception">A recorder's exception on the recorders' thread, not thrown yet: the same exception.</exception>
    public void Drain()
    {
        if (_inline)
        {
            return;
        }

        _inline = true;
        if (_block.Count > 0)
        {
            Volatile.Write(ref _publishedBlocks, _publishedBlocks + 1);
        }

        _ending = true;
        _published.Set();
        _thread.Join();
        _fault?.Throw();
        _replicas.CatchUp();
    }

    /// <summary>
    /// <see cref="Drain"/> (on the way out of a run that threw, too: the events handed over before are recorded, as they
    /// were on the engine's thread), then frees the thread's signals.
    /// </summary>
    /// <exception cref="Exception">A recorder's exception not thrown yet: it came before whatever else ends the run.</exception>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Drain();
        }
        finally
        {
            _disposed = true;
            _published.Dispose();
            _recorded.Dispose();
        }
    }

    private static T[] Grown<T>(T[] array, int capacity)
    {
        var grown = new T[Math.Min(capacity, Math.Max(64, array.Length * 2))];
        Array.Copy(array, grown, array.Length);
        return grown;
    }

    private void AddObject(object item, EventKind kind)
    {
        var b = _block;
        if (b.ObjectCount == b.Objects.Length)
        {
            b.Objects = Grown(b.Objects, b.Capacity);
        }

        b.Objects[b.ObjectCount++] = item;
        Add(b, kind);
    }

    private void Add(EventBlock b, EventKind kind)
    {
        b.Kinds[b.Count++] = kind;
        if (b.Count == b.Capacity)
        {
            Publish();
        }
    }

    /// <summary>
    /// Hands the full block over and takes the next one, once the recorders' thread has recorded it. After a recorder's
    /// exception the events are dropped instead (the thread has stopped; the run is being stopped).
    /// </summary>
    private void Publish()
    {
        if (_faulted)
        {
            _block.Clear();
            return;
        }

        var next = _publishedBlocks + 1;
        Volatile.Write(ref _publishedBlocks, next);
        _published.Set();
        while (next - Volatile.Read(ref _recordedBlocks) >= _ring.Length && !_faulted)
        {
            _recorded.Reset();
            if (next - Volatile.Read(ref _recordedBlocks) >= _ring.Length && !_faulted)
            {
                _recorded.Wait();
            }
        }

        if (!_faulted)
        {
            _block = _ring[next % _ring.Length];
        }

        _block.Clear(); // after a fault the recorders' thread touches no block: the one just handed over is reused
    }

    /// <summary>The recorders' thread: replays the blocks as they are published, until <see cref="Drain"/>.</summary>
    private void Record()
    {
        try
        {
            long next = 0;
            while (true)
            {
                if (next < Volatile.Read(ref _publishedBlocks))
                {
                    Replay(_ring[next % _ring.Length]);
                    Volatile.Write(ref _recordedBlocks, ++next);
                    _recorded.Set();
                    continue;
                }

                if (_ending)
                {
                    if (next == Volatile.Read(ref _publishedBlocks))
                    {
                        return;
                    }

                    continue;
                }

                _published.Reset();
                if (next == Volatile.Read(ref _publishedBlocks) && !_ending)
                {
                    _published.Wait();
                }
            }
        }
        catch (Exception e)
        {
            _fault = ExceptionDispatchInfo.Capture(e);
            _faulted = true;
            _recorded.Set();
            _onFault?.Invoke(); // stops the engine's loop at its next slice: the exception is thrown by Drain, outside any strategy call
        }
    }

    /// <summary>Calls the recorders with the block's events, in order.</summary>
    /// <remarks>
    /// The block's fields are read once, into locals: the block the engine's thread fills meanwhile may share a cache
    /// line with this one's fields, and reading them per event would pull that line from the other core every time.
    /// </remarks>
    private void Replay(EventBlock b)
    {
        var recorders = _recorders;
        var kinds = b.Kinds;
        var count = b.Count;
        var bars = b.Bars;
        var equity = b.Equity;
        var plots = b.Plots;
        var orders = b.Orders;
        var states = b.OrderStates;
        var objects = b.Objects;
        int bar = 0, mark = 0, plot = 0, order = 0, item = 0;
        for (var i = 0; i < count; i++)
        {
            switch (kinds[i])
            {
                case EventKind.Bar:
                    recorders.OnBar(bars[bar++]);
                    break;
                case EventKind.Equity:
                    recorders.OnEquity(equity[mark++]);
                    break;
                case EventKind.Plot:
                    recorders.OnPlot(plots[plot++]);
                    break;
                case EventKind.Order:
                    var e = orders[order];
                    recorders.OnOrderEvent(e with { Order = _replicas.Replicate(e.Order, states[order]) });
                    order++;
                    break;
                case EventKind.RoundTrip:
                    recorders.OnRoundTrip((RoundTrip)objects[item++]);
                    break;
                case EventKind.CorporateAction:
                    recorders.OnCorporateAction((AppliedCorporateAction)objects[item++]);
                    break;
            }
        }
    }

    private enum EventKind : byte
    {
        Bar,
        Equity,
        Plot,
        Order,
        RoundTrip,
        CorporateAction,
    }

    /// <summary>
    /// Events in the order they came: their kinds, and per kind its records. The arrays grow to what a block holds and
    /// are reused, block after block.
    /// </summary>
    private sealed class EventBlock(int capacity)
    {
        public int Capacity { get; } = capacity;

        public EventKind[] Kinds { get; } = new EventKind[capacity];

        public int Count { get; set; }

        public Bar[] Bars { get; set; } = [];

        public int BarCount { get; set; }

        public EquityPoint[] Equity { get; set; } = [];

        public int EquityCount { get; set; }

        public PlotPoint[] Plots { get; set; } = [];

        public int PlotCount { get; set; }

        public OrderEvent[] Orders { get; set; } = [];

        public OrderSnapshot[] OrderStates { get; set; } = [];

        public int OrderCount { get; set; }

        /// <summary>Round trips and corporate actions (immutable records).</summary>
        public object[] Objects { get; set; } = [];

        public int ObjectCount { get; set; }

        public void Clear()
        {
            Count = 0;
            BarCount = 0;
            EquityCount = 0;
            PlotCount = 0;
            OrderCount = 0;
            ObjectCount = 0;
        }
    }
}
