using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Tests.Runner.Sweeps;

/// <summary>
/// PSR and DSR against values computed independently: the reference numbers below come from Python's
/// <c>statistics.NormalDist</c> (its own erf-based CDF and inverse) applied to the published formulas, and the moments
/// of the series are recomputed here in the most direct way.
/// </summary>
public sealed class OverfittingStatisticsTests
{
    [Fact]
    public void NormalCdf_AndQuantile_MatchReferenceValues()
    {
        Assert.Equal(0.9750021048517796, OverfittingStatistics.NormalCdf(1.96), 1e-13);
        Assert.Equal(0.0013498980316301035, OverfittingStatistics.NormalCdf(-3), 1e-14);
        Assert.Equal(0.5, OverfittingStatistics.NormalCdf(0), 1e-15);
        Assert.Equal(1.9599639845400536, OverfittingStatistics.NormalQuantile(0.975), 1e-10);
        Assert.Equal(-4.753424308822899, OverfittingStatistics.NormalQuantile(1e-6), 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => OverfittingStatistics.NormalQuantile(1));
    }

    [Fact]
    public void Psr_WorkedByHand()
    {
        // SR = 0.1 a day over n = 253 returns with skewness −0.5 and kurtosis 4:
        // z = 0.1·√252 / √(1 + 0.5·0.1 + (4 − 1)/4·0.01) = 1.587451 / √1.0575 = 1.54369, Φ(z) = 0.93867.
        Assert.Equal(0.938668271349602, OverfittingStatistics.ProbabilisticSharpe(0.1, 0, 253, -0.5, 4), 1e-12);
    }

    [Fact]
    public void Dsr_WorkedByHand()
    {
        // 100 trials whose Sharpe ratios vary by V = 0.0025: SR_0 = 0.05·((1−γ)Φ⁻¹(0.99) + γΦ⁻¹(1 − 1/(100e))) = 0.12653.
        var sr0 = OverfittingStatistics.ExpectedMaxSharpe(0.0025, 100);
        Assert.Equal(0.12653014466008425, sr0, 1e-10);
        Assert.Equal(0.34107054187328634, OverfittingStatistics.ProbabilisticSharpe(0.1, sr0, 253, -0.5, 4), 1e-9);
        Assert.Equal(0, OverfittingStatistics.ExpectedMaxSharpe(0.0025, 1)); // one trial: nothing to deflate
    }

    [Fact]
    public void Of_AReturnSeries_MatchesAStraightforwardComputation()
    {
        double[] r = [0.01, -0.02, 0.015, 0.003, -0.007, 0.02, 0.011, -0.004, 0.006, 0.009];
        double[] trials = [0.1, 0.05, -0.02, 0.2, 0.15];
        var o = OverfittingStatistics.Of(r, trials)!;

        // The moments, directly.
        var n = r.Length;
        var mean = r.Sum() / n;
        var m2 = r.Sum(x => Math.Pow(x - mean, 2)) / n;
        var m3 = r.Sum(x => Math.Pow(x - mean, 3)) / n;
        var m4 = r.Sum(x => Math.Pow(x - mean, 4)) / n;
        var sd = Math.Sqrt(r.Sum(x => Math.Pow(x - mean, 2)) / (n - 1));
        Assert.Equal(mean / sd, o.SharpePerPeriod, 1e-12);
        Assert.Equal(m3 / Math.Pow(m2, 1.5), o.Skewness, 1e-12);
        Assert.Equal(m4 / (m2 * m2), o.Kurtosis, 1e-12);

        // Reference values (Python, see the class remarks).
        Assert.Equal(0.3645609963645068, o.SharpePerPeriod, 1e-12);
        Assert.Equal(-0.7620027706970431, o.Skewness, 1e-12);
        Assert.Equal(2.852259092034702, o.Kurtosis, 1e-12);
        Assert.Equal(0.8276784669129625, o.Psr, 1e-10);
        Assert.Equal(0.00733, o.TrialSharpeVariance, 1e-15);
        Assert.Equal(0.1021044352989128, o.ExpectedMaxSharpe, 1e-10);
        Assert.Equal(0.7518590015124678, o.Dsr, 1e-9);
        Assert.Equal(5, o.Trials);
        Assert.True(o.Dsr < o.Psr, "deflating for the trials lowers the probability");
    }

    [Fact]
    public void Of_TooFewReturns_OrAFlatSeries_IsNull()
    {
        Assert.Null(OverfittingStatistics.Of([0.01, 0.02], [0.1]));
        Assert.Null(OverfittingStatistics.Of([0.01, 0.01, 0.01], [0.1]));
    }
}
