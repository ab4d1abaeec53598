namespace StrategyLab.Reporting;

/// <summary>
/// The artifact rounding of a decimal (half away from zero at 10 decimals, trailing zeros dropped) done in 64-bit
/// integer arithmetic when the decimal's mantissa fits 64 bits (every price, quantity and cash amount of a run), so
/// the common value needs no <c>decimal.Round</c>, 96-bit division or text.
/// </summary>
internal static class DecimalBits
{
    /// <summary>The most decimals an artifact number keeps.</summary>
    public const int MaxDecimals = 10;

    private static readonly ulong[] PowersOf10 =
    [
        1UL, 10UL, 100UL, 1_000UL, 10_000UL, 100_000UL, 1_000_000UL, 10_000_000UL, 100_000_000UL, 1_000_000_000UL,
        10_000_000_000UL, 100_000_000_000UL, 1_000_000_000_000UL, 10_000_000_000_000UL, 100_000_000_000_000UL,
        1_000_000_000_000_000UL, 10_000_000_000_000_000UL, 100_000_000_000_000_000UL, 1_000_000_000_000_000_000UL,
    ];

    /// <summary>
    /// <paramref name="value"/> rounded to <see cref="MaxDecimals"/> and trimmed, as an unsigned 64-bit mantissa, a
    /// scale and a sign (a value that rounds to zero is 0, scale 0, not negative); false when its mantissa needs more
    /// than 64 bits (the caller takes the general path).
    /// </summary>
    public static bool TryRoundTrim(decimal value, out ulong mantissa, out int scale, out bool negative)
    {
        int flags;
        uint hi;
        if (Charts.DecimalFast.LayoutKnown)
        {
            // The fields read in place: no copy into a scratch array per number.
            ref readonly var bits = ref Charts.DecimalFast.Bits(value);
            (flags, hi, mantissa) = (bits.Flags, bits.Hi, bits.Lo);
        }
        else
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            (flags, hi, mantissa) = (bits[3], (uint)bits[2], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        }

        scale = (flags >> 16) & 0xFF;
        negative = flags < 0;
        if (hi != 0)
        {
            return false;
        }

        if (scale > MaxDecimals)
        {
            // scale ≤ 28, so the divisor is at most 10^18; comparing r with divisor - r avoids doubling r.
            var divisor = PowersOf10[scale - MaxDecimals];
            var quotient = mantissa / divisor;
            var remainder = mantissa - (quotient * divisor);
            mantissa = remainder >= divisor - remainder ? quotient + 1 : quotient;
            scale = MaxDecimals;
        }

        if (mantissa == 0)
        {
            (scale, negative) = (0, false);
            return true;
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return true;
    }
}
