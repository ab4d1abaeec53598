using System.Runtime.CompilerServices;
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

    private const int ScaleMask = 0x00FF0000;
    private const ulong SmallLimit = 1UL << 31;

    /// <summary><c>sum + (quantity * (price - last))</c>, bit for bit as decimal arithmetic gives it.</summary>
    /// <remarks>
    /// The engine marks every open position on every bar through here. The usual mark (whole shares, a price and the
    /// last price of one sign and scale, the sum at that scale, every mantissa small) is inlined into the caller: the
    /// result keeps that scale, as the general path below computes it; anything else takes the call.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal AddProductOfDifference(in decimal sum, in decimal quantity, in decimal price, in decimal last)
    {
        if (ExactSma.DecimalParts.InPlace)
        {
            ref readonly var s = ref ExactSma.DecimalParts.Of(in sum);
            ref readonly var q = ref ExactSma.DecimalParts.Of(in quantity);
            ref readonly var p = ref ExactSma.DecimalParts.Of(in price);
            ref readonly var l = ref ExactSma.DecimalParts.Of(in last);
            if ((q.Flags & ScaleMask) == 0
                && p.Flags == l.Flags
                && ((s.Flags ^ p.Flags) & ScaleMask) == 0
                && (s.High | q.High | p.High | l.High) == 0
                && (q.Low | p.Low | l.Low) < SmallLimit
                && s.Low < (ulong)Limit)
            {
                // |q|, |p − l| < 2^31: the product is below 2^62, the sum below 2^63; no rescaling (same scale).
                var diff = (long)p.Low - (long)l.Low;
                var product = (q.Flags < 0 ? -(long)q.Low : (long)q.Low) * (p.Flags < 0 ? -diff : diff);
                var result = (s.Flags < 0 ? -(long)s.Low : (long)s.Low) + product;
                if (product != 0 && s.Low != 0 && result != 0)
                {
                    return OfMantissa(result, (p.Flags >> 16) & 0xFF);
                }
            }
        }

        return AddProductOfDifferenceGeneral(sum, quantity, price, last);
    }

    /// <summary>
    /// <c>a + b</c>, bit for bit as decimal addition gives it. Inlined for two values of one scale whose mantissas are
    /// below 2^62 and whose sum is not zero (decimal addition keeps that scale and a non-zero value at a given scale has
    /// one representation), and for a non-zero <paramref name="a"/> plus <c>0m</c> itself (a zero commission: the
    /// result is <paramref name="a"/>, whose scale is never below 0m's); anything else is <see cref="AddGeneral"/> (two scales aligned as integers, else the operator).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal Add(in decimal a, in decimal b)
    {
        if (ExactSma.DecimalParts.InPlace)
        {
            ref readonly var x = ref ExactSma.DecimalParts.Of(in a);
            ref readonly var y = ref ExactSma.DecimalParts.Of(in b);
            if ((x.High | y.High) == 0)
            {
                if (((x.Flags ^ y.Flags) & ScaleMask) == 0 && (x.Low | y.Low) < (1UL << 62))
                {
                    var sum = (x.Flags < 0 ? -(long)x.Low : (long)x.Low) + (y.Flags < 0 ? -(long)y.Low : (long)y.Low);
                    if (sum != 0)
                    {
                        return OfMantissa(sum, (x.Flags >> 16) & 0xFF);
                    }
                }
                else if ((y.Low | (uint)y.Flags) == 0 && x.Low != 0)
                {
                    return a;
                }
            }
        }

        return AddGeneral(a, b);
    }

    /// <summary>
    /// <c>a + b</c> when the inlined cases do not apply: two scales (cash in cents plus a positions value of fewer
    /// decimals, every cycle's equity) add as integers at the larger scale, which is exactly what decimal addition
    /// gives for operands this small; zero results and large mantissas are the operator's.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static decimal AddGeneral(decimal a, decimal b)
    {
        if (ExactSma.DecimalParts.InPlace
            && TryParts(in a, out var x, out var xs)
            && TryParts(in b, out var y, out var ys))
        {
            var scale = Math.Max(xs, ys);
            if (Rescale(ref x, scale - xs) && Rescale(ref y, scale - ys))
            {
                var sum = x + y; // both below 2^61: exact
                if (sum != 0)
                {
                    return OfMantissa(sum, scale);
                }
            }
        }

        return a + b;
    }

    /// <summary><c>a − b</c>, bit for bit as decimal subtraction gives it (<see cref="Add"/> of the negation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal Subtract(in decimal a, in decimal b) => Add(a, -b);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static decimal AddProductOfDifferenceGeneral(decimal sum, decimal quantity, decimal price, decimal last)
    {
        if (ExactSma.DecimalParts.InPlace
            && TryParts(in sum, out var s, out var ss)
            && TryParts(in quantity, out var q, out var qs)
            && TryParts(in price, out var p, out var ps)
            && TryParts(in last, out var l, out var ls))
        {
            // Prices of two scales (a close of 42000.1 after one of 42001.68): p − l in decimal has the larger scale,
            // exactly, so the smaller-scale one is multiplied up first (both stay below 2^61, so does the check).
            var priceScale = Math.Max(ps, ls);
            if (!Rescale(ref p, priceScale - ps) || !Rescale(ref l, priceScale - ls))
            {
                return sum + (quantity * (price - last));
            }

            var diff = p - l; // |p|, |l| < 2^61: exact
            var productScale = qs + priceScale;
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
                        return OfMantissa(result, scale);
                    }
                }
            }
        }

        return sum + (quantity * (price - last));
    }

    /// <summary>
    /// The decimal of a non-zero mantissa <paramref name="value"/> (|value| &lt; 2^63) at <paramref name="scale"/>: what
    /// decimal arithmetic gives for a result that needs no rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static decimal OfMantissa(long value, int scale)
    {
        var negative = value < 0;
        var magnitude = (ulong)(negative ? -value : value);
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, negative, (byte)scale);
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
