using System.Globalization;
using System.Text;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// Reads an artifact CSV (docs/run-artifacts.md) record by record: a header line naming the columns, RFC 4180 quoting,
/// <c>\n</c> (or <c>\r\n</c>) line ends. A last record without its line break is ignored: a live run may be writing
/// the file, and the writer only ever completes whole lines. Parse errors name the file, the line and the column.
/// </summary>
internal sealed class CsvTable : IDisposable
{
    private readonly StreamReader _reader;
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private readonly List<string> _fields = [];
    private readonly StringBuilder _field = new();
    private long _line = 1;

    /// <summary>Opens <paramref name="path"/> (shared with a writer) and reads its header.</summary>
    /// <exception cref="RunFolderException">The file has no header line.</exception>
    public CsvTable(string path)
    {
        Path = path;
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        _reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16);
        if (!ReadRecord())
        {
            throw new RunFolderException(path, 1, null, "the file has no header line.");
        }

        for (var i = 0; i < _fields.Count; i++)
        {
            _columns.TryAdd(_fields[i].Trim(), i);
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

    /// <summary>Moves to the next complete record; false at the end of the file.</summary>
    public bool Next() => ReadRecord();

    /// <summary>The text of a field of the current record ("" when the record is short or the column is −1).</summary>
    public string Text(int column) => column >= 0 && column < _fields.Count ? _fields[column] : string.Empty;

    /// <summary>A required decimal.</summary>
    public decimal Decimal(int column, string name) =>
        OptionalDecimal(column, name) ?? throw Bad(name, "a number is required, the field is empty.");

    /// <summary>A decimal, or null when the field is empty.</summary>
    public decimal? OptionalDecimal(int column, string name)
    {
        var text = Text(column);
        if (text.Length == 0)
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
        var text = Text(column);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Bad(name, $"'{text}' is not an integer.");
    }

    /// <summary>An integer, or null when the field is empty.</summary>
    public long? OptionalInteger(int column, string name) => Text(column).Length == 0 ? null : Integer(column, name);

    /// <summary>A required time with offset (<c>2013-10-07T09:46:00-04:00</c>).</summary>
    public DateTimeOffset Time(int column, string name)
    {
        var text = Text(column);
        return ArtifactTime.TryParse(text, out var value)
            ? value
            : throw Bad(name, $"'{text}' is not a time with offset (yyyy-MM-ddTHH:mm:ss±hh:mm).");
    }

    /// <summary>An error about the current record.</summary>
    public RunFolderException Bad(string field, string problem) => new(Path, LineNumber, field, problem);

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private bool ReadRecord()
    {
        _fields.Clear();
        _field.Clear();
        LineNumber = _line;
        var quoted = false;
        var any = false;
        while (true)
        {
            var next = _reader.Read();
            if (next < 0)
            {
                // End of file: a record without its line break is incomplete (a writer is mid-line, or the file was cut).
                return false;
            }

            var c = (char)next;
            any = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (_reader.Peek() == '"')
                    {
                        _reader.Read();
                        _field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _line++;
                    }

                    _field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case ',':
                    _fields.Add(_field.ToString());
                    _field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    _line++;
                    _fields.Add(_field.ToString());
                    _field.Clear();
                    if (_fields.Count == 1 && _fields[0].Length == 0)
                    {
                        // A blank line: skip it.
                        _fields.Clear();
                        LineNumber = _line;
                        any = false;
                        continue;
                    }

                    return any;
                default:
                    _field.Append(c);
                    break;
            }
        }
    }
}

/// <summary>Parses the artifact time format (and plain ISO-8601 with <c>Z</c>).</summary>
internal static class ArtifactTime
{
    private static readonly string[] Formats = [ArtifactFormat.Time, "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"];

    public static bool TryParse(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
}
