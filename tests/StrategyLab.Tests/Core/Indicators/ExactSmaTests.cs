using System.Numerics;
using CsCheck;
using StrategyLab.Core.Indicators;

namespace StrategyLab.Tests.Core.Indicators;

public class ExactSmaTests
{
    /// <summary>The sign of mean(a) − mean(b) as rationals, from the raw windows (BigInteger, no decimal arithmetic).</summary>
    private static int ReferenceSign(decimal[] a, decimal[] b)
    {
        // Every value is m / 10^28 for an integer m; compare Σa·|b| with Σb·|a|.
        static BigInteger Scaled(decimal x)
        {
            var bits = decimal.GetBits(x);
            var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
            var scale = (bits[3] >> 16) & 0xFF;
            var value = mantissa * BigInteger.Pow(10, 28 - scale);
            return bits[3] < 0 ? -value : value;
        }

        var sumA = a.Aggregate(BigInteger.Zero, (s, x) => s + Scaled(x));
        var sumB = b.Aggregate(BigInteger.Zero, (s, x) => s + Scaled(x));
        return (sumA * b.Length).CompareTo(sumB * a.Length);
    }

    [Fact]
    public void EqualMeans_CompareEqual_WhereDoublesDisagree()
    {
        // (14.08 + 14.10) / 2 = 14.09 = (14.09 + 14.08 + 14.10) / 3; the double SMA gives 14.09 and 14.089999999999998.
        var fast = new ExactSma(2);
        var slow = new ExactSma(3);
        var fastDouble = new Sma(2);
        var slowDouble = new Sma(3);
        foreach (var x in new[] { 14.10m, 14.09m, 14.08m, 14.10m })
        {
            fast.Update(x);
            slow.Update(x);
            fastDouble.Update((double)x);
            slowDouble.Update((double)x);
        }

        Assert.Equal(0, fast.CompareMeanTo(slow));
        Assert.Equal(0, slow.CompareMeanTo(fast));
        Assert.Equal(28.18m, fast.Sum);
        Assert.Equal(42.27m, slow.Sum);
        Assert.NotEqual(fastDouble.Value, slowDouble.Value); // what the exact sums are for
        Assert.Equal(14.09, fast.Value, 1e-12);
    }

    [Fact]
    public void SumAndComparison_AreExact_OnRandomSeriesOfMixedScales()
    {
        // Prices with 0 to 8 decimals mixed in one series (cents, sub-dollar, crypto), long enough for the window to wrap.
        var price = Gen.Select(Gen.Long[-10_000_000_000, 10_000_000_000], Gen.Int[0, 8]).Select((m, s) => new decimal(m) / (decimal)Math.Pow(10, s));
        Gen.Select(Gen.Int[1, 12], Gen.Int[1, 12], price.Array[1, 80]).Sample((n1, n2, xs) =>
        {
            var a = new ExactSma(n1);
            var b = new ExactSma(n2);
            for (var t = 0; t < xs.Length; t++)
            {
                a.Update(xs[t]);
                b.Update(xs[t]);
                var windowA = xs[Math.Max(0, t - n1 + 1)..(t + 1)];
                var windowB = xs[Math.Max(0, t - n2 + 1)..(t + 1)];
                Assert.Equal(windowA.Sum(), a.Sum);
                Assert.Equal(t + 1 >= n1, a.IsReady);
                if (a.IsReady && b.IsReady)
                {
                    Assert.Equal(ReferenceSign(windowA, windowB), a.CompareMeanTo(b));
                }
            }
        });
    }

