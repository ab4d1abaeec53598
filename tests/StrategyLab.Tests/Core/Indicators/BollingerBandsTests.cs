using CsCheck;
using StrategyLab.Core.Indicators;
using static StrategyLab.Tests.Core.Indicators.NaiveIndicators;

namespace StrategyLab.Tests.Core.Indicators;

public class BollingerBandsTests
{
    [Fact]
    public void TextbookExample_PopulationAndSample()
    {
        // {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32,
        // population σ = √(32/8) = 2, sample σ = √(32/7).
        double[] xs = [2, 4, 4, 4, 5, 5, 7, 9];
        var population = new BollingerBands(8, 2.0);
        var sample = new BollingerBands(8, 2.0, StandardDeviationKind.Sample);
        foreach (var x in xs)
        {
            population.Update(x);
            sample.Update(x);
        }

        Assert.Equal(5.0, population.Middle, 1e-12);
        Assert.Equal(2.0, population.StandardDeviation, 1e-12);
        Assert.Equal(9.0, population.Upper, 1e-12);
        Assert.Equal(1.0, population.Lower, 1e-12);
        Assert.Equal(5.0, population.Value, 1e-12);
        Assert.Equal(Math.Sqrt(32.0 / 7), sample.StandardDeviation, 1e-12);
        Assert.Equal(5.0 + (2 * Math.Sqrt(32.0 / 7)), sample.Upper, 1e-12);

        // Slide by one: {4, 4, 4, 5, 5, 7, 9, 10}, mean 6, squared deviations 4+4+4+1+1+1+9+16 = 40.
        population.Update(10);
        Assert.Equal(6.0, population.Middle, 1e-12);
        Assert.Equal(Math.Sqrt(40.0 / 8), population.StandardDeviation, 1e-12);
    }

    [Fact]
    public void EqualsTheTwoPassFormula_OnRandomSeries()
    {
        Gen.Select(Gen.Int[2, 30], Gen.Double[0, 3], Gen.Bool, Gen.Double[-1000, 1000].Array[0, 300]).Sample((n, k, sample, xs) =>
        {
            var bb = new BollingerBands(n, k, sample ? StandardDeviationKind.Sample : StandardDeviationKind.Population);
            for (var t = 0; t < xs.Length; t++)
            {
                bb.Update(xs[t]);
                Assert.Equal(t >= n - 1, bb.IsReady);
                if (t < n - 1)
                {
                    Assert.True(double.IsNaN(bb.Upper));
                    continue;
                }

                // Rounding error scales with the magnitude of the inputs still influencing the state: the window and
                // the one before it (older values were wiped by the last exact recomputation).
                var scale = 1.0;
                for (var i = Math.Max(0, t - (2 * n) + 1); i <= t; i++)
                {
                    scale = Math.Max(scale, Math.Abs(xs[i]));
                }

                var mean = Sma(xs, t, n);
                var sd = StdDev(xs, t, n, sample);
                Assert.Equal(mean, bb.Middle, 1e-12 * scale);
                Assert.Equal(sd, bb.StandardDeviation, 1e-9 * scale);
                Assert.Equal(mean + (k * sd), bb.Upper, 1e-9 * scale * (1 + k));
                Assert.Equal(mean - (k * sd), bb.Lower, 1e-9 * scale * (1 + k));
            }
        });
    }

    [Fact]
    public void KeepsItsDigits_ForATightBandAroundALargePrice()
    {
        // Prices near 1e8 moving by less than 1: Σx² ≈ 2e17 has a rounding step of 32, so the textbook
        // "Σx²/n − mean²" would lose the whole variance (≈ 1/12). Welford updates plus periodic recomputation keep it.
        const int n = 20;
        var rng = new Random(11);
        var xs = new double[50_000];
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = 1e8 + rng.NextDouble();
        }

        var bb = new BollingerBands(n);
        for (var t = 0; t < xs.Length; t++)
        {
            bb.Update(xs[t]);
            if (t >= n - 1 && t % 97 == 0)
            {
                AssertClose(StdDev(xs, t, n, sample: false), bb.StandardDeviation, 1e-6, $"at t = {t}");
            }
        }
    }

    [Fact]
    public void AFlatWindowAfterAVolatileOne_HasZeroWidth_BeforeTheRingWraps()
    {
        // Period 10: five 0.1s, then ±1000, then 0.1s. After update 17 the window is ten 0.1s again, mid-ring (the
        // routine recomputation happens at updates 10 and 20). Sliding updates alone would leave an M2 residue of
        // order ε·1e6, i.e. σ ≈ 1e-6; the collapse check recomputes and gets (almost exactly) zero.
        var bb = new BollingerBands(10);
        double[] xs = [0.1, 0.1, 0.1, 0.1, 0.1, 1000, -1000, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1];
        foreach (var x in xs)
        {
            bb.Update(x);
        }

        Assert.InRange(bb.StandardDeviation, 0, 1e-12);
        Assert.Equal(0.1, bb.Middle, 1e-15);
    }

    [Fact]
    public void ConstantSeries_HasZeroWidth()
    {
        var bb = new BollingerBands(5);
        for (var i = 0; i < 23; i++)
        {
            bb.Update(0.1);
        }

        Assert.Equal(0.0, bb.StandardDeviation);
        Assert.Equal(bb.Middle, bb.Upper);
    }

    [Fact]
    public void Reset_StartsOver()
    {
        var bb = new BollingerBands(2);
        bb.Update(100);
        bb.Update(-50);
        bb.Update(7);
        bb.Reset();
        Assert.False(bb.IsReady);
        bb.Update(1);
        bb.Update(3);
        Assert.Equal(2.0, bb.Middle);
        Assert.Equal(1.0, bb.StandardDeviation);
    }

    [Fact]
    public void InvalidArguments_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20).Update(double.NaN));
    }
}
