using System.Buffers.Binary;

namespace StrategyLab.Data.Store;

/// <summary>
/// Reads the store's optional columns as its writer (Parquet.Net) writes them — <c>trades</c> (OPTIONAL INT32) and
/// <c>vwap</c> (OPTIONAL INT64 DECIMAL) — straight into the row group's nullable columns: v1 data pages, uncompressed,
/// whose data is the definition levels (a 4-byte length, then RLE runs of bit width 1: level 1 a value, 0 a null)
/// followed by the non-null values, PLAIN. A page in any other shape (a bit-packed run, which the writer does not
/// write; a level other than 0 or 1; runs or values that do not exactly fill the page) is not read: the caller reads
/// the row group with Parquet.Net instead.
/// </summary>
internal static class OptionalPlainPages
{
    /// <summary>
    /// Fills <paramref name="destination"/> (exactly the chunk's rows) with the <c>trades</c> chunk's counts and nulls;
    /// false when a page is not understood. <paramref name="scratch"/> holds a page's bytes, grown as needed, kept by the caller.
    /// </summary>
    public static bool TryReadInt32(PartitionBytes file, ColumnChunkSpan chunk, Span<int?> destination, ref byte[] scratch) =>
        TryRead(file, chunk, destination, default(Int32Values), ref scratch);

    /// <summary>
    /// Fills <paramref name="destination"/> (exactly the chunk's rows) with the <c>vwap</c> chunk's decimals at
    /// <paramref name="scale"/> (the unscaled integer as the mantissa, so 10.50 keeps its scale, as Parquet.Net gives it)
    /// and nulls; false when a page is not understood. <paramref name="scratch"/> as for <see cref="TryReadInt32"/>.
    /// </summary>
    public static bool TryReadDecimal(PartitionBytes file, ColumnChunkSpan chunk, byte scale, Span<decimal?> destination, ref byte[] scratch) =>
        TryRead(file, chunk, destination, new DecimalValues(scale), ref scratch);

    private static bool TryRead<T, TValues>(PartitionBytes file, ColumnChunkSpan chunk, Span<T?> destination, TValues values, ref byte[] scratch)
        where T : struct
        where TValues : struct, IPlainValues<T>
    {
        Span<byte> header = stackalloc byte[PlainInt64Pages.MaxHeaderBytes];
        long at = chunk.Offset, end = chunk.Offset + chunk.Length;
        var filled = 0;
        while (filled < destination.Length)
        {
            var peek = (int)Math.Min(PlainInt64Pages.MaxHeaderBytes, end - at);
            if (peek <= 0 || !file.TryRead(at, header[..peek]) || PlainInt64Pages.TryParseHeader(header[..peek], optional: true) is not { } page)
            {
                return false;
            }

            at += page.HeaderLength;
            if (page.Values > destination.Length - filled || page.DataLength < sizeof(int) || page.DataLength > end - at)
            {
                return false;
            }

            var length = (int)page.DataLength;
            if (scratch.Length < length)
            {
                scratch = new byte[Math.Max(length, scratch.Length * 2)];
            }

            var data = scratch.AsSpan(0, length);
            if (!file.TryRead(at, data) || !TryDecodePage(data, destination.Slice(filled, page.Values), values))
            {
                return false;
            }

            at += length;
            filled += page.Values;
        }

        // The pages fill the chunk exactly (a misread header ends elsewhere).
        return at == end;
    }

    /// <summary>One page's data: the definition levels' length, their RLE runs, then exactly the non-null values.</summary>
    private static bool TryDecodePage<T, TValues>(ReadOnlySpan<byte> data, Span<T?> destination, TValues decoder)
        where T : struct
        where TValues : struct, IPlainValues<T>
    {
        var levelsLength = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (levelsLength < 0 || levelsLength > data.Length - sizeof(int))
        {
            return false;
        }

        var levels = data.Slice(sizeof(int), levelsLength);
        var values = data[(sizeof(int) + levelsLength)..];
        int row = 0, at = 0, taken = 0;
        while (row < destination.Length)
        {
            // A run header is a ULEB128 varint: its low bit 0 for an RLE run (count = header >> 1), then the repeated
            // level in one byte (bit width 1). Bit-packed runs (low bit 1) are not written by the store's writer.
            if (!TryReadRunHeader(levels, ref at, out var count) || at >= levels.Length)
            {
                return false;
            }

            var level = levels[at++];
            if (count == 0 || count > destination.Length - row || level > 1)
            {
                return false;
            }

            var run = destination.Slice(row, count);
            if (level == 0)
            {
                run.Clear(); // nulls
            }
            else
            {
                if (count > (values.Length / TValues.Width) - taken)
                {
                    return false;
                }

                var source = values.Slice(taken * TValues.Width, count * TValues.Width);
                for (var i = 0; i < run.Length; i++)
                {
                    run[i] = decoder.Decode(source.Slice(i * TValues.Width, TValues.Width));
                }

                taken += count;
            }

            row += count;
        }

        return at == levels.Length && taken * TValues.Width == values.Length;
    }

    /// <summary>An RLE run's header (low bit 0): its count; false for a bit-packed run, a varint past the levels or a count past an int.</summary>
    private static bool TryReadRunHeader(ReadOnlySpan<byte> levels, ref int at, out int count)
    {
        count = 0;
        ulong header = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (at >= levels.Length)
            {
                return false;
            }

            var b = levels[at++];
            header |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if ((header & 1) != 0 || (header >> 1) > int.MaxValue)
                {
                    return false;
                }

                count = (int)(header >> 1);
                return true;
            }
        }

        return false;
    }

    /// <summary>How one PLAIN value of a column is decoded (a struct, so the loop is compiled for each kind).</summary>
    private interface IPlainValues<out T>
    {
        /// <summary>Bytes per value.</summary>
        static abstract int Width { get; }

        T Decode(ReadOnlySpan<byte> bytes);
    }

    /// <summary>INT32, little-endian: the trade counts.</summary>
    private readonly struct Int32Values : IPlainValues<int>
    {
        public static int Width => sizeof(int);

        public int Decode(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    /// <summary>INT64, little-endian, as DECIMAL(18, scale): the VWAP.</summary>
    private readonly struct DecimalValues(byte scale) : IPlainValues<decimal>
    {
        public static int Width => sizeof(long);

        public decimal Decode(ReadOnlySpan<byte> bytes) => ScaledDecimal.FromUnscaled(BinaryPrimitives.ReadInt64LittleEndian(bytes), scale);
    }
}
