using nietras.SeparatedValues;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Text;

namespace StrategyLab.Data.Csv;

/// <summary>
/// Streams OHLCV bars from a CSV file with a header, in constant memory whatever the file size.
/// </summary>
/// <remarks>
/// <para><b>Columns</b> (header names case-insensitive, any order): <c>time</c> (aliases <c>timestamp</c>, <c>date</c>,
/// <c>datetime</c>), <c>open</c>, <c>high</c>, <c>low</c>, <c>close</c>, <c>volume</c> are required; <c>symbol</c>,
/// <c>trades</c> and <c>vwap</c> are optional (an empty optional cell means "not given"). Any other column is an error
/// that names it, unless <see cref="CsvBarReaderOptions.IgnoreUnknownColumns"/> is set: a misspelt column should not be
/// dropped silently.</para>
/// <para><b>Time</b>: ISO-8601 with an offset (<c>2024-01-02T09:30:00-05:00</c>, <c>…Z</c>) is an exact instant;
/// without one (<c>2024-01-02 09:30:00</c>, <c>2024-01-02T09:30</c>) it is wall time in the symbol's exchange zone
/// (from its calendar); a bare date (<c>2024-01-02</c>) names a session (daily bars). An integer is Unix time:
/// seconds when its absolute value is below 100,000,000,000 (instants before the year 5138), milliseconds from there
/// on (instants after 1973-03-03). The stamp is the bar start unless <see cref="CsvBarReaderOptions.TimeIs"/> says end;
/// see <see cref="Time.BarSpanResolver"/> for how the other edge and daily sessions are found.</para>
/// <para><b>Checks</b>, each a <see cref="DataFormatException"/> naming file, line and field: unparsable number or time,
/// high &lt; low, open or close outside [low, high], a price not above zero, a vwap outside [low, high], negative volume or trade count, a time not after the previous bar
/// of the same symbol (backwards or duplicate), a missing required column, a row with the wrong number of fields.</para>
/// <para>Numbers are parsed exactly (digits to <see cref="decimal"/>, never through <see cref="double"/>).</para>
/// </remarks>
public sealed class CsvBarReader
{
    private readonly string _path;
    private readonly Func<TextReader>? _openText;
    private readonly CsvBarReaderOptions _options;

    /// <summary>A reader of the file at <paramref name="path"/>.</summary>
    public CsvBarReader(string path, CsvBarReaderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        _path = path;
        _options = Validate(options);
    }

    /// <summary>A reader of text from <paramref name="open"/>, reported in errors as <paramref name="displayName"/>.</summary>
    public CsvBarReader(string displayName, Func<TextReader> open, CsvBarReaderOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(displayName);
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        _path = displayName;
        _openText = open;
        _options = Validate(options);
    }

    /// <summary>The file (or display name) read.</summary>
    public string Path => _path;

    /// <summary>Counts of the last (or current) pass of <see cref="ReadBars"/>.</summary>
    public CsvReadStatistics Statistics { get; } = new();

    /// <summary>
    /// Reads the bars lazily, in file order. Each enumeration reads the file again and resets <see cref="Statistics"/>.
    /// </summary>
    /// <exception cref="DataFormatException">Bad input (unless skipped with <see cref="CsvBarReaderOptions.SkipBadRows"/>;
    /// a bad header always throws).</exception>
    public IEnumerable<Bar> ReadBars() => new Bars(this);

    /// <summary>The bars as an iterator, bar by bar (see <see cref="ReadBars"/>).</summary>
    private IEnumerable<Bar> Iterate()
    {
        Statistics.Reset();
        LastPassReadBytes = false;
        long bytesBars = 0; // bars already given from the bytes when a row made the text reader take over
        long takeOverLine = 0;
        if (_openText is null && ReadBytes && Utf8CsvRows.TryOpen(_path) is { } rows)
        {
            try
            {
                // The common layout as bytes (Utf8CsvRows): the same parser over UTF-8 spans, no decoding to text.
                LastPassReadBytes = true;
                var bytesParser = new CsvRowParser(_path, _options, Statistics, rows.Header) { ReadPlainRows = ReadPlainRows };
                while (true)
                {
                    var result = rows.Next(bytesParser, out var bar);
                    if (result == Utf8RowResult.Bar)
                    {
                        bytesBars++;
                        yield return bar;
                    }
                    else if (result == Utf8RowResult.End)
                    {
                        bytesParser.CheckWantedSymbolSeen();
                        yield break;
                    }
                    else if (result == Utf8RowResult.Unusual)
                    {
                        takeOverLine = rows.Line;
                        break;
                    }
                }
            }
            finally
            {
                rows.Dispose();
            }
        }

        foreach (var bar in TextPass(bytesBars, takeOverLine))
        {
            yield return bar;
        }
    }

