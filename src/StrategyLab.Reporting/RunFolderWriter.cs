using StrategyLab.Core.Accounting;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting;

/// <summary>
/// Writes a run's artifacts into a folder as the run goes: <c>trades.csv</c>, <c>orders.csv</c>, <c>fills.csv</c>,
/// <c>equity.csv</c>, optionally <c>bars.csv</c> or <c>chart_bars.csv</c>, <c>plots.csv</c> when the strategy plotted,
/// and <c>summary.json</c> (formats in
/// docs/run-artifacts.md).
/// </summary>
/// <remarks>
/// <para>
/// <b>Backtest</b> (buffered): lines are formatted straight into UTF-8 buffers and reach the files in blocks of about
/// 256 KB, so memory does not grow with the run; the files are complete after <see cref="Complete"/>. <c>orders.csv</c>
/// is written once, in id order: an order's row when it is final (filled, canceled, expired, rejected) and every
/// earlier order's row is written; the rows of orders still open at the end come last. <b>Incremental</b> (replay, live): fills and trades reach their files as they happen, bars
/// and the equity row at the end of each cycle (the equity mark), and <c>orders.csv</c> is rewritten atomically
/// (temporary file + rename) when an order changed since the last cycle. In both modes a file only ever holds whole
/// lines, so a crash leaves valid CSVs. <c>summary.json</c> is written, atomically, by <see cref="WriteSummary"/> and
/// <see cref="Complete"/>.
/// </para>
/// <para>
/// The files are deterministic: the same run gives byte-identical files (no wall-clock time, invariant formats, the
/// configuration echoed as given). Not thread-safe: call it from the engine's thread.
/// </para>
/// </remarks>
public sealed partial class RunFolderWriter : IRunRecorder, IDisposable
{
    /// <summary>File name of the round trips.</summary>
    public const string TradesFileName = "trades.csv";

    /// <summary>File name of the orders (final state).</summary>
    public const string OrdersFileName = "orders.csv";

    /// <summary>File name of the executions.</summary>
    public const string FillsFileName = "fills.csv";

    /// <summary>File name of the equity marks.</summary>
    public const string EquityFileName = "equity.csv";

    /// <summary>File name of the bars acted on.</summary>
    public const string BarsFileName = "bars.csv";

    /// <summary>File name of the bars downsampled for the report's charts.</summary>
    public const string ChartBarsFileName = "chart_bars.csv";

    /// <summary>Most rows a symbol has in <c>chart_bars.csv</c>.</summary>
    public const int ChartBarsPerSymbol = 10_000;

    /// <summary>The state of a stateful strategy (written by the runner at the end of a run; a stale one is removed here).</summary>
    public const string StrategyStateFileName = "strategy_state.json";
    /// <summary>File name of the strategy's custom chart series (written only when it plotted something).</summary>
    public const string PlotsFileName = "plots.csv";

    /// <summary>File name of the summary.</summary>
    public const string SummaryFileName = "summary.json";

    /// <summary>Header of <c>trades.csv</c>.</summary>
    public const string TradesHeader = "symbol,side,qty,entry_time,entry_price,exit_time,exit_price,pnl,commission,exit_reason,mae,mfe";

    /// <summary>File name of the equity, benchmark and rolling Sharpe by date (written with the summary).</summary>
    public const string DailyFileName = DailyCsv.FileName;

    /// <summary>Header of <c>orders.csv</c>.</summary>
    public const string OrdersHeader =
        "id,client_order_id,created_time,symbol,side,type,qty,limit_price,stop_price,tif,tag,oco_group,status,filled_qty,avg_fill_price,commission,reject_reason,updated_time";

    /// <summary>Header of <c>fills.csv</c>.</summary>
    public const string FillsHeader = "time,order_id,symbol,side,qty,price,commission,tag";

    /// <summary>Header of <c>equity.csv</c>.</summary>
    public const string EquityHeader = "time,cash,positions_value,equity";

    /// <summary>Header of <c>bars.csv</c>.</summary>
    public const string BarsHeader = "symbol,start,end,open,high,low,close,volume,trades";

    /// <summary>Header of <c>plots.csv</c>.</summary>
    public const string PlotsHeader = "time,symbol,series,value,pane";

    private const string TempSuffix = ".tmp";

    // A buffered file hands its lines to the OS once this many bytes are pending.
    private const int BufferedCommitBytes = 256 * 1024;

