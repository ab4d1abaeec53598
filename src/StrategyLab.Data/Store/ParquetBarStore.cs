using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Store;

/// <summary>
/// The project's own bar store: Parquet files, one per symbol, timeframe and exchange-local year (a row group per month), with exact prices.
/// </summary>
/// <remarks>
/// <para><b>Layout</b>: <c>&lt;root&gt;/strategylab-store.json</c> (marker) and
/// <c>&lt;root&gt;/&lt;timeframe&gt;/&lt;SYMBOL&gt;/&lt;yyyy&gt;.parquet</c>, e.g. <c>store/1m/SPY/2013.parquet</c>, a row group per
/// exchange-local month of the bar start (per the symbol's calendar; months are named in <c>strategylab.row_groups</c>).
/// Monthly files of the layout before (<c>&lt;yyyy-MM&gt;.parquet</c>) are still read; a write or <see cref="MigrateAsync"/>
/// rewrites them as yearly files. Characters other than letters, digits, '.', '_'
/// and '-' in a ticker are percent-encoded in its folder name (<c>BINANCE:BTCUSDT</c> → <c>BINANCE%3ABTCUSDT</c>).</para>
/// <para><b>Columns</b>: <c>start</c>, <c>end</c> (TIMESTAMP(NANOS, UTC)); <c>open</c>, <c>high</c>, <c>low</c>,
/// <c>close</c> and, when any bar has one, <c>vwap</c> (INT64 DECIMAL(18, p)); <c>volume</c> (INT64 DECIMAL(18, v));
/// <c>trades</c> (nullable INT32) when any bar has a trade count. p is the smallest scale that holds every price of the
/// file exactly, v the same for volumes, so values come back exactly as written (no floating point anywhere).
/// Rows are sorted by start, in row groups of <see cref="RowGroupSize"/>.</para>
/// <para><b>Metadata</b> (Parquet key-value): <c>strategylab.format</c> = <c>bars/1</c>, <c>strategylab.symbol</c>,
/// <c>strategylab.asset_class</c>, <c>strategylab.timeframe</c>, <c>strategylab.year</c>, <c>strategylab.row_groups</c>, <c>strategylab.source</c>.</para>
/// <para><b>Corporate-action factors</b>: <c>&lt;root&gt;/factors/&lt;SYMBOL&gt;.csv</c>, a copy of the LEAN factor file of a
/// symbol imported from a LEAN folder (bars are stored raw, so the store can serve raw, split-adjusted and adjusted
/// prices, and the actions of a raw run). See <see cref="Lean.LeanFactorFile"/>.</para>
/// <para><b>Writing</b> a year that exists merges the new bars into it and rewrites the file (via a temporary file and a
/// rename), streaming: the stored file is read a row group at a time and merged in start order with the new bars, which
/// are held a run of <see cref="RowGroupSize"/> at a time (a run out of order is sorted and spilled to a temporary file
/// beside the partition), so memory does not grow with the month. Each partition is written with its SHA-256 beside it
/// (<c>&lt;yyyy&gt;.parquet.sha256</c>), verified whenever it is read; every row is checked on write and read (see
/// <see cref="PartitionRows"/>). Bars with the same start are resolved deterministically: the one written last wins (new over stored; later
/// over earlier in the same input). One writer at a time per store: a write holds the store's lock
/// (<c>strategylab-store.lock</c>) throughout, and a second writer fails with <see cref="StoreLockedException"/>.</para>
/// </remarks>
public sealed partial class ParquetBarStore
{
    /// <summary>Rows per Parquet row group.</summary>
    public const int RowGroupSize = 131_072;

    /// <summary>Most bars handed out in one segment by a read: 64 KB, under the large-object heap's threshold.</summary>
    internal const int SegmentBars = 512;

    /// <summary>Incoming bars held per symbol before a sorted run of them is spilled to disk (tests make it small).</summary>
    internal int SpillRunSize { get; init; } = RowGroupSize;

    /// <summary>Rows per row group written (<see cref="RowGroupSize"/>; tests make it small).</summary>
    internal int RowGroupRows { get; init; } = RowGroupSize;

    /// <summary>The marker file at the store root.</summary>
    public const string MarkerFileName = "strategylab-store.json";

