using StrategyLab.Core.Accounting;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// The performance of a run. Every formula is stated on its property and in <c>docs/statistics.md</c>.
/// </summary>
/// <remarks>
/// <para>
/// Notation: <c>E_0</c> is the initial equity; <c>E_1 … E_N</c> the equity at the last mark of each of the <c>N</c>
/// exchange-local trading dates that had a mark; the daily returns are <c>r_d = E_d / E_{d−1} − 1</c> for
/// <c>d = 1 … N</c>; <c>A = 252</c> trading days a year; <c>rf</c> the annual risk-free rate and <c>rf_d = rf / A</c>.
/// </para>
/// <para>
/// Ratios (returns, volatility, Sharpe…) are <see cref="double"/> fractions (0.05 = 5 %); money is
/// <see cref="decimal"/>. A statistic that is undefined for the run (too few days, no trades, no losses, zero
/// volatility, non-positive equity) is <c>null</c>; no property is ever NaN or infinite.
/// </para>
/// <para>
/// Trades are judged on their net PnL (<see cref="RoundTrip.NetPnl"/>, after commissions): a winner has net PnL
/// &gt; 0, a loser &lt; 0; a trade at exactly 0 is counted in <see cref="TradeCount"/> only.
/// </para>
/// </remarks>
public sealed record PerformanceStatistics
{
    /// <summary>Trading days per year used to annualise (and in the CAGR exponent).</summary>
    public const int TradingDaysPerYear = 252;

    /// <summary><c>E_0</c>: equity at the start (the initial cash).</summary>
    public required decimal StartEquity { get; init; }

    /// <summary><c>E_N</c>: equity at the last mark (<see cref="StartEquity"/> when there was no mark).</summary>
    public required decimal EndEquity { get; init; }

    /// <summary><c>E_N − E_0</c>.</summary>
    public required decimal NetProfit { get; init; }

    /// <summary><c>N</c>: trading dates with at least one mark, which is also the number of daily returns.</summary>
    public required int TradingDays { get; init; }

    /// <summary><c>E_N / E_0 − 1</c>.</summary>
    public required double TotalReturn { get; init; }

    /// <summary>
    /// Compound annual growth rate <c>(E_N / E_0)^(A / N) − 1</c>. Null when <c>N = 0</c>, when <c>E_N ≤ 0</c>, or when
    /// the power overflows a double (a huge return over very few days).
    /// </summary>
    public required double? Cagr { get; init; }

    /// <summary>
    /// Annualised volatility <c>s · √A</c>, where <c>s</c> is the sample standard deviation (divisor <c>N − 1</c>)
    /// of the daily returns. 0 for a flat curve; null when <c>N &lt; 2</c> or an equity is ≤ 0.
    /// </summary>
    public required double? AnnualVolatility { get; init; }

    /// <summary>
    /// Sharpe ratio <c>mean(r_d − rf_d) / s · √A</c> (<c>s</c> as in <see cref="AnnualVolatility"/>). Null when
    /// <c>N &lt; 2</c>, <c>s = 0</c> or an equity is ≤ 0.
    /// </summary>
    public required double? Sharpe { get; init; }

    /// <summary>
    /// Sortino ratio <c>mean(r_d − rf_d) / DD · √A</c>, with the target downside deviation
    /// <c>DD = √( Σ_d min(0, r_d − rf_d)² / N )</c> (every day counts in the divisor, days above the target count as 0).
    /// Null when <c>N &lt; 2</c>, <c>DD = 0</c> (no day below the target) or an equity is ≤ 0.
    /// </summary>
    public required double? Sortino { get; init; }

    /// <summary>The annual risk-free rate the ratios were computed with.</summary>
    public required double RiskFreeRate { get; init; }

    /// <summary>Maximum drawdown depth as a fraction of the peak, measured on every mark (see <see cref="DrawdownSummary.MaxDepth"/>).</summary>
    public required double MaxDrawdown { get; init; }

    /// <summary>The longest drawdown, peak to recovery (or to the last mark); see <see cref="DrawdownSummary.LongestDuration"/>.</summary>
    public required TimeSpan LongestDrawdown { get; init; }

    /// <summary>The longest drawdown in trading days; see <see cref="DrawdownSummary.LongestTradingDays"/>.</summary>
    public required int LongestDrawdownTradingDays { get; init; }

    /// <summary>False when the longest drawdown had not recovered by the last mark.</summary>
    public required bool LongestDrawdownRecovered { get; init; }

