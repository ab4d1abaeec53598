using StrategyLab.Core.Indicators;

namespace StrategyLab.Core.Execution;

/// <summary>
/// A <see cref="decimal"/> kept in 8 bytes instead of 16 when its mantissa fits 56 bits (every price, share count and
/// fee seen in practice: 18 digits with any scale), bit for bit: the same mantissa, scale and sign come back, so
/// <c>1.50</c> stays <c>1.50</c> and a negative zero stays negative. A value that does not fit packs to
/// <see cref="Wide"/>, and its owner keeps the decimal itself elsewhere.
/// </summary>
/// <remarks>Layout: bits 0–55 the mantissa, 56–60 the scale (0–28), 61 the sign; <see cref="Wide"/> has bit 63 set.</remarks>
internal static class PackedDecimal
{
    /// <summary>The packed form of a value that does not fit: the owner stores the decimal itself.</summary>
    public const long Wide = long.MinValue;

    private const int ScaleShift = 56;
    private const int SignShift = 61;
    private const ulong MantissaLimit = 1UL << ScaleShift;
    private const long MantissaMask = (1L << ScaleShift) - 1;

    /// <summary>Packs <paramref name="value"/>; <see cref="Wide"/> when its mantissa needs more than 56 bits.</summary>
    public static long Pack(decimal value)
    {
        int flags;
        ulong mantissa;
        if (ExactSma.DecimalParts.InPlace)
        {
            ref readonly var parts = ref ExactSma.DecimalParts.Of(in value);
            if (parts.High != 0 || parts.Low >= MantissaLimit)
            {
                return Wide;
            }

            flags = parts.Flags;
            mantissa = parts.Low;
        }
        else
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
            if (bits[2] != 0 || mantissa >= MantissaLimit)
            {
                return Wide;
            }

            flags = bits[3];
        }

        var scale = (flags >> 16) & 0xFF;
        return (long)mantissa | ((long)scale << ScaleShift) | (flags < 0 ? 1L << SignShift : 0);
    }

    /// <summary>The decimal <paramref name="packed"/> holds (not <see cref="Wide"/>).</summary>
    public static decimal Unpack(long packed)
    {
        var mantissa = packed & MantissaMask;
        return new decimal(
            (int)(uint)mantissa,
            (int)(uint)(mantissa >> 32),
            0,
            ((packed >> SignShift) & 1) != 0,
            (byte)((packed >> ScaleShift) & 0x1F));
    }
}