    private readonly RunFolderOptions _options;
    private readonly bool _incremental;
    private readonly CsvFile _trades;
    private readonly CsvFile _fills;
    private readonly CsvFile _equity;
    private readonly CsvFile? _bars;
    private CsvFile? _plots;
    private PlotRows? _plotRows;
    private readonly ExchangeOffsetCache _equityClock;
    // Looked up on every bar and order: indexed by the symbol's dense id, not hashed.
    private readonly SymbolTable<ExchangeOffsetCache> _clocks = new();
    private readonly Dictionary<Symbol, CandleLadder>? _chartBars;
    private readonly SymbolTable<CandleLadder> _chartLadders = new();
    private readonly Dictionary<long, Order> _orders = [];
    private readonly List<Order> _orderList = [];
    private readonly OrderStream? _orderStream;
    private readonly EquityResolution _equityResolution;
    private EquitySessionCut _session;
    private readonly List<AppliedCorporateAction> _corporateActions = [];
    private bool _ordersChanged;
    private DateTime? _firstBarStart;
    private DateTime? _lastBarEnd;
    private long _equityMarks;
    private int _roundTrips;
    private bool _closed;

    /// <summary>Creates the folder (if needed) and the files with their headers; files of a previous run there are replaced.</summary>
    /// <exception cref="IOException">The folder or a file cannot be created.</exception>
    public RunFolderWriter(string directory, RunFolderOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _incremental = options.IsIncremental;
        DirectoryPath = Path.GetFullPath(directory);
        Directory.CreateDirectory(DirectoryPath);

        // A stale summary, bars file or report would describe another run.
        foreach (var stale in new[]
                 {
                     SummaryFileName, BarsFileName, ChartBarsFileName, PlotsFileName, PlotsFileName + TempSuffix, Html.HtmlReport.FileName, SummaryFileName + TempSuffix,
                     OrdersFileName + TempSuffix, ChartBarsFileName + TempSuffix, Html.HtmlReport.FileName + TempSuffix,
                     StrategyStateFileName, StrategyStateFileName + TempSuffix, DailyFileName, DailyFileName + TempSuffix,
                 })
        {
            File.Delete(Path.Combine(DirectoryPath, stale));
        }

        _equityClock = new ExchangeOffsetCache(options.EquityCalendar);
        _equityResolution = options.EquityResolution;
        _session = new EquitySessionCut(options.EquityCalendar);

        // A buffered file commits past BufferedCommitBytes: room for that and a row keeps its buffer from growing.
        var capacity = _incremental ? 16 * 1024 : BufferedCommitBytes + (64 * 1024);
        _trades = new CsvFile(Path.Combine(DirectoryPath, TradesFileName), TradesHeader, capacity);
        _fills = new CsvFile(Path.Combine(DirectoryPath, FillsFileName), FillsHeader, capacity);
        _equity = new CsvFile(Path.Combine(DirectoryPath, EquityFileName), EquityHeader, capacity);
        _bars = options.IsWritingBars ? new CsvFile(Path.Combine(DirectoryPath, BarsFileName), BarsHeader, capacity) : null;
        _chartBars = options.IsWritingChartBars ? [] : null;
        if (_incremental)
        {
            WriteOrders();
        }
        else
        {
            var orders = new CsvFile(Path.Combine(DirectoryPath, OrdersFileName), OrdersHeader, capacity);
            _orderStream = new OrderStream(orders, (file, order) => WriteOrderRow(file, order));
        }
    }

    /// <summary>The folder written to (full path).</summary>
    public string DirectoryPath { get; }

    /// <summary>The options.</summary>
    public RunFolderOptions Options => _options;

    /// <summary>Equity marks written.</summary>
    public long EquityMarks => _equityMarks;

    /// <summary>Round trips written.</summary>
    public int RoundTrips => _roundTrips;

    /// <summary>The splits and dividends applied so far (raw prices), in order; <c>summary.json</c> lists them.</summary>
    public IReadOnlyList<AppliedCorporateAction> CorporateActions => _corporateActions;

    /// <summary>The candles of <c>chart_bars.csv</c> as they build up, by symbol (null when it is not written): the report built from memory draws these.</summary>
    internal IReadOnlyDictionary<Symbol, CandleLadder>? ChartBars => _chartBars;

    /// <summary>The symbols with chart candles so far (0 when <c>chart_bars.csv</c> is not written): read at every order event, so the dictionary's own count, not an interface call.</summary>
    internal int ChartedSymbols => _chartBars?.Count ?? 0;

    /// <summary>
    /// The symbols of <paramref name="bySymbol"/> in <see cref="Symbol"/> order (what <c>OrderBy(kv =&gt; kv.Key)</c>
    /// gave): a sorted array of the keys, because LINQ over <c>KeyValuePair</c> is generic code over a framework struct
    /// that the precompiled images lack (~30 methods JIT-compiled at every start).
    /// </summary>
    internal static Symbol[] SortedSymbols(IReadOnlyDictionary<Symbol, CandleLadder> bySymbol)
    {
        var symbols = new Symbol[bySymbol.Count];
        var i = 0;
        foreach (var symbol in bySymbol.Keys)
        {
            symbols[i++] = symbol;
        }

        Array.Sort(symbols);
        return symbols;
    }