    /// <summary><c>Cagr / MaxDrawdown</c>. Null when CAGR is null or the maximum drawdown is 0.</summary>
    public required double? Calmar { get; init; }

    /// <summary>Closed round trips.</summary>
    public required int TradeCount { get; init; }

    /// <summary>Round trips with net PnL &gt; 0.</summary>
    public required int WinningTrades { get; init; }

    /// <summary>Round trips with net PnL &lt; 0.</summary>
    public required int LosingTrades { get; init; }

    /// <summary><c>WinningTrades / TradeCount</c>; null without trades.</summary>
    public required double? WinRate { get; init; }

    /// <summary>Σ net PnL of the winners (0 when none).</summary>
    public required decimal GrossProfit { get; init; }

    /// <summary>Σ net PnL of the losers, a negative number (0 when none).</summary>
    public required decimal GrossLoss { get; init; }

    /// <summary><c>GrossProfit / |GrossLoss|</c>; null when there is no loser (including no trades).</summary>
    public required double? ProfitFactor { get; init; }

    /// <summary><c>GrossProfit / WinningTrades</c>; null without winners.</summary>
    public required decimal? AverageWin { get; init; }

    /// <summary><c>GrossLoss / LosingTrades</c> (negative); null without losers.</summary>
    public required decimal? AverageLoss { get; init; }

    /// <summary>Mean net PnL per round trip, <c>Σ net PnL / TradeCount</c>; null without trades.</summary>
    public required decimal? Expectancy { get; init; }

    /// <summary>Fraction of equity marks at which at least one position was open (0 when there was no mark).</summary>
    public required double Exposure { get; init; }

    /// <summary>Σ commission of every fill, including fills of positions still open.</summary>
    public required decimal TotalFees { get; init; }

    /// <summary>
    /// <see cref="TotalFees"/> as a fraction of the absolute P&amp;L before fees (<see cref="NetProfit"/> +
    /// <see cref="TotalFees"/>); null when there were no fees or that P&amp;L is zero. Above 1/3 the result is mostly
    /// commission (<see cref="FeesDominate"/>).
    /// </summary>
    public double? FeeShareOfGross => TotalFees == 0 || NetProfit + TotalFees == 0 ? null : (double)(TotalFees / Math.Abs(NetProfit + TotalFees));

    /// <summary>True when the fees exceed a third of the absolute P&amp;L before fees: the result is a commission artefact.</summary>
    public bool FeesDominate => TotalFees > 0 && TotalFees * 3 > Math.Abs(NetProfit + TotalFees);

    /// <summary>The window of the rolling Sharpe ratio (<see cref="DailySeries"/>), in trading days; null when not recorded.</summary>
    public int? RollingSharpeDays { get; init; }

    /// <summary>The run against its benchmark (<see cref="BenchmarkStatistics"/>); null when the run has none.</summary>
    public BenchmarkStatistics? Benchmark { get; init; }

    /// <summary>MAE/MFE and holding times of the round trips; null when not recorded (<see cref="Compute"/> alone leaves it out).</summary>
    public TradeQuality? Quality { get; init; }

    /// <summary>What each symbol contributed, by ticker (<see cref="SymbolAttribution"/>); empty when not recorded.</summary>
    public IReadOnlyList<SymbolAttribution> Attribution { get; init; } = [];

    /// <summary>
    /// Computes the statistics from a daily equity series, the drawdowns measured on every mark, the closed round trips
    /// and totals. Pure: the same input gives the same output.
    /// </summary>
    /// <param name="initialEquity"><c>E_0</c>, positive.</param>
    /// <param name="dailyEquity"><c>E_1 … E_N</c>: the last equity of each trading date, oldest first.</param>
    /// <param name="drawdown">The drawdowns (see <see cref="StatisticsRecorder"/>, which measures them on every mark).</param>
    /// <param name="roundTrips">The closed round trips.</param>
    /// <param name="totalFees">Σ commission of every fill.</param>
    /// <param name="exposure">Fraction of marks with an open position, in [0, 1].</param>
    /// <param name="options">Risk-free rate; <see cref="StatisticsOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">The initial equity is not positive or the exposure is outside [0, 1].</exception>
    public static PerformanceStatistics Compute(
        decimal initialEquity,
        IReadOnlyList<decimal> dailyEquity,
        DrawdownSummary drawdown,
        IReadOnlyList<RoundTrip> roundTrips,
        decimal totalFees,
        double exposure,
        StatisticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(roundTrips);
        return FromTotals(initialEquity, dailyEquity, drawdown, TradeTally.Of(roundTrips, null), totalFees, exposure, options);
    }