    /// <summary>
    /// The text reader: for a file the bytes reader does not handle, or from the first row it did not handle. Then it
    /// reads the file again from the start (the rows before parse as they did, skipped rows are not logged twice) and
    /// gives the bars after those already given: the rare file with quotes pays a second pass, not a difference.
    /// </summary>
    /// <param name="bytesBars">Bars the bytes reader already gave.</param>
    /// <param name="takeOverLine">The line where the bytes reader stopped (rows skipped before it are not logged again).</param>
    private IEnumerable<Bar> TextPass(long bytesBars, long takeOverLine)
    {
        Statistics.Reset();
        LastPassReadBytes = false;
        using var reader = Open();
        var parser = new CsvRowParser(_path, _options, Statistics, reader.Header.IsEmpty ? [] : reader.Header.ColNames) { QuietBefore = takeOverLine };
        while (MoveNext(reader, _path, parser.NextLine))
        {
            if (parser.TryParse(reader, out var bar))
            {
                if (bytesBars > 0)
                {
                    bytesBars--;
                    continue;
                }

                yield return bar;
            }
        }

        parser.CheckWantedSymbolSeen();
    }

    /// <summary>
    /// What <see cref="ReadBars"/> returns: enumerated bar by bar, or, read ahead by <see cref="PrefetchedBars"/>, a
    /// chunk at a time (<see cref="IBarChunkSource"/>): each row parsed straight into its slot of the chunk.
    /// </summary>
    private sealed class Bars(CsvBarReader reader) : IEnumerable<Bar>, IChunkedBars
    {
        public IEnumerator<Bar> GetEnumerator() => reader.Iterate().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public IBarChunkSource OpenChunks() => new Chunks(reader);
    }

    /// <summary>
    /// The same pass as <see cref="Iterate"/>, a chunk at a time: the same bars, counts, log and errors (an error
    /// after the bars before it).
    /// </summary>
    private sealed class Chunks(CsvBarReader reader) : IBarChunkSource
    {
        private Utf8CsvRows? _rows;
        private CsvRowParser? _parser;
        private IEnumerator<Bar>? _text;
        private bool _started;
        private long _bytesBars;

        public bool Fill(Bar[] destination, ref int count)
        {
            if (!_started)
            {
                _started = true;
                reader.Statistics.Reset();
                reader.LastPassReadBytes = false;
                if (reader._openText is null && reader.ReadBytes && Utf8CsvRows.TryOpen(reader._path) is { } rows)
                {
                    _rows = rows;
                    reader.LastPassReadBytes = true;
                    _parser = new CsvRowParser(reader._path, reader._options, reader.Statistics, rows.Header) { ReadPlainRows = reader.ReadPlainRows };
                }
                else
                {
                    _text = reader.TextPass(0, 0).GetEnumerator();
                }
            }

            if (_rows is { } bytes)
            {
                while (count < destination.Length)
                {
                    var result = bytes.Next(_parser!, out destination[count]);
                    if (result == Utf8RowResult.Bar)
                    {
                        count++;
                        _bytesBars++;
                    }
                    else if (result == Utf8RowResult.End)
                    {
                        _parser!.CheckWantedSymbolSeen();
                        return false;
                    }
                    else if (result == Utf8RowResult.Unusual)
                    {
                        var takeOverLine = bytes.Line;
                        bytes.Dispose();
                        _rows = null;
                        _text = reader.TextPass(_bytesBars, takeOverLine).GetEnumerator();
                        break;
                    }
                }
            }

            if (_text is { } text)
            {
                while (count < destination.Length)
                {
                    if (!text.MoveNext())
                    {
                        return false;
                    }

                    destination[count++] = text.Current;
                }
            }

            return true;
        }

        public void Dispose()
        {
            _rows?.Dispose();
            _text?.Dispose();
        }
    }

    /// <summary>
    /// Whether a file (not a <see cref="TextReader"/>) in the common layout is read as bytes; off, everything goes
    /// through the text reader (the reference the tests compare against).
    /// </summary>
    internal bool ReadBytes { get; init; } = true;

    /// <summary>
    /// Whether rows of the plain layout are read in one pass (<see cref="CsvRowParser.TryParsePlain"/>) when reading bytes;
    /// off, they are split and parsed the general way (the reference the tests compare against).
    /// </summary>
    internal bool ReadPlainRows { get; init; } = true;

