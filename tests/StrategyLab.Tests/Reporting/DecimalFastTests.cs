using CsCheck;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Tests.Reporting;

public class DecimalFastTests
{
    /// <summary>Decimals of every shape: 64- and 96-bit mantissas, zeros of any scale, both signs, scales 0…28.</summary>
    private static readonly Gen<decimal> AnyDecimal =
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Int[0, 28], Gen.Int[0, 9], Gen.Int[0, 4]).Select((m, scale, sign, shape) =>
        {
            var low = shape switch { 0 => 0L, 1 => m % 1_000, 2 => m % 10_000_000, _ => m };
            var high = shape == 4 ? (int)(m % 7) : 0;
            return new decimal((int)(uint)(ulong)low, (int)(uint)((ulong)low >> 32), high, sign == 0, (byte)scale);
        });

    [Fact]
    public void Less_IsTheOperator()
    {
        Gen.Select(AnyDecimal, AnyDecimal).Sample((a, b) => Assert.Equal(a < b, DecimalFast.Less(a, b)));
    }

    [Fact]
    public void Add_IsTheOperator_MantissaAndScale()
    {
        Gen.Select(AnyDecimal, AnyDecimal).Sample((a, b) => Assert.Equal(decimal.GetBits(a + b), decimal.GetBits(DecimalFast.Add(a, b))));
    }

    [Fact]
    public void BarPrices_TakeTheFastPath_AndAgree()
    {
        // Prices and volumes as a CSV gives them (trailing zeros trimmed, so scales differ from bar to bar).
        decimal[] values = [42000m, 42002.1m, 41999.63m, 261.3821m, 0m, 0.000m, 1.50m, 18_446_744_073.709551615m];
        foreach (var a in values)
        {
            foreach (var b in values)
            {
                Assert.Equal(a < b, DecimalFast.Less(a, b));
                Assert.Equal(decimal.GetBits(a + b), decimal.GetBits(DecimalFast.Add(a, b)));
            }
        }
    }

    [Fact]
    public void LessInline_AndAddTo_AreTheOperators()
    {
        // Any shapes, pairs of one scale (the inlined path) up to sums past 64 bits, and ties.
        var sameScale = Gen.Select(Gen.ULong, Gen.ULong, Gen.Int[0, 28]).Select((a, b, s) =>
            (new decimal((int)(uint)a, (int)(uint)(a >> 32), 0, false, (byte)s), new decimal((int)(uint)b, (int)(uint)(b >> 32), 0, false, (byte)s)));
        Gen.OneOf(Gen.Select(AnyDecimal, AnyDecimal), sameScale, sameScale.Select(p => (p.Item1, p.Item1))).Sample(pair =>
        {
            var (a, b) = pair;
            Assert.Equal(a < b, DecimalFast.LessInline(a, b));
            var sum = a;
            DecimalFast.AddTo(ref sum, b);
            Assert.Equal(decimal.GetBits(a + b), decimal.GetBits(sum));
        });
    }
}
