using CsCheck;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Indicators;
using static StrategyLab.Tests.Core.Indicators.NaiveIndicators;

namespace StrategyLab.Tests.Core.Indicators;

public class AtrTests
{
    [Fact]
    public void HandWorkedThreePeriodExample()
    {
        // bar  H     L     C      TR
        //  1   10    8     9      H−L = 2 (no previous close)
        //  2   11    9     10.5   max(2, |11−9|, |9−9|) = 2
        //  3   13    12    12.5   max(1, |13−10.5| = 2.5, |12−10.5|) = 2.5   → ATR = (2+2+2.5)/3 = 13/6
        //  4   12.5  11    11.5   max(1.5, 0, |11−12.5| = 1.5) = 1.5        → ATR = (13/6·2 + 1.5)/3 = 35/18
        //  5   11    9     9.5    max(2, |11−11.5|, |9−11.5| = 2.5) = 2.5    → ATR = (35/18·2 + 2.5)/3 = 115/54
        var atr = new Atr(3);
        Assert.True(double.IsNaN(atr.Update(10, 8, 9)));
        Assert.Equal(2, atr.TrueRange);
        Assert.True(double.IsNaN(atr.Update(11, 9, 10.5)));
        Assert.Equal(13.0 / 6, atr.Update(13, 12, 12.5), 1e-12);
        Assert.Equal(2.5, atr.TrueRange);
        Assert.Equal(35.0 / 18, atr.Update(12.5, 11, 11.5), 1e-12);
        Assert.Equal(115.0 / 54, atr.Update(11, 9, 9.5), 1e-12);
        Assert.Equal(2.5, atr.TrueRange);
    }

    [Fact]
    public void EqualsTheClosedForm_OnRandomBars()
    {
        var bar = Gen.Select(Gen.Double[1, 1000], Gen.Double[0, 50], Gen.Double[0, 1]);
        Gen.Select(Gen.Int[1, 30], bar.Array[0, 200]).Sample((n, bars) =>
        {
            var highs = bars.Select(b => b.Item1 + b.Item2).ToArray();
            var lows = bars.Select(b => b.Item1).ToArray();
            var closes = bars.Select(b => b.Item1 + (b.Item3 * b.Item2)).ToArray();
            var atr = new Atr(n);
            for (var t = 0; t < bars.Length; t++)
            {
                var v = atr.Update(highs[t], lows[t], closes[t]);
                Assert.Equal(t >= n - 1, atr.IsReady);
                if (t >= n - 1)
                {
                    AssertClose(Atr(highs, lows, closes, t, n), v);
                }
            }
        });
    }

    [Fact]
    public void BarOverload_UsesHighLowClose()
    {
        var s = Symbol.Equity("SPY");
        var t0 = new DateTime(2024, 7, 1, 13, 30, 0, DateTimeKind.Utc);
        var atr = new Atr(2);
        atr.Update(new Bar(s, t0, t0.AddMinutes(1), 9m, 10m, 8m, 9m, 1m));                       // TR 2
        atr.Update(new Bar(s, t0.AddMinutes(1), t0.AddMinutes(2), 12m, 13m, 11.5m, 12m, 1m));   // TR max(1.5, 4, 2.5) = 4
        Assert.Equal(3.0, atr.Value);
    }

    [Fact]
    public void RejectsHighBelowLow_AndNonFiniteInput()
    {
        var atr = new Atr(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => atr.Update(9, 10, 9.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => atr.Update(10, double.NaN, 9.5));
        Assert.Equal(0, atr.Count);
    }

    [Fact]
    public void Reset_StartsOver()
    {
        var atr = new Atr(1);
        atr.Update(10, 8, 9);
        atr.Update(20, 19, 19.5);
        atr.Reset();
        Assert.Equal(1.0, atr.Update(5, 4, 4.5)); // the first bar after a reset has no previous close again
    }
}