    [Fact]
    public void SumAndValue_MatchTheDecimalReference_OnSubDollarSeries_ThroughRescalesAndReset()
    {
        // Sub-dollar prices of 2 to 8 decimals: most updates take the inlined path (the window's own scale), a price with
        // more decimals rescales, one with fewer is scaled up; Value divides by the power of ten kept since the last
        // rescale, which must be Math.Pow(10, scale)'s, also after Reset (back to scale 0) and a second pass.
        var price = Gen.Select(Gen.Int[0, 99_999_999], Gen.Int[2, 8], Gen.Int[0, 9])
            .Select((m, s, sticky) => sticky < 8 ? new decimal(m % 10_000, 0, 0, false, 4) : new decimal(m, 0, 0, false, (byte)s));
        Gen.Select(Gen.Int[1, 40], price.Array[1, 200]).Sample((period, xs) =>
        {
            var sma = new ExactSma(period);
            for (var pass = 0; pass < 2; pass++)
            {
                for (var t = 0; t < xs.Length; t++)
                {
                    sma.Update(xs[t]);
                    var window = xs[Math.Max(0, t - period + 1)..(t + 1)];
                    var sum = window.Aggregate(0m, (a, b) => a + b);
                    Assert.Equal(sum, sma.Sum);
                    Assert.Equal(xs[..(t + 1)].Max(x => x.Scale), sma.Scale); // the most decimals seen since the start or Reset
                    if (!sma.IsReady)
                    {
                        Assert.True(double.IsNaN(sma.Value));
                        continue;
                    }

                    var scaled = (Int128)(sma.Sum * (decimal)Math.Pow(10, sma.Scale));
                    var expected = (double)scaled / period / Math.Pow(10, sma.Scale);
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(sma.Value));
                }

                sma.Reset();
                Assert.Equal(0, sma.Scale);
            }
        });
    }

    [Fact]
    public void Value_AfterReset_UsesTheNewScale()
    {
        // Value divides by a power of ten kept since the last rescale: Reset must return it to 10^0 with the scale, or
        // whole numbers after sub-cent ones would read 10^4 times too small.
        var sma = new ExactSma(3);
        foreach (var x in new[] { 0.0001m, 0.0002m, 0.0003m })
        {
            sma.Update(x);
        }

        Assert.Equal(0.0002, sma.Value, 1e-15);
        sma.Reset();
        foreach (var x in new[] { 1m, 2m, 3m })
        {
            sma.Update(x);
        }

        Assert.Equal((0, 2.0), (sma.Scale, sma.Value));
    }

    [Fact]
    public void ValuesTooLargeForScaledIntegers_SwitchToDecimal_AndStayExact()
    {
        // 92,233,720,368.54775808 needs 2^63 at 8 decimals: it cannot be a scaled long.
        var sma = new ExactSma(2);
        sma.Update(0.00000001m);
        Assert.Equal(8, sma.Scale);
        sma.Update(92_233_720_368.54775808m);
        sma.Update(1.5m);
        Assert.Equal(92_233_720_370.04775808m, sma.Sum);
        sma.Update(0.25m);
        Assert.Equal(1.75m, sma.Sum);

        var other = new ExactSma(4);
        foreach (var x in new[] { 0.875m, 0.875m, 0.875m, 0.875m })
        {
            other.Update(x);
        }

        Assert.Equal(0, sma.CompareMeanTo(other)); // 1.75 / 2 = 3.5 / 4, across the two representations
        Assert.Equal(0.875, sma.Value);
    }

    [Fact]
    public void AValueWithMoreDecimals_RescalesTheWindow()
    {
        var sma = new ExactSma(3);
        sma.Update(14m);
        sma.Update(14.1m);
        Assert.Equal(1, sma.Scale);
        sma.Update(0.0001m);
        Assert.Equal(4, sma.Scale);
        Assert.Equal(28.1001m, sma.Sum);
        sma.Update(2m); // 14 leaves
        Assert.Equal(16.1001m, sma.Sum);
    }

    [Fact]
    public void Comparing_BeforeBothAreReady_Throws_AndResetStartsOver()
    {
        var a = new ExactSma(2);
        var b = new ExactSma(1);
        a.Update(1m);
        b.Update(1m);
        Assert.Throws<InvalidOperationException>(() => a.CompareMeanTo(b));
        a.Update(3m);
        Assert.Equal(1, a.CompareMeanTo(b));
        a.Reset();
        Assert.Equal((0L, false, 0m), (a.Count, a.IsReady, a.Sum));
        Assert.True(double.IsNaN(a.Value));
    }

    [Fact]
    public void DecimalsAreReadInPlace_OnThisRuntime()
    {
        // The in-place read is checked against decimal.GetBits at start-up; on this runtime it must be the one used.
        Assert.True(ExactSma.DecimalParts.InPlace);
    }

    [Fact]
    public void SumsStayExact_ForValuesAtTheEdgesOfTheInPlaceRead()
    {
        // Negative values, zero with a scale, mantissas near 2^63 and past it (decimal mode), a rescale to 9 decimals.
        decimal[] values =
        [
            -0.00m, 1.5m, -2.25m, 123456789.123456789m, 9_223_372_036_854_775_807m, -9_223_372_036_854_775_807m,
            9_223_372_036_854_775_808m, 0.0001m, -42m,
        ];
        for (var period = 1; period <= 4; period++)
        {
            var sma = new ExactSma(period);
            var window = new Queue<decimal>();
            foreach (var x in values)
            {
                sma.Update(x);
                window.Enqueue(x);
                if (window.Count > period)
                {
                    window.Dequeue();
                }

                Assert.Equal(window.Aggregate(0m, (a, b) => a + b), sma.Sum);
            }
        }
    }

    [Fact]
    public void Comparison_IsExact_WhenSumsLeaveSixtyFourBits()
    {
        // Two windows of huge equal values: the comparison leaves the 64-bit fast path for the 128-bit products.
        var a = new ExactSma(2);
        var b = new ExactSma(3);
        foreach (var x in new[] { 4_000_000_000_000_000_000m, 4_000_000_000_000_000_000m, 4_000_000_000_000_000_000m })
        {
            a.Update(x);
            b.Update(x);
        }

        Assert.Equal(0, a.CompareMeanTo(b));
        a.Update(4_000_000_000_000_000_001m);
        Assert.Equal(1, a.CompareMeanTo(b));
        Assert.Equal(-1, b.CompareMeanTo(a));
        Assert.Equal(ReferenceSign([4_000_000_000_000_000_000m, 4_000_000_000_000_000_001m], [4_000_000_000_000_000_000m, 4_000_000_000_000_000_000m, 4_000_000_000_000_000_000m]), a.CompareMeanTo(b));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(18)]
    public void Value_HasTheBitsOfTheScaledSumOverPeriodOverTenToTheScale(int decimals)
    {
        // Value divides by 10^scale from a table; the bits must be those of Math.Pow(10, scale), the formula it replaced.
        var sma = new ExactSma(3);
        var rng = new Random(decimals);
        for (var i = 0; i < 50; i++)
        {
            sma.Update(new decimal(rng.Next(1, 1_000_000), 0, 0, false, (byte)decimals));
            if (sma.IsReady)
            {
                Assert.Equal(decimals, sma.Scale);
                var scaled = decimal.ToInt64(sma.Sum * (decimal)Math.Pow(10, decimals)); // the window's integer sum, exactly
                var expected = (double)scaled / sma.Period / Math.Pow(10, sma.Scale);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(sma.Value));
            }
        }
    }

    [Fact]
    public void Value_HasTheBitsOfTheInt128Formula_ForSumsOfAnySizeAndSign()
    {
        // The inlined path converts sums in [0, 2^63) from a long; larger and negative sums take the Int128 conversion.
        // Either way the bits must be those of (double)(Int128)sum / period / 10^scale, with sums past 2^53 (where the
        // conversion rounds) and past 2^63 included.
        // Two kinds of windows that both stay in scaled integers: large whole numbers, and small ones of mixed scales.
        static decimal Make(long m, int s) => new((int)(uint)(ulong)Math.Abs(m), (int)(uint)((ulong)Math.Abs(m) >> 32), 0, m < 0, (byte)s);
        var large = Gen.OneOf(Gen.Long[1L << 50, 1L << 62], Gen.Long[-(1L << 62), 1L << 62]).Select(m => Make(m, 0));
        var small = Gen.Select(Gen.Long[-1_000_000_000, 1_000_000_000], Gen.Int[0, 6]).Select(Make);
        Gen.Select(Gen.Int[1, 5], Gen.OneOf(large.Array[1, 12], small.Array[1, 12])).Sample((period, values) =>
        {
            var sma = new ExactSma(period);
            foreach (var v in values)
            {
                sma.Update(v);
                if (!sma.IsReady)
                {
                    Assert.True(double.IsNaN(sma.Value));
                    continue;
                }

                var scaled = (Int128)(sma.Sum * (decimal)Math.Pow(10, sma.Scale)); // the window's integer sum, exactly
                var expected = (double)scaled / sma.Period / Math.Pow(10, sma.Scale);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(sma.Value));
            }
        }, iter: 20_000);
    }

    [Fact]
    public void SumAndComparison_StayExact_WhenTheWindowSumCrossesSixtyFourBitsBothWays()
    {
        // The sum is kept as two 64-bit halves, carried and borrowed by hand: windows of values up to ±2^62 take it past
        // ±2^63 and back, and across zero, every few updates. Sum and CompareMeanTo must match the windows' exact sums.
        static decimal Make(long m) => new((int)(uint)(ulong)Math.Abs(m), (int)(uint)((ulong)Math.Abs(m) >> 32), 0, m < 0, 0);
        var values = Gen.OneOf(Gen.Long[-(1L << 62), 1L << 62], Gen.Long[-3, 3]).Select(Make).Array[1, 40];
        Gen.Select(Gen.Int[1, 6], Gen.Int[1, 6], values).Sample((periodA, periodB, series) =>
        {
            var a = new ExactSma(periodA);
            var b = new ExactSma(periodB);
            for (var i = 0; i < series.Length; i++)
            {
                a.Update(series[i]);
                b.Update(series[^(i + 1)]);
                var windowA = series[Math.Max(0, i + 1 - periodA)..(i + 1)];
                var windowB = series[^(i + 1)..][..Math.Min(periodB, i + 1)];
                Assert.Equal(windowA.Sum(), a.Sum);
                Assert.Equal(windowB.Sum(), b.Sum);
                Assert.Equal(0, a.Scale);
                if (a.IsReady && b.IsReady)
                {
                    Assert.Equal(ReferenceSign(windowA, windowB), a.CompareMeanTo(b));
                    Assert.Equal(ReferenceSign(windowB, windowA), b.CompareMeanTo(a));
                }
            }
        }, iter: 20_000);
    }
}
