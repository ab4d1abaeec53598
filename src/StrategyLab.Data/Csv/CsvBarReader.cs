using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using nietras.SeparatedValues;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Text;
using StrategyLab.Data.Time;

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
    public IEnumerable<Bar> ReadBars()
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
                var bytesParser = new CsvRowParser(_path, _options, Statistics, rows.Header);
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

        // The text reader: for a file the bytes reader does not handle, or from the first row it did not handle. Then
        // it reads the file again from the start (the rows before parse as they did, skipped rows are not logged twice)
        // and gives the bars after those already given: the rare file with quotes pays a second pass, not a difference.
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
    /// Whether a file (not a <see cref="TextReader"/>) in the common layout is read as bytes; off, everything goes
    /// through the text reader (the reference the tests compare against).
    /// </summary>
    internal bool ReadBytes { get; init; } = true;

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

/// <summary>The per-pass state of <see cref="CsvBarReader"/>: column map, per-symbol ordering, error policy.</summary>
internal sealed class CsvRowParser
{
    private const int MaxQuoted = 40;

    private readonly string _path;
    private readonly CsvBarReaderOptions _options;
    private readonly CsvReadStatistics _stats;
    private readonly int _columnCount;
    private readonly int _time, _open, _high, _low, _close, _volume, _symbol = -1, _trades = -1, _vwap = -1;
    private readonly string[] _names;
    private readonly AssetClass _assetClass;
    private readonly Dictionary<string, SymbolState> _states = new(StringComparer.OrdinalIgnoreCase);
    private SymbolState? _last;

    public CsvRowParser(string path, CsvBarReaderOptions options, CsvReadStatistics stats, IReadOnlyList<string> header)
    {
        _path = path;
        _options = options;
        _stats = stats;
        _assetClass = options.AssetClass ?? options.Symbol?.AssetClass ?? AssetClass.UsEquity;
        if (header.Count == 0)
        {
            throw new DataFormatException(path, 1, null, "the file is empty; expected a header line time,open,high,low,close,volume");
        }

        _columnCount = header.Count;
        _names = new string[header.Count];
        int time = -1, open = -1, high = -1, low = -1, close = -1, volume = -1;
        var unknown = new List<string>();
        for (var i = 0; i < header.Count; i++)
        {
            var name = header[i].Trim().ToLowerInvariant();
            _names[i] = header[i].Trim(); // errors name the column as the file spells it
            ref var slot = ref time;
            switch (name)
            {
                case "time" or "timestamp" or "date" or "datetime": slot = ref time; break;
                case "open": slot = ref open; break;
                case "high": slot = ref high; break;
                case "low": slot = ref low; break;
                case "close": slot = ref close; break;
                case "volume": slot = ref volume; break;
                case "symbol": slot = ref _symbol; break;
                case "trades": slot = ref _trades; break;
                case "vwap": slot = ref _vwap; break;
                default:
                    if (!options.IgnoreUnknownColumns)
                    {
                        unknown.Add(header[i]);
                    }

                    continue;
            }

            if (slot >= 0)
            {
                throw new DataFormatException(path, 1, header[i], $"the column appears twice (columns {slot + 1} and {i + 1})");
            }

            slot = i;
        }

        if (unknown.Count > 0)
        {
            throw new DataFormatException(
                path, 1, unknown[0],
                $"unknown column{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; known: time, open, high, low, close, volume, symbol, trades, vwap (or ignore unknown columns)");
        }

        (_time, _open, _high, _low, _close, _volume) = (time, open, high, low, close, volume);
        string[] required = ["time", "open", "high", "low", "close", "volume"];
        int[] indexes = [time, open, high, low, close, volume];
        for (var i = 0; i < required.Length; i++)
        {
            if (indexes[i] < 0)
            {
                throw new DataFormatException(path, 1, required[i], "missing required column (header needs time, open, high, low, close, volume)");
            }
        }

        if (_symbol < 0 && options.Symbol is null)
        {
            throw new DataFormatException(path, 1, "symbol", "the file has no symbol column and no symbol was given");
        }
    }

    /// <summary>
    /// Rows skipped before this line are not logged: a second pass over rows the first already logged (see
    /// <see cref="CsvBarReader.ReadBars"/>).
    /// </summary>
    public long QuietBefore { get; init; }

