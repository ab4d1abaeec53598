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

/// <summary>The per-pass state of <see cref="CsvBarReader"/>: column map, per-symbol ordering, error policy.</summary>
/// <remarks>
/// The per-row methods here and in the row, time and decimal readers are not marked
/// <c>MethodImplOptions.AggressiveOptimization</c>: such methods are left out of the CLI's precompiled (ReadyToRun) images,
/// so the read-ahead thread JIT-compiled them before it could hand over the first bar (~45 ms of CPU the run waited
/// for, issue 12; docs/performance.md: Fixed cost of small runs). Precompiled, they run at once and are recompiled
/// at tier 1 in the background when hot.
/// </remarks>
internal sealed partial class CsvRowParser
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
    private StampDateCache _stampDates;
    private readonly bool _plainLayout;

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

        _plainLayout = _columnCount == 6 && (time, open, high, low, close, volume) == (0, 1, 2, 3, 4, 5);
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
        string? timeError = null;
        if (!(typeof(TChar) == typeof(byte) && TimeText.TryParseCommon(MemoryMarshal.Cast<TChar, byte>(timeText), ref _stampDates, out var time))
            && !TimeText.TryParse(timeText, out time, out timeError)
            && !TimeText.TryParse(timeText = timeText.Trim(space), out time, out timeError))
        {
            return Fail(line, _names[_time], $"'{Quote(timeText)}' is not a time: {timeError}");
        }

        if (!state.Resolver.TryResolve(time, out var start, out var end, out var spanError))
        {
            return Fail(line, _names[_time], $"'{Quote(timeText)}': {spanError}");
        }

        if (!TryNumber(row[_open], line, _open, out var open, out var openDigits)
            || !TryNumber(row[_high], line, _high, out var high, out var highDigits)
            || !TryNumber(row[_low], line, _low, out var low, out var lowDigits)
            || !TryNumber(row[_close], line, _close, out var close, out var closeDigits)
            || !TryNumber(row[_volume], line, _volume, out var volume, out _))
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
            if (!TryNumber(row[_vwap], line, _vwap, out var v, out _))
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

        if (start.Kind == DateTimeKind.Utc && end.Kind == DateTimeKind.Utc && end > start && !decimal.IsNegative(volume)
            && PricesConsistent(open, openDigits, high, highDigits, low, lowDigits, close, closeDigits))
        {
            // Checked as integers (the constructor's checks and the price above zero below, all passed): no decimal
            // comparisons. A row that fails them, or whose digits do not fit, goes through the constructor, which names
            // the problem as before.
            bar = Bar.CreateChecked(state.Symbol, start, end, open, high, low, close, volume, trades, vwap);
        }
        else
        {
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
        }

        if (vwap is { } average && (average < low || average > high))
        {
            return Fail(line, _names[_vwap], Invariant($"vwap {average} is outside [low {low}, high {high}]"));
        }

        Accept(state, start, end, line);
        return true;
    }

    /// <summary>A row made its bar: the symbol's last bar is now this one (the order checks of the next row), counted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Accept(SymbolState state, DateTime start, DateTime end, long line)
    {
        state.LastStart = start;
        state.LastEnd = end;
        state.LastLine = line;
        state.HasLast = true;
        _stats.Bars++;
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

    /// <summary>
    /// True when every price is above zero and low ≤ open, close ≤ high, compared as integers: the mantissas
    /// (<paramref name="openDigits"/>…, 0 when unknown) brought to one scale. False when not, or when it cannot tell
    /// cheaply (then the checking constructor decides).
    /// </summary>
    private static bool PricesConsistent(decimal open, ulong openDigits, decimal high, ulong highDigits, decimal low, ulong lowDigits, decimal close, ulong closeDigits) =>
        !decimal.IsNegative(open) && !decimal.IsNegative(high) && !decimal.IsNegative(low) && !decimal.IsNegative(close)
        && PricesConsistent(openDigits, open.Scale, highDigits, high.Scale, lowDigits, low.Scale, closeDigits, close.Scale);

    /// <summary>
    /// <see cref="PricesConsistent(decimal, ulong, decimal, ulong, decimal, ulong, decimal, ulong)"/> for non-negative
    /// prices given as their mantissas and scales.
    /// </summary>
    private static bool PricesConsistent(ulong openDigits, int so, ulong highDigits, int sh, ulong lowDigits, int sl, ulong closeDigits, int sc)
    {
        if (openDigits == 0 || highDigits == 0 || lowDigits == 0 || closeDigits == 0)
        {
            return false;
        }

        if (so == sh && so == sl && so == sc)
        {
            return lowDigits <= openDigits && openDigits <= highDigits && lowDigits <= closeDigits && closeDigits <= highDigits;
        }

        var scale = Math.Max(Math.Max(so, sh), Math.Max(sl, sc));
        if (scale - Math.Min(Math.Min(so, sh), Math.Min(sl, sc)) > 19)
        {
            return false;
        }

        int wo = scale - so, wh = scale - sh, wl = scale - sl, wc = scale - sc;
        return CompareWidened(lowDigits, wl, openDigits, wo) <= 0 && CompareWidened(openDigits, wo, highDigits, wh) <= 0
            && CompareWidened(lowDigits, wl, closeDigits, wc) <= 0 && CompareWidened(closeDigits, wc, highDigits, wh) <= 0;
    }

    /// <summary>
    /// The sign of <c>a · 10^byA − b · 10^byB</c> (shifts below 20), exactly: only the shifts' difference matters, and a
    /// product past 64 bits is larger than any 64-bit value. Not in <see cref="UInt128"/> (a method with its arithmetic
    /// is left out of the ReadyToRun images: the type's layout is not version-resilient) nor <c>Math.BigMul</c> (its
    /// precompiled code assumes no BMI2 and is rejected on a machine with it): either ran as unoptimized tier-0 code
    /// for every row of mixed decimals.
    /// </summary>
    internal static int CompareWidened(ulong a, int byA, ulong b, int byB)
    {
        if (byA >= byB)
        {
            var k = byA - byB;
            return a > MaxWidenable[k] ? 1 : (a * Pow10[k]).CompareTo(b);
        }

        var q = byB - byA;
        return b > MaxWidenable[q] ? -1 : a.CompareTo(b * Pow10[q]);
    }

    private static ulong[] MaxWidenableTable()
    {
        var table = new ulong[Pow10.Length];
        for (var k = 0; k < table.Length; k++)
        {
            table[k] = ulong.MaxValue / Pow10[k];
        }

        return table;
    }

    private static readonly ulong[] Pow10 =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>The largest value that times 10^k stays within 64 bits (declared after <see cref="Pow10"/>, which it is made from):
    /// a table, not a 64-bit division per comparison.</summary>
    private static readonly ulong[] MaxWidenable = MaxWidenableTable();

    private bool TryNumber<TChar>(ReadOnlySpan<TChar> text, long line, int column, out decimal value, out ulong digits)
        where TChar : unmanaged, IEquatable<TChar>
    {
        // Fields are not trimmed up front (that costs every row); spaces around a number are forgiven on the slow path.
        if (DecimalText.TryParse(text, out value, out digits) || DecimalText.TryParse(text = text.Trim(TextChars.Of<TChar>(' ')), out value, out digits))
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
