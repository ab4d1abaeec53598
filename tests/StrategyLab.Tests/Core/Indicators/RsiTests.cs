using CsCheck;
using StrategyLab.Core.Indicators;
using static StrategyLab.Tests.Core.Indicators.NaiveIndicators;

namespace StrategyLab.Tests.Core.Indicators;

public class RsiTests
{
    [Fact]
    public void MatchesTheClassicFourteenPeriodExample()
    {
        // The StockCharts RSI worked example (Wilder's method, 14 periods). Their spreadsheet rounds the
        // averages and shows 70.53 first; computed without intermediate rounding (as TA-Lib does) the series is:
        double[] closes =
        [
            44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.10, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28,
            46.00, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35, 44.03, 44.18, 44.22, 44.57,
            43.42, 42.66, 43.13,
        ];
        double[] expected =
        [
            70.46, 66.25, 66.48, 69.35, 66.29, 57.92, 62.88, 63.21, 56.01, 62.34, 54.67, 50.39, 40.02, 41.49, 41.90,
            45.50, 37.32, 33.09, 37.79,
        ];

        var rsi = new Rsi(14);
        Assert.Equal(15, rsi.WarmUpPeriod);
        var values = closes.Select(c => rsi.Update(c)).ToArray();

        Assert.All(values.Take(14), v => Assert.True(double.IsNaN(v)));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], values[14 + i], 0.006);
        }

        // The first averages by hand: gains 0.06+0.72+0.50+0.27+0.32+0.42+0.24+0.14+0.67 = 3.34; losses
        // 0.25+0.54+0.19+0.42 = 1.40; the last close is the 15th, so these are the seed averages /14.
        var seed = new Rsi(14);
        foreach (var c in closes.Take(15))
        {
            seed.Update(c);
        }

        Assert.Equal(3.34 / 14, seed.AverageGain, 1e-12);
        Assert.Equal(1.40 / 14, seed.AverageLoss, 1e-12);
    }

    [Fact]
    public void EqualsTheTextbookFormula_OnRandomSeries()
    {
        Gen.Select(Gen.Int[1, 30], Gen.Double[1, 500].Array[0, 200]).Sample((n, xs) =>
        {
            var rsi = new Rsi(n);
            for (var t = 0; t < xs.Length; t++)
            {
                var v = rsi.Update(xs[t]);
                Assert.Equal(t >= n, rsi.IsReady);
                if (t >= n)
                {
                    Assert.Equal(Rsi(xs, t, n), v, 1e-8);
                    Assert.InRange(v, 0, 100);
                }
            }
        });
    }

    [Fact]
    public void WithPlateaus_EqualsTheTextbookFormula()
    {
        // Prices on a coarse grid repeat often, so windows with no loss (or no change at all) come up.
        Gen.Select(Gen.Int[1, 6], Gen.Int[0, 3].Array[0, 80]).Sample((n, ticks) =>
        {
            var xs = ticks.Select(i => 100.0 + i).ToArray();
            var rsi = new Rsi(n);
            for (var t = 0; t < xs.Length; t++)
            {
                var v = rsi.Update(xs[t]);
                if (t >= n)
                {
                    Assert.Equal(Rsi(xs, t, n), v, 1e-8);
                }
            }
        });
    }

    [Fact]
    public void Extremes()
    {
        var rising = new Rsi(3);
        var falling = new Rsi(3);
        var flat = new Rsi(3);
        for (var i = 0; i < 10; i++)
        {
            rising.Update(10 + i);
            falling.Update(10 - i);
            flat.Update(10);
        }

        Assert.Equal(100.0, rising.Value);
        Assert.Equal(0.0, falling.Value);
        Assert.Equal(50.0, flat.Value);
    }

    [Fact]
    public void Reset_StartsOver()
    {
        var rsi = new Rsi(2);
        foreach (var x in new[] { 10.0, 20.0, 5.0 })
        {
            rsi.Update(x);
        }

        rsi.Reset();
        Assert.False(rsi.IsReady);
        rsi.Update(10);
        rsi.Update(11);
        Assert.False(rsi.IsReady);
        rsi.Update(9); // gains (1 + 0)/2 = 0.5, losses (0 + 2)/2 = 1 → 100·0.5/1.5
        Assert.Equal(100.0 / 3, rsi.Value, 1e-12);
    }

    [Fact]
    public void DecimalPrices_WithEqualGainsAndLosses_GiveExactlyFifty()
    {
        // Gains 0.07 + 3.00 + 0.01 = 3.08 = losses 0.01 + 0.07 + 3.00. From doubles the changes differ in their last
        // bits and the RSI comes out 50.000000000000014, above an exit level of 50; from decimals it is 50.
        decimal[] closes = [1.20m, 1.19m, 1.26m, 4.26m, 4.19m, 4.20m, 1.20m];
        var exact = new Rsi(6);
        var fromDoubles = new Rsi(6);
        foreach (var c in closes)
        {
            exact.UpdateExact(c);
            fromDoubles.Update((double)c);
        }

        Assert.Equal(50.0, exact.Value);
        Assert.Equal(exact.AverageGain, exact.AverageLoss);
        Assert.NotEqual(50.0, fromDoubles.Value);

        exact.UpdateExact(1.20m); // no change: both averages shrink alike
        Assert.Equal(50.0, exact.Value);
        exact.UpdateExact(1.21m);
        Assert.True(exact.Value > 50.0);
    }

    [Fact]
    public void DecimalAndDoubleUpdates_AgreeToRounding_OnTheClassicExample()
    {
        var fromDecimals = new Rsi(14);
        var fromDoubles = new Rsi(14);
        decimal[] closes = [44.34m, 44.09m, 44.15m, 43.61m, 44.33m, 44.83m, 45.10m, 45.42m, 45.84m, 46.08m, 45.89m, 46.03m, 45.61m, 46.28m, 46.28m, 46.00m, 46.03m];
        foreach (var c in closes)
        {
            fromDecimals.UpdateExact(c);
            fromDoubles.Update((double)c);
            Assert.Equal(fromDoubles.IsReady, fromDecimals.IsReady);
        }

        Assert.Equal(fromDoubles.Value, fromDecimals.Value, 1e-9);
    }
}