    /// <summary>The line the next row starts on (for errors raised before the row is split).</summary>
    public long NextLine { get; private set; } = 2;

    /// <summary>
    /// Throws when a symbol was asked for, the file has a symbol column, and no row of it names that symbol: the run
    /// would otherwise see no bars and exit 0. The message lists the symbols the column does have.
    /// </summary>
    public void CheckWantedSymbolSeen()
    {
        if (_options.Symbol is not { } wanted || _symbol < 0 || _states.Values.Any(s => !s.Excluded))
        {
            return;
        }

        var present = _states.Values.Select(s => s.Symbol.Ticker).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var listed = present.Count == 0
            ? "it has no data rows"
            : (present.Count <= 10 ? "it has " : Invariant($"it has {present.Count} symbols, first ")) + string.Join(", ", present.Take(10));
        throw new DataFormatException(
            _path, null, _names[_symbol], $"the symbol column has no rows for {wanted.Ticker}; {listed}");
    }

    /// <summary>Parses the reader's current row; false for blank, skipped and other-symbol rows.</summary>
    public bool TryParse(SepReader reader, out Bar bar)
    {
        var row = new SepRow(reader.Current);
        return TryParse<SepRow, char>(ref row, out bar);
    }

    /// <summary>
    /// Parses one row, given as UTF-16 text (Sep's) or as UTF-8 bytes (<see cref="Utf8CsvRows"/>'s): one code for
    /// both, so the bars, the checks and every error message are the same whichever way the file was read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row: fully optimized from the first call, since a one-shot CLI process reads its file once (tier-0 code would parse much of it)
    public bool TryParse<TRow, TChar>(scoped ref TRow row, out Bar bar)
        where TRow : ICsvRow<TChar>, allows ref struct
        where TChar : unmanaged, IEquatable<TChar>
    {
        bar = default;
        var space = TextChars.Of<TChar>(' ');
        var line = row.LineFrom;
        NextLine = row.LineToExcl;
        if (row.ColCount == 1 && row[0].IsEmpty)
        {
            return false; // blank line
        }

        _stats.Rows++;
        if (row.ColCount != _columnCount)
        {
            var field = row.ColCount < _columnCount ? _names[row.ColCount] : $"(column {_columnCount + 1})";
            return Fail(line, field, string.Create(
                CultureInfo.InvariantCulture, $"the row has {row.ColCount} fields; the header has {_columnCount}"));
        }

        SymbolState state;
        if (_symbol >= 0)
        {
            var ticker = row[_symbol].Trim(space);
            if (_last is not null && EqualsIgnoreCase(ticker, _last.Text))
            {
                state = _last;
            }
            else if (!TryGetState(ticker, line, out state!))
            {
                return false;
            }
        }
        else
        {
            state = _last ??= NewState(_options.Symbol!, _options.Symbol!.Ticker);
        }

        if (state.Excluded)
        {
            _stats.OtherSymbolRows++;
            return false;
        }

        _last = state;
        var timeText = row[_time];
        if (!TimeText.TryParse(timeText, out var time, out var timeError)
            && !TimeText.TryParse(timeText = timeText.Trim(space), out time, out timeError))
        {
            return Fail(line, _names[_time], $"'{Quote(timeText)}' is not a time: {timeError}");
        }

        if (!state.Resolver.TryResolve(time, out var start, out var end, out var spanError))
        {
            return Fail(line, _names[_time], $"'{Quote(timeText)}': {spanError}");
        }

        if (!TryNumber(row[_open], line, _open, out var open)
            || !TryNumber(row[_high], line, _high, out var high)
            || !TryNumber(row[_low], line, _low, out var low)
            || !TryNumber(row[_close], line, _close, out var close)
            || !TryNumber(row[_volume], line, _volume, out var volume))
        {
            return false;
        }

        int? trades = null;
        if (_trades >= 0)
        {
            var t = row[_trades].Trim(space);
            if (!t.IsEmpty)
            {
                if (!TryParseInt32(t, out var n))
                {
                    return Fail(line, _names[_trades], $"'{Quote(t)}' is not a whole number");
                }

                if (n < 0)
                {
                    return Fail(line, _names[_trades], string.Create(CultureInfo.InvariantCulture, $"trade count {n} is negative"));
                }

                trades = n;
            }
        }

        decimal? vwap = null;
        if (_vwap >= 0 && !row[_vwap].Trim(space).IsEmpty)
        {
            if (!TryNumber(row[_vwap], line, _vwap, out var v))
            {
                return false;
            }

            vwap = v;
        }

        if (state.HasLast && start <= state.LastStart)
        {
            var what = start == state.LastStart ? "duplicates" : "is before";
            return Fail(line, _names[_time], Invariant(
                $"bar start {start:yyyy-MM-ddTHH:mm:ss.FFFFFFFZ} {what} the previous {state.Symbol} bar's start {state.LastStart:yyyy-MM-ddTHH:mm:ss.FFFFFFFZ} (line {state.LastLine})"));
        }

        if (state.HasLast && start < state.LastEnd)
        {
            return Fail(line, _names[_time], Overlap(state, start));
        }

        try
        {
            // The Bar constructor is the one place that checks high >= low, open/close within [low, high] and
            // volume >= 0; its ArgumentException names the parameter, which maps back to the column.
            bar = new Bar(state.Symbol, start, end, open, high, low, close, volume, trades, vwap);
        }
        catch (ArgumentException e)
        {
            return Fail(line, ColumnOf(e.ParamName), e.Message.Split(" (Parameter")[0].TrimEnd('.'));
        }

        if (low <= 0m)
        {
            // A zero or negative price fills stops at -5 and charges negative commission: no market here quotes one.
            return Fail(line, _names[_low], Invariant($"low {low} is not a positive price"));
        }

        if (vwap is { } average && (average < low || average > high))
        {
            return Fail(line, _names[_vwap], Invariant($"vwap {average} is outside [low {low}, high {high}]"));
        }

        state.LastStart = start;
        state.LastEnd = end;
        state.LastLine = line;
        state.HasLast = true;
        _stats.Bars++;
        return true;
    }

