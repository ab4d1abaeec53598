using System.Buffers;
using System.Text;

namespace StrategyLab.Reporting;

/// <summary>
/// A CSV file written a whole line at a time. A row is built in memory; <see cref="EndRow"/> moves it, as UTF-8, to a
/// pending buffer; <see cref="Commit"/> hands the pending lines to the operating system in one unbuffered write. The
/// file therefore only ever holds whole lines, whenever the process stops. Fields are quoted (RFC 4180) only when they
/// contain a comma, a quote or a line break. Lines end with <c>\n</c>. Formatting a row does not allocate.
/// </summary>
internal sealed class CsvFile : IDisposable
{
    private static readonly SearchValues<char> NeedsQuoting = SearchValues.Create(",\"\r\n");
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly FileStream _stream;
    private readonly ArrayBufferWriter<byte> _pending = new(64 * 1024);
    private char[] _line = new char[512];
    private int _length;
    private bool _inRow;
    private bool _disposed;

    /// <summary>Creates (or truncates) the file and writes the header line to it.</summary>
    public CsvFile(string path, string header)
    {
        Path = path;

        // bufferSize 0: no FileStream buffer, so nothing but whole pending lines ever reaches the file.
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        Append(header);
        EndRow();
        Commit();
    }

    public string Path { get; }

    /// <summary>Bytes of whole lines not yet handed to the operating system.</summary>
    public int PendingBytes => _pending.WrittenCount;

    public CsvFile Text(string? value)
    {
        Separator();
        if (string.IsNullOrEmpty(value))
        {
            return this;
        }

        if (value.AsSpan().IndexOfAny(NeedsQuoting) < 0)
        {
            Append(value);
            return this;
        }

        Ensure((value.Length * 2) + 2);
        _line[_length++] = '"';
        foreach (var c in value)
        {
            if (c == '"')
            {
                _line[_length++] = '"';
            }

            _line[_length++] = c;
        }

        _line[_length++] = '"';
        return this;
    }

    public CsvFile Number(decimal value)
    {
        Separator();
        Ensure(ArtifactFormat.MaxLength);
        _length += ArtifactFormat.Format(value, _line.AsSpan(_length));
        return this;
    }

    public CsvFile Number(decimal? value) => value is { } v ? Number(v) : Empty();

    /// <summary>A floating-point value in its shortest round-trip form (invariant culture; finite values only).</summary>
    public CsvFile Real(double value)
    {
        Separator();
        Ensure(32);
        value.TryFormat(_line.AsSpan(_length), out var written, "R", System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    public CsvFile Integer(long value)
    {
        Separator();
        Ensure(24);
        value.TryFormat(_line.AsSpan(_length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    public CsvFile Time(DateTimeOffset value)
    {
        Separator();
        Ensure(ArtifactFormat.MaxLength);
        _length += ArtifactFormat.Format(value, _line.AsSpan(_length));
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
        _line[_length++] = '\n';
        var chars = _line.AsSpan(0, _length);
        var bytes = _pending.GetSpan(Utf8.GetMaxByteCount(chars.Length));
        _pending.Advance(Utf8.GetBytes(chars, bytes));
        _length = 0;
        _inRow = false;
    }

    /// <summary>Writes the pending lines to the file (one write call; the OS has them when it returns).</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        _stream.Write(_pending.WrittenSpan);
        _pending.ResetWrittenCount();
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
        }
    }

    private void Separator()
    {
        if (_inRow)
        {
            Ensure(1);
            _line[_length++] = ',';
        }

        _inRow = true;
    }

    private void Append(string text)
    {
        Ensure(text.Length);
        text.CopyTo(_line.AsSpan(_length));
        _length += text.Length;
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _line.Length)
        {
            Array.Resize(ref _line, Math.Max(_line.Length * 2, _length + extra));
        }
    }
}
