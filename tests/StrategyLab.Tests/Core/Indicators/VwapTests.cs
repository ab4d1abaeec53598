using CsCheck;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Indicators;
using static StrategyLab.Tests.Core.Indicators.NaiveIndicators;

namespace StrategyLab.Tests.Core.Indicators;

public class VwapTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly DateTime T0 = new(2024, 7, 1, 13, 30, 0, DateTimeKind.Utc);

    private static Bar Bar(int minute, decimal high, decimal low, decimal close, decimal volume, decimal? vwap = null) =>
        new(Spy, T0.AddMinutes(minute), T0.AddMinutes(minute + 1), close, high, low, close, volume, vwap: vwap);

    [Fact]
    public void HandWorked_TypicalPriceWeightedByVolume_ThenResetAtTheNextSession()
    {
        // Typical prices (11+9+10)/3 = 10 and (12+10+11)/3 = 11; VWAP = (10·100 + 11·300)/400 = 10.75.
        var vwap = new Vwap();
        Assert.False(vwap.IsReady);
        vwap.Update(Bar(0, 11m, 9m, 10m, 100m));
        vwap.Update(Bar(1, 12m, 10m, 11m, 300m));
        Assert.Equal(10.75, vwap.Value, 1e-12);
        Assert.Equal(400.0, vwap.CumulativeVolume);

        vwap.Reset();
        Assert.False(vwap.IsReady);
        Assert.True(double.IsNaN(vwap.Value));
        vwap.Update(Bar(0, 21m, 19m, 20m, 50m));
        Assert.Equal(20.0, vwap.Value, 1e-12);
    }

    [Fact]
    public void UsesTheBarsOwnVwap_WhenTheSourceGivesIt()
    {
        // (10·100 + 10.5·300)/400 = 10.375 — the second bar's own VWAP (10.5) replaces its typical price (11).
        var vwap = new Vwap();
        vwap.Update(Bar(0, 11m, 9m, 10m, 100m));
        vwap.Update(Bar(1, 12m, 10m, 11m, 300m, vwap: 10.5m));
        Assert.Equal(10.375, vwap.Value, 1e-12);
    }

    [Fact]
    public void ZeroVolume_CarriesNoWeight()
    {
        var vwap = new Vwap();
        vwap.Update(50, 0);
        Assert.False(vwap.IsReady);
        Assert.Equal(1, vwap.Count);
        vwap.Update(10, 5);
        vwap.Update(99, 0);
        Assert.Equal(10.0, vwap.Value);
    }

    [Fact]
    public void EqualsTheDirectSum_OnRandomSeries()
    {
        Gen.Select(Gen.Double[1, 1000], Gen.Double[0, 1e6]).Array[1, 300].Sample(pairs =>
        {
            var prices = pairs.Select(p => p.Item1).ToArray();
            var volumes = pairs.Select(p => p.Item2).ToArray();
            var vwap = new Vwap();
            foreach (var (p, v) in pairs)
            {
                vwap.Update(p, v);
            }

            AssertClose(Vwap(prices, volumes), vwap.Value);
        });
    }

    [Fact]
    public void RejectsNegativeVolume_AndNonFiniteInput()
    {
        var vwap = new Vwap();
        Assert.Throws<ArgumentOutOfRangeException>(() => vwap.Update(10, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => vwap.Update(double.NaN, 1));
        Assert.Equal(0, vwap.Count);
    }
}
