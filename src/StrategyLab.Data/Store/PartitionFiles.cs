using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Parquet;
using Parquet.Schema;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Store;

/// <summary>An open store partition: its Parquet reader, metadata and the raw (INT64) view of its columns.</summary>
internal sealed class ParquetFile : IDisposable
{
    private readonly Stream _stream;
    private byte[]? _rented;

    private ParquetFile(string path, Stream stream, ParquetReader reader)
    {
        Path = path;
        _stream = stream;
        Reader = reader;
        Metadata = reader.CustomMetadata;
        if (Metadata.GetValueOrDefault(ParquetBarStore.FormatKey) != ParquetBarStore.FormatValue)
        {
            throw new DataFormatException(path, null, ParquetBarStore.FormatKey, $"not a Strategy Lab bar partition (expected '{ParquetBarStore.FormatValue}')");
        }

        var ticker = Metadata.GetValueOrDefault(ParquetBarStore.SymbolKey);
        if (string.IsNullOrEmpty(ticker) || !Enum.TryParse<AssetClass>(Metadata.GetValueOrDefault(ParquetBarStore.AssetClassKey), out var assetClass))
        {
            throw new DataFormatException(path, null, ParquetBarStore.SymbolKey, "the partition does not name its symbol and asset class");
        }

        Symbol = Symbol.Create(ticker, assetClass);

        // A partition renamed to another month (or year) would otherwise be read (or skipped) as that month: its
        // metadata says which month or year it was written for.
        var named = System.IO.Path.GetFileNameWithoutExtension(path);
        if (Metadata.GetValueOrDefault(ParquetBarStore.YearKey) is { } year)
        {
            if (year != named)
            {
                throw new DataFormatException(path, null, ParquetBarStore.YearKey, $"the partition holds the bars of {year}, but its name says {named} (renamed?)");
            }

            GroupMonths = ParseGroupMonths(path, Metadata.GetValueOrDefault(ParquetBarStore.RowGroupsKey), reader.RowGroupCount, int.Parse(year, CultureInfo.InvariantCulture));
        }
        else
        {
            if (Metadata.GetValueOrDefault(ParquetBarStore.MonthKey) is { } written && written != named)
            {
                throw new DataFormatException(path, null, ParquetBarStore.MonthKey, $"the partition holds the bars of {written}, but its name says {named} (renamed?)");
            }

            // A monthly file (the layout before yearly files): every row group is the month of its name.
            var month = DateOnly.ParseExact(named + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            GroupMonths = Enumerable.Repeat(month, reader.RowGroupCount).ToArray();
        }

        var fields = reader.Schema.DataFields;
        PriceScale = ScaleOf(fields, "open");
        VolumeScale = ScaleOf(fields, "volume");
        Trades = Array.Find(fields, f => f.Name == "trades");
        Vwap = Array.Find(fields, f => f.Name == "vwap");
        Raw = new RawColumns();
    }

    public string Path { get; }

    public ParquetReader Reader { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public Symbol Symbol { get; }

    public byte PriceScale { get; }

    public byte VolumeScale { get; }

    public DataField? Trades { get; }

    public DataField? Vwap { get; }

    public RawColumns Raw { get; }

    /// <summary>The exchange-local month (first day) of each row group: all the same in a monthly file, ascending in a yearly one.</summary>
    public DateOnly[] GroupMonths { get; }

    /// <summary>True for a yearly file (the current layout), false for a monthly one (the layout before).</summary>
    public bool IsYearly => Metadata.ContainsKey(ParquetBarStore.YearKey);

    /// <summary>The months of a yearly file's row groups, from its metadata (<c>yyyy-MM</c> per group, comma-separated).</summary>
    private static DateOnly[] ParseGroupMonths(string path, string? text, int groups, int year)
    {
        var parts = string.IsNullOrEmpty(text) ? [] : text.Split(',');
        var months = new DateOnly[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!DateOnly.TryParseExact(parts[i] + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out months[i])
                || months[i].Year != year || (i > 0 && months[i] < months[i - 1]))
            {
                months = [];
                break;
            }
        }

        return months.Length == groups && groups > 0
            ? months
            : throw new DataFormatException(path, null, ParquetBarStore.RowGroupsKey, "the yearly partition's row-group months do not match its row groups");
    }

    /// <summary>
    /// Opens a partition, verifying its checksum first. With <paramref name="footerOnly"/> only the metadata is parsed
    /// (listing); otherwise the file's bytes are read at once into a pooled buffer (one month), so column reads never
    /// wait on disk and complete synchronously.
    /// </summary>
    public static ParquetFile Open(string path, bool footerOnly = false, bool streaming = false)
    {
        byte[]? rented = null;
        Stream? stream = null;
        try
        {
            if (footerOnly || streaming)
            {
                stream = new SynchronousReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));

                // The footer is verified too: Parquet.Net can loop forever on some damaged footers, so damaged bytes
                // must never reach it when the partition has a checksum (all written by this version do).
                Checksum.Verify(path, stream);
                stream.Position = 0;
            }
            else
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                var length = checked((int)file.Length);
                rented = ArrayPool<byte>.Shared.Rent(length);
                file.ReadExactly(rented, 0, length);
                Checksum.Verify(path, rented.AsSpan(0, length));
                stream = new MemoryStream(rented, 0, length, writable: false);
            }

