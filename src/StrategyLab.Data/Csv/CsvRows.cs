using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;
using System.Text;
using nietras.SeparatedValues;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Csv;

/// <summary>One CSV row as <see cref="CsvRowParser"/> reads it: its fields as code units, and the lines it spans.</summary>
/// <typeparam name="TChar"><see cref="char"/> (text) or <see cref="byte"/> (UTF-8).</typeparam>
internal interface ICsvRow<TChar>
    where TChar : unmanaged
{
    /// <summary>The number of fields (a blank line is one empty field).</summary>
    int ColCount { get; }

    /// <summary>The line the row starts on (1 is the header).</summary>
    long LineFrom { get; }

    /// <summary>The line after the row's last one.</summary>
    long LineToExcl { get; }

    /// <summary>The field at <paramref name="index"/>, as written (not trimmed, quotes removed).</summary>
    ReadOnlySpan<TChar> this[int index] { get; }
}

/// <summary>A row of Sep's text reader.</summary>
internal readonly ref struct SepRow(SepReader.Row row) : ICsvRow<char>
{
    private readonly SepReader.Row _row = row;

    public int ColCount => _row.ColCount;

    public long LineFrom => _row.LineNumberFrom;

    public long LineToExcl => _row.LineNumberToExcl;

    public ReadOnlySpan<char> this[int index] => _row[index].Span;
}

/// <summary>A row of <see cref="Utf8CsvRows"/>: a line of ASCII bytes and where its fields end.</summary>
internal readonly ref struct Utf8Row(ReadOnlySpan<byte> line, ReadOnlySpan<int> ends, long lineNumber) : ICsvRow<byte>
{
    private readonly ReadOnlySpan<byte> _line = line;
    private readonly ReadOnlySpan<int> _ends = ends; // exclusive end of each field; a field starts after the previous one's comma

    public int ColCount => _ends.Length;

    public long LineFrom => lineNumber;

    public long LineToExcl => lineNumber + 1;

    public ReadOnlySpan<byte> this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var start = index == 0 ? 0 : _ends[index - 1] + 1;
            return _line[start.._ends[index]];
        }
    }
}

/// <summary>What <see cref="Utf8CsvRows.Next"/> found.</summary>
internal enum Utf8RowResult
{
    /// <summary>A row that became a bar.</summary>
    Bar,

    /// <summary>A row the parser passed over (blank, other symbol, skipped as bad).</summary>
    Skipped,

    /// <summary>The end of the file.</summary>
    End,

    /// <summary>
    /// A row this reader does not handle (quotes, control characters other than a line's final CR, non-ASCII bytes, a
    /// line longer than the buffer): the caller reads the file with the text reader instead. Nothing of it was consumed.
    /// </summary>
    Unusual,
}

/// <summary>
/// The common bar CSV read as bytes: ASCII lines ending in LF or CRLF, fields split at commas, no quotes. Fields go to
/// <see cref="CsvRowParser"/> as UTF-8 spans, never decoded to strings, which is most of what reading a text file
/// costs. Anything else in a file makes it answer <see cref="Utf8RowResult.Unusual"/> (or <see cref="TryOpen"/>
/// null) so that <see cref="CsvBarReader"/> falls back to the general text reader (Sep), which defines the format.
/// </summary>
internal sealed class Utf8CsvRows : IDisposable
{
    private const int BufferBytes = 1 << 20; // a line longer than this is read by the text reader

    /// <summary>
    /// Bytes this reader leaves to the text reader: control characters (CR and LF are handled apart), the quote,
    /// DEL and everything outside ASCII (so a field's bytes are its characters one for one).
    /// </summary>
    private static readonly SearchValues<byte> UnusualBytes = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', .. Enumerable.Range(0x7F, 0x81).Select(b => (byte)b)]);

    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[BufferBytes + 64]; // 64 bytes of slack for the last vector load
    private int[] _ends = new int[16];
    private int _start;
    private int _next; // where the line after the current one starts
    private int _end;
    private bool _eof;
    private int _scanBase; // the first byte of the bytes _mask covers
    private int _scanEnd; // the end of the bytes scanned so far
    private ulong _mask; // special bytes in [_scanBase, _scanEnd) not yet taken

    private Utf8CsvRows(FileStream stream) => _stream = stream;

    /// <summary>The header's column names, as the text reader gives them.</summary>
    public IReadOnlyList<string> Header { get; private set; } = [];

    /// <summary>The line number of the next row.</summary>
    public long Line { get; private set; } = 1;

