
namespace StrategyLab.Data.Text;

/// <summary>
/// Exact text → <see cref="decimal"/> parsing without going through <see cref="double"/>: the digits become an integer
/// mantissa and the decimal point a scale, so <c>0.00001234</c> is exactly 1234 × 10⁻⁸.
/// </summary>
/// <remarks>
/// Accepts an optional sign, digits with at most one '.', and an optional exponent (<c>1e-8</c>, <c>2.5E+3</c>).
/// The value must fit <see cref="decimal"/> exactly (a 96-bit mantissa, at most 28 decimal places); anything else fails
/// rather than rounding. Trailing zeros are kept in the scale (<c>2.50</c> is 2.50m, equal to 2.5m).
/// </remarks>
internal static class DecimalText
{
    private const int MaxScale = 28;

    private static readonly ulong[] PowersOf10 =
    [
        1UL, 10UL, 100UL, 1_000UL, 10_000UL, 100_000UL, 1_000_000UL, 10_000_000UL, 100_000_000UL, 1_000_000_000UL,
        10_000_000_000UL, 100_000_000_000UL, 1_000_000_000_000UL, 10_000_000_000_000UL, 100_000_000_000_000UL,
        1_000_000_000_000_000UL, 10_000_000_000_000_000UL, 100_000_000_000_000_000UL, 1_000_000_000_000_000_000UL,
        10_000_000_000_000_000_000UL,
    ];

    /// <summary>Parses <paramref name="text"/> exactly; false when it is not a number or not exactly representable.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out decimal value) => TryParse<char>(text, out value);

    /// <summary>
    /// Parses ASCII/UTF-8 <paramref name="utf8"/> exactly, with the same result as <see cref="TryParse(ReadOnlySpan{char}, out decimal)"/>
    /// on the same characters (one code, two instantiations).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out decimal value) => TryParse<byte>(utf8, out value);

    /// <summary>Parses a non-negative or negative integer of at most 18 digits; false otherwise.</summary>
    public static bool TryParseInt64(ReadOnlySpan<char> text, out long value) => TryParseInt64<char>(text, out value);

    /// <summary>The text parse over UTF-16 (<see cref="char"/>) or UTF-8 (<see cref="byte"/>) code units.</summary>
    internal static bool TryParse<TChar>(ReadOnlySpan<TChar> text, out decimal value)
        where TChar : unmanaged => TryParse(text, out value, out _);

