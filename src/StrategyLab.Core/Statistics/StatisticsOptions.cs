namespace StrategyLab.Core.Statistics;

/// <summary>Settings of <see cref="PerformanceStatistics.Compute"/>.</summary>
public sealed record StatisticsOptions
{
    /// <summary>The default rolling Sharpe window: 63 trading days (a quarter).</summary>
    public const int DefaultRollingSharpeDays = 63;

    /// <summary>The default settings: a risk-free rate of 0.</summary>
    public static StatisticsOptions Default { get; } = new();

    /// <summary>
    /// Annual risk-free rate as a fraction (0.04 = 4 % a year; default 0). Sharpe and Sortino use the daily rate
    /// <c>RiskFreeRate / 252</c> as the per-day hurdle.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite or not above −1.</exception>
    public double RiskFreeRate
    {
        get;
        init
        {
            if (!double.IsFinite(value) || value <= -1)
            {
                throw new ArgumentOutOfRangeException(nameof(RiskFreeRate), value, "The risk-free rate must be a finite fraction above -1 (0.04 = 4 %).");
            }

            field = value;
        }
    }

    /// <summary>The window of the rolling Sharpe ratio in trading days (default 63, at least 2).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 2.</exception>
    public int RollingSharpeDays
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 2, nameof(RollingSharpeDays));
            field = value;
        }
    } = DefaultRollingSharpeDays;
}
