namespace StrategyLab.Reporting.Reading;

/// <summary>
/// A value exactly as an artifact file gives it back: what <c>decimal.Parse</c> returns for the text
/// <see cref="ArtifactFormat"/> writes. The report built from memory goes through here so that its page equals, byte for
/// byte, the page built from the files.
/// </summary>
internal static class ArtifactValue
{
    private const int Decimals = 10;

    /// <summary>
    /// <paramref name="value"/> rounded half away from zero to 10 decimals, trailing zeros dropped, zero without sign: the
    /// decimal (value and scale) that parsing its artifact text gives. No text is made.
    /// </summary>
    public static decimal Of(decimal value)
    {
        if (DecimalBits.TryRoundTrim(value, out var units, out var trimmedScale, out var isNegative))
        {
            // The common case, a mantissa of 64 bits: rounded and trimmed in integer arithmetic.
            return new decimal((int)(uint)units, (int)(uint)(units >> 32), 0, isNegative, (byte)trimmedScale);
        }

        if (value.Scale > Decimals)
        {
            value = decimal.Round(value, Decimals, MidpointRounding.AwayFromZero);
        }

        if (value == 0m)
        {
            return 0m; // the file says "0", never "-0" or "0.00"
        }

        int scale = value.Scale;
        if (scale == 0)
        {
            return value;
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        uint lo = (uint)bits[0], mid = (uint)bits[1], hi = (uint)bits[2];

        // The mantissa modulo 10 without a 96-bit division: 2^32 ≡ 2^64 ≡ 6 (mod 10).
        if ((((ulong)hi * 6) + ((ulong)mid * 6) + lo) % 10 != 0)
        {
            return value; // the common case: no trailing zero
        }

        return TrimWide(hi, mid, lo, scale, value < 0m);
    }

    /// <summary>The 96-bit mantissa <paramref name="hi"/>:<paramref name="mid"/>:<paramref name="lo"/> without its
    /// trailing zeros after the point.</summary>
    /// <remarks>Apart, and not inlined: a method with <see cref="UInt128"/> arithmetic is left out of the ReadyToRun images
    /// (the type's layout is not version-resilient), and <see cref="Of(decimal)"/>, called for every bar's prices, was
    /// JIT-compiled, fully optimized, at every run's start for this rare case.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static decimal TrimWide(uint hi, uint mid, uint lo, int scale, bool negative)
    {
        var mantissa = ((UInt128)hi << 64) | ((UInt128)mid << 32) | lo;
        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative, (byte)scale);
    }

    /// <summary><see cref="Of(decimal)"/> of a value that may be absent.</summary>
    public static decimal? Of(decimal? value) => value is { } v ? Of(v) : null;
}
