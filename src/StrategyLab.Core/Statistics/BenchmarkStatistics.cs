namespace StrategyLab.Core.Statistics;

/// <summary>
/// The run's daily returns against a benchmark's (buy-and-hold of one symbol). Formulas in <c>docs/statistics.md</c>.
/// </summary>
/// <remarks>
/// Notation: <c>r_d</c> the run's daily returns (as in <see cref="PerformanceStatistics"/>), <c>b_d = B_d / B_{d−1} − 1</c>
/// the benchmark's, where <c>B_0</c> is the open of the benchmark's first bar and <c>B_d</c> its last close on or
/// before date <c>d</c> of the run; <c>a_d = r_d − b_d</c> the active returns; <c>N</c> the number of days;
/// sample moments divide by <c>N − 1</c>; <c>A = 252</c>; <c>rf_d = rf / A</c>. A statistic that is undefined (fewer
/// than 2 days, a zero variance, a non-positive equity or price) is null.
/// </remarks>
public sealed record BenchmarkStatistics
{
    /// <summary>The benchmark's ticker.</summary>
    public required string Symbol { get; init; }

    /// <summary>Buy-and-hold return of the benchmark over the run, <c>B_N / B_0 − 1</c>; null when it had no bar.</summary>
    public required double? TotalReturn { get; init; }

    /// <summary>Annualised Jensen's alpha <c>A · ((mean(r) − rf_d) − β · (mean(b) − rf_d))</c>.</summary>
    public required double? Alpha { get; init; }

    /// <summary><c>β = cov(r, b) / var(b)</c>.</summary>
    public required double? Beta { get; init; }

    /// <summary>Pearson correlation <c>cov(r, b) / (s_r · s_b)</c>.</summary>
    public required double? Correlation { get; init; }

    /// <summary>Annualised tracking error <c>s_a · √A</c>, the sample standard deviation of the active returns.</summary>
    public required double? TrackingError { get; init; }

    /// <summary>Information ratio <c>mean(a) / s_a · √A</c>.</summary>
    public required double? InformationRatio { get; init; }

    /// <summary>A benchmark without any bar: every statistic null.</summary>
    public static BenchmarkStatistics Empty(string symbol) => new()
    {
        Symbol = symbol,
        TotalReturn = null,
        Alpha = null,
        Beta = null,
        Correlation = null,
        TrackingError = null,
        InformationRatio = null,
    };

    /// <summary>Computes the statistics from the two equity series, aligned by date.</summary>
    /// <param name="symbol">The benchmark's ticker.</param>
    /// <param name="initialEquity"><c>E_0</c>.</param>
    /// <param name="dailyEquity"><c>E_1 … E_N</c>.</param>
    /// <param name="firstPrice"><c>B_0</c>.</param>
    /// <param name="benchmark"><c>B_1 … B_N</c>, one per date of <paramref name="dailyEquity"/>.</param>
    /// <param name="riskFreeRate">The annual risk-free rate.</param>
    /// <exception cref="ArgumentException">The two series differ in length.</exception>
    public static BenchmarkStatistics Compute(
        string symbol, decimal initialEquity, IReadOnlyList<decimal> dailyEquity, decimal firstPrice, IReadOnlyList<decimal> benchmark, double riskFreeRate)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentNullException.ThrowIfNull(dailyEquity);
        ArgumentNullException.ThrowIfNull(benchmark);
        if (dailyEquity.Count != benchmark.Count)
        {
            throw new ArgumentException($"The benchmark has {benchmark.Count} dates, the equity {dailyEquity.Count}.", nameof(benchmark));
        }

        var n = benchmark.Count;
        double? total = firstPrice > 0 && n > 0 ? (double)((benchmark[n - 1] - firstPrice) / firstPrice) : null;
        var r = Returns(initialEquity, dailyEquity);
        var b = Returns(firstPrice, benchmark);
        if (r is null || b is null || n < 2)
        {
            return Empty(symbol) with { TotalReturn = total };
        }

        double meanR = 0, meanB = 0;
        for (var d = 0; d < n; d++)
        {
            meanR += r[d];
            meanB += b[d];
        }

        meanR /= n;
        meanB /= n;
        var meanA = meanR - meanB;
        double cov = 0, varR = 0, varB = 0, varA = 0;
        for (var d = 0; d < n; d++)
        {
            var dr = r[d] - meanR;
            var db = b[d] - meanB;
            var da = r[d] - b[d] - meanA;
            cov += dr * db;
            varR += dr * dr;
            varB += db * db;
            varA += da * da;
        }

        cov /= n - 1;
        varR /= n - 1;
        varB /= n - 1;
        varA /= n - 1;
        const double A = PerformanceStatistics.TradingDaysPerYear;
        var rfd = riskFreeRate / A;
        double? beta = varB > 0 ? cov / varB : null;
        var sa = Math.Sqrt(varA);
        return new BenchmarkStatistics
        {
            Symbol = symbol,
            TotalReturn = total,
            Beta = Finite(beta),
            Alpha = beta is { } bt ? Finite(A * ((meanR - rfd) - (bt * (meanB - rfd)))) : null,
            Correlation = varR > 0 && varB > 0 ? Finite(Math.Clamp(cov / Math.Sqrt(varR * varB), -1, 1)) : null,
            TrackingError = Finite(sa * Math.Sqrt(A)),
            InformationRatio = sa > 0 ? Finite(meanA / sa * Math.Sqrt(A)) : null,
        };
    }

    /// <summary>Daily returns of a series from its start value, or null when a value that divides is not positive.</summary>
    internal static double[]? Returns(decimal start, IReadOnlyList<decimal> values)
    {
        var returns = new double[values.Count];
        var previous = start;
        for (var d = 0; d < returns.Length; d++)
        {
            if (previous <= 0)
            {
                return null;
            }

            returns[d] = (double)((values[d] - previous) / previous);
            previous = values[d];
        }

        return returns;
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
