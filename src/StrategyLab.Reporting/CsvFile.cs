using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace StrategyLab.Reporting;

/// <summary>
/// A CSV file written a whole line at a time. Fields are formatted straight into a UTF-8 byte buffer (numbers and
/// times by <see cref="ArtifactFormat"/>'s byte writers, no intermediate strings); <see cref="EndRow"/> makes the row a
/// pending whole line; <see cref="Commit"/> hands the pending lines to the operating system in one unbuffered write
/// (a row being built stays behind). The file therefore only ever holds whole lines, whenever the process stops.
/// Fields are quoted (RFC 4180) only when they contain a comma, a quote or a line break. Lines end with <c>\n</c>.
/// Formatting a row does not allocate; the buffer grows only while lines are pending, so callers bound it by committing.
/// </summary>
internal sealed class CsvFile : IDisposable
{
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(",\"\r\n");
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    // Fields up to this many characters are tried as plain ASCII first (TryAppendPlainAscii).
    private const int ShortText = 32;

    private readonly Stream _stream;
    private readonly TimeText.SameDay _times = new();
    private byte[] _buffer;

    // _buffer[0.._lines) holds whole pending lines; _buffer[_lines.._length) the row being built.
    private int _lines;
    private int _length;
    private bool _inRow;
    private bool _disposed;

    /// <summary>Creates (or truncates) the file and writes the header line to it.</summary>
    /// <param name="path">The file.</param>
    /// <param name="header">The header line (without its line break).</param>
    /// <param name="capacity">Initial buffer size in bytes: a little more than the caller's commit threshold avoids growing.</param>
    public CsvFile(string path, string header, int capacity = 64 * 1024)
    {
        Path = path;
        _buffer = new byte[Math.Max(capacity, 256)];

        // bufferSize 0: no FileStream buffer, so nothing but whole pending lines ever reaches the file.
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        AppendText(header);
        EndRow();
        Commit();
    }

    /// <summary>Writes the header line and then the rows to <paramref name="stream"/> (a file's bytes made in memory); disposing closes it.</summary>
    /// <param name="stream">Where the lines go.</param>
    /// <param name="name">The file the bytes are for (<see cref="Path"/>).</param>
    /// <param name="header">The header line (without its line break).</param>
    public CsvFile(Stream stream, string name, string header)
    {
        Path = name;
        _buffer = new byte[64 * 1024];
        _stream = stream;
        AppendText(header);
        EndRow();
        Commit();
    }

    public string Path { get; }

    /// <summary>Bytes of whole lines not yet handed to the operating system.</summary>
    public int PendingBytes => _lines;

    public CsvFile Text(string? value)
    {
        Separator();
        if (string.IsNullOrEmpty(value))
        {
            return this;
        }

        if (value.Length <= ShortText && TryAppendPlainAscii(value))
        {
            return this;
        }

        if (value.AsSpan().IndexOfAny(NeedsQuoting) < 0)
        {
            AppendText(value);
            return this;
        }

        Ensure(2);
        _buffer[_length++] = (byte)'"';
        var rest = value.AsSpan();
        while (rest.Length > 0)
        {
            var quote = rest.IndexOf('"');
            var part = quote < 0 ? rest : rest[..(quote + 1)];
            AppendText(part);
            if (quote < 0)
            {
                break;
            }

            Ensure(1);
            _buffer[_length++] = (byte)'"'; // a quote is doubled
            rest = rest[(quote + 1)..];
        }

        Ensure(1);
        _buffer[_length++] = (byte)'"';
        return this;
    }

    public CsvFile Number(decimal value)
    {
        Separator();
        Ensure(ArtifactFormat.MaxLength);
        _length += ArtifactFormat.Format(value, _buffer.AsSpan(_length));
        return this;
    }

    public CsvFile Number(decimal? value) => value is { } v ? Number(v) : Empty();

    /// <summary>A floating-point value in its shortest round-trip form (invariant culture; finite values only).</summary>
    public CsvFile Real(double value)
    {
        Separator();
        Ensure(32);
        value.TryFormat(_buffer.AsSpan(_length), out var written, "R", CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    public CsvFile Integer(long value)
    {
        Separator();
        Ensure(24);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out var written);
        _length += written;
        return this;
    }

    /// <summary>An ASCII prefix that needs no quoting followed by an integer (<c>SL-42</c>), without making the text.</summary>
    public CsvFile Prefixed(string prefix, long value)
    {
        Separator();
        Ensure(prefix.Length + 24);
        for (var i = 0; i < prefix.Length; i++)
        {
            _buffer[_length++] = (byte)prefix[i];
        }

        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out var written);
        _length += written;
        return this;
    }

    /// <summary>A time in the artifact format (<see cref="ArtifactFormat.Time"/>); the date and offset of the previous time are reused when they are the same.</summary>
    public CsvFile Time(DateTimeOffset value)
    {
        Separator();
        Ensure(ArtifactFormat.MaxLength);
        _length += _times.Format(value, _buffer.AsSpan(_length));
        return this;
    }

    /// <summary>
    /// ASCII that needs no quoting, as bytes (an artifact name: <see cref="ArtifactFormat.Utf8Name(Core.Execution.OrderSide)"/>
    /// and its overloads): copied as is, without <see cref="Text"/>'s per-character check.
    /// </summary>
    public CsvFile Ascii(ReadOnlySpan<byte> value)
    {
        Separator();
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
        return this;
    }

    public CsvFile Empty()
    {
        Separator();
        return this;
    }

    /// <summary>Ends the row: it becomes a pending whole line.</summary>
    public void EndRow()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Ensure(1);
        _buffer[_length++] = (byte)'\n';
        _lines = _length;
        _inRow = false;
    }

    /// <summary>Writes the pending lines to the file (one write call; the OS has them when it returns).</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_lines == 0)
        {
            return;
        }

        _stream.Write(_buffer, 0, _lines);
        var partial = _length - _lines;
        if (partial > 0)
        {
            _buffer.AsSpan(_lines, partial).CopyTo(_buffer);
        }

        _length = partial;
        _lines = 0;
    }

    /// <summary>Commits the pending lines (a half-built row is dropped) and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Commit();
        }
        finally
        {
            _disposed = true;
            _stream.Dispose();
            _buffer = []; // a run's writer keeps its files until the report is built: their buffers need not stay
        }
    }

    private void Separator()
    {
        if (_inRow)
        {
            Ensure(1);
            _buffer[_length++] = (byte)',';
        }

        _inRow = true;
    }

    /// <summary>
    /// Copies a short field of ASCII characters that needs no quoting (a ticker, a side, a status, most tags) byte by
    /// byte: one pass instead of a quoting search and an encoder call per field. False, and nothing written, otherwise.
    /// </summary>
    private bool TryAppendPlainAscii(string value)
    {
        Ensure(value.Length);
        var destination = _buffer.AsSpan(_length, value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x80 || c is ',' or '"' or '\r' or '\n')
            {
                return false;
            }

            destination[i] = (byte)c;
        }

        _length += value.Length;
        return true;
    }

    private void AppendText(ReadOnlySpan<char> text)
    {
        Ensure(Utf8.GetMaxByteCount(text.Length));
        _length += Utf8.GetBytes(text, _buffer.AsSpan(_length));
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + extra));
        }
    }
}