    /// <summary>The folder of the factor files, beside the timeframe folders.</summary>
    public const string FactorsFolderName = "factors";

    internal const string FormatKey = "strategylab.format";
    internal const string FormatValue = "bars/1";
    internal const string SymbolKey = "strategylab.symbol";
    internal const string AssetClassKey = "strategylab.asset_class";
    internal const string TimeframeKey = "strategylab.timeframe";
    internal const string MonthKey = "strategylab.month";
    internal const string YearKey = "strategylab.year";
    internal const string RowGroupsKey = "strategylab.row_groups";

    /// <summary>
    /// Files up to this size (a month of minutes) are read into memory at once; larger ones (a year) a row group at a
    /// time, so a merge of many symbols holds a month per symbol, not a year.
    /// </summary>
    internal long InMemoryFileBytes { get; init; } = 1 << 20;
    internal const string SourceKey = "strategylab.source";

    /// <summary>
    /// Whether partitions in the store's exact shape are decoded by the store's own page reader
    /// (<see cref="PlainInt64Pages"/>) rather than Parquet.Net (tests compare the two; any other file goes to Parquet.Net).
    /// </summary>
    internal bool OwnPageReader { get; init; } = true;

    /// <summary>
    /// Whether a series' next large partition is opened (checksum and footer) in the background while the one before is
    /// read (internal: on by default; tests switch it off to compare).
    /// </summary>
    internal bool OpenAhead { get; init; } = true;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    private readonly Func<Symbol, IMarketCalendar> _calendarFor;
    private readonly ILogger? _logger;

    /// <summary>A store at <paramref name="root"/> (created on first write).</summary>
    /// <param name="root">The store folder.</param>
    /// <param name="calendarFor">The calendar of a symbol (its time zone decides the month of a bar); default <see cref="MarketCalendars.For(Symbol)"/>.</param>
    /// <param name="logger">Where written partitions are logged (debug level).</param>
    public ParquetBarStore(string root, Func<Symbol, IMarketCalendar>? calendarFor = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _calendarFor = calendarFor ?? MarketCalendars.For;
        _logger = logger;
    }

    /// <summary>The store folder.</summary>
    public string Root { get; }

    /// <summary>True when <paramref name="path"/> is a store folder (it holds the marker file).</summary>
    public static bool IsStore(string path) => File.Exists(Path.Combine(path, MarkerFileName));

    /// <summary>
    /// Writes bars (any symbols, any order; sorted input is fastest) as <paramref name="timeframe"/> bars, merging into
    /// existing months. Memory holds a run of bars per symbol (see the remarks), not a month.
    /// </summary>
    /// <param name="bars">The bars.</param>
    /// <param name="timeframe">Their timeframe (the store keeps one series per symbol and timeframe).</param>
    /// <param name="source">Where they came from, kept in the file metadata (e.g. <c>csv:bars.csv</c>, <c>lean</c>).</param>
    /// <param name="cancellationToken">Cancels between partitions.</param>
    /// <exception cref="DataFormatException">A value needs more than 18 digits at the file's scale, or a stored file is not a store partition.</exception>
    /// <exception cref="StoreLockedException">Another writer (import, download) is writing to the store.</exception>
    public async Task<StoreWriteResult> WriteAsync(
        IEnumerable<Bar> bars, Timeframe timeframe, string source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(source);
        if (timeframe.IsDefault)
        {
            throw new ArgumentException("A timeframe is required.", nameof(timeframe));
        }

        Directory.CreateDirectory(Root);
        using var writerLock = StoreLock.Acquire(Root);
        var marker = Path.Combine(Root, MarkerFileName);
        if (!File.Exists(marker))
        {
            await File.WriteAllTextAsync(
                marker,
                "{\"format\": \"strategylab-bars\", \"version\": 2, \"layout\": \"<timeframe>/<SYMBOL>/<yyyy>.parquet\"}\n",
                cancellationToken).ConfigureAwait(false);
        }

        var pending = new Dictionary<Symbol, PendingMonth>();
        var written = new List<StorePartition>();
        long received = 0, replaced = 0;
        try
        {
            foreach (var bar in bars)
            {
                if (bar.IsDefault)
                {
                    throw new ArgumentException("A default (empty) bar cannot be stored.", nameof(bars));
                }

                received++;
                if (!pending.TryGetValue(bar.Symbol, out var p))
                {
                    p = new PendingMonth(bar.Symbol, new ExchangeClock(_calendarFor(bar.Symbol)), SpillRunSize);
                    pending[bar.Symbol] = p;
                }

                var local = p.Clock.ToLocal(bar.Start);
                var month = new DateOnly(local.Year, local.Month, 1);
                if (p.Received > 0 && month.Year != p.Year)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (partitions, r) = await FlushAsync(bar.Symbol, timeframe, p, source, cancellationToken).ConfigureAwait(false);
                    written.AddRange(partitions);
                    replaced += r;
                    p.Reset();
                }

                p.Year = month.Year;
                p.Add(bar, month, PartitionPath(bar.Symbol, timeframe, month) + ".spill.tmp");
            }

            foreach (var (symbol, p) in pending)
            {
                if (p.Received > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var (partitions, r) = await FlushAsync(symbol, timeframe, p, source, cancellationToken).ConfigureAwait(false);
                    written.AddRange(partitions);
                    replaced += r;
                }
            }
        }
        finally
        {
            foreach (var p in pending.Values)
            {
                p.Dispose();
            }
        }

