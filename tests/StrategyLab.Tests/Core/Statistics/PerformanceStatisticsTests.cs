using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Statistics;

namespace StrategyLab.Tests.Core.Statistics;

/// <summary>
/// <see cref="PerformanceStatistics.Compute"/> against numbers worked out by hand (written out below) and against a
/// naive reference that re-derives each formula from docs/statistics.md in the simplest possible way.
/// </summary>
public class PerformanceStatisticsTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly DateTime T0 = new(2024, 1, 8, 15, 0, 0, DateTimeKind.Utc);

    // E_0 = 100, daily closes 110, 99, 108.9, 108.9 → r = +0.1, −0.1, +0.1, 0.
    private static readonly decimal[] Curve = [110m, 99m, 108.9m, 108.9m];

    private static RoundTrip Trip(decimal pnl, decimal commission) =>
        new(Aaa, TradeDirection.Long, 10m, T0, 100m, T0.AddMinutes(5), 100m + (pnl / 10m), pnl, commission, "signal");

    [Fact]
    public void ReturnsAndRiskRatios_MatchTheHandWorkedValues()
    {
        var s = PerformanceStatistics.Compute(100m, Curve, new DrawdownSummary(0.2m, TimeSpan.FromDays(3), 3, false), [], 0m, 0.75);

        // mean r = 0.1/4 = 0.025; deviations +0.075, −0.125, +0.075, −0.025; Σ² = 0.0275; sample var = 0.0275/3.
        // s = 0.0957427107756338; √252 = 15.874507866387544.
        Assert.Equal(100m, s.StartEquity);
        Assert.Equal(108.9m, s.EndEquity);
        Assert.Equal(8.9m, s.NetProfit);
        Assert.Equal(4, s.TradingDays);
        Assert.Equal(0.089, s.TotalReturn, 12);
        AssertClose(1.519868415357067, s.AnnualVolatility);  // 0.0957427107756338 × 15.8745078663875
        AssertClose(4.145095678246552, s.Sharpe);            // 0.025 / 0.0957427107756338 × 15.8745078663875
        AssertClose(7.93725393319379, s.Sortino);            // DD = √(0.1² / 4) = 0.05; 0.025 / 0.05 × 15.8745…
        AssertClose(214.15746790375783, s.Cagr);             // 1.089^(252/4) − 1 = 1.089^63 − 1
        AssertClose(1070.7873395187892, s.Calmar);           // CAGR / 0.2
        Assert.Equal(0.2, s.MaxDrawdown, 15);
        Assert.Equal(TimeSpan.FromDays(3), s.LongestDrawdown);
        Assert.Equal(3, s.LongestDrawdownTradingDays);
        Assert.False(s.LongestDrawdownRecovered);
        Assert.Equal(0.75, s.Exposure);
        Assert.Equal(0.0, s.RiskFreeRate);
    }

    [Fact]
    public void RiskFreeRate_IsADailyHurdleOfRateOver252()
    {
        var s = PerformanceStatistics.Compute(100m, Curve, DrawdownSummary.None, [], 0m, 0, new StatisticsOptions { RiskFreeRate = 0.0252 });

        // rf_d = 0.0252 / 252 = 0.0001: excess = 0.0999, −0.1001, 0.0999, −0.0001; mean 0.0249.
        // Sharpe = 0.0249 / 0.0957427107756338 × √252; DD = √((0.1001² + 0.0001²) / 4) = 0.0500500249750187.
        AssertClose(4.128515295533565, s.Sharpe);
        AssertClose(7.897603369235934, s.Sortino);
        AssertClose(1.519868415357067, s.AnnualVolatility); // a constant hurdle does not change the spread
        Assert.Equal(0.0252, s.RiskFreeRate);
    }

    [Fact]
    public void EveryRatio_MatchesTheNaiveReference()
    {
        decimal[] curve = [100_250.50m, 99_800.25m, 101_000m, 100_999.99m, 102_500m, 98_000m, 98_000m, 103_000.75m];
        var options = new StatisticsOptions { RiskFreeRate = 0.03 };
        var s = PerformanceStatistics.Compute(100_000m, curve, new DrawdownSummary(0.05m, TimeSpan.FromHours(30), 2, true), [], 0m, 0.5, options);

        var reference = Naive(100_000m, curve, 0.03);
        AssertClose(reference.Vol, s.AnnualVolatility);
        AssertClose(reference.Sharpe, s.Sharpe);
        AssertClose(reference.Sortino, s.Sortino);
        AssertClose(reference.Cagr, s.Cagr);
        AssertClose(reference.Cagr / 0.05, s.Calmar);
        Assert.Equal(0.0300075, s.TotalReturn, 15);
    }

    [Fact]
    public void TradeStatistics_UseNetPnl_AndABreakevenTradeIsNeitherWinNorLoss()
    {
        RoundTrip[] trips =
        [
            Trip(100m, 2m),  // net +98
            Trip(-50m, 2m),  // net −52
            Trip(30m, 0m),   // net +30
            Trip(1m, 1m),    // net 0: breakeven
            Trip(-10m, 1m),  // net −11
        ];

        var s = PerformanceStatistics.Compute(100m, Curve, DrawdownSummary.None, trips, 7.5m, 0.75);

        Assert.Equal(5, s.TradeCount);
        Assert.Equal(2, s.WinningTrades);
        Assert.Equal(2, s.LosingTrades);
        Assert.Equal(0.4, s.WinRate);
        Assert.Equal(128m, s.GrossProfit);              // 98 + 30
        Assert.Equal(-63m, s.GrossLoss);                // −52 − 11
        AssertClose(128.0 / 63.0, s.ProfitFactor);      // 2.0317460317…
        Assert.Equal(64m, s.AverageWin);
        Assert.Equal(-31.5m, s.AverageLoss);
        Assert.Equal(13m, s.Expectancy);                // (98 − 52 + 30 + 0 − 11) / 5
        Assert.Equal(7.5m, s.TotalFees);                // taken as given (fills, not trips)
    }

    [Fact]
    public void NoTrades_TradeRatiosAreNull_AndCountsZero()
    {
        var s = PerformanceStatistics.Compute(100m, Curve, DrawdownSummary.None, [], 0m, 0);

        Assert.Equal(0, s.TradeCount);
        Assert.Equal(0, s.WinningTrades);
        Assert.Equal(0, s.LosingTrades);
        Assert.Null(s.WinRate);
        Assert.Null(s.ProfitFactor);
        Assert.Null(s.AverageWin);
        Assert.Null(s.AverageLoss);
        Assert.Null(s.Expectancy);
        Assert.Equal(0m, s.GrossProfit);
        Assert.Equal(0m, s.GrossLoss);
    }

    [Fact]
    public void AllWinners_ProfitFactorAndAverageLossAreNull()
    {
        var s = PerformanceStatistics.Compute(100m, Curve, DrawdownSummary.None, [Trip(10m, 1m), Trip(20m, 1m)], 2m, 1);

        Assert.Equal(1.0, s.WinRate);
        Assert.Null(s.ProfitFactor);
        Assert.Null(s.AverageLoss);
        Assert.Equal(14m, s.AverageWin);   // (9 + 19) / 2
        Assert.Equal(14m, s.Expectancy);
        Assert.Equal(0m, s.GrossLoss);
    }

    [Fact]
    public void FlatEquity_VolatilityIsZero_SharpeSortinoCalmarAreNull()
    {
        var s = PerformanceStatistics.Compute(100m, [100m, 100m, 100m, 100m, 100m], DrawdownSummary.None, [], 0m, 0);

        Assert.Equal(0.0, s.TotalReturn);
        Assert.Equal(0.0, s.Cagr);
        Assert.Equal(0.0, s.AnnualVolatility);
        Assert.Null(s.Sharpe);
        Assert.Null(s.Sortino);
        Assert.Equal(0.0, s.MaxDrawdown);
        Assert.Null(s.Calmar);
        Assert.Equal(TimeSpan.Zero, s.LongestDrawdown);
        Assert.True(s.LongestDrawdownRecovered);
    }

    [Fact]
    public void OneDay_HasACagrButNoDispersionStatistics()
    {
        var s = PerformanceStatistics.Compute(100m, [101m], new DrawdownSummary(0.01m, TimeSpan.FromMinutes(20), 0, true), [], 0m, 1);

        Assert.Equal(1, s.TradingDays);
        Assert.Equal(0.01, s.TotalReturn, 15);
        AssertClose(11.274002099240244, s.Cagr); // 1.01^252 − 1
        Assert.Null(s.AnnualVolatility);
        Assert.Null(s.Sharpe);
        Assert.Null(s.Sortino);
        AssertClose(1127.4002099240244, s.Calmar); // CAGR / 0.01
    }

    [Fact]
    public void NoDays_EverythingReturnBasedIsNullOrZero()
    {
        var s = PerformanceStatistics.Compute(100m, [], DrawdownSummary.None, [], 0m, 0);

        Assert.Equal(0, s.TradingDays);
        Assert.Equal(100m, s.EndEquity);
        Assert.Equal(0.0, s.TotalReturn);
        Assert.Null(s.Cagr);
        Assert.Null(s.AnnualVolatility);
        Assert.Null(s.Sharpe);
        Assert.Null(s.Sortino);
        Assert.Null(s.Calmar);
        Assert.Equal(0.0, s.Exposure);
    }

    [Fact]
    public void RuinedAccount_ReturnBasedRatiosAreNull_NeverNaN()
    {
        // 100 → 50 → 0 → −10: the return after a zero equity is undefined.
        var s = PerformanceStatistics.Compute(100m, [50m, 0m, -10m], new DrawdownSummary(1.1m, TimeSpan.FromDays(3), 3, false), [], 0m, 1);

        Assert.Equal(-1.1, s.TotalReturn, 15);
        Assert.Null(s.Cagr);
        Assert.Null(s.AnnualVolatility);
        Assert.Null(s.Sharpe);
        Assert.Null(s.Sortino);
        Assert.Null(s.Calmar);
        Assert.Equal(1.1, s.MaxDrawdown, 15);
    }

    [Fact]
    public void CagrThatOverflows_IsNull_NotInfinity()
    {
        // (10^20)^252 is far beyond double.MaxValue.
        var s = PerformanceStatistics.Compute(1m, [100_000_000_000_000_000_000m], new DrawdownSummary(0.1m, TimeSpan.Zero, 0, true), [], 0m, 0);

        Assert.Null(s.Cagr);
        Assert.Null(s.Calmar);
        Assert.Equal(1e20 - 1, s.TotalReturn);
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceStatistics.Compute(0m, [], DrawdownSummary.None, [], 0m, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceStatistics.Compute(1m, [], DrawdownSummary.None, [], 0m, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceStatistics.Compute(1m, [], DrawdownSummary.None, [], 0m, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StatisticsOptions { RiskFreeRate = double.PositiveInfinity });
        Assert.Throws<ArgumentOutOfRangeException>(() => new StatisticsOptions { RiskFreeRate = -1 });
    }

    private static void AssertClose(double expected, double? actual)
    {
        Assert.NotNull(actual);
        Assert.True(
            Math.Abs(expected - actual.Value) <= 1e-12 * Math.Max(1, Math.Abs(expected)),
            $"expected {expected:R}, got {actual.Value:R}");
    }

    /// <summary>The formulas of docs/statistics.md, written out as plainly as possible (LINQ, population/sample by hand).</summary>
    private static (double Vol, double Sharpe, double Sortino, double Cagr) Naive(decimal e0, decimal[] curve, double rf)
    {
        var equity = new[] { (double)e0 }.Concat(curve.Select(e => (double)e)).ToArray();
        var r = Enumerable.Range(1, curve.Length).Select(d => (equity[d] / equity[d - 1]) - 1).ToArray();
        var n = r.Length;
        var mean = r.Average();
        var sample = Math.Sqrt(r.Sum(x => Math.Pow(x - mean, 2)) / (n - 1));
        var excess = r.Select(x => x - (rf / 252)).ToArray();
        var downside = Math.Sqrt(excess.Sum(x => x < 0 ? x * x : 0) / n);
        return (
            sample * Math.Sqrt(252),
            excess.Average() / sample * Math.Sqrt(252),
            excess.Average() / downside * Math.Sqrt(252),
            Math.Pow(equity[^1] / equity[0], 252.0 / n) - 1);
    }
}
