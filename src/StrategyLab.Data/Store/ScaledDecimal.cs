using System.Globalization;

namespace StrategyLab.Data.Store;

/// <summary>Exact conversions between <see cref="decimal"/> and an INT64 count of 10^-scale units (Parquet DECIMAL(18, scale)).</summary>
internal static class ScaledDecimal
{
    /// <summary>The largest unscaled value a DECIMAL(18, s) holds.</summary>
    public const long MaxUnscaled = 999_999_999_999_999_999L;

    /// <summary>The largest scale the store writes (decimal holds 28; DECIMAL(18) leaves room for 18 digits).</summary>
    public const int MaxScale = 18;

    private static readonly decimal[] Powers = Enumerable.Range(0, MaxScale + 1).Select(Pow10).ToArray();

    /// <summary>The fewest decimal places that hold <paramref name="value"/> exactly (2.50 → 1, 100 → 0).</summary>
    public static int MinScale(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        if (scale == 0)
        {
            return 0;
        }

        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        if (mantissa == 0)
        {
            return 0;
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return scale;
    }

    /// <summary>The unscaled INT64 of <paramref name="value"/> at <paramref name="scale"/>; false when it needs more than 18 digits.</summary>
    public static bool TryToUnscaled(decimal value, int scale, out long unscaled)
    {
        unscaled = 0;
        decimal scaled;
        try
        {
            scaled = value * Powers[scale];
        }
        catch (OverflowException)
        {
            return false;
        }

        if (scaled > MaxUnscaled || scaled < -MaxUnscaled || decimal.Truncate(scaled) != scaled)
        {
            return false;
        }

        unscaled = (long)scaled;
        return true;
    }

    /// <summary>The decimal worth <paramref name="unscaled"/> × 10^-<paramref name="scale"/>, exactly.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static decimal FromUnscaled(long unscaled, byte scale)
    {
        var negative = unscaled < 0;
        var magnitude = negative ? (ulong)(-unscaled) : (ulong)unscaled;
        return new decimal((int)magnitude, (int)(magnitude >> 32), 0, negative, scale);
    }

    /// <summary>Formats for error messages.</summary>
    public static string Show(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static decimal Pow10(int n)
    {
        var p = 1m;
        for (var i = 0; i < n; i++)
        {
            p *= 10m;
        }

        return p;
    }
}
