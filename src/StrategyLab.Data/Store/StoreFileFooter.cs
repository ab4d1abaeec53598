using System.Buffers.Binary;

namespace StrategyLab.Data.Store;

/// <summary>Where one column's pages lie in the file: [<see cref="Offset"/>, <see cref="Offset"/> + <see cref="Length"/>).</summary>
internal readonly record struct ColumnChunkSpan(long Offset, long Length);

/// <summary>A row group of a partition read by <see cref="PlainInt64Pages"/> and <see cref="OptionalPlainPages"/>: its rows and the spans of its columns in schema order.</summary>
internal sealed record StoreRowGroup(int Rows, ColumnChunkSpan[] Columns);

/// <summary>
/// The footer (Thrift <c>FileMetaData</c>) of a partition in the exact shape this store writes — the seven required
/// INT64 columns <c>start, end, open, high, low, close, volume</c>, then, if any bar has them, the optional INT32
/// <c>trades</c> and the optional INT64 DECIMAL <c>vwap</c>; uncompressed, no dictionary pages, no encryption, every
/// column chunk inside the file — so its pages can be read by <see cref="PlainInt64Pages"/> and
/// <see cref="OptionalPlainPages"/> instead of Parquet.Net. Anything else (another writer's layout, a field it does not
/// know how to honour, damaged bytes) gives null, and the file is read by Parquet.Net as before.
/// </summary>
internal sealed class StoreFileFooter
{
    /// <summary>The columns this reader decodes, in the order the store writes them.</summary>
    public static readonly string[] ColumnNames = ["start", "end", "open", "high", "low", "close", "volume"];

    /// <summary>The optional columns after the seven, in the order the store writes them (either or both may be absent).</summary>
    public const string TradesName = "trades", VwapName = "vwap";

    private const int PhysicalTypeInt32 = 1, PhysicalTypeInt64 = 2, RepetitionRequired = 0, RepetitionOptional = 1;
    private const int ConvertedDecimal = 5, ConvertedInt32 = 17, ConvertedInt64 = 18, CodecUncompressed = 0;
    private const int LogicalDecimalField = 5, LogicalTimestampField = 8, LogicalIntegerField = 10;

    private StoreFileFooter(Dictionary<string, string> metadata, Schema schema, StoreRowGroup[] rowGroups)
    {
        (Metadata, PriceScale, VolumeScale, RowGroups) = (metadata, schema.Price, schema.Volume, rowGroups);
        TradesColumn = Array.IndexOf(schema.Names, TradesName);
        VwapColumn = Array.IndexOf(schema.Names, VwapName);
        VwapScale = schema.Vwap;
    }

    /// <summary>The index of the <c>trades</c> column among the row groups' columns, or -1 when the file has none.</summary>
    public int TradesColumn { get; }

    /// <summary>The index of the <c>vwap</c> column among the row groups' columns, or -1 when the file has none.</summary>
    public int VwapColumn { get; }

    /// <summary>The scale of the <c>vwap</c> column (0 when there is none).</summary>
    public byte VwapScale { get; }

    /// <summary>The file's key-value metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The scale of the four price columns (all written with one).</summary>
    public byte PriceScale { get; }

    /// <summary>The scale of the volume column.</summary>
    public byte VolumeScale { get; }

    /// <summary>The row groups, in file order.</summary>
    public StoreRowGroup[] RowGroups { get; }

    /// <summary>Reads and parses the footer at the end of <paramref name="file"/>; null when it is not in the store's shape.</summary>
    public static StoreFileFooter? TryRead(PartitionBytes file)
    {
        Span<byte> tail = stackalloc byte[8];
        Span<byte> head = stackalloc byte[4];
        if (!BitConverter.IsLittleEndian || file.Length < 12 || !file.TryRead(0, head) || !file.TryRead(file.Length - 8, tail)
            || !head.SequenceEqual("PAR1"u8) || !tail[4..].SequenceEqual("PAR1"u8))
        {
            return null;
        }

        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        var dataEnd = file.Length - 8 - footerLength;
        if (footerLength <= 0 || dataEnd < 4 || footerLength > 16 << 20)
        {
            return null;
        }

        var footer = new byte[footerLength];
        return file.TryRead(dataEnd, footer) ? TryParse(footer, dataEnd) : null;
    }