    /// <summary>
    /// Why a bar that starts before the previous one ends is refused: the rows are closer together than the declared
    /// timeframe (a 1-minute file read as 5m), which would store overlapping bars that no backtest can use.
    /// </summary>
    private string Overlap(SymbolState state, DateTime start)
    {
        var gap = start - state.LastStart;
        var apart = gap.Ticks % TimeSpan.TicksPerMinute == 0
            ? Invariant($"{gap.Ticks / TimeSpan.TicksPerMinute} minute{(gap.Ticks == TimeSpan.TicksPerMinute ? "" : "s")}")
            : Invariant($"{gap.TotalSeconds:0.#######} second{(gap.Ticks == TimeSpan.TicksPerSecond ? "" : "s")}");
        var guess = Timeframe.All.FirstOrDefault(tf => tf.Ticks == gap.Ticks);
        var probably = guess.IsDefault ? "" : Invariant($", so the timeframe is probably {guess}");
        return Invariant(
            $"this {state.Symbol} bar starts at {start:yyyy-MM-ddTHH:mm:ss.FFFFFFFZ}, before the previous one (line {state.LastLine}) ends at {state.LastEnd:yyyy-MM-ddTHH:mm:ss.FFFFFFFZ}: the rows are {apart} apart but the timeframe is {_options.Timeframe}{probably}");
    }

    private string ColumnOf(string? parameter) => parameter switch
    {
        "open" => _names[_open],
        "high" => _names[_high],
        "low" => _names[_low],
        "close" => _names[_close],
        "volume" => _names[_volume],
        "tradeCount" when _trades >= 0 => _names[_trades],
        "vwap" when _vwap >= 0 => _names[_vwap],
        _ => _names[_time],
    };

    private bool TryGetState<TChar>(ReadOnlySpan<TChar> ticker, long line, out SymbolState? state)
        where TChar : unmanaged
    {
        var text = TextChars.ToText(ticker);
        if (_states.TryGetValue(text, out state))
        {
            return true;
        }

        Symbol symbol;
        try
        {
            symbol = Symbol.Create(text, _assetClass);
        }
        catch (ArgumentException e)
        {
            state = null;
            return Fail(line, _names[_symbol], e.Message.Split(" (Parameter")[0]);
        }

        state = NewState(symbol, text);
        if (_options.Symbol is { } wanted && !wanted.Ticker.Equals(symbol.Ticker, StringComparison.Ordinal))
        {
            state.Excluded = true;
        }

        return true;
    }

