using System.Runtime.InteropServices;

namespace StrategyLab.Data.Store;

/// <summary>
/// Reads a required INT64 column chunk whose data pages are PLAIN and uncompressed (what the store writes) straight
/// into an array of longs: each page header is parsed (Thrift compact) and the page's values are copied into place —
/// no Parquet.Net, no tasks, no intermediate buffers. A page of any other kind (dictionary, another encoding, levels,
/// nulls, a size that does not add up) is not read: the caller reads the row group with Parquet.Net instead.
/// </summary>
internal static class PlainInt64Pages
{
    private const int PageDataV1 = 0, PageDataV2 = 3, EncodingPlain = 0, EncodingRle = 3;

    /// <summary>A page header of an INT64 column (with its statistics) is ~70 bytes; one larger than this is not ours.</summary>
    internal const int MaxHeaderBytes = 512;

    /// <summary>
    /// Fills <paramref name="destination"/> (exactly the chunk's values) from the pages of <paramref name="chunk"/>, which
    /// must fill the chunk to its last byte; false when a page is not understood (the destination is then undefined).
    /// </summary>
    public static bool TryRead(PartitionBytes file, ColumnChunkSpan chunk, Span<long> destination)
    {
        Span<byte> header = stackalloc byte[MaxHeaderBytes];
        long at = chunk.Offset, end = chunk.Offset + chunk.Length;
        var filled = 0;
        while (filled < destination.Length)
        {
            var peek = (int)Math.Min(MaxHeaderBytes, end - at);
            if (peek <= 0 || !file.TryRead(at, header[..peek]) || TryParseHeader(header[..peek]) is not { } page)
            {
                return false;
            }

            var bytes = (long)page.Values * sizeof(long);
            at += page.HeaderLength;
            if (page.Values > destination.Length - filled || page.DataLength != bytes || bytes > end - at
                || !file.TryRead(at, MemoryMarshal.AsBytes(destination.Slice(filled, page.Values))))
            {
                return false;
            }

            at += bytes;
            filled += page.Values;
        }

        // The pages fill the chunk exactly: a header misread (damaged bytes parsed as other fields) ends elsewhere, and
        // its values would come from the wrong place.
        return at == end;
    }

    /// <summary>
    /// A data page header (v1 or v2) of PLAIN values without levels or nulls — or, with <paramref name="optional"/>, a
    /// v1 page of PLAIN values after RLE definition levels (<see cref="OptionalPlainPages"/>): its length, value count
    /// (nulls included) and data length; else null.
    /// </summary>
    internal static (int HeaderLength, int Values, long DataLength)? TryParseHeader(ReadOnlySpan<byte> bytes, bool optional = false)
    {
        try
        {
            var reader = new ThriftCompactReader(bytes);
            int? kind = null, uncompressed = null, compressed = null, values = null;
            var ok = true;
            while (reader.NextField(out var id, out var type))
            {
                switch (id)
                {
                    case 1: kind = reader.ReadInt32(type); break;
                    case 2: uncompressed = reader.ReadInt32(type); break;
                    case 3: compressed = reader.ReadInt32(type); break;
                    case 5 when kind == PageDataV1:
                        values = ParseDataPage(ref reader, type, v2: false, optional);
                        break;
                    case 8 when kind == PageDataV2 && !optional:
                        values = ParseDataPage(ref reader, type, v2: true, optional);
                        break;
                    case 5 or 6 or 7 or 8:
                        ok = false; // a header for another kind of page than the one named
                        reader.Skip(type);
                        break;
                    default:
                        reader.Skip(type); // the page's CRC (not written by the store; Parquet.Net does not check it either)
                        break;
                }
            }

            return ok && values is { } n && n >= 0 && uncompressed is { } u && u == compressed
                ? (reader.Position, n, u)
                : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>
    /// The value count of a PLAIN data page with no levels and no nulls (or, <paramref name="optional"/>, a v1 page whose
    /// definition levels are RLE); null for anything else.
    /// </summary>
    private static int? ParseDataPage(ref ThriftCompactReader reader, byte type, bool v2, bool optional)
    {
        if (type != ThriftCompactReader.Struct)
        {
            return null;
        }

        int? values = null, encoding = null, definitionEncoding = null;
        var levelsAndNulls = 0L;
        var outer = reader.BeginStruct();
        while (reader.NextField(out var id, out var fieldType))
        {
            switch (v2, id)
            {
                case (_, 1): values = reader.ReadInt32(fieldType); break;
                case (false, 2) or (true, 4): encoding = reader.ReadInt32(fieldType); break;
                case (false, 3) when optional: definitionEncoding = reader.ReadInt32(fieldType); break;
                case (true, 2 or 5 or 6): levelsAndNulls |= reader.ReadInteger(fieldType); break; // nulls, level byte lengths
                default: reader.Skip(fieldType); break; // v1: the levels' encodings (no levels in a required column, no repetition levels in ours); statistics
            }
        }

        reader.EndStruct(outer);
        return encoding == EncodingPlain && levelsAndNulls == 0 && (!optional || definitionEncoding == EncodingRle) ? values : null;
    }
}