    /// <summary>
    /// The points of <c>plots.csv</c> in a buffered run (written with the summary, bounded per series as the chart
    /// candles are; docs/run-artifacts.md): the report built from memory draws these. Null in an incremental run, whose
    /// file holds every point as it is plotted.
    /// </summary>
    internal PlotRows? PlotRows => _plotRows;

    /// <summary>True when <c>plots.csv</c> is written from <see cref="PlotRows"/> (a buffered run), false when every point is streamed.</summary>
    internal bool BuffersPlots => !_incremental;

    /// <summary>Start of the first bar acted on, if any.</summary>
    public DateTime? FirstBarStartUtc => _firstBarStart;

    /// <summary>End of the last bar acted on, if any.</summary>
    public DateTime? LastBarEndUtc => _lastBarEnd;

    /// <inheritdoc />
    public void OnBar(in Bar bar)
    {
        ThrowIfClosed();
        _firstBarStart ??= bar.Start;
        _lastBarEnd = bar.End;
        if (_chartBars is not null)
        {
            AddChartBar(bar);
        }

        if (_bars is null)
        {
            return;
        }

        var clock = ClockOf(bar.Symbol);
        _bars.Text(bar.Symbol.Ticker)
            .Time(clock.ToOffset(bar.Start))
            .Time(clock.ToOffset(bar.End))
            .Number(bar.Open)
            .Number(bar.High)
            .Number(bar.Low)
            .Number(bar.Close)
            .Number(bar.Volume);
        if (bar.TradeCount is { } trades)
        {
            _bars.Integer(trades);
        }
        else
        {
            _bars.Empty();
        }

        _bars.EndRow();
        CommitIfBuffered(_bars);
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        ThrowIfClosed();
        var order = orderEvent.Order;
        if (_orderStream is not null)
        {
            _orderStream.OnEvent(order);
            CommitIfBuffered(_orderStream.File);
        }
        else
        {
            if (_orders.TryAdd(order.Id, order))
            {
                _orderList.Add(order);
            }

            _ordersChanged = true;
        }

        if (orderEvent.Fill is not { } fill)
        {
            return;
        }

        _fills.Time(ClockOf(fill.Symbol).ToOffset(fill.TimeUtc))
            .Integer(fill.OrderId)
            .Text(fill.Symbol.Ticker)
            .Ascii(ArtifactFormat.Utf8Name(fill.Side))
            .Number(fill.Quantity)
            .Number(fill.Price)
            .Number(fill.Commission)
            .Text(fill.Tag)
            .EndRow();
        CommitNowOrIfBuffered(_fills);
    }

    /// <inheritdoc />
    public void OnRoundTrip(RoundTrip trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        ThrowIfClosed();
        _roundTrips++;
        var clock = ClockOf(trip.Symbol);
        var excursion = _options.Excursions?.ExcursionOf(trip);
        _trades.Text(trip.Symbol.Ticker)
            .Ascii(ArtifactFormat.Utf8Name(trip.Direction))
            .Number(trip.Quantity)
            .Time(clock.ToOffset(trip.EntryTimeUtc))
            .Number(trip.EntryPrice)
            .Time(clock.ToOffset(trip.ExitTimeUtc))
            .Number(trip.ExitPrice)
            .Number(trip.Pnl)
            .Number(trip.Commission)
            .Text(trip.ExitReason)
            .Number(excursion?.Mae)
            .Number(excursion?.Mfe)
            .EndRow();
        CommitNowOrIfBuffered(_trades);
    }

    /// <inheritdoc />
    public void OnCorporateAction(AppliedCorporateAction applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ThrowIfClosed();
        _corporateActions.Add(applied);
    }

    /// <inheritdoc />
    /// <remarks>The equity mark ends a cycle: in incremental mode every file is brought up to date here.</remarks>
    public void OnEquity(in EquityPoint point)
    {
        ThrowIfClosed();
        _equityMarks++;
        if (_equityResolution == EquityResolution.Cycle)
        {
            WriteEquityRow(point);
        }
        else if (_session.Add(point, out var sessionEnd))
        {
            // The first mark of the run, or a new date: the previous date's last mark is final.
            if (sessionEnd is { } last)
            {
                WriteEquityRow(last);
            }

            if (_equityMarks == 1)
            {
                WriteEquityRow(point);
                _session.MarkWritten();
            }
        }

        if (_incremental)
        {
            CommitAll();
            if (_ordersChanged)
            {
                WriteOrders();
            }
        }
        else
        {
            CommitIfBuffered(_equity);
        }
    }

