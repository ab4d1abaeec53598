using System.Globalization;
using Parquet;
using Parquet.Schema;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Store;

/// <summary>
/// The incoming bars of one symbol's current year, in bounded memory: up to one run of bars is held; a full run is
/// sorted (the last bar of each start kept) and spilled to a temporary file beside the partition. Input that comes in
/// time order (CSV, LEAN) is never sorted, only copied.
/// </summary>
internal sealed class PendingMonth(Symbol symbol, ExchangeClock clock, int runSize) : IDisposable
{
    private readonly List<Bar> _buffer = [];
    private readonly List<(long Offset, int Count)> _runs = [];
    private bool _bufferSorted = true;
    private string? _spillPath;
    private FileStream? _spill;
    private BinaryWriter? _spillWriter;

    public ExchangeClock Clock { get; } = clock;

    /// <summary>The exchange-local year of the bars held (the partition file they go to).</summary>
    public int Year { get; set; }

    /// <summary>The months that received bars, in order.</summary>
    public SortedSet<DateOnly> Months { get; } = [];

    /// <summary>Bars received for the year.</summary>
    public long Received { get; private set; }

    /// <summary>Bars of the input replaced by a later one with the same start.</summary>
    public long Replaced { get; private set; }

    public int PriceScale { get; private set; }

    public int VolumeScale { get; private set; }

    public bool HasTrades { get; private set; }

    public bool HasVwap { get; private set; }

    /// <summary>Adds a bar of <paramref name="month"/>; <paramref name="spillPath"/> is where a full run goes.</summary>
    public void Add(Bar bar, DateOnly month, string spillPath)
    {
        Received++;
        Months.Add(month);
        PriceScale = Math.Max(PriceScale, Math.Max(
            Math.Max(ScaledDecimal.MinScale(bar.Open), ScaledDecimal.MinScale(bar.High)),
            Math.Max(ScaledDecimal.MinScale(bar.Low), ScaledDecimal.MinScale(bar.Close))));
        if (bar.Vwap is { } v)
        {
            HasVwap = true;
            PriceScale = Math.Max(PriceScale, ScaledDecimal.MinScale(v));
        }

        VolumeScale = Math.Max(VolumeScale, ScaledDecimal.MinScale(bar.Volume));
        HasTrades |= bar.TradeCount.HasValue;
        _bufferSorted &= _buffer.Count == 0 || _buffer[^1].Start < bar.Start;
        _buffer.Add(bar);
        if (_buffer.Count >= runSize)
        {
            Spill(spillPath);
        }
    }

    /// <summary>The year's bars as sorted runs with unique starts, oldest run first (a later run wins a tie).</summary>
    public List<IEnumerator<Bar>> Runs()
    {
        var result = new List<IEnumerator<Bar>>(_runs.Count + 1);
        if (_spill is not null)
        {
            _spillWriter!.Flush();
            foreach (var (offset, count) in _runs)
            {
                result.Add(ReadRun(_spillPath!, offset, count).GetEnumerator());
            }
        }

        result.Add(SortedUnique().GetEnumerator());
        return result;
    }

    /// <summary>Forgets the year (and deletes its spill file), ready for the next.</summary>
    public void Reset()
    {
        Dispose();
        _buffer.Clear();
        Months.Clear();
        _runs.Clear();
        _bufferSorted = true;
        (Received, Replaced, PriceScale, VolumeScale, HasTrades, HasVwap) = (0, 0, 0, 0, false, false);
    }

    public void Dispose()
    {
        _spillWriter?.Dispose();
        _spill?.Dispose();
        (_spill, _spillWriter) = (null, null);
        if (_spillPath is not null)
        {
            File.Delete(_spillPath);
            _spillPath = null;
        }
    }

    private void Spill(string spillPath)
    {
        if (_spill is null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(spillPath)!);
            _spillPath = spillPath;
            _spill = new FileStream(spillPath, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
            _spillWriter = new BinaryWriter(_spill);
        }

        var offset = _spill.Position;
        var count = 0;
        foreach (var bar in SortedUnique())
        {
            Write(_spillWriter!, bar);
            count++;
        }

        _runs.Add((offset, count));
        _buffer.Clear();
        _bufferSorted = true;
    }

    /// <summary>The buffer sorted by start, keeping the last bar received of each start.</summary>
    private List<Bar> SortedUnique()
    {
        if (_bufferSorted)
        {
            return [.. _buffer];
        }

        var starts = new long[_buffer.Count];
        var order = new int[_buffer.Count];
        for (var i = 0; i < order.Length; i++)
        {
            (starts[i], order[i]) = (_buffer[i].Start.Ticks, i);
        }

        Array.Sort(starts, order);
        var result = new List<Bar>(order.Length);
        for (var i = 0; i < order.Length;)
        {
            // The last received of the bars with this start (the sort does not keep arrival order).
            var last = order[i];
            var j = i + 1;
            for (; j < order.Length && starts[j] == starts[i]; j++)
            {
                last = Math.Max(last, order[j]);
            }

            Replaced += j - i - 1;
            result.Add(_buffer[last]);
            i = j;
        }

        return result;
    }