        return new StoreWriteResult(received, written, replaced);
    }

    /// <summary>All bars of a series, oldest first, read lazily month by month.</summary>
    public IEnumerable<Bar> ReadBars(Symbol symbol, Timeframe timeframe) =>
        ReadBars(symbol, timeframe, DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));

    /// <summary>The bars whose start lies in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), oldest first, read lazily.</summary>
    /// <exception cref="DataFormatException">A partition is unreadable or holds another series.</exception>
    public IEnumerable<Bar> ReadBars(Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (fromUtc.Kind == DateTimeKind.Local || toUtc.Kind == DateTimeKind.Local)
        {
            throw new ArgumentException("Expected UTC instants.", nameof(fromUtc));
        }

        return ReadRange(symbol, timeframe, fromUtc.Ticks, toUtc.Ticks);
    }

    /// <summary>
    /// The bars whose exchange-local start date lies in [<paramref name="from"/>, <paramref name="to"/>] (dates of the
    /// symbol's calendar), oldest first, read lazily.
    /// </summary>
    public IEnumerable<Bar> ReadBars(Symbol symbol, Timeframe timeframe, DateOnly from, DateOnly to)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var clock = new ExchangeClock(_calendarFor(symbol));
        var fromUtc = clock.ToUtc(from.ToDateTime(TimeOnly.MinValue));
        var toUtc = to == DateOnly.MaxValue ? DateTime.MaxValue : clock.ToUtc(to.AddDays(1).ToDateTime(TimeOnly.MinValue));
        return ReadRange(symbol, timeframe, fromUtc.Ticks, toUtc.Ticks);
    }

    /// <summary>
    /// The bars whose start lies in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), in batches (one Parquet row
    /// group at most, in order). Each batch's memory is reused for the next: copy what you keep. Faster than
    /// <see cref="ReadBars(Symbol, Timeframe, DateTime, DateTime)"/> for consumers that work on spans.
    /// </summary>
    public IEnumerable<ReadOnlyMemory<Bar>> ReadBatches(Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return ReadBatchMemory(symbol, timeframe, fromUtc.Ticks, toUtc.Ticks);
    }

    private IEnumerable<ReadOnlyMemory<Bar>> ReadBatchMemory(Symbol symbol, Timeframe timeframe, long fromTicks, long toTicks)
    {
        foreach (var segment in ReadSegments(ReadRanges(symbol, timeframe, fromTicks, toTicks)))
        {
            yield return segment;
        }
    }

    /// <summary>Bars a row group at a time, built in a tight loop into an array that is reused for the next group.</summary>
    internal static IEnumerable<ArraySegment<Bar>> ReadSegments(IEnumerable<RowRange> ranges)
    {
        // The bars are built a slice of a row group at a time into one small array, handed out and overwritten: a whole
        // month (~8,400 minutes of 128 bytes) per symbol would be a megabyte on the large-object heap for each stream.
        Bar[]? buffer = null;
        foreach (var range in ranges)
        {
            for (var at = range.First; at < range.End; at += SegmentBars)
            {
                var count = Math.Min(SegmentBars, range.End - at);
                buffer ??= new Bar[SegmentBars];
                range.Reader.Fill(at, buffer.AsSpan(0, count));
                yield return new ArraySegment<Bar>(buffer, 0, count);
            }
        }
    }

    /// <summary>
    /// The rows whose start lies in [<paramref name="fromTicks"/>, <paramref name="toTicks"/>), a row group's range at
    /// a time (the reader's columns hold them until the next range is asked for).
    /// </summary>
    private IEnumerable<RowRange> ReadRanges(Symbol symbol, Timeframe timeframe, long fromTicks, long toTicks)
    {
        if (fromTicks >= toTicks)
        {
            yield break;
        }

        var clock = new ExchangeClock(_calendarFor(symbol));
        var firstMonth = MonthOf(clock, fromTicks);
        var lastMonth = MonthOf(clock, toTicks - 1);
        var columns = new RowGroupBuffers(); // shared by the stream's files, one after another
        var files = PartitionFiles(symbol, timeframe).Where(f => f.LastMonth >= firstMonth && f.FirstMonth <= lastMonth).ToList();

        // The next large file of the range is opened (its whole SHA-256 read and checked, its footer parsed) in the
        // background while this one's bars are read: done when it is reached, every symbol's yearly files would be
        // checked at the same year's end, one after another, while the engine waits for the next bars.
        Task<ParquetFile>? next = null;
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                var path = files[i].Path;
                var opened = next is null ? null : TakeOpened(ref next); // its error, if any, here: where it would be opened
                var streaming = opened is not null || new FileInfo(path).Length > InMemoryFileBytes;
                if (OpenAhead && i + 1 < files.Count && new FileInfo(files[i + 1].Path).Length > InMemoryFileBytes)
                {
                    var (nextPath, own) = (files[i + 1].Path, OwnPageReader);
                    next = Task.Run(() => ParquetFile.Open(nextPath, streaming: true, ownPageReader: own));
                }

                using var reader = opened is not null
                    ? new PartitionReader(opened, path, symbol, timeframe, clock, columns)
                    : new PartitionReader(path, symbol, timeframe, clock, streaming, columns, OwnPageReader);
                while (reader.NextGroupMonth < firstMonth)
                {
                    reader.SkipGroup(); // row groups are months: a range inside a year reads only its months
                }

                while (reader.NextGroupMonth <= lastMonth && reader.NextGroup())
                {
                    var n = reader.Count;
                    var last = reader.StartTicksAt(n - 1) < toTicks ? n : reader.FirstAtOrAfter(toTicks);
                    var first = reader.FirstAtOrAfter(fromTicks);
                    if (first < last)
                    {
                        yield return new RowRange(reader, first, last);
                    }

                    if (last < n)
                    {
                        yield break;
                    }
                }
            }
        }
        finally
        {
            if (next is not null)
            {
                DisposeUnused(next); // left early, or the range ended before the next file: close it (its error is not this range's)
            }
        }
    }

    /// <summary>The file <paramref name="next"/> opened; its exception (the same object, as opening it here would throw) if it failed.</summary>
    private static ParquetFile TakeOpened(ref Task<ParquetFile>? next)
    {
        var task = next!;
        next = null;
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for a file opened ahead and not used, and closes it; a failure to open it is not an error of the read.</summary>
    private static void DisposeUnused(Task<ParquetFile> next)
    {
        try
        {
            next.GetAwaiter().GetResult().Dispose();
        }
        catch (Exception e) when (e is DataFormatException or IOException or UnauthorizedAccessException)
        {
            // Never reached by the read: as if never opened.
        }
    }

    /// <summary>Where the factor file of <paramref name="symbol"/> is kept: <c>&lt;root&gt;/factors/&lt;SYMBOL&gt;.csv</c>.</summary>
    public string FactorFilePath(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return Path.Combine(Root, FactorsFolderName, EncodeTicker(symbol.Ticker) + ".csv");
    }

    /// <summary>
    /// Keeps <paramref name="factors"/> (a LEAN factor file, already read and checked) as the factor file of
    /// <paramref name="symbol"/>, replacing any earlier one (written via a temporary file and a rename).
    /// </summary>
    public async Task WriteFactorFileAsync(Symbol symbol, Lean.LeanFactorFile factors, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(factors);
        var path = FactorFilePath(symbol);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        var lines = factors.Rows.Select(r => string.Create(
            CultureInfo.InvariantCulture, $"{r.Date:yyyyMMdd},{r.PriceFactor},{r.SplitFactor},{r.ReferencePrice}"));
        await File.WriteAllLinesAsync(temp, lines, cancellationToken).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The factor file kept for <paramref name="symbol"/>, or null when there is none.</summary>
    /// <exception cref="DataFormatException">The file is malformed.</exception>
    public Lean.LeanFactorFile? ReadFactorFile(Symbol symbol)
    {
        var path = FactorFilePath(symbol);
        return File.Exists(path) ? Lean.LeanFactorFile.Read(path) : null;
    }

    /// <summary>The folder of one series: <c>&lt;root&gt;/&lt;timeframe&gt;/&lt;SYMBOL&gt;</c>.</summary>
    public string SeriesFolder(Symbol symbol, Timeframe timeframe)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return Path.Combine(Root, timeframe.ToString(), EncodeTicker(symbol.Ticker));
    }

    /// <summary>The file that holds the bars of <paramref name="month"/> (written): its year's file, <c>&lt;yyyy&gt;.parquet</c>.</summary>
    public string PartitionPath(Symbol symbol, Timeframe timeframe, DateOnly month) =>
        Path.Combine(SeriesFolder(symbol, timeframe), month.ToString("yyyy", CultureInfo.InvariantCulture) + ".parquet");

    /// <summary>The monthly file of the layout before yearly files, <c>&lt;yyyy-MM&gt;.parquet</c> (still read; see <see cref="MigrateAsync"/>).</summary>
    public string MonthlyPartitionPath(Symbol symbol, Timeframe timeframe, DateOnly month) =>
        Path.Combine(SeriesFolder(symbol, timeframe), month.ToString("yyyy-MM", CultureInfo.InvariantCulture) + ".parquet");

    internal static string EncodeTicker(string ticker)
    {
        var sb = new StringBuilder(ticker.Length);
        foreach (var b in Encoding.UTF8.GetBytes(ticker))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }

    private IEnumerable<Bar> ReadRange(Symbol symbol, Timeframe timeframe, long fromTicks, long toTicks) =>
        new SegmentedBars(ReadRanges(symbol, timeframe, fromTicks, toTicks));

    /// <summary>The UTC span [From, To) of the exchange-local month starting at <paramref name="month"/>, in ticks.</summary>
    internal static (long From, long To) MonthTicks(ExchangeClock clock, DateOnly month) =>
        (clock.ToUtc(month.ToDateTime(TimeOnly.MinValue)).Ticks, clock.ToUtc(month.AddMonths(1).ToDateTime(TimeOnly.MinValue)).Ticks);

    private static DateOnly MonthOf(ExchangeClock clock, long utcTicks)
    {
        // Instants at the edges of DateTime's range have no local time; clamp them to the calendar's years.
        var min = new DateTime(MarketCalendar.MinYear, 1, 2, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var max = new DateTime(MarketCalendar.MaxYear, 12, 30, 0, 0, 0, DateTimeKind.Utc).Ticks;
        if (utcTicks <= min)
        {
            return DateOnly.MinValue;
        }

        if (utcTicks >= max)
        {
            return DateOnly.MaxValue;
        }

        var local = clock.ToLocal(new DateTime(utcTicks, DateTimeKind.Utc));
        return new DateOnly(local.Year, local.Month, 1);
    }

    internal static DateTime FromNanos(long nanos) => new(FromNanosTicks(nanos), DateTimeKind.Utc);

    internal static long FromNanosTicks(long nanos) => (nanos / 100) + UnixEpochTicks;

    internal static void Sync(ValueTask task)
    {
        // Partitions are read from memory, so Parquet.Net completes synchronously and this does not block.
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }

    internal static void Sync(Task task) => task.GetAwaiter().GetResult();

    internal static T Sync<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