    private SymbolState NewState(Symbol symbol, string text)
    {
        var calendar = (_options.CalendarFor ?? MarketCalendars.For)(symbol);
        var state = new SymbolState(symbol, text, new BarSpanResolver(calendar, _options.Timeframe, _options.TimeIs));
        _states[text] = state;
        return state;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row: fully optimized from the first call, since a one-shot CLI process reads its file once (tier-0 code would parse much of it)
    private bool TryNumber<TChar>(ReadOnlySpan<TChar> text, long line, int column, out decimal value)
        where TChar : unmanaged, IEquatable<TChar>
    {
        // Fields are not trimmed up front (that costs every row); spaces around a number are forgiven on the slow path.
        if (DecimalText.TryParse(text, out value) || DecimalText.TryParse(text = text.Trim(TextChars.Of<TChar>(' ')), out value))
        {
            // Only text longer than the limit can need more digits than it (the store keeps DECIMAL(18, scale)); catching
            // it here names this line, where the store could only name its .parquet file.
            return _options.MaxSignificantDigits is not { } max || text.Length <= max || DigitsNeeded(value) <= max
                || Fail(line, _names[column], Invariant($"'{Quote(text)}' needs {DigitsNeeded(value)} significant digits; at most {max} can be stored"));
        }

        return Fail(line, _names[column], text.IsEmpty ? "the value is empty" : $"'{Quote(text)}' is not a number");
    }

    /// <summary>Integer digits plus decimal places, trailing zeros dropped: 1234.500 needs 5.</summary>
    private static int DigitsNeeded(decimal value)
    {
        value = Math.Abs(value) / 1.000000000000000000000000000000000m; // drops trailing zeros from the scale
        var digits = (int)value.Scale;
        for (var whole = decimal.Truncate(value); whole >= 1m; whole = decimal.Truncate(whole / 10m))
        {
            digits++;
        }

        return digits;
    }

    private bool Fail(long line, string field, string reason)
    {
        if (!_options.SkipBadRows)
        {
            throw new DataFormatException(_path, line, field, reason);
        }

        _stats.SkippedRows++;
        if (_options.Logger is { } logger && line >= QuietBefore)
        {
            DataLogEvents.LogRowSkipped(logger, _path, line, field, reason, null);
        }

        return false;
    }

    private static string Quote<TChar>(ReadOnlySpan<TChar> text)
        where TChar : unmanaged =>
        text.Length <= MaxQuoted ? TextChars.ToText(text) : string.Concat(TextChars.ToText(text[..MaxQuoted]), "…");

    /// <summary>An ordinal case-insensitive comparison (ASCII case folding for UTF-8, whose rows are all ASCII here).</summary>
    private static bool EqualsIgnoreCase<TChar>(ReadOnlySpan<TChar> text, string other)
        where TChar : unmanaged =>
        typeof(TChar) == typeof(char)
            ? MemoryMarshal.Cast<TChar, char>(text).Equals(other, StringComparison.OrdinalIgnoreCase)
            : Ascii.EqualsIgnoreCase(MemoryMarshal.Cast<TChar, byte>(text), other);

    private static bool TryParseInt32<TChar>(ReadOnlySpan<TChar> text, out int value)
        where TChar : unmanaged =>
        typeof(TChar) == typeof(char)
            ? int.TryParse(MemoryMarshal.Cast<TChar, char>(text), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            : int.TryParse(MemoryMarshal.Cast<TChar, byte>(text), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class SymbolState(Symbol symbol, string text, BarSpanResolver resolver)
    {
        public Symbol Symbol { get; } = symbol;

        public string Text { get; } = text;

        public BarSpanResolver Resolver { get; } = resolver;

        public bool Excluded { get; set; }

        public bool HasLast { get; set; }

        public DateTime LastStart { get; set; }

        public DateTime LastEnd { get; set; }

        public long LastLine { get; set; }
    }
}
