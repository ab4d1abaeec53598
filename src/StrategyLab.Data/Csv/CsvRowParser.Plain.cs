using System.Runtime.CompilerServices;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Text;

namespace StrategyLab.Data.Csv;

/// <summary>
/// The plain row in one pass over its bytes (<see cref="TryParsePlain"/>): the fields are found while they are read,
/// not split first and read again.
/// </summary>
internal sealed partial class CsvRowParser
{
    /// <summary>
    /// True when the header is exactly <c>time,open,high,low,close,volume</c> (any of the time column's names, any
    /// case), the layout <see cref="TryParsePlain"/> reads (no symbol, trade-count, VWAP or ignored column), and
    /// <see cref="ReadPlainRows"/> is on.
    /// </summary>
    public bool IsPlainLayout => _plainLayout && ReadPlainRows;

    /// <summary>Whether plain rows are read by <see cref="TryParsePlain"/>; off, every row goes the general way (tests compare the two).</summary>
    public bool ReadPlainRows { get; init; } = true;

    /// <summary>
    /// Reads the row at the start of <paramref name="bytes"/> when it is plain — a <c>yyyy-MM-dd(T| )HH:mm:ss[Z]</c>
    /// stamp, then five unsigned numbers of digits with at most one point (at most 19 digits), the line ended by LF or
    /// CRLF — and makes a bar of it that needs no message: its span resolves, it comes after the symbol's previous bar,
    /// and its prices are positive and consistent. Returns the bytes the row took, its line end included; 0 for any
    /// other row, with nothing changed but caches, so that the general path (<see cref="TryParse{TRow, TChar}"/>) reads
    /// it as before and words whatever is wrong. For a row it takes, the bar, the counts and the symbol's state are
    /// what that path gives, compared by <c>CsvPlainRowTests</c>.
    /// </summary>
    /// <param name="bytes">The unread bytes of the buffer (a row not wholly in it is left to the general path).</param>
    /// <param name="line">The row's line number.</param>
    /// <param name="bar">The bar, when the row was taken.</param>
    public int TryParsePlain(ReadOnlySpan<byte> bytes, long line, out Bar bar)
    {
        bar = default;

        // The stamp is 19 or 20 bytes; which one the comma after it says.
        int i;
        if (bytes.Length > 20 && bytes[19] == (byte)',')
        {
            i = 19;
        }
        else if (bytes.Length > 21 && bytes[20] == (byte)',')
        {
            i = 20;
        }
        else
        {
            return 0;
        }

        if (!TimeText.TryParseCommon(bytes[..i], ref _stampDates, out var time))
        {
            return 0;
        }

        i++;
        if (!TryPlainNumber(bytes, ref i, out var open, out var openScale) || !IsComma(bytes, ref i)
            || !TryPlainNumber(bytes, ref i, out var high, out var highScale) || !IsComma(bytes, ref i)
            || !TryPlainNumber(bytes, ref i, out var low, out var lowScale) || !IsComma(bytes, ref i)
            || !TryPlainNumber(bytes, ref i, out var close, out var closeScale) || !IsComma(bytes, ref i)
            || !TryPlainNumber(bytes, ref i, out var volume, out var volumeScale))
        {
            return 0;
        }

        // The line's end: LF or CRLF (a CR alone, or the file's last line without one, goes the general way).
        if ((uint)i >= (uint)bytes.Length)
        {
            return 0;
        }

        var used = bytes[i] == (byte)'\n' ? i + 1
            : bytes[i] == (byte)'\r' && (uint)(i + 1) < (uint)bytes.Length && bytes[i + 1] == (byte)'\n' ? i + 2
            : 0;
        if (used == 0 || !PricesConsistent(open, openScale, high, highScale, low, lowScale, close, closeScale))
        {
            return 0;
        }

        var state = _last ??= NewState(_options.Symbol!, _options.Symbol!.Ticker);
        if (!state.Resolver.TryResolve(time, out var start, out var end, out _)
            || start.Kind != DateTimeKind.Utc || end.Kind != DateTimeKind.Utc || end <= start
            || (state.HasLast && start < state.LastEnd) || (state.HasLast && start <= state.LastStart))
        {
            return 0;
        }

        bar = Bar.CreateChecked(
            state.Symbol, start, end, Decimal(open, openScale), Decimal(high, highScale), Decimal(low, lowScale),
            Decimal(close, closeScale), Decimal(volume, volumeScale), null, null);
        NextLine = line + 1;
        _stats.Rows++;
        Accept(state, start, end, line);
        return used;
    }

    /// <summary>
    /// Digits with at most one point, at most 19 digits in all (at least one), as <see cref="DecimalText"/>'s first
    /// branch reads them (<c>5.</c> and <c>.5</c> included): the mantissa and the count of digits after the point.
    /// False for anything else, and for a field longer than the most significant digits the store keeps (the general
    /// path checks those).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPlainNumber(ReadOnlySpan<byte> bytes, ref int i, out ulong mantissa, out int scale)
    {
        var start = i;
        ulong m = 0;
        var at = ReadDigits(bytes, i, ref m);
        var digits = at - start;
        scale = 0;
        if ((uint)at < (uint)bytes.Length && bytes[at] == (byte)'.')
        {
            var fractionStart = at + 1;
            at = ReadDigits(bytes, fractionStart, ref m);
            scale = at - fractionStart;
            digits += scale;
        }

        mantissa = m;
        i = at;
        return digits is > 0 and <= 19 && (_options.MaxSignificantDigits is not { } max || at - start <= max);
    }

    /// <summary>
    /// Appends the digits from <paramref name="at"/> on to <paramref name="value"/> (value · 10 + digit each; past 19
    /// digits it wraps, which the caller refuses by the count); returns where they end. Byte by byte: reading eight
    /// bytes at a time (SWAR) was tried and was slower on these 2–8-digit fields (docs/performance.md, session 33).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadDigits(ReadOnlySpan<byte> bytes, int at, ref ulong value)
    {
        uint d;
        while ((uint)at < (uint)bytes.Length && (d = (uint)(bytes[at] - '0')) <= 9)
        {
            value = (value * 10) + d;
            at++;
        }

        return at;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsComma(ReadOnlySpan<byte> bytes, ref int i)
    {
        if ((uint)i < (uint)bytes.Length && bytes[i] == (byte)',')
        {
            i++;
            return true;
        }

        return false;
    }

    /// <summary>The value <see cref="DecimalText"/> gives for these digits: the mantissa at this scale, trailing zeros kept.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static decimal Decimal(ulong mantissa, int scale) =>
        new((int)mantissa, (int)(mantissa >> 32), 0, false, (byte)scale);
}