    /// <summary>Parses a footer's bytes; column chunks must lie in [4, <paramref name="dataEnd"/>). Null when not understood.</summary>
    public static StoreFileFooter? TryParse(ReadOnlySpan<byte> footer, long dataEnd)
    {
        try
        {
            return Parse(new ThriftCompactReader(footer), dataEnd);
        }
        catch (InvalidDataException)
        {
            return null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static StoreFileFooter? Parse(ThriftCompactReader reader, long dataEnd)
    {
        Schema? schema = null;
        List<StoreRowGroup>? rowGroups = null;
        Dictionary<string, string>? metadata = null;
        var ok = true;
        while (ok && reader.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 2:
                    schema = ParseSchema(ref reader, type);
                    ok = schema is not null;
                    break;
                case 4 when schema is not null: // Thrift writes fields in id order: the schema comes first
                    rowGroups = [];
                    var groups = reader.ReadListHeader(type, out var groupType);
                    for (var g = 0; ok && g < groups; g++)
                    {
                        var group = groupType == ThriftCompactReader.Struct ? ParseRowGroup(ref reader, schema, dataEnd) : null;
                        ok = group is not null;
                        rowGroups.Add(group!);
                    }

                    break;
                case 5:
                    metadata = ParseKeyValues(ref reader, type);
                    ok = metadata is not null;
                    break;
                case 4 or 8 or 9:
                    return null; // row groups before the schema; an encrypted footer or a signed plaintext footer
                default:
                    reader.Skip(type);
                    break;
            }
        }

        return ok && schema is not null && rowGroups is { Count: > 0 } && metadata is not null
            ? new StoreFileFooter(metadata, schema, [.. rowGroups])
            : null;
    }

    /// <summary>
    /// The schema: a root with the seven columns, in order, then <c>trades</c> and/or <c>vwap</c> if present; the
    /// columns' names, the price, volume and VWAP scales, or null.
    /// </summary>
    private static Schema? ParseSchema(ref ThriftCompactReader reader, byte type)
    {
        var count = reader.ReadListHeader(type, out var elementType);
        if (count < ColumnNames.Length + 1 || count > ColumnNames.Length + 3 || elementType != ThriftCompactReader.Struct)
        {
            return null;
        }

        var root = ParseSchemaElement(ref reader);
        if (root.Children != count - 1 || root.Type is not null)
        {
            return null;
        }

        var names = new string[count - 1];
        var scales = new int[ColumnNames.Length];
        var vwapScale = 0;
        for (var i = 0; i < names.Length; i++)
        {
            var e = ParseSchemaElement(ref reader);
            names[i] = e.Name ?? "";
            if (e.Children is not null || !e.LogicalUnderstood)
            {
                return null;
            }

            if (i >= ColumnNames.Length)
            {
                // trades, vwap or both, in the writer's order (vwap last).
                var ok = e.Name == TradesName
                    ? i == ColumnNames.Length && IsOptionalInt32(e)
                    : e.Name == VwapName && i == names.Length - 1 && IsOptionalDecimal(e, out vwapScale);
                if (!ok)
                {
                    return null;
                }

                continue;
            }

            var isDecimal = i >= 2;
            if (e.Name != ColumnNames[i] || e.Type != PhysicalTypeInt64 || e.Repetition != RepetitionRequired
                || e.TypeLength is not (null or sizeof(long))) // Parquet.Net gives its decimals a type length of 8
            {
                return null;
            }

            // Prices and volume are DECIMAL(18 or less, s) (both the converted and, if any, the logical type say so);
            // start and end are read as raw INT64 nanoseconds, as the Parquet.Net path reads them.
            if (isDecimal)
            {
                if (!IsDecimal(e, out scales[i]))
                {
                    return null;
                }
            }
            else if (e.Converted is not (null or ConvertedInt64) || e.Scale is not null || e.Precision is not null || e.LogicalDecimal is not null)
            {
                return null;
            }
        }

        // The Parquet.Net path takes the prices' scale from "open"; a file whose price columns differ is not ours.
        return scales[2] == scales[3] && scales[2] == scales[4] && scales[2] == scales[5]
            ? new Schema(names, (byte)scales[2], (byte)scales[6], (byte)vwapScale)
            : null;
    }

    /// <summary>DECIMAL(18 or less, s) on INT64 (the converted and, if any, the logical type agreeing).</summary>
    private static bool IsDecimal(SchemaElement e, out int scale)
    {
        scale = e.Scale ?? -1;
        return e.Converted == ConvertedDecimal && e.Precision is ({ } p and > 0 and <= 18) && scale is >= 0 and <= ScaledDecimal.MaxScale
            && scale <= p && (e.LogicalDecimal is not { } logical || logical == (scale, p)) && e.LogicalInteger is null;
    }

    /// <summary>The store's <c>vwap</c>: an OPTIONAL INT64 DECIMAL(18 or less, s).</summary>
    private static bool IsOptionalDecimal(SchemaElement e, out int scale) =>
        IsDecimal(e, out scale) & (e.Type == PhysicalTypeInt64 && e.Repetition == RepetitionOptional && e.TypeLength is null or sizeof(long));

    /// <summary>The store's <c>trades</c>: an OPTIONAL INT32, signed 32-bit if annotated at all, no decimal.</summary>
    private static bool IsOptionalInt32(SchemaElement e) =>
        e.Type == PhysicalTypeInt32 && e.Repetition == RepetitionOptional && e.TypeLength is null or sizeof(int)
        && e.Converted is null or ConvertedInt32 && e.Scale is null && e.Precision is null && e.LogicalDecimal is null
        && e.LogicalInteger is null or (32, true);

    private static SchemaElement ParseSchemaElement(ref ThriftCompactReader reader)
    {
        var e = new SchemaElement { LogicalUnderstood = true };
        var outer = reader.BeginStruct();
        while (reader.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1: e.Type = reader.ReadInt32(type); break;
                case 2: e.TypeLength = reader.ReadInt32(type); break;
                case 3: e.Repetition = reader.ReadInt32(type); break;
                case 4: e.Name = reader.ReadString(type); break;
                case 5: e.Children = reader.ReadInt32(type); break;
                case 6: e.Converted = reader.ReadInt32(type); break;
                case 7: e.Scale = reader.ReadInt32(type); break;
                case 8: e.Precision = reader.ReadInt32(type); break;
                case 10: ParseLogicalType(ref reader, type, ref e); break;
                default: reader.Skip(type); break;
            }
        }

        reader.EndStruct(outer);
        return e;
    }