    /// <summary>
    /// Closes the files after writing every whole line recorded (and <c>orders.csv</c> when orders changed), without a
    /// summary. Safe to call after <see cref="Complete"/> and more than once.
    /// </summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        try
        {
            WriteFinalRows();
            CommitAll();
            if (_ordersChanged)
            {
                WriteOrders();
            }

            WriteBufferedPlots();
        }
        finally
        {
            Close();
        }
    }

    private void WriteEquityRow(in EquityPoint point) =>
        _equity.Time(_equityClock.ToOffset(point.TimeUtc))
            .Number(point.Cash)
            .Number(point.PositionsValue)
            .Number(point.Equity)
            .EndRow();

    /// <summary>The end of the run: the last date's last mark (session resolution) and the orders still open.</summary>
    private void WriteFinalRows()
    {
        if (_session.TakeUnwritten() is { } last)
        {
            WriteEquityRow(last);
        }

        _orderStream?.WriteRemaining();
    }

    private void Close()
    {
        _closed = true;
        _orderStream?.File.Dispose();
        _trades.Dispose();
        _fills.Dispose();
        _equity.Dispose();
        _bars?.Dispose();
        _plots?.Dispose();
    }

    // Inlined into the per-bar and per-point callers (an array read); the first time a symbol is met is NewClock.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private ExchangeOffsetCache ClockOf(Symbol symbol) => _clocks.Get(symbol) ?? NewClock(symbol);

    private ExchangeOffsetCache NewClock(Symbol symbol)
    {
        var clock = new ExchangeOffsetCache(_options.Calendars(symbol));
        _clocks.Set(symbol, clock);
        return clock;
    }

    private void CommitAll()
    {
        _trades.Commit();
        _fills.Commit();
        _bars?.Commit();
        _plots?.Commit();
        _equity.Commit();
        _orderStream?.File.Commit();
    }

    private void CommitNowOrIfBuffered(CsvFile file)
    {
        if (_incremental)
        {
            file.Commit();
        }
        else
        {
            CommitIfBuffered(file);
        }
    }

    private static void CommitIfBuffered(CsvFile file)
    {
        if (file.PendingBytes >= BufferedCommitBytes)
        {
            file.Commit();
        }
    }

    private void WriteOrders()
    {
        var path = Path.Combine(DirectoryPath, OrdersFileName);
        var temp = path + TempSuffix;
        using (var csv = new CsvFile(temp, OrdersHeader))
        {
            foreach (var o in _orderList.OrderBy(o => o.Id))
            {
                WriteOrderRow(csv, o);
                if (csv.PendingBytes >= BufferedCommitBytes)
                {
                    csv.Commit();
                }
            }
        }

        File.Move(temp, path, overwrite: true);
        _ordersChanged = false;
    }

    private void WriteOrderRow(CsvFile csv, Order o)
    {
        var clock = ClockOf(o.Symbol);
        // The generated client id and OCO name are written as their text, not made as strings on the order.
        csv.Integer(o.Id);
        if (o.StoredClientOrderId is { } clientId)
        {
            csv.Text(clientId);
        }
        else
        {
            csv.Prefixed(Order.GeneratedClientIdPrefix, o.Id);
        }

        csv.Time(clock.ToOffset(o.CreatedUtc))
            .Text(o.Symbol.Ticker)
            .Ascii(ArtifactFormat.Utf8Name(o.Side))
            .Ascii(ArtifactFormat.Utf8Name(o.Type))
            .Number(o.Quantity)
            .Number(o.LimitPrice)
            .Number(o.StopPrice)
            .Ascii(ArtifactFormat.Utf8Name(o.TimeInForce))
            .Text(o.Tag);
        if (o.OcoEntryId != 0)
        {
            csv.Prefixed(Order.OcoGroupPrefix, o.OcoEntryId);
        }
        else
        {
            csv.Text(o.NamedOcoGroup);
        }

        csv.Ascii(ArtifactFormat.Utf8Name(o.Status))
            .Number(o.FilledQuantity)
            .Number(o.FilledQuantity == 0 ? null : o.AverageFillPrice)
            .Number(o.Commission)
            .Ascii(ArtifactFormat.Utf8Name(o.RejectReason))
            .Time(clock.ToOffset(o.UpdatedUtc))
            .EndRow();
    }

    private void WriteAtomically(string fileName, Action<Stream> write)
    {
        var path = Path.Combine(DirectoryPath, fileName);
        var temp = path + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            write(stream);
        }

        File.Move(temp, path, overwrite: true);
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_closed, this);
}