            var reader = ParquetBarStore.Sync(ParquetReader.CreateAsync(stream));
            return new ParquetFile(path, stream, reader) { _rented = rented };
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException and not FileNotFoundException and not UnauthorizedAccessException)
        {
            stream?.Dispose();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            // Parquet.Net fails on damaged bytes with whatever it meets (NullReferenceException, Thrift errors, index
            // errors): any failure while opening a partition is a damaged file, named.
            throw e as DataFormatException ?? Corrupt(path, e);
        }
    }

    /// <summary>A failure of Parquet.Net on the partition's bytes, as bad input naming the file.</summary>
    public static DataFormatException Corrupt(string path, Exception e) =>
        new(path, null, null, $"corrupt partition ({e.GetType().Name}: {e.Message}); delete it (and its .sha256) and import the month again");

    public void Dispose()
    {
        ParquetBarStore.Sync(Reader.DisposeAsync());
        _stream.Dispose();
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }

    private byte ScaleOf(DataField[] fields, string name)
    {
        var field = Array.Find(fields, f => f.Name == name);
        if (field is not DecimalDataField d || d.Scale is < 0 or > ScaledDecimal.MaxScale || d.Precision > 18)
        {
            throw new DataFormatException(Path, null, name, "expected an INT64 DECIMAL(18, s) column");
        }

        return (byte)d.Scale;
    }

    /// <summary>INT64 views of the fixed columns: timestamps as nanoseconds, decimals as unscaled integers.</summary>
    internal sealed class RawColumns
    {
        public RawColumns()
        {
            Start = new DataField<long>("start");
            End = new DataField<long>("end");
            Open = new DataField<long>("open");
            High = new DataField<long>("high");
            Low = new DataField<long>("low");
            Close = new DataField<long>("close");
            Volume = new DataField<long>("volume");
            _ = new ParquetSchema(Start, End, Open, High, Low, Close, Volume);
        }

        public DataField<long> Start { get; }

        public DataField<long> End { get; }

        public DataField<long> Open { get; }

        public DataField<long> High { get; }

        public DataField<long> Low { get; }

        public DataField<long> Close { get; }

        public DataField<long> Volume { get; }
    }
}