    /// <summary>The logical type union: DECIMAL (its scale and precision), TIMESTAMP and INTEGER are understood, nothing else.</summary>
    private static void ParseLogicalType(ref ThriftCompactReader reader, byte type, ref SchemaElement e)
    {
        if (type != ThriftCompactReader.Struct)
        {
            throw new InvalidDataException("a struct was expected");
        }

        var outer = reader.BeginStruct();
        while (reader.NextField(out var id, out var fieldType))
        {
            if (id == LogicalIntegerField && fieldType == ThriftCompactReader.Struct)
            {
                // INTEGER(bit width, signed): trades is INTEGER(32, true); start and end may carry an INT(64) too.
                int? bitWidth = null;
                bool? signed = null;
                var inner = reader.BeginStruct();
                while (reader.NextField(out var integerId, out var integerType))
                {
                    switch (integerId, integerType)
                    {
                        case (1, ThriftCompactReader.Byte): bitWidth = reader.ReadI8(integerType); break;
                        case (2, ThriftCompactReader.BoolTrue or ThriftCompactReader.BoolFalse): signed = integerType == ThriftCompactReader.BoolTrue; break;
                        default: reader.Skip(integerType); break;
                    }
                }

                reader.EndStruct(inner);
                e.LogicalInteger = bitWidth is { } w && signed is { } sign ? (w, sign) : (-1, false);
            }
            else if (id == LogicalDecimalField && fieldType == ThriftCompactReader.Struct)
            {
                int? scale = null, precision = null;
                var inner = reader.BeginStruct();
                while (reader.NextField(out var decimalId, out var decimalType))
                {
                    switch (decimalId)
                    {
                        case 1: scale = reader.ReadInt32(decimalType); break;
                        case 2: precision = reader.ReadInt32(decimalType); break;
                        default: reader.Skip(decimalType); break;
                    }
                }

                reader.EndStruct(inner);
                e.LogicalDecimal = scale is { } s && precision is { } p ? (s, p) : (-1, -1);
            }
            else
            {
                // TIMESTAMP: start and end, read as raw INT64 as the Parquet.Net path reads them.
                e.LogicalUnderstood &= id is LogicalTimestampField;
                reader.Skip(fieldType);
            }
        }

        reader.EndStruct(outer);
    }

    /// <summary>The key-value metadata; null when a key repeats or has no value (Parquet.Net's dictionary would differ).</summary>
    private static Dictionary<string, string>? ParseKeyValues(ref ThriftCompactReader reader, byte type)
    {
        var count = reader.ReadListHeader(type, out var elementType);
        if (elementType != ThriftCompactReader.Struct)
        {
            return null;
        }

        var result = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            string? key = null, value = null;
            var outer = reader.BeginStruct();
            while (reader.NextField(out var id, out var fieldType))
            {
                switch (id)
                {
                    case 1: key = reader.ReadString(fieldType); break;
                    case 2: value = reader.ReadString(fieldType); break;
                    default: reader.Skip(fieldType); break;
                }
            }

            reader.EndStruct(outer);
            if (key is null || value is null || !result.TryAdd(key, value))
            {
                return null;
            }
        }