    /// <summary>As the public overload, from the round trips' running totals (<see cref="StatisticsRecorder"/> keeps no trips).</summary>
    internal static PerformanceStatistics FromTotals(
        decimal initialEquity,
        IReadOnlyList<decimal> dailyEquity,
        DrawdownSummary drawdown,
        TradeTally trades,
        decimal totalFees,
        double exposure,
        StatisticsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dailyEquity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialEquity);
        if (!(exposure >= 0 && exposure <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(exposure), exposure, "Exposure is a fraction of marks in [0, 1].");
        }

        options ??= StatisticsOptions.Default;
        var n = dailyEquity.Count;
        var end = n == 0 ? initialEquity : dailyEquity[n - 1];
        var returns = DailyReturns(initialEquity, dailyEquity);
        var cagr = n == 0 || end <= 0 ? null : Finite(Math.Pow((double)(end / initialEquity), (double)TradingDaysPerYear / n) - 1);
        var risk = RiskRatios(returns, options.RiskFreeRate);
        var maxDrawdown = (double)drawdown.MaxDepth;

        return new PerformanceStatistics
        {
            StartEquity = initialEquity,
            EndEquity = end,
            NetProfit = end - initialEquity,
            TradingDays = n,
            TotalReturn = (double)((end - initialEquity) / initialEquity),
            Cagr = cagr,
            AnnualVolatility = risk.Volatility,
            Sharpe = risk.Sharpe,
            Sortino = risk.Sortino,
            RiskFreeRate = options.RiskFreeRate,
            MaxDrawdown = maxDrawdown,
            LongestDrawdown = drawdown.LongestDuration,
            LongestDrawdownTradingDays = drawdown.LongestTradingDays,
            LongestDrawdownRecovered = drawdown.LongestRecovered,
            Calmar = cagr is { } c && maxDrawdown > 0 ? Finite(c / maxDrawdown) : null,
            TradeCount = trades.Count,
            WinningTrades = trades.Wins,
            LosingTrades = trades.Losses,
            WinRate = trades.Count == 0 ? null : (double)trades.Wins / trades.Count,
            GrossProfit = trades.GrossProfit,
            GrossLoss = trades.GrossLoss,
            ProfitFactor = trades.Losses == 0 ? null : (double)(trades.GrossProfit / -trades.GrossLoss),
            AverageWin = trades.Wins == 0 ? null : trades.GrossProfit / trades.Wins,
            AverageLoss = trades.Losses == 0 ? null : trades.GrossLoss / trades.Losses,
            Expectancy = trades.Count == 0 ? null : (trades.GrossProfit + trades.GrossLoss) / trades.Count,
            Exposure = exposure,
            TotalFees = totalFees,
        };
    }

    /// <summary>The daily returns, or null when an equity that divides (E_0 … E_{N−1}) is not positive.</summary>
    private static double[]? DailyReturns(decimal initialEquity, IReadOnlyList<decimal> dailyEquity)
    {
        var returns = new double[dailyEquity.Count];
        var previous = initialEquity;
        for (var d = 0; d < returns.Length; d++)
        {
            if (previous <= 0)
            {
                return null;
            }

            var e = dailyEquity[d];

            // (E_d − E_{d−1}) / E_{d−1} in decimal keeps small returns exact before the conversion.
            returns[d] = (double)((e - previous) / previous);
            previous = e;
        }

        return returns;
    }

    private static (double? Volatility, double? Sharpe, double? Sortino) RiskRatios(double[]? returns, double riskFreeRate)
    {
        if (returns is null || returns.Length < 2)
        {
            return (null, null, null);
        }

        var n = returns.Length;
        var dailyRiskFree = riskFreeRate / TradingDaysPerYear;
        var sqrtA = Math.Sqrt(TradingDaysPerYear);

        var mean = 0.0;
        foreach (var r in returns)
        {
            mean += r;
        }

        mean /= n;
        var squares = 0.0;
        var downsideSquares = 0.0;
        foreach (var r in returns)
        {
            squares += (r - mean) * (r - mean);
            var excess = r - dailyRiskFree;
            if (excess < 0)
            {
                downsideSquares += excess * excess;
            }
        }

        var s = Math.Sqrt(squares / (n - 1));
        var downside = Math.Sqrt(downsideSquares / n);
        var meanExcess = mean - dailyRiskFree;
        return (
            Finite(s * sqrtA),
            s > 0 ? Finite(meanExcess / s * sqrtA) : null,
            downside > 0 ? Finite(meanExcess / downside * sqrtA) : null);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
