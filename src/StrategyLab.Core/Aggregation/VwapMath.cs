namespace StrategyLab.Core.Aggregation;

/// <summary>
/// The arithmetic that lets VWAPs survive resampling: a bar's VWAP is the notional (Σ price × size) divided by its
/// volume, and a larger bar's VWAP is the sum of its inputs' notionals divided by the sum of their volumes.
/// </summary>
internal static class VwapMath
{
    private static readonly decimal[] PowersOfTen = BuildPowersOfTen();

    /// <summary>The VWAP of a notional and a volume; null when the volume is zero.</summary>
    public static decimal? Vwap(decimal notional, decimal volume) => volume == 0m ? null : notional / volume;

    /// <summary>
    /// Recovers the notional Σ price × size of a bar from its <paramref name="vwap"/> and <paramref name="volume"/>.
    /// </summary>
    /// <remarks>
    /// A VWAP computed as notional / volume is rounded to decimal's 28–29 significant digits, so vwap × volume carries
    /// noise in its last digits (300.05 / 3 × 3 = 300.05000000000000000000000001). The noise is below
    /// 0.5 × 10^-(scale(vwap) - digits(volume)), so rounding the product to k = scale(vwap) - digits(volume) - 1 decimals
    /// gives back the exact notional whenever the notional has at most k decimals (cents × whole shares, or crypto
    /// prices × 8-decimal sizes, at any realistic volume). The rounded value is used only if it divides back to the same
    /// VWAP; otherwise the product is used as is. Either way the result is within the VWAP's own precision, and with
    /// the exact notional the resampled VWAP equals the VWAP aggregated directly from the trades, digit for digit.
    /// </remarks>
    public static decimal Notional(decimal vwap, decimal volume)
    {
        if (volume == 0m)
        {
            return 0m;
        }

        var product = vwap * volume;
        var k = vwap.Scale - IntegerDigits(volume) - 1;
        if (k < 0)
        {
            k = 0;
        }

        if (k >= product.Scale)
        {
            return product;
        }

        var rounded = Math.Round(product, k, MidpointRounding.ToEven);
        return rounded / volume == vwap ? rounded : product;
    }

    // Digits of the integer part of a non-negative value: 0 below 1, 1 for [1, 10), 2 for [10, 100) ...
    private static int IntegerDigits(decimal value)
    {
        var digits = 0;
        while (digits < PowersOfTen.Length && value >= PowersOfTen[digits])
        {
            digits++;
        }

        return digits;
    }

    private static decimal[] BuildPowersOfTen()
    {
        var powers = new decimal[29];
        var p = 1m;
        for (var i = 0; i < powers.Length; i++)
        {
            powers[i] = p;
            if (i < powers.Length - 1)
            {
                p *= 10m;
            }
        }

        return powers;
    }
}