        return result;
    }

    private static StoreRowGroup? ParseRowGroup(ref ThriftCompactReader reader, Schema schema, long dataEnd)
    {
        ColumnChunkSpan[]? columns = null;
        long? rows = null;
        var names = schema.Names;
        var chunkValues = new long[names.Length];
        var ok = true;
        var outer = reader.BeginStruct();
        while (reader.NextField(out var id, out var type))
        {
            if (id == 1 && ok)
            {
                var count = reader.ReadListHeader(type, out var elementType);
                ok = count == names.Length && elementType == ThriftCompactReader.Struct;
                columns = new ColumnChunkSpan[names.Length];
                for (var i = 0; ok && i < count; i++)
                {
                    var chunk = ParseColumnChunk(ref reader, names[i], names[i] == TradesName ? PhysicalTypeInt32 : PhysicalTypeInt64, dataEnd);
                    ok = chunk is not null;
                    (columns[i], chunkValues[i]) = chunk ?? default;
                }

                if (!ok)
                {
                    return null; // the rest of the list is not read: the whole footer is given up
                }
            }
            else if (id == 3)
            {
                rows = reader.ReadInteger(type);
            }
            else
            {
                reader.Skip(type);
            }
        }

        reader.EndStruct(outer);

        // Every column holds one value per row (nulls counted in the optional ones; no repetition): the page readers fill the row group exactly.
        return ok && columns is not null && rows is { } n && n is > 0 and <= int.MaxValue && Array.TrueForAll(chunkValues, v => v == n)
            ? new StoreRowGroup((int)n, columns)
            : null;
    }

    private static (ColumnChunkSpan Span, long Values)? ParseColumnChunk(ref ThriftCompactReader reader, string column, int physicalType, long dataEnd)
    {
        (ColumnChunkSpan Span, long Values)? result = null;
        var ok = true;
        var outer = reader.BeginStruct();
        while (reader.NextField(out var id, out var type))
        {
            switch (id)
            {
                case 1 or 8 or 9:
                    ok = false; // in another file, or encrypted
                    reader.Skip(type);
                    break;
                case 3:
                    result = ParseColumnMetaData(ref reader, type, column, physicalType, dataEnd);
                    ok &= result is not null;
                    break;
                default:
                    reader.Skip(type);
                    break;
            }
        }

        reader.EndStruct(outer);
        return ok ? result : null;
    }

    private static (ColumnChunkSpan Span, long Values)? ParseColumnMetaData(ref ThriftCompactReader reader, byte type, string column, int physicalType, long dataEnd)
    {
        if (type != ThriftCompactReader.Struct)
        {
            return null;
        }

        int? physical = null, codec = null;
        long? values = null, compressedSize = null, dataPageOffset = null;
        var pathOk = false;
        var dictionary = false;
        var outer = reader.BeginStruct();
        while (reader.NextField(out var id, out var fieldType))
        {
            switch (id)
            {
                case 1: physical = reader.ReadInt32(fieldType); break;
                case 3:
                    var parts = reader.ReadListHeader(fieldType, out var partType);
                    pathOk = parts == 1 && partType == ThriftCompactReader.Binary && reader.ReadString(partType) == column;
                    for (var i = pathOk ? 1 : 0; i < parts; i++)
                    {
                        reader.Skip(partType);
                    }

                    break;
                case 4: codec = reader.ReadInt32(fieldType); break;
                case 5: values = reader.ReadInteger(fieldType); break;
                case 7: compressedSize = reader.ReadInteger(fieldType); break;
                case 9: dataPageOffset = reader.ReadInteger(fieldType); break;
                case 11: dictionary = true; reader.Skip(fieldType); break;
                default: reader.Skip(fieldType); break;
            }
        }

        reader.EndStruct(outer);
        return pathOk && !dictionary && physical == physicalType && codec == CodecUncompressed && values is { } v
            && compressedSize is { } size && dataPageOffset is { } offset && offset >= 4 && size > 0 && size <= dataEnd - offset
            ? (new ColumnChunkSpan(offset, size), v)
            : null;
    }

    private struct SchemaElement
    {
        public string? Name;
        public int? Type, TypeLength, Repetition, Children, Converted, Scale, Precision;
        public (int Scale, int Precision)? LogicalDecimal;
        public (int BitWidth, bool Signed)? LogicalInteger;
        public bool LogicalUnderstood;
    }

    /// <summary>The columns' names in schema order and the scales of the prices, the volume and the VWAP.</summary>
    private sealed record Schema(string[] Names, byte Price, byte Volume, byte Vwap);
}
