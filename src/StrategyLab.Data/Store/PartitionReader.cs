using System.Globalization;
using System.Runtime.CompilerServices;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Store;

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
    private byte[] _pageBytes = [];

    /// <summary>Opens <paramref name="path"/>, a partition of <paramref name="expected"/> (monthly or yearly) whose months are those of <paramref name="clock"/>.</summary>
    /// <remarks>With <paramref name="streaming"/> the file is read from disk group by group (a merge into a large file),
    /// otherwise it is read into memory at once (fastest for reading bars). <paramref name="buffers"/>: the column arrays
    /// to decode into, shared by the readers of one series one after another (null: the reader's own). With
    /// <paramref name="ownPageReader"/> a file in the store's exact shape is decoded by <see cref="PlainInt64Pages"/>
    /// (see <see cref="StoreFileFooter"/>), any other file or row group by Parquet.Net.</remarks>
    public PartitionReader(
        string path, Symbol expected, Timeframe timeframe, ExchangeClock clock, bool streaming = false, RowGroupBuffers? buffers = null, bool ownPageReader = true)
        : this(ParquetFile.Open(path, streaming: streaming, ownPageReader: ownPageReader), path, expected, timeframe, clock, buffers)
    {
    }

    /// <summary>
    /// Reads <paramref name="file"/>, already opened (its checksum verified) from <paramref name="path"/>, as the
    /// constructor that opens it does; the reader owns the file from here (disposed on a mismatch, as there).
    /// </summary>
    public PartitionReader(ParquetFile file, string path, Symbol expected, Timeframe timeframe, ExchangeClock clock, RowGroupBuffers? buffers = null)
    {
        _clock = clock;
        _buffers = buffers ?? new RowGroupBuffers();
        _timeframe = timeframe;
        _file = file;
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
    public DateOnly? NextGroupMonth => _group + 1 < _file.RowGroupCount ? _file.GroupMonths[_group + 1] : null;

    /// <summary>Passes over the next row group without reading it (outside a range).</summary>
    public void SkipGroup() => _group++;

    /// <summary>Moves to the next row group and reads its columns; false after the last.</summary>
    public bool NextGroup()
    {
        if (++_group >= _file.RowGroupCount)
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
            if (_file.Footer is { } footer && TryReadOwnPages(footer, footer.RowGroups[_group]))
            {
                n = footer.RowGroups[_group].Rows;
                RowGroupsReadByStore++;
            }
            else
            {
                n = ReadWithParquetNet();
                RowGroupsReadByParquetNet++;
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

    /// <summary>Row groups read by the store's own page reader (<see cref="PlainInt64Pages"/>) so far.</summary>
    public int RowGroupsReadByStore { get; private set; }

    /// <summary>Row groups read by Parquet.Net so far (a file or page the own reader does not understand).</summary>
    public int RowGroupsReadByParquetNet { get; private set; }

    /// <summary>The current group's columns (the seven, then trades and VWAP if any) from its pages; false (columns undefined) when a page is not understood.</summary>
    private bool TryReadOwnPages(StoreFileFooter footer, StoreRowGroup group)
    {
        var n = group.Rows;
        Ensure(n);
        var bytes = _file.Bytes!;
        var columns = group.Columns;
        return PlainInt64Pages.TryRead(bytes, columns[0], _starts.AsSpan(0, n))
            && PlainInt64Pages.TryRead(bytes, columns[1], _ends.AsSpan(0, n))
            && PlainInt64Pages.TryRead(bytes, columns[2], _open.AsSpan(0, n))
            && PlainInt64Pages.TryRead(bytes, columns[3], _high.AsSpan(0, n))
            && PlainInt64Pages.TryRead(bytes, columns[4], _low.AsSpan(0, n))
            && PlainInt64Pages.TryRead(bytes, columns[5], _close.AsSpan(0, n))
            && PlainInt64Pages.TryRead(bytes, columns[6], _volume.AsSpan(0, n))
            && (footer.TradesColumn < 0
                || OptionalPlainPages.TryReadInt32(bytes, columns[footer.TradesColumn], (_trades = _buffers.Trades()).AsSpan(0, n), ref _pageBytes))
            && (footer.VwapColumn < 0
                || OptionalPlainPages.TryReadDecimal(bytes, columns[footer.VwapColumn], footer.VwapScale, (_vwap = _buffers.Vwap()).AsSpan(0, n), ref _pageBytes));
    }

    /// <summary>The current group's columns through Parquet.Net; its row count.</summary>
    private int ReadWithParquetNet()
    {
        using var group = _file.Reader.OpenRowGroupReader(_group);
        var n = checked((int)group.RowCount);
        Ensure(n);
        if (_file.Footer is not null)
        {
            // After the own reader gave up on a page: Parquet.Net leaves a value it cannot read (a damaged page of a file
            // without checksum) as it found it, so it finds zeros, as it would in fresh columns, not the own reader's.
            foreach (var column in (ReadOnlySpan<long[]>)[_starts, _ends, _open, _high, _low, _close, _volume])
            {
                Array.Clear(column, 0, n);
            }
        }

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
            if (_file.Footer is not null)
            {
                Array.Clear(_trades, 0, n);
            }

            ParquetBarStore.Sync(group.ReadAsync<int>(trades, _trades.AsMemory(0, n)));
        }

        if (_file.Vwap is { } vwap)
        {
            _vwap = _buffers.Vwap();
            if (_file.Footer is not null)
            {
                Array.Clear(_vwap, 0, n);
            }

            ParquetBarStore.Sync(group.ReadAsync<decimal>(vwap, _vwap.AsMemory(0, n)));
        }

        return n;
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
                destination[k] = Build(i);
            }
        }
        catch (ArgumentException e)
        {
            throw RowError(i, e);
        }
    }

    /// <summary>
    /// The row's consistency is checked on its scaled integers (prices share one scale): a few integer comparisons
    /// instead of the constructor's decimal ones. A row that fails goes through the checking constructor, which names
    /// the problem.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Bar Build(int i)
    {
        long o = _open[i], h = _high[i], l = _low[i], c = _close[i];
        return l <= o && o <= h && l <= c && c <= h && _volume[i] >= 0 && _ends[i] > _starts[i] && _trades?[i] is null or >= 0
            ? Bar.CreateChecked(
                _symbol,
                new DateTime(_starts[i], DateTimeKind.Utc),
                new DateTime(_ends[i], DateTimeKind.Utc),
                ScaledDecimal.FromUnscaled(o, _priceScale),
                ScaledDecimal.FromUnscaled(h, _priceScale),
                ScaledDecimal.FromUnscaled(l, _priceScale),
                ScaledDecimal.FromUnscaled(c, _priceScale),
                ScaledDecimal.FromUnscaled(_volume[i], _volumeScale),
                _trades?[i],
                _vwap?[i])
            : Create(i);
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