    /// <summary>
    /// Opens <paramref name="path"/> when it starts (after an optional UTF-8 byte order mark) with a plain header row:
    /// ASCII, no quotes, each name once. Null otherwise, and when the file cannot be opened: the text reader then
    /// reports it, in its own words.
    /// </summary>
    public static Utf8CsvRows? TryOpen(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }

        var rows = new Utf8CsvRows(stream);
        try
        {
            if (rows.TryReadHeader())
            {
                return rows;
            }
        }
        catch (IOException)
        {
        }

        rows.Dispose();
        return null;
    }

    /// <summary>Parses the next row with <paramref name="parser"/>; see <see cref="Utf8RowResult"/>.</summary>
    public Utf8RowResult Next(CsvRowParser parser, out Bar bar)
    {
        if (parser.IsPlainLayout)
        {
            // Most rows of the common layout are read in one pass, without the split; any other row (and the line
            // where the buffer ends) goes through the split and the general parse below, which words every error.
            var used = parser.TryParsePlain(_buffer.AsSpan(_start, _end - _start), Line, out bar);
            if (used > 0)
            {
                _start += used;
                Line++;
                ResetScan(_start);
                return Utf8RowResult.Bar;
            }
        }

        bar = default;
        if (!TrySplitLine(out var lineEnd, out var count))
        {
            return count == 0 ? Utf8RowResult.End : Utf8RowResult.Unusual;
        }

        var line = _buffer.AsSpan(_start, lineEnd - _start);
        _start = _next;
        var row = new Utf8Row(line, _ends.AsSpan(0, count), Line++);
        return parser.TryParse<Utf8Row, byte>(ref row, out bar) ? Utf8RowResult.Bar : Utf8RowResult.Skipped;
    }

    /// <summary>
    /// Finds the next line's end (before its LF or CRLF) and its fields' ends (into <see cref="_ends"/>, relative to
    /// the line), in one vectorised pass over the bytes (<see cref="NextSpecial"/>): the same lines and fields as
    /// <see cref="TryNextLine"/> and a split at each comma. False at the end (<paramref name="count"/> 0) or at an
    /// unusual line (count 1), which stays unread. On success the line's bytes start at <see cref="_start"/> and the
    /// next line at <see cref="_next"/>.
    /// </summary>
    private bool TrySplitLine(out int lineEnd, out int count)
    {
        while (true)
        {
            count = 0;
            var ends = _ends;
            while (true)
            {
                var at = NextSpecial();
                if (at < 0)
                {
                    if (!_eof)
                    {
                        break; // the line goes past the bytes read: read more and split it again
                    }

                    if (_start == _end)
                    {
                        (lineEnd, count) = (0, 0);
                        return false; // the end of the file
                    }

                    (lineEnd, _next) = (_end, _end); // the last line, without a newline
                }
                else
                {
                    var b = _buffer[at];
                    if (b == (byte)',')
                    {
                        if (count == ends.Length - 1)
                        {
                            Array.Resize(ref _ends, ends.Length * 2);
                            ends = _ends;
                        }

                        ends[count++] = at - _start;
                        continue;
                    }

                    if (b == (byte)'\n')
                    {
                        (lineEnd, _next) = (at, at + 1);
                    }
                    else if (b == (byte)'\r' && at + 1 < _end && _buffer[at + 1] == (byte)'\n')
                    {
                        (lineEnd, _next) = (at, at + 2);
                        NextSpecial(); // the LF after it
                    }
                    else if (b == (byte)'\r' && at + 1 == _end)
                    {
                        if (!_eof)
                        {
                            break; // is an LF next? read more and split the line again
                        }

                        (lineEnd, _next) = (at, _end); // the last line ends in a CR: dropped, as the line reader does
                    }
                    else
                    {
                        (lineEnd, count) = (0, 1);
                        return false; // a quote, a control character, DEL or a non-ASCII byte
                    }
                }

                ends[count++] = lineEnd - _start;
                return true;
            }

            if (!Refill())
            {
                (lineEnd, count) = (0, 1);
                return false; // a line longer than the buffer
            }

            ResetScan(_start); // the bytes moved: split the line again from its start
        }
    }

    /// <summary>Starts the scan for special bytes at <paramref name="position"/>.</summary>
    private void ResetScan(int position)
    {
        _scanEnd = position;
        _mask = 0;
    }

    /// <summary>
    /// The position of the next byte the splitter must look at (a comma, CR, LF or an unusual byte), or -1 when the
    /// bytes read so far have none. Each 64 bytes are compared once, as vectors, into a bit mask taken a bit at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int NextSpecial()
    {
        while (_mask == 0)
        {
            if (_scanEnd >= _end)
            {
                return -1;
            }

            _scanBase = _scanEnd;
            _scanEnd = Math.Min(_scanBase + 64, _end);
            _mask = Specials(ref _buffer[_scanBase]);
            var length = _scanEnd - _scanBase;
            if (length < 64)
            {
                _mask &= (1UL << length) - 1; // the bytes past the end are stale
            }
        }

        var at = _scanBase + BitOperations.TrailingZeroCount(_mask);
        _mask &= _mask - 1;
        return at;
    }

    /// <summary>The mask of special bytes among the 64 at <paramref name="first"/> (the buffer has 64 bytes of slack).</summary>
    /// <remarks>Compiled fully optimized at its first call: its ReadyToRun code assumes no AVX2 and is rejected on a machine
    /// with it, so it ran as tier-0 code (each vector operation a call) until recompiled, over the first hundreds of
    /// thousands of rows.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong Specials(ref byte first)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            return Vector256.ExtractMostSignificantBits(Special(Vector256.LoadUnsafe(ref first)))
                | ((ulong)Vector256.ExtractMostSignificantBits(Special(Vector256.LoadUnsafe(ref first, 32))) << 32);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            ulong mask = 0;
            for (var i = 0; i < 4; i++)
            {
                var v = Vector128.LoadUnsafe(ref first, (nuint)(i * 16));
                var special = Vector128.LessThan(v.AsSByte(), Vector128.Create((sbyte)0x20)).AsByte()
                    | Vector128.Equals(v, Vector128.Create((byte)',')) | Vector128.Equals(v, Vector128.Create((byte)'"'))
                    | Vector128.Equals(v, Vector128.Create((byte)0x7F));
                mask |= (ulong)Vector128.ExtractMostSignificantBits(special) << (i * 16);
            }

            return mask;
        }

        ulong bits = 0;
        for (var i = 0; i < 64; i++)
        {
            var b = Unsafe.Add(ref first, i);
            if (b < 0x20 || b >= 0x7F || b == (byte)',' || b == (byte)'"')
            {
                bits |= 1UL << i;
            }
        }

        return bits;
    }

    /// <summary>Control characters and non-ASCII bytes (negative as signed bytes), the comma, the quote and DEL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Special(Vector256<byte> v) =>
        Vector256.LessThan(v.AsSByte(), Vector256.Create((sbyte)0x20)).AsByte()
        | Vector256.Equals(v, Vector256.Create((byte)',')) | Vector256.Equals(v, Vector256.Create((byte)'"'))
        | Vector256.Equals(v, Vector256.Create((byte)0x7F));

    public void Dispose() => _stream.Dispose();

    /// <summary>
    /// The next line without its LF or CRLF, and the bytes it occupies; false at the end (an empty line and 0) or at an
    /// unusual line (consumed 1), which stays unread.
    /// </summary>
    private bool TryNextLine(out ReadOnlySpan<byte> line, out int consumed)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = pending[..newline];
                consumed = newline + 1;
                break;
            }

            if (!_eof)
            {
                if (!Refill())
                {
                    line = default;
                    consumed = 1; // a line longer than the buffer
                    return false;
                }

                continue;
            }

            if (pending.IsEmpty)
            {
                line = default;
                consumed = 0;
                return false;
            }

            line = pending; // the last line, without a newline
            consumed = pending.Length;
            break;
        }

        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.ContainsAny(UnusualBytes))
        {
            consumed = 1;
            line = default;
            return false;
        }

        return true;
    }

    /// <summary>Moves the unread bytes to the front and reads more; false when a line does not fit the buffer.</summary>
    private bool Refill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == BufferBytes)
        {
            return false;
        }

        var read = _stream.Read(_buffer, _end, BufferBytes - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
        return true;
    }

    private bool TryReadHeader()
    {
        // Fill the buffer once: a header is far shorter than it.
        while (!_eof && _end < BufferBytes)
        {
            Refill();
        }

        if (_buffer.AsSpan(0, _end).StartsWith("\uFEFF"u8))
        {
            _start = 3; // the UTF-8 byte order mark, which the text reader drops too
        }

        if (!TryNextLine(out var line, out var consumed) || line.IsEmpty)
        {
            return false; // an empty file or an unusual header: the text reader has the words for it
        }

        var names = Encoding.ASCII.GetString(line).Split(',');
        if (names.Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length
            || names.Select(n => n.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Count() != names.Length)
        {
            return false; // a name given twice: the text reader refuses it in its words
        }

        _start += consumed;
        ResetScan(_start);
        Line = 2;
        Header = names;
        return true;
    }
}
