namespace StrategyLab.Reporting;

/// <summary>
/// A decimal as a count of 10⁻¹⁰ units in a <see cref="long"/>: the artifact rounding (half away from zero at 10
/// decimals, <see cref="DecimalBits"/>) with a fixed scale, so that values compare as integers. The rounding is
/// monotone (a ≤ b ⇒ round(a) ≤ round(b)), so the minimum, maximum or last of rounded values is the rounded minimum,
/// maximum or last, and a recorder can compare units per mark and make the decimal only for what it keeps.
/// </summary>
internal static class ArtifactUnits
{
    private const int Scale = DecimalBits.MaxDecimals;

    private static readonly ulong[] PowersOf10 =
    [
        1UL, 10UL, 100UL, 1_000UL, 10_000UL, 100_000UL, 1_000_000UL, 10_000_000UL, 100_000_000UL, 1_000_000_000UL,
        10_000_000_000UL, 100_000_000_000UL, 1_000_000_000_000UL, 10_000_000_000_000UL, 100_000_000_000_000UL,
        1_000_000_000_000_000UL, 10_000_000_000_000_000UL, 100_000_000_000_000_000UL, 1_000_000_000_000_000_000UL,
    ];

    /// <summary>
    /// <paramref name="value"/> as units: rounded as the artifact files round when <paramref name="round"/>, else only
    /// when exact (at most 10 decimals). False when the mantissa needs more than 64 bits or the units overflow a long
    /// (|value| ≥ about 9.2 × 10⁸), or when a value that is not exact is not to be rounded.
    /// </summary>
    public static bool TryFrom(in decimal value, bool round, out long units)
    {
        int flags;
        ulong mantissa;
        units = 0;
        if (Charts.DecimalFast.LayoutKnown)
        {
            // Read in place: no copy of the bits per mark.
            ref readonly var fields = ref Charts.DecimalFast.Bits(value);
            if (fields.Hi != 0)
            {
                return false;
            }

            (flags, mantissa) = (fields.Flags, fields.Lo);
        }
        else
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            if (bits[2] != 0)
            {
                return false;
            }

            (flags, mantissa) = (bits[3], ((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        }

        var scale = (flags >> 16) & 0xFF;
        if (scale > Scale)
        {
            if (!round)
            {
                return false;
            }

            // As DecimalBits.TryRoundTrim: half away from zero on the magnitude.
            var divisor = PowersOf10[scale - Scale];
            var quotient = mantissa / divisor;
            var remainder = mantissa - (quotient * divisor);
            mantissa = remainder >= divisor - remainder ? quotient + 1 : quotient;
        }
        else if (scale < Scale)
        {
            var factor = PowersOf10[Scale - scale];
            if (mantissa > (ulong)long.MaxValue / factor)
            {
                return false;
            }

            mantissa *= factor;
        }

        if (mantissa > long.MaxValue)
        {
            return false;
        }

        units = flags < 0 ? -(long)mantissa : (long)mantissa;
        return true;
    }

    /// <summary>
    /// The decimal of <paramref name="units"/> as an artifact value (<see cref="Reading.ArtifactValue.Of(decimal)"/>):
    /// trailing zeros dropped, zero without sign or scale.
    /// </summary>
    public static decimal ToDecimal(long units)
    {
        if (units == 0)
        {
            return 0m;
        }

        var negative = units < 0;
        var magnitude = negative ? (ulong)-units : (ulong)units;
        var scale = Scale;
        while (scale > 0 && magnitude % 10 == 0)
        {
            magnitude /= 10;
            scale--;
        }

        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, negative, (byte)scale);
    }
}
