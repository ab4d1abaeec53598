using System.Buffers;
using System.Globalization;
using System.Text;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// Reads an artifact CSV (docs/run-artifacts.md) record by record: a header line naming the columns, RFC 4180 quoting,
/// <c>\n</c> (or <c>\r\n</c>) line ends. A last record without its line break is ignored: a live run may be writing
/// the file, and the writer only ever completes whole lines. Parse errors name the file, the line and the column.
/// </summary>
/// <remarks>
/// Fields are parsed from the record's characters without making a string each (a report reads millions of rows);
/// <see cref="Text"/> makes one, <see cref="Pooled"/> reuses one per distinct value.
/// </remarks>
internal sealed class CsvTable : IDisposable
{
    private static readonly SearchValues<char> Special = SearchValues.Create(",\"\r\n");

    private readonly StreamReader _reader;
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly char[] _buffer = new char[1 << 16];
    private int _position;
    private int _length;
    private char[] _record = new char[256];
    private int _recordLength;
    private int[] _starts = new int[16];
    private int[] _ends = new int[16];
    private int _fieldCount;
    private long _line = 1;

    /// <summary>Opens <paramref name="path"/> (shared with a writer) and reads its header.</summary>
    /// <exception cref="RunFolderException">The file has no header line.</exception>
    public CsvTable(string path)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16), path)
    {
    }

    /// <summary>Reads <paramref name="stream"/>, the content of the file <paramref name="path"/> (messages name it), and its header; disposing closes the stream.</summary>
    /// <exception cref="RunFolderException">The content has no header line.</exception>
    public CsvTable(Stream stream, string path)
    {
        Path = path;
        _reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16);
        if (!Next())
        {
            throw new RunFolderException(path, 1, null, "the file has no header line.");
        }

        for (var i = 0; i < _fieldCount; i++)
        {
            _columns.TryAdd(Span(i).Trim().ToString(), i);
        }
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The line the current record starts on (1-based; the header is line 1).</summary>
    public long LineNumber { get; private set; }

    /// <summary>The index of a required column.</summary>
    /// <exception cref="RunFolderException">The header has no such column.</exception>
    public int Column(string name) =>
        _columns.TryGetValue(name, out var index)
            ? index
            : throw new RunFolderException(Path, 1, name, $"the header has no column '{name}'.");

    /// <summary>The index of an optional column, or −1.</summary>
    public int OptionalColumn(string name) => _columns.TryGetValue(name, out var index) ? index : -1;

    /// <summary>The characters of a field of the current record (empty when the record is short or the column is −1).</summary>
    public ReadOnlySpan<char> Span(int column) =>
        column >= 0 && column < _fieldCount ? _record.AsSpan(_starts[column], _ends[column] - _starts[column]) : [];

    /// <summary>The text of a field.</summary>
    public string Text(int column) => Span(column).ToString();

    /// <summary>The text of a field, one string instance per distinct value (symbols, sides, tags repeat on every row).</summary>
    public string Pooled(int column)
    {
        var span = Span(column);
        var lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(span, out var existing))
        {
            return existing;
        }

        var text = span.ToString();
        _pool.Add(text, text);
        return text;
    }

    /// <summary>A required decimal.</summary>
    public decimal Decimal(int column, string name) =>
        OptionalDecimal(column, name) ?? throw Bad(name, "a number is required, the field is empty.");

    /// <summary>A decimal, or null when the field is empty.</summary>
    public decimal? OptionalDecimal(int column, string name)
    {
        var text = Span(column);
        if (text.IsEmpty)
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(name, $"'{text}' is not a number.");
    }

    /// <summary>A required integer.</summary>
    public long Integer(int column, string name)
    {
        var text = Span(column);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(name, $"'{text}' is not an integer.");
    }

    /// <summary>An integer, or null when the field is empty.</summary>
    public long? OptionalInteger(int column, string name) => Span(column).IsEmpty ? null : Integer(column, name);

    /// <summary>A required time with offset (<c>2013-10-07T09:46:00-04:00</c>).</summary>
    public DateTimeOffset Time(int column, string name)
    {
        var text = Span(column);
        return ArtifactTime.TryParse(text, out var value)
            ? value
            : throw Bad(name, $"'{text}' is not a time with offset (yyyy-MM-ddTHH:mm:ss±hh:mm).");
    }

    /// <summary>An error about the current record.</summary>
    public RunFolderException Bad(string field, string problem) => new(Path, LineNumber, field, problem);

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    /// <summary>Moves to the next complete record (blank lines are skipped); false at the end of the file.</summary>
    public bool Next()
    {
        while (ReadRecord())
        {
            if (_fieldCount > 1 || _ends[0] > _starts[0])
            {
                return true;
            }
        }

        return false;
    }

    private bool ReadRecord()
    {
        _recordLength = 0;
        _fieldCount = 0;
        LineNumber = _line;
        var quoted = false;
        var fieldStart = 0;
        while (true)
        {
            if (_position == _length)
            {
                _length = _reader.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_length <= 0)
                {
                    // End of file: a record without its line break is incomplete (a writer is mid-line, or the file was cut).
                    _length = 0;
                    return false;
                }
            }

            var chunk = _buffer.AsSpan(_position, _length - _position);
            if (quoted)
            {
                var quote = chunk.IndexOf('"');
                var plain = quote < 0 ? chunk : chunk[..quote];
                _line += plain.Count('\n');
                Append(plain);
                _position += plain.Length;
                if (quote < 0)
                {
                    continue;
                }

                _position++; // the quote
                if (_position == _length)
                {
                    _length = _reader.Read(_buffer, 0, _buffer.Length);
                    _position = 0;
                    if (_length <= 0)
                    {
                        _length = 0;
                        return false;
                    }
                }

                if (_buffer[_position] == '"')
                {
                    Append("\"");
                    _position++;
                }
                else
                {
                    quoted = false;
                }

                continue;
            }

            var special = chunk.IndexOfAny(Special);
            var text = special < 0 ? chunk : chunk[..special];
            Append(text);
            _position += text.Length;
            if (special < 0)
            {
                continue;
            }

            var c = _buffer[_position++];
            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    EndField(fieldStart);
                    fieldStart = _recordLength;
                    break;
                case '\r':
                    break;
                default: // '\n'
                    _line++;
                    EndField(fieldStart);
                    return true;
            }
        }
    }

    private void Append(ReadOnlySpan<char> text)
    {
        if (_recordLength + text.Length > _record.Length)
        {
            Array.Resize(ref _record, Math.Max(_record.Length * 2, _recordLength + text.Length));
        }

        text.CopyTo(_record.AsSpan(_recordLength));
        _recordLength += text.Length;
    }

    private void EndField(int start)
    {
        if (_fieldCount == _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _ends, _ends.Length * 2);
        }

        _starts[_fieldCount] = start;
        _ends[_fieldCount] = _recordLength;
        _fieldCount++;
    }
}

