using System.Buffers;
using System.Globalization;
using Parquet;
using Parquet.Schema;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Store;

/// <summary>An open store partition: its Parquet reader, metadata and the raw (INT64) view of its columns.</summary>
internal sealed class ParquetFile : IDisposable
{
    private readonly Stream _stream;
    private byte[]? _rented;
    private ParquetReader? _reader;
    private DataField? _trades, _vwap;

    private ParquetFile(string path, Stream stream, ParquetReader? reader, StoreFileFooter? footer)
    {
        Path = path;
        _stream = stream;
        _reader = reader;
        Footer = footer;
        Metadata = footer?.Metadata ?? reader!.CustomMetadata;
        RowGroupCount = footer?.RowGroups.Length ?? reader!.RowGroupCount;
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

            GroupMonths = ParseGroupMonths(path, Metadata.GetValueOrDefault(ParquetBarStore.RowGroupsKey), RowGroupCount, int.Parse(year, CultureInfo.InvariantCulture));
        }
        else
        {
            if (Metadata.GetValueOrDefault(ParquetBarStore.MonthKey) is { } written && written != named)
            {
                throw new DataFormatException(path, null, ParquetBarStore.MonthKey, $"the partition holds the bars of {written}, but its name says {named} (renamed?)");
            }

            // A monthly file (the layout before yearly files): every row group is the month of its name.
            var month = DateOnly.ParseExact(named + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            GroupMonths = Enumerable.Repeat(month, RowGroupCount).ToArray();
        }

        if (footer is not null)
        {
            (PriceScale, VolumeScale) = (footer.PriceScale, footer.VolumeScale);
            (HasTrades, HasVwap) = (footer.TradesColumn >= 0, footer.VwapColumn >= 0);
        }
        else
        {
            var fields = reader!.Schema.DataFields;
            PriceScale = ScaleOf(fields, "open");
            VolumeScale = ScaleOf(fields, "volume");
            _trades = Array.Find(fields, f => f.Name == StoreFileFooter.TradesName);
            _vwap = Array.Find(fields, f => f.Name == StoreFileFooter.VwapName);
            (HasTrades, HasVwap) = (_trades is not null, _vwap is not null);
        }

        Raw = new RawColumns();
    }

    public string Path { get; }

    /// <summary>
    /// Parquet.Net's reader of the file: opened with the file, or — when <see cref="Footer"/> was understood — only when
    /// a row group's pages are not (then it parses the footer again).
    /// </summary>
    public ParquetReader Reader => _reader ??= ParquetBarStore.Sync(ParquetReader.CreateAsync(_stream));

    /// <summary>The footer as read by the store's own reader, when the file has the store's exact shape (its pages are then read by <see cref="PlainInt64Pages"/>); else null.</summary>
    public StoreFileFooter? Footer { get; }

    /// <summary>The file's bytes for <see cref="PlainInt64Pages"/> (set with <see cref="Footer"/>).</summary>
    public PartitionBytes? Bytes { get; private init; }

    /// <summary>Row groups in the file.</summary>
    public int RowGroupCount { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public Symbol Symbol { get; }

    public byte PriceScale { get; }

    public byte VolumeScale { get; }

    /// <summary>True when the file has the optional <c>trades</c> column.</summary>
    public bool HasTrades { get; }

    /// <summary>True when the file has the optional <c>vwap</c> column.</summary>
    public bool HasVwap { get; }

    /// <summary>Parquet.Net's <c>trades</c> field, or null; with <see cref="Footer"/> taken from <see cref="Reader"/> (created then).</summary>
    public DataField? Trades => HasTrades ? _trades ??= Array.Find(Reader.Schema.DataFields, f => f.Name == StoreFileFooter.TradesName) : null;

    /// <summary>Parquet.Net's <c>vwap</c> field, or null; with <see cref="Footer"/> taken from <see cref="Reader"/> (created then).</summary>
    public DataField? Vwap => HasVwap ? _vwap ??= Array.Find(Reader.Schema.DataFields, f => f.Name == StoreFileFooter.VwapName) : null;

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
    /// wait on disk and complete synchronously — or, with <paramref name="streaming"/>, read from disk when asked for.
    /// With <paramref name="ownPageReader"/> a file in the store's exact shape (see <see cref="StoreFileFooter"/>) has its
    /// footer parsed here and its pages read by <see cref="PlainInt64Pages"/>; any other file goes to Parquet.Net.
    /// </summary>
    public static ParquetFile Open(string path, bool footerOnly = false, bool streaming = false, bool ownPageReader = false)
    {
        byte[]? rented = null;
        Stream? stream = null;
        try
        {
            PartitionBytes bytes;
            if (footerOnly || streaming)
            {
                var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                stream = new SynchronousReadStream(file);

                // The footer is verified too: Parquet.Net can loop forever on some damaged footers, so damaged bytes
                // must never reach it when the partition has a checksum (all written by this version do).
                Checksum.Verify(path, file.SafeFileHandle);
                bytes = new PartitionBytes(file.SafeFileHandle, file.Length);
            }
            else
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                var length = checked((int)file.Length);
                rented = ArrayPool<byte>.Shared.Rent(length);
                file.ReadExactly(rented, 0, length);
                Checksum.Verify(path, rented.AsSpan(0, length));
                stream = new MemoryStream(rented, 0, length, writable: false);
                bytes = new PartitionBytes(rented, length);
            }

            var footer = ownPageReader && !footerOnly ? StoreFileFooter.TryRead(bytes) : null;
            var reader = footer is null ? ParquetBarStore.Sync(ParquetReader.CreateAsync(stream)) : null;
            return new ParquetFile(path, stream, reader, footer) { _rented = rented, Bytes = footer is null ? null : bytes };
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
        if (_reader is not null)
        {
            ParquetBarStore.Sync(_reader.DisposeAsync());
        }

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