/// <summary>
/// A file read synchronously even through the async API: Parquet.Net reads column chunks with <c>ReadAsync</c>, which a
/// synchronous <see cref="FileStream"/> hands to the thread pool call by call (several times slower from the page
/// cache than a plain read); the store reads row groups of local files, where a synchronous read is the fast path.
/// </summary>
internal sealed class SynchronousReadStream(FileStream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(inner.Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(inner.Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Reads a partition row group by row group into column buffers and builds bars from them.</summary>
internal sealed class PartitionReader : IDisposable
{
    private readonly ParquetFile _file;
    private readonly Symbol _symbol;
    private readonly byte _priceScale;
    private readonly byte _volumeScale;
    private int _group = -1;
    private readonly RowGroupBuffers _buffers;
    private long[] _starts = [], _ends = [], _open = [], _high = [], _low = [], _close = [], _volume = [];
    private int?[]? _trades;
    private decimal?[]? _vwap;
    private readonly ExchangeClock _clock;
    private readonly Timeframe _timeframe;
    private PartitionRows? _rows;
    private DateOnly _rowsMonth;
    private long _previousStart = long.MinValue;

    /// <summary>Opens <paramref name="path"/>, a partition of <paramref name="expected"/> (monthly or yearly) whose months are those of <paramref name="clock"/>.</summary>
    /// <remarks>With <paramref name="streaming"/> the file is read from disk group by group (a merge into a large file),
    /// otherwise it is read into memory at once (fastest for reading bars). <paramref name="buffers"/>: the column arrays
    /// to decode into, shared by the readers of one series one after another (null: the reader's own).</remarks>
    public PartitionReader(string path, Symbol expected, Timeframe timeframe, ExchangeClock clock, bool streaming = false, RowGroupBuffers? buffers = null)
    {
        _clock = clock;
        _buffers = buffers ?? new RowGroupBuffers();
        _timeframe = timeframe;
        _file = ParquetFile.Open(path, streaming: streaming);
        if (_file.Symbol != expected)
        {
            _file.Dispose();
            throw new DataFormatException(
                path, null, ParquetBarStore.SymbolKey,
                $"the partition holds {_file.Symbol} ({_file.Symbol.AssetClass}), not {expected} ({expected.AssetClass})");
        }

        var tf = _file.Metadata.GetValueOrDefault(ParquetBarStore.TimeframeKey);
        if (tf != timeframe.ToString())
        {
            _file.Dispose();
            throw new DataFormatException(path, null, ParquetBarStore.TimeframeKey, $"the partition holds '{tf}' bars, not {timeframe}");
        }

        _symbol = _file.Symbol;
        _priceScale = _file.PriceScale;
        _volumeScale = _file.VolumeScale;
    }

    /// <summary>Rows in the current group.</summary>
    public int Count { get; private set; }

    /// <summary>The open file (its scales and optional columns).</summary>
    public ParquetFile File => _file;

    /// <summary>The month of the next row group, or null after the last.</summary>
    public DateOnly? NextGroupMonth => _group + 1 < _file.Reader.RowGroupCount ? _file.GroupMonths[_group + 1] : null;

    /// <summary>Passes over the next row group without reading it (outside a range).</summary>
    public void SkipGroup() => _group++;

    /// <summary>Moves to the next row group and reads its columns; false after the last.</summary>
    public bool NextGroup()
    {
        if (++_group >= _file.Reader.RowGroupCount)
        {
            Count = 0;
            return false;
        }

        var month = _file.GroupMonths[_group];
        if (_rows is null || month != _rowsMonth)
        {
            var (from, to) = ParquetBarStore.MonthTicks(_clock, month);
            (_rows, _rowsMonth) = (new PartitionRows(_file.Path, _timeframe, from, to), month);
        }

        int n;
        try
        {
            using var group = _file.Reader.OpenRowGroupReader(_group);
            n = checked((int)group.RowCount);
            Ensure(n);
            var raw = _file.Raw;
            ParquetBarStore.Sync(group.ReadAsync<long>(raw.Start, _starts.AsMemory(0, n)));
            ParquetBarStore.Sync(group.ReadAsync<long>(raw.End, _ends.AsMemory(0, n)));
            ParquetBarStore.Sync(group.ReadAsync<long>(raw.Open, _open.AsMemory(0, n)));
            ParquetBarStore.Sync(group.ReadAsync<long>(raw.High, _high.AsMemory(0, n)));
            ParquetBarStore.Sync(group.ReadAsync<long>(raw.Low, _low.AsMemory(0, n)));
            ParquetBarStore.Sync(group.ReadAsync<long>(raw.Close, _close.AsMemory(0, n)));
            ParquetBarStore.Sync(group.ReadAsync<long>(raw.Volume, _volume.AsMemory(0, n)));
            if (_file.Trades is { } trades)
            {
                _trades = _buffers.Trades();
                ParquetBarStore.Sync(group.ReadAsync<int>(trades, _trades.AsMemory(0, n)));
            }

            if (_file.Vwap is { } vwap)
            {
                _vwap = _buffers.Vwap();
                ParquetBarStore.Sync(group.ReadAsync<decimal>(vwap, _vwap.AsMemory(0, n)));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            throw ParquetFile.Corrupt(_file.Path, e);
        }

        // Nanoseconds since the Unix epoch → DateTime ticks, once per row group.
        for (var i = 0; i < n; i++)
        {
            _starts[i] = ParquetBarStore.FromNanosTicks(_starts[i]);
            _ends[i] = ParquetBarStore.FromNanosTicks(_ends[i]);
        }

        for (var i = 0; i < n; i++)
        {
            var problem = _rows.Check(_previousStart, _starts[i], _ends[i], _open[i], _high[i], _low[i], _close[i], _volume[i], _vwap?[i]);
            if (problem is not null)
            {
                throw new DataFormatException(_file.Path, null, null, string.Create(CultureInfo.InvariantCulture, $"row {i} of row group {_group}: {problem}"));
            }

            _previousStart = _starts[i];
        }

        Count = n;
        return true;
    }

    /// <summary>The start of row <paramref name="i"/> of the current group, in UTC ticks.</summary>
    public long StartTicksAt(int i) => _starts[i];

    /// <summary>The first row of the current group whose start is at or after <paramref name="utcTicks"/> (rows are sorted).</summary>
    public int FirstAtOrAfter(long utcTicks)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (StartTicksAt(mid) < utcTicks)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The bar of row <paramref name="i"/> of the current group.</summary>
    /// <exception cref="DataFormatException">The row is not a valid bar (a damaged or foreign file).</exception>
    public Bar BarAt(int i)
    {
        try
        {
            return Create(i);
        }
        catch (ArgumentException e)
        {
            throw RowError(i, e);
        }
    }

    /// <summary>Builds the bars of rows [<paramref name="first"/>, <paramref name="first"/> + destination length) into <paramref name="destination"/>.</summary>
    /// <exception cref="DataFormatException">A row is not a valid bar (a damaged or foreign file).</exception>
    public void Fill(int first, Span<Bar> destination)
    {
        var i = first;
        try
        {
            for (var k = 0; k < destination.Length; k++, i++)
            {
                // The row's consistency is checked on its scaled integers (prices share one scale): a few integer
                // comparisons instead of the constructor's decimal ones. A row that fails goes through the checking
                // constructor, which names the problem.
                long o = _open[i], h = _high[i], l = _low[i], c = _close[i];
                if (l <= o && o <= h && l <= c && c <= h && _volume[i] >= 0 && _ends[i] > _starts[i] && _trades?[i] is null or >= 0)
                {
                    destination[k] = Bar.CreateChecked(
                        _symbol,
                        new DateTime(_starts[i], DateTimeKind.Utc),
                        new DateTime(_ends[i], DateTimeKind.Utc),
                        ScaledDecimal.FromUnscaled(o, _priceScale),
                        ScaledDecimal.FromUnscaled(h, _priceScale),
                        ScaledDecimal.FromUnscaled(l, _priceScale),
                        ScaledDecimal.FromUnscaled(c, _priceScale),
                        ScaledDecimal.FromUnscaled(_volume[i], _volumeScale),
                        _trades?[i],
                        _vwap?[i]);
                    continue;
                }

                destination[k] = Create(i);
            }
        }
        catch (ArgumentException e)
        {
            throw RowError(i, e);
        }
    }

    /// <summary>Row <paramref name="i"/> through the checking constructor, which names what is wrong with it.</summary>
    private Bar Create(int i) => new(
        _symbol,
        new DateTime(_starts[i], DateTimeKind.Utc),
        new DateTime(_ends[i], DateTimeKind.Utc),
        ScaledDecimal.FromUnscaled(_open[i], _priceScale),
        ScaledDecimal.FromUnscaled(_high[i], _priceScale),
        ScaledDecimal.FromUnscaled(_low[i], _priceScale),
        ScaledDecimal.FromUnscaled(_close[i], _priceScale),
        ScaledDecimal.FromUnscaled(_volume[i], _volumeScale),
        _trades?[i],
        _vwap?[i]);

    private DataFormatException RowError(int i, ArgumentException e) => new(
        _file.Path, null, e.ParamName,
        string.Create(CultureInfo.InvariantCulture, $"row {i} of row group {_group}: {e.Message.Split(" (Parameter")[0]}"));

    public void Dispose() => _file.Dispose();

    private void Ensure(int n)
    {
        _buffers.Ensure(n);
        (_starts, _ends, _open, _high, _low, _close, _volume) = (_buffers.Starts, _buffers.Ends, _buffers.Open, _buffers.High, _buffers.Low, _buffers.Close, _buffers.Volume);
    }
}

/// <summary>
/// The invariants every stored row keeps (as a CSV row is checked): a start on the timeframe's grid inside the
/// partition's month, after the previous row's; an end after the start, no more than one timeframe (and an hour, for a
/// DST change) after it for timeframes shorter than a week; low ≤ open, close ≤ high; prices above zero; volume not negative. Checked on the scaled integers, so
/// a damaged partition without a checksum (written before checksums existed) cannot pass off bars that break them.
/// </summary>
internal sealed class PartitionRows(string path, Timeframe timeframe, long monthFromTicks, long monthToTicks)
{
    // Exchange offsets from UTC are whole quarter hours, so a start on the session-aligned grid of any timeframe is
    // a multiple of gcd(timeframe, 15 min) in UTC as well.
    private readonly long _gridTicks = GridTicks(timeframe);
    // A bar built on the exchange-local grid spans up to an hour more than its timeframe across a DST change.
    private readonly long _maxSpanTicks = timeframe < Timeframe.OneWeek ? timeframe.Ticks + TimeSpan.TicksPerHour : long.MaxValue;

    public string Path { get; } = path;

    /// <summary>What is wrong with a row (UTC ticks, unscaled prices), or null when it keeps every invariant.</summary>
    public string? Check(long previousStart, long start, long end, long open, long high, long low, long close, long volume, decimal? vwap)
    {
        if (start < monthFromTicks || start >= monthToTicks)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar start {Show(start)} is outside the partition's month ({Show(monthFromTicks)}..{Show(monthToTicks)})");
        }

        if (start % _gridTicks != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar start {Show(start)} is not on the {timeframe} grid");
        }

        if (start <= previousStart)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar start {Show(start)} does not follow the previous bar's {Show(previousStart)}");
        }

        if (end <= start || end - start > _maxSpanTicks)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar end {Show(end)} is not within one {timeframe} (and an hour for a DST change) after its start {Show(start)}");
        }

        if (low <= 0 || (vwap is { } v && v <= 0))
        {
            return "a price is not positive";
        }

        if (!(low <= open && open <= high && low <= close && close <= high))
        {
            return "open or close is outside [low, high]";
        }

        return volume < 0 ? "volume is negative" : null;
    }

    /// <summary>The same checks on a bar about to be written.</summary>
    public string? Check(Bar bar, long previousStart) =>
        bar.Low <= 0 || bar.Vwap <= 0
            ? $"{bar.Symbol} bar at {bar.Start:yyyy-MM-ddTHH:mm:ssZ}: a price is not positive"
            : Check(previousStart, bar.Start.Ticks, bar.End.Ticks, 1, 1, 1, 1, 0, null) is { } problem ? $"{bar.Symbol}: {problem}" : null;

    private static long GridTicks(Timeframe timeframe)
    {
        long a = timeframe.Ticks, b = TimeSpan.TicksPerMinute * 15;
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static string Show(long ticks) =>
        ticks is <= 0 or >= 3155378975999999999 ? ticks.ToString(CultureInfo.InvariantCulture) : new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}

/// <summary>
/// The SHA-256 of a partition, kept beside it as <c>&lt;partition&gt;.sha256</c> in <c>sha256sum</c> format
/// (<c>&lt;hex&gt;  &lt;file name&gt;</c>), written with the partition and verified whenever the whole file is read. A
/// partition without one (written before checksums existed) is read with its rows checked only.
/// </summary>
internal static class Checksum
{
    public const string Extension = ".sha256";

    /// <summary>Writes the checksum of <paramref name="file"/> to <paramref name="sidecar"/>, naming <paramref name="partitionName"/>.</summary>
    public static async Task WriteAsync(string file, string sidecar, string partitionName, CancellationToken cancellationToken)
    {
        byte[] hash;
        await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan))
        {
            hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(sidecar, Convert.ToHexStringLower(hash) + "  " + partitionName + "\n", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks <paramref name="bytes"/> (the whole of <paramref name="path"/>) against its checksum file, if any.</summary>
    /// <exception cref="DataFormatException">The checksum differs, or the checksum file is malformed.</exception>
    public static void Verify(string path, ReadOnlySpan<byte> bytes)
    {
        if (Expected(path) is not { } expected)
        {
            return;
        }

        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, actual);
        Compare(path, expected, actual);
    }

    /// <summary>Checks the whole of <paramref name="stream"/> (the file <paramref name="path"/>, read from its start) against its checksum file, if any.</summary>
    public static void Verify(string path, Stream stream)
    {
        if (Expected(path) is not { } expected)
        {
            return;
        }

        Compare(path, expected, SHA256.HashData(stream));
    }

    private static byte[]? Expected(string path)
    {
        var sidecar = path + Extension;
        if (!File.Exists(sidecar))
        {
            return null;
        }

        var text = File.ReadAllText(sidecar);
        var hex = text.Split(' ', 2)[0].Trim();
        if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
        {
            throw new DataFormatException(sidecar, 1, null, "not a SHA-256 checksum line (<64 hex digits>  <file name>); delete the partition and its .sha256 and import the month again");
        }

        return Convert.FromHexString(hex);
    }

    private static void Compare(string path, byte[] expected, ReadOnlySpan<byte> actual)
    {
        var sidecar = path + Extension;
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            throw new DataFormatException(path, null, null, $"corrupt partition: its SHA-256 differs from the one in {System.IO.Path.GetFileName(sidecar)} (the file changed after it was written); delete it (and its .sha256) and import the month again");
        }
    }
}