    /// <summary>
    /// The parse, also giving the value's mantissa (its digits as an integer; the scale is <c>value.Scale</c>) when it
    /// fits 64 bits, and 0 otherwise (a 96-bit mantissa, or zero): callers compare prices as integers with it.
    /// </summary>
    internal static bool TryParse<TChar>(ReadOnlySpan<TChar> text, out decimal value, out ulong mantissa64)
        where TChar : unmanaged
    {
        value = 0m;
        mantissa64 = 0;
        var i = 0;
        var n = text.Length;
        if (n == 0)
        {
            return false;
        }

        var negative = false;
        var first = TextChars.Code(text[0]);
        if (first == '-' || first == '+')
        {
            negative = first == '-';
            i = 1;
        }

        // The common case in one pass: digits with at most one '.', no exponent, at most 19 digits in all (leading
        // zeros included), so the mantissa fits 64 bits and the scale is the count of digits after the point. Anything
        // else is read by the general loop below, which gives the same value for these.
        var start = i;
        ulong fast = 0;
        uint d;
        for (; i < n && (d = (uint)(TextChars.Code(text[i]) - '0')) <= 9; i++)
        {
            fast = (fast * 10) + d;
        }

        var integerDigits = i - start;
        var fractionDigits = 0;
        if (i < n && TextChars.Code(text[i]) == '.')
        {
            var fractionStart = ++i;
            for (; i < n && (d = (uint)(TextChars.Code(text[i]) - '0')) <= 9; i++)
            {
                fast = (fast * 10) + d;
            }

            fractionDigits = i - fractionStart;
        }

        if (i == n && integerDigits + fractionDigits is > 0 and <= 19)
        {
            value = new decimal((int)fast, (int)(fast >> 32), 0, negative, (byte)fractionDigits);
            mantissa64 = fast;
            return true;
        }

        i = start;
        ulong mantissa = 0;
        var significant = 0; // digits accumulated into the mantissa (leading zeros excluded)
        var digits = 0; // all digits seen
        var fractionCount = 0;
        var seenPoint = false;
        var overflow = false;
        for (; i < n; i++)
        {
            var c = TextChars.Code(text[i]);
            if ((uint)(c - '0') <= 9)
            {
                digits++;
                if (seenPoint)
                {
                    fractionCount++;
                }

                if (mantissa == 0 && c == '0')
                {
                    continue;
                }

                if (significant < 19)
                {
                    mantissa = (mantissa * 10) + (uint)(c - '0');
                    significant++;
                }
                else
                {
                    overflow = true; // more than 19 significant digits: take the slow exact path below
                    significant++;
                }
            }
            else if (c == '.' && !seenPoint)
            {
                seenPoint = true;
            }
            else
            {
                break;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        var exponent = 0;
        if (i < n)
        {
            if (TextChars.Code(text[i]) != 'e' && TextChars.Code(text[i]) != 'E')
            {
                return false;
            }

            i++;
            var expNegative = false;
            if (i < n && (TextChars.Code(text[i]) == '-' || TextChars.Code(text[i]) == '+'))
            {
                expNegative = TextChars.Code(text[i]) == '-';
                i++;
            }

            if (i == n)
            {
                return false;
            }

            for (; i < n; i++)
            {
                var c = TextChars.Code(text[i]);
                if ((uint)(c - '0') > 9 || exponent > 1000)
                {
                    return false;
                }

                exponent = (exponent * 10) + (c - '0');
            }

            if (expNegative)
            {
                exponent = -exponent;
            }
        }

        var scale = fractionCount - exponent;
        if (overflow)
        {
            return TryParseWide(text, significant, scale, out value);
        }

        if (scale < 0)
        {
            // Whole number with a positive exponent: scale the mantissa up, if it stays within 19 digits.
            if (mantissa != 0)
            {
                if (significant - scale > 19)
                {
                    return TryParseWide(text, significant, scale, out value);
                }

                mantissa *= PowersOf10[-scale];
            }

            scale = 0;
        }
        else if (scale > MaxScale)
        {
            if (mantissa != 0)
            {
                return false;
            }

            scale = MaxScale;
        }

        value = new decimal((int)mantissa, (int)(mantissa >> 32), 0, negative, (byte)scale);
        mantissa64 = mantissa;
        return true;
    }

    /// <summary>
    /// The slow path for more than 19 significant digits or a mantissa scaled up by an exponent: the digits accumulate in
    /// a 128-bit integer and must fit decimal's 96-bit mantissa exactly, otherwise parsing fails (never rounds).
    /// </summary>
    private static bool TryParseWide<TChar>(ReadOnlySpan<TChar> text, int significant, int scale, out decimal value)
        where TChar : unmanaged
    {
        value = 0m;
        if (significant > 29 || scale > MaxScale)
        {
            return false;
        }

        UInt128 mantissa = 0;
        var negative = TextChars.Code(text[0]) == '-';
        foreach (var unit in text)
        {
            var c = TextChars.Code(unit);
            if (c is 'e' or 'E')
            {
                break;
            }

            if ((uint)(c - '0') <= 9)
            {
                mantissa = (mantissa * 10) + (uint)(c - '0');
            }
        }

        for (; scale < 0; scale++)
        {
            if (mantissa > Max96 / 10)
            {
                return false;
            }

            mantissa *= 10;
        }

        if (mantissa > Max96)
        {
            return false;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative, (byte)scale);
        return true;
    }

    private static readonly UInt128 Max96 = (UInt128.One << 96) - 1;

    /// <summary>A decimal from an integer count of 10^-<paramref name="scale"/> units (LEAN's deci-cents are scale 4).</summary>
    public static decimal FromScaled(long units, byte scale)
    {
        var negative = units < 0;
        var magnitude = negative ? (ulong)(-(units + 1)) + 1 : (ulong)units;
        return new decimal((int)magnitude, (int)(magnitude >> 32), 0, negative, scale);
    }

    internal static bool TryParseInt64<TChar>(ReadOnlySpan<TChar> text, out long value)
        where TChar : unmanaged
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && (TextChars.Code(text[0]) == '-' || TextChars.Code(text[0]) == '+'))
        {
            negative = TextChars.Code(text[0]) == '-';
            i = 1;
        }

        if (i == text.Length || text.Length - i > 18)
        {
            return false;
        }

        long v = 0;
        for (; i < text.Length; i++)
        {
            var d = (uint)(TextChars.Code(text[i]) - '0');
            if (d > 9)
            {
                return false;
            }

            v = (v * 10) + d;
        }

        value = negative ? -v : v;
        return true;
    }
}