    private static void Write(BinaryWriter w, Bar bar)
    {
        w.Write(bar.Start.Ticks);
        w.Write(bar.End.Ticks);
        w.Write(bar.Open);
        w.Write(bar.High);
        w.Write(bar.Low);
        w.Write(bar.Close);
        w.Write(bar.Volume);
        w.Write(bar.TradeCount ?? -1);
        w.Write(bar.Vwap.HasValue);
        w.Write(bar.Vwap ?? 0m);
    }

    private IEnumerable<Bar> ReadRun(string path, long offset, int count)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        stream.Position = offset;
        using var r = new BinaryReader(stream);
        for (var i = 0; i < count; i++)
        {
            var start = new DateTime(r.ReadInt64(), DateTimeKind.Utc);
            var end = new DateTime(r.ReadInt64(), DateTimeKind.Utc);
            decimal open = r.ReadDecimal(), high = r.ReadDecimal(), low = r.ReadDecimal(), close = r.ReadDecimal(), volume = r.ReadDecimal();
            var trades = r.ReadInt32();
            var hasVwap = r.ReadBoolean();
            var vwap = r.ReadDecimal();
            yield return new Bar(symbol, start, end, open, high, low, close, volume, trades < 0 ? null : trades, hasVwap ? vwap : null);
        }
    }
}

/// <summary>Writes one partition file from bars added in start order, a row group at a time.</summary>
internal sealed class PartitionWriter : IAsyncDisposable
{
    private readonly string _path;
    private readonly Symbol _symbol;
    private readonly PartitionRows _rows;
    private readonly int _priceScale;
    private readonly int _volumeScale;
    private readonly int _rowGroupSize;
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private readonly Fields _fields;
    private readonly List<Bar> _group;
    private readonly ExchangeClock _clock;
    private readonly Dictionary<string, string> _metadata;
    private readonly List<DateOnly> _groupMonths = [];
    private DateOnly _month;
    private (long From, long To) _monthTicks = (long.MaxValue, long.MinValue);
    private long _previousStart = long.MinValue;
    private bool _disposed;

    private PartitionWriter(
        string path, Symbol symbol, PartitionRows rows, int priceScale, int volumeScale, int rowGroupSize, FileStream stream, ParquetWriter writer, Fields fields,
        ExchangeClock clock, Dictionary<string, string> metadata)
    {
        (_path, _symbol, _rows, _priceScale, _volumeScale, _rowGroupSize) = (path, symbol, rows, priceScale, volumeScale, rowGroupSize);
        (_stream, _writer, _fields, _clock, _metadata) = (stream, writer, fields, clock, metadata);
        _group = new List<Bar>(Math.Min(rowGroupSize, 1 << 16));
    }

    /// <summary>Bars written.</summary>
    public long Count { get; private set; }

    /// <summary>Bars written per exchange-local month.</summary>
    public SortedDictionary<DateOnly, long> MonthCounts { get; } = [];

    /// <summary>Starts writing <paramref name="file"/>; errors name <paramref name="path"/>, the partition it becomes.</summary>
    /// <remarks>Row groups are the file's months (a month of more than <paramref name="rowGroupSize"/> rows spans several), so
    /// a date range reads only its months; their months are kept in the metadata (<c>strategylab.row_groups</c>).</remarks>
    public static async Task<PartitionWriter> CreateAsync(
        string file, string path, Symbol symbol, Timeframe timeframe, int year, ExchangeClock clock, string source, PartitionRows rows,
        (int Price, int Volume, bool Trades, bool Vwap) columns, int rowGroupSize, CancellationToken cancellationToken)
    {
        if (columns.Price > ScaledDecimal.MaxScale || columns.Volume > ScaledDecimal.MaxScale)
        {
            throw new DataFormatException(path, null, columns.Price > ScaledDecimal.MaxScale ? "price" : "volume",
                string.Create(CultureInfo.InvariantCulture, $"a value has more than {ScaledDecimal.MaxScale} decimal places; the store keeps at most {ScaledDecimal.MaxScale}"));
        }

        var fields = new Fields(columns.Price, columns.Volume, columns.Trades, columns.Vwap);
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.None };
        foreach (var f in new DataField[] { fields.Start, fields.End })
        {
            options.ColumnEncodingHints[f.Path.ToString()] = EncodingHint.DeltaBinaryPacked;
        }