    /// <summary>Whether the last (or current) pass read the whole file as bytes (for tests).</summary>
    internal bool LastPassReadBytes { get; private set; }

    /// <summary>
    /// Advances the Sep reader, turning its "row too long" <see cref="NotSupportedException"/> (a row past Sep's 16 Mi
    /// character buffer, in practice a stray quote that swallows the rest of the file) into a located error.
    /// </summary>
    internal static bool MoveNext(SepReader reader, string path, long line)
    {
        try
        {
            return reader.MoveNext();
        }
        catch (NotSupportedException e)
        {
            throw new DataFormatException(
                path, line, null,
                "the row does not end within the parser's limit of 16,777,216 characters; a quote (\") that is never closed "
                + "makes the rest of the file one field, so check this line for a stray quote (" + e.GetType().Name + ")");
        }
    }

    /// <summary>
    /// Guesses the timeframe of a CSV file from its first rows: bare dates are daily; otherwise the smallest positive
    /// step between consecutive stamps of the same symbol, when it is a supported timeframe (a step of one day or more
    /// is daily). Null when the file gives no answer (fewer than two rows, unparsable times, an unsupported step).
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="maxRows">How many data rows to look at.</param>
    public static Timeframe? InferTimeframe(string path, int maxRows = 1000)
    {
        using var reader = OpenSep(path, openText: null);
        if (reader.Header.IsEmpty)
        {
            return null;
        }

        var names = reader.Header.ColNames.Select(n => n.Trim().ToLowerInvariant()).ToList();
        var time = names.FindIndex(n => n is "time" or "timestamp" or "date" or "datetime");
        var symbol = names.IndexOf("symbol");
        if (time < 0)
        {
            return null;
        }

        var last = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var step = long.MaxValue;
        var allDates = true;
        var rows = 0;
        var nextLine = 2L;
        while (rows < maxRows && MoveNext(reader, path, nextLine))
        {
            var row = reader.Current;
            nextLine = row.LineNumberToExcl;
            if (row.ColCount <= Math.Max(time, symbol) || !TimeText.TryParse(row[time].Span.Trim(' '), out var t, out _))
            {
                continue;
            }

            rows++;
            allDates &= t.Kind == TimeTextKind.DateOnly;
            var ticks = t.Kind is TimeTextKind.Offset or TimeTextKind.Unix ? t.Utc.Ticks : t.Wall.Ticks;
            var key = symbol >= 0 ? row[symbol].Span.ToString() : "";
            if (last.TryGetValue(key, out var previous) && ticks > previous)
            {
                step = Math.Min(step, ticks - previous);
            }

            last[key] = ticks;
        }

        if (rows == 0)
        {
            return null;
        }

        if (allDates || (step != long.MaxValue && step >= TimeSpan.TicksPerDay))
        {
            return Timeframe.OneDay;
        }

        return Timeframe.All.Cast<Timeframe?>().FirstOrDefault(tf => tf!.Value.Ticks == step);
    }

    private SepReader Open() => OpenSep(_path, _openText);

    /// <summary>
    /// Opens a CSV file with its header row: a missing file, or a header the parser refuses (a column name given twice),
    /// is a located error, never a library exception.
    /// </summary>
    private static SepReader OpenSep(string path, Func<TextReader>? openText)
    {
        var spec = Sep.Reader(o => o with
        {
            Sep = new Sep(','),
            HasHeader = true,
            DisableColCountCheck = true,
            Unescape = true,
        });
        try
        {
            return openText is null ? spec.FromFile(path) : spec.From(openText());
        }
        catch (FileNotFoundException)
        {
            throw new DataFormatException(path, null, null, "the file does not exist");
        }
        catch (DirectoryNotFoundException)
        {
            throw new DataFormatException(path, null, null, "the file's folder does not exist");
        }
        catch (ArgumentException e)
        {
            // Sep refuses a header that names a column twice ("Col name 'volume' found 2 times").
            throw new DataFormatException(
                path, 1, null, "the header row cannot be read: " + TextEscape.ForMessage(e.Message) + " (each column may appear once)");
        }
    }

    private static CsvBarReaderOptions Validate(CsvBarReaderOptions options)
    {
        if (options.Timeframe.IsDefault)
        {
            throw new ArgumentException("CsvBarReaderOptions.Timeframe is required.", nameof(options));
        }

        return options;
    }
}
