using StrategyLab.Core.Indicators;

namespace StrategyLab.Tests.Core.Indicators;

/// <summary>CrossDetector and ThresholdCross: the SMA crossover's tie rule, in decimal (exact) and double.</summary>
public sealed class CrossingTests
{
    private const CrossDirection N = CrossDirection.None;
    private const CrossDirection U = CrossDirection.Up;
    private const CrossDirection D = CrossDirection.Down;

    private static List<CrossDirection> Run(CrossDetector cross, params (decimal A, decimal B)[] values) =>
        [.. values.Select(v => cross.Update(v.A, v.B))];

    [Fact]
    public void TheFirstUpdateWithASide_OnlyRecordsIt()
    {
        var cross = new CrossDetector();
        Assert.False(cross.IsReady);
        Assert.Equal(N, cross.Update(2m, 1m)); // above at the start: not a cross
        Assert.True(cross.IsReady);
        Assert.Equal([N, D], Run(cross, (3, 1), (1, 2)));
    }

    [Fact]
    public void BelowEqualAbove_IsOneCrossUp_OnTheAboveUpdate()
    {
        Assert.Equal([N, N, U], Run(new CrossDetector(), (1, 2), (2, 2), (3, 2)));
    }

    [Fact]
    public void AboveEqualAbove_IsNoCross_AndAboveEqualBelow_IsOneCrossDown()
    {
        Assert.Equal([N, N, N], Run(new CrossDetector(), (3, 2), (2, 2), (3, 2)));
        Assert.Equal([N, N, N, D], Run(new CrossDetector(), (3, 2), (2, 2), (2, 2), (1, 2)));
    }

    [Fact]
    public void EqualFromTheStart_RecordsNothing_UntilTheFirstDifference()
    {
        var cross = new CrossDetector();
        Assert.Equal([N, N, N, U], Run(cross, (2, 2), (2, 2), (1, 2), (3, 2)));
        Assert.Equal(1, cross.Side);
    }

    [Fact]
    public void Decimal_IsExact_WhereDoubleRoundingWouldSeeADifference()
    {
        // 0.1 + 0.2 == 0.3 in decimal; in double 0.1 + 0.2 > 0.3.
        var exact = new CrossDetector();
        Assert.Equal([N, N], Run(exact, (0.2m, 0.3m), (0.1m + 0.2m, 0.3m)));
        var dbl = new CrossDetector();
        dbl.Update(0.2, 0.3);
        Assert.Equal(U, dbl.Update(0.1 + 0.2, 0.3));
    }

    [Fact]
    public void Double_NaNIsNotReady_IgnoredAndTheSideKept_InfinityThrows()
    {
        var cross = new CrossDetector();
        Assert.Equal(N, cross.Update(double.NaN, 1));
        Assert.False(cross.IsReady);
        Assert.Equal(N, cross.Update(2.0, 1.0));
        Assert.Equal(N, cross.Update(0.5, double.NaN));
        Assert.Equal(1, cross.Side);
        Assert.Equal(D, cross.Update(0.5, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => cross.Update(double.PositiveInfinity, 1.0));
    }

    [Fact]
    public void UpdateSign_TakesAnyComparison_AndMatchesExactSma()
    {
        var cross = new CrossDetector();
        Assert.Equal([N, N, U, D], new[] { -7, 0, 42, -1 }.Select(cross.UpdateSign));

        // The SMA crossover's decisions through ExactSma: 1,1,1 then 4 lifts the fast (2) above the slow (3) mean.
        var fast = new ExactSma(2);
        var slow = new ExactSma(3);
        var viaSma = new CrossDetector();
        var results = new List<CrossDirection>();
        foreach (var close in new[] { 3m, 2m, 1m, 2m, 4m, 1m })
        {
            fast.Update(close);
            slow.Update(close);
            if (slow.IsReady)
            {
                results.Add(viaSma.UpdateSign(fast.CompareMeanTo(slow)));
            }
        }

        // means (fast vs slow): 1.5<2, 1.5<1.667, 3>2.333, 2.5>2.333
        Assert.Equal([N, N, U, N], results);
    }

    [Fact]
    public void Reset_ForgetsTheSide()
    {
        var cross = new CrossDetector();
        Run(cross, (1, 2), (3, 2));
        Assert.Equal(U, cross.Last);
        cross.Reset();
        Assert.Equal(N, cross.Last);
        Assert.Equal(N, cross.Update(1m, 2m)); // first again: only recorded
    }

    [Fact]
    public void Threshold_EqualKeepsTheSide_FirstOnlyRecords()
    {
        var overbought = new ThresholdCross(70m);
        Assert.Equal([N, N, N, U, N, D], new[] { 65m, 70m, 69m, 71m, 70m, 69.99m }.Select(overbought.Update));
        Assert.True(overbought.IsBelow);

        var fromAbove = new ThresholdCross(70m);
        Assert.Equal([N, N, N], new[] { 75m, 70m, 75m }.Select(fromAbove.Update));
        Assert.True(fromAbove.IsAbove);
    }

    [Fact]
    public void Threshold_DoubleValues_AndALevelGivenAsDouble()
    {
        var level = new ThresholdCross(30.0);
        Assert.Equal(30m, level.Level);
        Assert.Equal([N, N, D, N, U], new[] { double.NaN, 35.0, 29.5, 30.0, 30.5 }.Select(level.Update));
        Assert.Equal(D, level.Update(29m)); // decimal values against the same level
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThresholdCross(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => level.Update(double.NegativeInfinity));
    }

    [Fact]
    public void Threshold_DecimalComparisonIsExact()
    {
        var level = new ThresholdCross(0.3m);
        level.Update(0.2m);
        Assert.Equal(N, level.Update(0.1m + 0.2m)); // exactly the level: no cross
        Assert.Equal(U, level.Update(0.3000000000000000000000000001m));
    }
}