/// <summary>Parses the artifact time format (and ISO-8601 with <c>Z</c>); a time without an offset is refused.</summary>
internal static class ArtifactTime
{
    // Only forms with an explicit offset: a time without one is ambiguous.
    private static readonly string[] Formats = [ArtifactFormat.Time];

    public static bool TryParse(string? text, out DateTimeOffset value) => TryParse(text.AsSpan(), out value);

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss[.fffffff](±hh:mm|Z)</c>, read digit by digit (the common case, millions of rows), else by
    /// <see cref="DateTimeOffset.TryParseExact(ReadOnlySpan{char}, string[], IFormatProvider, DateTimeStyles, out DateTimeOffset)"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value) =>
        TryParseFixed(text, out value)
        || DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    private static bool TryParseFixed(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':'
            || !Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        var i = 19;
        long fraction = 0;
        if (s[i] == '.')
        {
            var digits = 0;
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (digits == 7)
                {
                    return false;
                }

                fraction = (fraction * 10) + (s[i] - '0');
                digits++;
                i++;
            }

            if (digits == 0)
            {
                return false;
            }

            for (; digits < 7; digits++)
            {
                fraction *= 10;
            }
        }

        TimeSpan offset;
        if (i == s.Length - 1 && s[i] == 'Z')
        {
            offset = TimeSpan.Zero;
        }
        else if (i == s.Length - 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':'
                 && Digits(s, i + 1, 2, out var oh) && Digits(s, i + 4, 2, out var om) && oh <= 14 && om < 60)
        {
            offset = new TimeSpan(oh, om, 0) * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59
            || offset.Duration() > TimeSpan.FromHours(14))
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second).Ticks + fraction;
        var utc = ticks - offset.Ticks;
        if (utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(ticks, offset);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int number)
    {
        number = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = s[i];
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            number = (number * 10) + (c - '0');
        }

        return true;
    }
}
