using StrategyLab.Core.Indicators;

namespace StrategyLab.Core.Accounting;

/// <summary>
/// <c>sum + quantity × (price − last)</c>, the portfolio's per-bar mark, computed on 64-bit integers when every operand
/// is small, with the very <see cref="decimal"/> result (value and scale) the three decimal operations give.
/// </summary>
/// <remarks>
/// Decimal subtraction and addition keep the larger scale and multiplication adds the scales, with no rounding while
/// the mantissa fits 96 bits and the scale 28; the fast path only runs when every intermediate fits 63 bits (so
/// neither rounds) and no operand of the addition nor its result is zero (decimal arithmetic gives zeros their own
/// scale and sign: <c>x + 0 × y</c> keeps the scale of <c>x</c>). Anything else goes through <see cref="decimal"/>.
/// </remarks>
internal static class ExactDecimal
{
    private const int MaxScale = 28;
    private const long Limit = long.MaxValue / 4; // operands below 2^61: sums and differences stay below 2^63

    private static readonly long[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000];

    /// <summary><c>sum + (quantity * (price - last))</c>, bit for bit as decimal arithmetic gives it.</summary>
    public static decimal AddProductOfDifference(decimal sum, decimal quantity, decimal price, decimal last)
    {
        if (ExactSma.DecimalParts.InPlace
            && TryParts(in sum, out var s, out var ss)
            && TryParts(in quantity, out var q, out var qs)
            && TryParts(in price, out var p, out var ps)
            && TryParts(in last, out var l, out var ls)
            && ps == ls)
        {
            var diff = p - l; // |p|, |l| < 2^61: exact
            var productScale = qs + ps;
            var high = Math.BigMul(q, diff, out var product);
            if (productScale <= MaxScale && high == (product >> 63) && product != 0 && s != 0 && Math.Abs(product) < Limit)
            {
                // Align the two scales as decimal addition does: the smaller one is multiplied up.
                var scale = Math.Max(ss, productScale);
                if (Rescale(ref s, scale - ss) && Rescale(ref product, scale - productScale))
                {
                    var result = s + product; // both below 2^61: exact
                    if (result != 0)
                    {
                        var negative = result < 0;
                        var magnitude = (ulong)(negative ? -result : result);
                        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, negative, (byte)scale);
                    }
                }
            }
        }

        return sum + (quantity * (price - last));
    }

    private static bool TryParts(ref readonly decimal value, out long mantissa, out int scale)
    {
        ref readonly var parts = ref ExactSma.DecimalParts.Of(in value);
        scale = (parts.Flags >> 16) & 0xFF;
        if (parts.High != 0 || parts.Low >= Limit)
        {
            mantissa = 0;
            return false;
        }

        mantissa = parts.Flags < 0 ? -(long)parts.Low : (long)parts.Low;
        return true;
    }

    private static bool Rescale(ref long value, int shift)
    {
        if (shift == 0)
        {
            return true;
        }

        if (shift >= PowersOfTen.Length)
        {
            return false;
        }

        var factor = PowersOfTen[shift];
        if (Math.Abs(value) >= Limit / factor)
        {
            return false;
        }

        value *= factor;
        return true;
    }
}
