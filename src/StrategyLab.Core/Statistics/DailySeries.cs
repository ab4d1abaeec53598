namespace StrategyLab.Core.Statistics;

/// <summary>One date of <see cref="DailySeries"/>.</summary>
/// <param name="Date">The exchange-local date.</param>
/// <param name="LastMarkUtc">The time of the date's last equity mark.</param>
/// <param name="Equity"><c>E_d</c>.</param>
/// <param name="Benchmark">The benchmark held from the start with the initial equity, <c>E_0 · B_d / B_0</c>; null without a benchmark.</param>
/// <param name="RollingSharpe">The Sharpe ratio of the last <see cref="DailySeries.RollingSharpeDays"/> daily returns up to this date; null before there are that many or when they do not vary.</param>
public readonly record struct DailyPoint(DateOnly Date, DateTime LastMarkUtc, decimal Equity, decimal? Benchmark, double? RollingSharpe);

/// <summary>The run's equity by date with the benchmark beside it and the rolling Sharpe ratio (what the report draws under the equity).</summary>
/// <param name="RollingSharpeDays">The rolling window, in trading days.</param>
/// <param name="BenchmarkSymbol">The benchmark's ticker; null without one.</param>
/// <param name="Points">One point per date, oldest first.</param>
public sealed record DailySeries(int RollingSharpeDays, string? BenchmarkSymbol, IReadOnlyList<DailyPoint> Points)
{
    /// <summary>
    /// The rolling Sharpe ratio: for each date <c>d ≥ w</c>, <c>mean(r − rf_d) / s · √A</c> over the returns
    /// <c>r_{d−w+1} … r_d</c> (<c>s</c> their sample standard deviation); null before date <c>w</c>, when <c>s = 0</c>
    /// or when an equity that divides is not positive.
    /// </summary>
    /// <param name="initialEquity"><c>E_0</c>.</param>
    /// <param name="dailyEquity"><c>E_1 … E_N</c>.</param>
    /// <param name="window"><c>w</c>, at least 2.</param>
    /// <param name="riskFreeRate">The annual risk-free rate.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window is below 2.</exception>
    public static double?[] RollingSharpe(decimal initialEquity, IReadOnlyList<decimal> dailyEquity, int window, double riskFreeRate)
    {
        ArgumentNullException.ThrowIfNull(dailyEquity);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 2);
        var result = new double?[dailyEquity.Count];
        var r = BenchmarkStatistics.Returns(initialEquity, dailyEquity);
        if (r is null)
        {
            return result;
        }

        var rfd = riskFreeRate / PerformanceStatistics.TradingDaysPerYear;
        var sqrtA = Math.Sqrt(PerformanceStatistics.TradingDaysPerYear);
        for (var d = window - 1; d < r.Length; d++)
        {
            // Two passes over the window: exact enough, and the series has one entry per trading day.
            var mean = 0.0;
            for (var i = d - window + 1; i <= d; i++)
            {
                mean += r[i];
            }

            mean /= window;
            var squares = 0.0;
            for (var i = d - window + 1; i <= d; i++)
            {
                squares += (r[i] - mean) * (r[i] - mean);
            }

            var s = Math.Sqrt(squares / (window - 1));
            var v = (mean - rfd) / s * sqrtA;
            result[d] = s > 0 && double.IsFinite(v) ? v : null;
        }

        return result;
    }
}
