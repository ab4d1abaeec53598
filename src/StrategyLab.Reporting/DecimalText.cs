using System.Buffers.Text;

namespace StrategyLab.Reporting;

/// <summary>
/// The artifact number format (<see cref="ArtifactFormat.Number"/>, <c>0.##########</c>) written as ASCII straight from
/// a decimal's 96-bit digits: no culture lookup, no custom-format parser, no string. The text is the one .NET writes
/// for that format: at most 10 decimals rounded half away from zero (.NET rounds a decimal's exact digits that way),
/// trailing zeros trimmed, at least one integer digit, no exponent or separators; a value that rounds to zero is
/// <c>0</c>, never <c>-0</c>.
/// </summary>
internal static class DecimalText
{
    private const int MaxDecimals = 10;

    /// <summary>Writes <paramref name="value"/>; returns the bytes written (at most 31: sign, 29 digits, point, leading zero).</summary>
    public static int Format(decimal value, Span<byte> destination)
    {
        if (DecimalBits.TryRoundTrim(value, out var units, out var trimmedScale, out var isNegative))
        {
            return Format(units, trimmedScale, isNegative, destination);
        }

        if (value.Scale > MaxDecimals)
        {
            value = decimal.Round(value, MaxDecimals, MidpointRounding.AwayFromZero);
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        uint lo = (uint)bits[0], mid = (uint)bits[1], hi = (uint)bits[2];
        var scale = (bits[3] >> 16) & 0xFF;
        if ((lo | mid | hi) == 0)
        {
            destination[0] = (byte)'0';
            return 1;
        }

        // The digits go to the end of a scratch area, then move into place around the point.
        Span<byte> digits = stackalloc byte[32];
        int count;
        var low64 = ((ulong)mid << 32) | lo;
        if (hi == 0)
        {
            Utf8Formatter.TryFormat(low64, digits, out count);
        }
        else
        {
            count = FormatWide(hi, low64, digits);
        }

        while (scale > 0 && digits[count - 1] == (byte)'0')
        {
            count--;
            scale--;
        }

        return Place(digits[..count], scale, bits[3] < 0, destination);
    }

    /// <summary>The digits of a mantissa past 64 bits.</summary>
    /// <remarks>Apart, and not inlined: a method with <see cref="UInt128"/> arithmetic is left out of the ReadyToRun images
    /// (the type's layout is not version-resilient), and <see cref="Format(decimal, Span{byte})"/> was JIT-compiled, fully
    /// optimized, at every run's first row for this rare case.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int FormatWide(uint hi, ulong low64, Span<byte> digits)
    {
        new UInt128(hi, low64).TryFormat(digits, out var count, default, System.Globalization.CultureInfo.InvariantCulture);
        return count;
    }

    /// <summary>
    /// Writes mantissa × 10^-<paramref name="scale"/>, already rounded and trimmed (<see cref="DecimalBits.TryRoundTrim"/>:
    /// no trailing zero after the point, zero not negative).
    /// </summary>
    /// <remarks>The digits are formatted in place and the fraction moved one byte right for the point (no scratch buffer, one copy fewer: every price and quantity of a row comes here).</remarks>
    private static int Format(ulong mantissa, int scale, bool negative, Span<byte> destination)
    {
        var pos = 0;
        if (negative)
        {
            destination[pos++] = (byte)'-';
        }

        Utf8Formatter.TryFormat(mantissa, destination[pos..], out var count);
        if (scale == 0)
        {
            return pos + count;
        }

        if (count > scale)
        {
            var point = pos + count - scale;
            destination.Slice(point, scale).CopyTo(destination[(point + 1)..]);
            destination[point] = (byte)'.';
            return pos + count + 1;
        }

        // 0.00ddd: the digits move right past "0." and the zeros.
        var zeros = scale - count;
        destination.Slice(pos, count).CopyTo(destination[(pos + 2 + zeros)..]);
        destination[pos] = (byte)'0';
        destination[pos + 1] = (byte)'.';
        destination.Slice(pos + 2, zeros).Fill((byte)'0');
        return pos + 2 + scale;
    }

    /// <summary>Writes the sign and <paramref name="digits"/> with the point <paramref name="scale"/> digits from the right.</summary>
    private static int Place(ReadOnlySpan<byte> digits, int scale, bool negative, Span<byte> destination)
    {
        var pos = 0;
        var count = digits.Length;
        if (negative)
        {
            destination[pos++] = (byte)'-';
        }

        if (scale == 0)
        {
            digits.CopyTo(destination[pos..]);
            return pos + count;
        }

        if (count > scale)
        {
            var integer = count - scale;
            digits[..integer].CopyTo(destination[pos..]);
            pos += integer;
            destination[pos++] = (byte)'.';
            digits[integer..].CopyTo(destination[pos..]);
            return pos + scale;
        }

        destination[pos++] = (byte)'0';
        destination[pos++] = (byte)'.';
        var zeros = scale - count;
        destination.Slice(pos, zeros).Fill((byte)'0');
        pos += zeros;
        digits.CopyTo(destination[pos..]);
        return pos + count;
    }
}
