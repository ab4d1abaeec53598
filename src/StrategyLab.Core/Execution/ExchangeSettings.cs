namespace StrategyLab.Core.Execution;

/// <summary>How the simulated exchange fills orders and what it charges.</summary>
public sealed record ExchangeSettings
{
    /// <summary>Commission per execution (default: per share, IB style).</summary>
    public ICommissionModel Commission { get; init; } = new PerShareCommission();

    /// <summary>Adverse slippage on market and stop fills, in basis points of the price (default 0).</summary>
    public decimal SlippageBps { get; init; }

    /// <summary>
    /// When set, at most this fraction (0–1] of a bar's volume fills per symbol and bar; the rest keeps working.
    /// </summary>
    public decimal? MaxVolumeFraction { get; init; }

    /// <summary>Fill (and accept orders) in pre-market and after-hours too (default false: regular hours only).</summary>
    public bool ExtendedHours { get; init; }

    /// <summary>
    /// Keep every finished order in memory (<see cref="SimulatedExchange.AllOrders"/>; default false: only open orders are
    /// kept — a run's orders reach the recorders as events, and a long backtest must not carry them all).
    /// </summary>
    public bool KeepOrderHistory { get; init; }
}