        var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false);
        try
        {
            var writer = await ParquetWriter.CreateAsync(fields.Schema, stream, options, cancellationToken: cancellationToken).ConfigureAwait(false);
            var metadata = new Dictionary<string, string>
            {
                [ParquetBarStore.FormatKey] = ParquetBarStore.FormatValue,
                [ParquetBarStore.SymbolKey] = symbol.Ticker,
                [ParquetBarStore.AssetClassKey] = symbol.AssetClass.ToString(),
                [ParquetBarStore.TimeframeKey] = timeframe.ToString(),
                [ParquetBarStore.YearKey] = year.ToString("D4", CultureInfo.InvariantCulture),
                [ParquetBarStore.SourceKey] = source,
            };
            return new PartitionWriter(path, symbol, rows, columns.Price, columns.Volume, rowGroupSize, stream, writer, fields, clock, metadata);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Adds the next bar (starts strictly increasing), checking it keeps the store's invariants and fits its column.</summary>
    public async ValueTask AddAsync(Bar bar, CancellationToken cancellationToken)
    {
        if (_rows.Check(bar, _previousStart) is { } problem)
        {
            throw new DataFormatException(_path, null, null, problem);
        }

        Check(bar.Open, "open", _priceScale);
        Check(bar.High, "high", _priceScale);
        Check(bar.Low, "low", _priceScale);
        Check(bar.Close, "close", _priceScale);
        Check(bar.Volume, "volume", _volumeScale);
        if (bar.Vwap is { } v)
        {
            Check(v, "vwap", _priceScale);
        }

        var ticks = bar.Start.Ticks;
        if (ticks < _monthTicks.From || ticks >= _monthTicks.To)
        {
            // A new month starts a new row group.
            if (_group.Count > 0)
            {
                await WriteGroupAsync(cancellationToken).ConfigureAwait(false);
            }

            var local = _clock.ToLocal(bar.Start);
            _month = new DateOnly(local.Year, local.Month, 1);
            _monthTicks = ParquetBarStore.MonthTicks(_clock, _month);
        }

        _previousStart = ticks;
        _group.Add(bar);
        Count++;
        MonthCounts[_month] = MonthCounts.GetValueOrDefault(_month) + 1;
        if (_group.Count >= _rowGroupSize)
        {
            await WriteGroupAsync(cancellationToken).ConfigureAwait(false);
        }

        void Check(decimal value, string field, int scale)
        {
            if (!ScaledDecimal.TryToUnscaled(value, scale, out _))
            {
                throw new DataFormatException(_path, null, field, string.Create(CultureInfo.InvariantCulture,
                    $"{_symbol} bar at {bar.Start:yyyy-MM-ddTHH:mm:ssZ}: {value} needs more than 18 digits at scale {scale}"));
            }
        }
    }

    /// <summary>Writes the last row group and the footer.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_group.Count > 0)
        {
            await WriteGroupAsync(cancellationToken).ConfigureAwait(false);
        }

        _metadata[ParquetBarStore.RowGroupsKey] = string.Join(',', _groupMonths.Select(m => m.ToString("yyyy-MM", CultureInfo.InvariantCulture)));
        _writer.CustomMetadata = _metadata;
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteGroupAsync(CancellationToken ct)
    {
        var slice = _group;
        var f = _fields;
        using (var group = _writer.CreateRowGroup())
        {
            await group.WriteAsync<DateTime>(f.Start, slice.Select(b => b.Start).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(f.End, slice.Select(b => b.End).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(f.Open, slice.Select(b => b.Open).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(f.High, slice.Select(b => b.High).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(f.Low, slice.Select(b => b.Low).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(f.Close, slice.Select(b => b.Close).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<decimal>(f.Volume, slice.Select(b => b.Volume).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            if (f.Trades is { } trades)
            {
                await group.WriteAsync<int>(trades, slice.Select(b => b.TradeCount).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            }

            if (f.Vwap is { } vwap)
            {
                await group.WriteAsync<decimal>(vwap, slice.Select(b => b.Vwap).ToArray(), cancellationToken: ct).ConfigureAwait(false);
            }
        }

        _groupMonths.Add(_month);
        _group.Clear();
    }

    private sealed class Fields
    {
        public Fields(int priceScale, int volumeScale, bool hasTrades, bool hasVwap)
        {
            Start = new DateTimeDataField("start", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Nanos);
            End = new DateTimeDataField("end", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Nanos);
            Open = new DecimalDataField("open", 18, priceScale);
            High = new DecimalDataField("high", 18, priceScale);
            Low = new DecimalDataField("low", 18, priceScale);
            Close = new DecimalDataField("close", 18, priceScale);
            Volume = new DecimalDataField("volume", 18, volumeScale);
            Trades = hasTrades ? new DataField<int?>("trades") : null;
            Vwap = hasVwap ? new DecimalDataField("vwap", 18, priceScale, isNullable: true) : null;
            var fields = new List<Field> { Start, End, Open, High, Low, Close, Volume };
            if (Trades is not null)
            {
                fields.Add(Trades);
            }

            if (Vwap is not null)
            {
                fields.Add(Vwap);
            }

            Schema = new ParquetSchema(fields);
        }

        public DataField Start { get; }

        public DataField End { get; }

        public DataField Open { get; }

        public DataField High { get; }

        public DataField Low { get; }

        public DataField Close { get; }

        public DataField Volume { get; }

        public DataField? Trades { get; }

        public DataField? Vwap { get; }

        public ParquetSchema Schema { get; }
    }
}
