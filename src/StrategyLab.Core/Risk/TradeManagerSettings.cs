using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Risk;

/// <summary>How entries are sized.</summary>
public enum SizingMode
{
    /// <summary>A percentage of current equity (<see cref="TradeManagerSettings.PositionSizePct"/>) per position.</summary>
    PercentEquity,

    /// <summary>A fixed quantity (<see cref="TradeManagerSettings.Quantity"/>) per position.</summary>
    FixedQuantity,

    /// <summary>A fixed notional in account currency (<see cref="TradeManagerSettings.Notional"/>) per position.</summary>
    FixedNotional,

    /// <summary>
    /// Sized so that the stop-loss, if hit, loses <see cref="TradeManagerSettings.RiskPct"/> percent of equity:
    /// equity × risk % ÷ (price × stop distance %), capped by <see cref="TradeManagerSettings.MaxPositionPct"/> of equity
    /// and by the buying power. 0.5 % risk with a 2 % stop is a position of 25 % of equity.
    /// </summary>
    RiskPercent,
}

/// <summary>Sizing and position limits of the trade manager.</summary>
public sealed record TradeManagerSettings
{
    /// <summary>The sizing rule (default: percent of equity).</summary>
    public SizingMode Sizing { get; init; } = SizingMode.PercentEquity;

    /// <summary>Percent of equity per position for <see cref="SizingMode.PercentEquity"/> (default 0.5).</summary>
    public decimal PositionSizePct { get; init; } = 0.5m;

    /// <summary>Quantity per position for <see cref="SizingMode.FixedQuantity"/>.</summary>
    public decimal Quantity { get; init; }

    /// <summary>Notional per position for <see cref="SizingMode.FixedNotional"/>.</summary>
    public decimal Notional { get; init; }

    /// <summary>Percent of equity a stopped-out position loses, for <see cref="SizingMode.RiskPercent"/> (default 0.5).</summary>
    public decimal RiskPct { get; init; } = 0.5m;

    /// <summary>The largest position in percent of equity, for <see cref="SizingMode.RiskPercent"/> (default 100).</summary>
    public decimal MaxPositionPct { get; init; } = 100m;

    /// <summary>
    /// The stop distance in percent of the entry price that <see cref="SizingMode.RiskPercent"/> sizes against (the
    /// run's stop-loss, else its trailing stop); required with that mode.
    /// </summary>
    public decimal? StopDistancePct { get; init; }

    /// <summary>Most positions open at once, pending entries included (default 3).</summary>
    public int MaxPositions { get; init; } = 3;

    /// <summary>
    /// Price increments and quantity steps: sizes round down to the quantity step, protective levels round to the price
    /// increment away from the market. Share one catalog with the exchange of the same run.
    /// </summary>
    public InstrumentCatalog Instruments { get; init; } = new();
}

/// <summary>Protective exits and loss limits.</summary>
public sealed record RiskSettings
{
    /// <summary>Stop-loss distance in percent of the entry price (default 2); null for none.</summary>
    public decimal? StopLossPct { get; init; } = 2m;

    /// <summary>Take-profit distance in percent of the entry price; null for none.</summary>
    public decimal? TakeProfitPct { get; init; }

    /// <summary>Trailing stop distance in percent of the best price since entry; null for none.</summary>
    public decimal? TrailingStopPct { get; init; }

    /// <summary>When the day's loss reaches this percent of the equity at the session start, no new entries that day.</summary>
    public decimal? DailyLossLimitPct { get; init; }

    /// <summary>No new entries within this many minutes of the regular close (default 0: only the strategy decides).</summary>
    public int StopEntriesMinutesBeforeClose { get; init; }
}
