using CsCheck;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Indicators;
using static StrategyLab.Tests.Core.Indicators.NaiveIndicators;

namespace StrategyLab.Tests.Core.Indicators;

public class MovingAverageTests
{
    // The StockCharts "moving averages" worked example: 30 daily closes, 10-day SMA and EMA. Their table
    // shows two decimals (and rounds along the way), hence the ±0.006 tolerance.
    private static readonly double[] StockChartsCloses =
    [
        22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29,
        22.15, 22.39, 22.38, 22.61, 23.36, 24.05, 23.75, 23.83, 23.95, 23.63,
        23.82, 23.87, 23.65, 23.19, 23.10, 23.33, 22.68, 23.10, 22.40, 22.17,
    ];

    [Fact]
    public void Sma_MatchesThePublishedTenDayExample()
    {
        double[] published = [22.22, 22.21, 22.23, 22.26, 22.30, 22.42, 22.61, 22.77, 22.91];
        var sma = new Sma(10);
        for (var i = 0; i < 9; i++)
        {
            sma.Update(StockChartsCloses[i]);
            Assert.False(sma.IsReady);
            Assert.True(double.IsNaN(sma.Value));
        }

        for (var i = 0; i < published.Length; i++)
        {
            sma.Update(StockChartsCloses[9 + i]);
            Assert.True(sma.IsReady);
            Assert.Equal(published[i], sma.Value, 0.006);
        }
    }

    [Fact]
    public void Ema_MatchesThePublishedTenDayExample()
    {
        double[] published =
        [
            22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.80, 22.97, 23.13, 23.28, 23.34,
            23.43, 23.51, 23.53, 23.47, 23.40, 23.39, 23.26, 23.23, 23.08, 22.92,
        ];
        var ema = new Ema(10);
        Assert.Equal(2.0 / 11, ema.Alpha);
        var values = StockChartsCloses.Select(x => ema.Update(x)).ToArray();

        Assert.All(values.Take(9), v => Assert.True(double.IsNaN(v)));
        for (var i = 0; i < published.Length; i++)
        {
            Assert.Equal(published[i], values[9 + i], 0.006);
        }
    }

    [Fact]
    public void Sma_EqualsTheWindowMean_OnRandomSeries()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Double[-1000, 1000].Array[0, 300]).Sample((n, xs) =>
        {
            var sma = new Sma(n);
            for (var t = 0; t < xs.Length; t++)
            {
                var v = sma.Update(xs[t]);
                Assert.Equal(t + 1, sma.Count);
                Assert.Equal(t >= n - 1, sma.IsReady);
                if (t >= n - 1)
                {
                    AssertClose(Sma(xs, t, n), v);
                }
            }
        });
    }

    [Fact]
    public void Ema_EqualsItsClosedForm_OnRandomSeries()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Double[1, 1000].Array[0, 300]).Sample((n, xs) =>
        {
            var ema = new Ema(n);
            for (var t = 0; t < xs.Length; t++)
            {
                var v = ema.Update(xs[t]);
                Assert.Equal(t >= n - 1, ema.IsReady);
                if (t >= n - 1)
                {
                    AssertClose(Ema(xs, t, n), v);
                }
            }
        });
    }

    [Fact]
    public void Sma_DoesNotDrift_AfterALongRunAtALargeScale()
    {
        // 200 000 values near 1e9, then values in [0, 1). A running sum that is never recomputed carries the rounding
        // error of the large era (~1e-4 here) into the small one; the periodic re-sum keeps it at machine precision.
        const int n = 10;
        var rng = new Random(7);
        var xs = new double[201_000];
        for (var i = 0; i < xs.Length; i++)
        {
            xs[i] = i < 200_000 ? 1e9 + (rng.NextDouble() * 1000) : rng.NextDouble();
        }

        var sma = new Sma(n);
        foreach (var x in xs)
        {
            sma.Update(x);
        }

        AssertClose(Sma(xs, xs.Length - 1, n), sma.Value, 1e-12);
    }

    [Fact]
    public void Reset_StartsOver()
    {
        var sma = new Sma(3);
        var ema = new Ema(3);
        foreach (var x in new[] { 5.0, 7.0, 100.0, -4.0 })
        {
            sma.Update(x);
            ema.Update(x);
        }

        sma.Reset();
        ema.Reset();
        Assert.Equal((0L, false), (sma.Count, sma.IsReady));
        Assert.Equal((0L, false), (ema.Count, ema.IsReady));
        foreach (var x in new[] { 1.0, 2.0, 6.0 })
        {
            sma.Update(x);
            ema.Update(x);
        }

        Assert.Equal(3.0, sma.Value);
        Assert.Equal(3.0, ema.Value); // seeded with the SMA of the first 3
        ema.Update(7.0);
        Assert.Equal(3.0 + (0.5 * (7.0 - 3.0)), ema.Value); // α = 2/(3+1) = 0.5
    }

    [Fact]
    public void BarOverloads_UseTheClose()
    {
        var symbol = Symbol.Equity("SPY");
        var t0 = new DateTime(2024, 7, 1, 13, 30, 0, DateTimeKind.Utc);
        var sma = new Sma(2);
        var ema = new Ema(2);
        sma.Update(new Bar(symbol, t0, t0.AddMinutes(1), 10m, 12m, 9m, 11m, 100m));
        sma.Update(new Bar(symbol, t0.AddMinutes(1), t0.AddMinutes(2), 11m, 15m, 10m, 13m, 100m));
        ema.Update(new Bar(symbol, t0, t0.AddMinutes(1), 10m, 12m, 9m, 11m, 100m));
        ema.Update(new Bar(symbol, t0.AddMinutes(1), t0.AddMinutes(2), 11m, 15m, 10m, 13m, 100m));

        Assert.Equal(12.0, sma.Value);
        Assert.Equal(12.0, ema.Value);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteInput_IsRejected_AndLeavesTheStateAlone(double bad)
    {
        var sma = new Sma(2);
        sma.Update(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => sma.Update(bad));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ema(2).Update(bad));
        Assert.Equal(1, sma.Count);
        sma.Update(3);
        Assert.Equal(2.0, sma.Value);
    }

    [Fact]
    public void PeriodBelowOne_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sma(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ema(0));
    }
}
