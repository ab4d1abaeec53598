using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Aggregation;

/// <summary>How a <see cref="TradeBarAggregator"/> cuts trades into bars.</summary>
public sealed record TradeBarAggregatorOptions
{
    /// <summary>The bar length; windows follow <see cref="BarWindows"/>.</summary>
    public required Timeframe Timeframe { get; init; }

    /// <summary>True to build bars in the pre-market and after-hours segments too; otherwise their trades are rejected.</summary>
    public bool ExtendedHours { get; init; }

    /// <summary>
    /// How long a window stays open after its end for trades that arrive late (live feeds deliver out of order).
    /// A window is emitted once the clock reaches end + grace; a trade for it after that is rejected as late.
    /// </summary>
    public TimeSpan Grace { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// True to emit a flat bar at the last close with zero volume (trade count 0, no VWAP) for every window inside the
    /// hours in use that has no trades, once the symbol has traded at least once.
    /// </summary>
    public bool EmitEmptyBars { get; init; }
}

/// <summary>What <see cref="TradeBarAggregator.Add"/> did with a trade.</summary>
public enum TradeOutcome
{
    /// <summary>The trade was added to its window's bar.</summary>
    Accepted,

    /// <summary>A trade with the same id is already in one of the symbol's open windows; this print was ignored.</summary>
    Duplicate,

    /// <summary>The trade's window was already closed (its end + grace had passed); the print was ignored.</summary>
    Late,

    /// <summary>The trade's time is outside the hours in use (night, weekend, holiday, or extended hours when off).</summary>
    OutsideHours,

    /// <summary>The print has size 0 (a price-only update); it changes no bar.</summary>
    ZeroSize,
}

/// <summary>A snapshot of a <see cref="TradeBarAggregator"/>'s counters.</summary>
/// <param name="Accepted">Trades added to a bar.</param>
/// <param name="Duplicates">Prints ignored because their id was already in an open window of the symbol.</param>
/// <param name="Late">Prints ignored because their window had closed.</param>
/// <param name="OutsideHours">Prints ignored because their time is outside the hours in use.</param>
/// <param name="ZeroSize">Size-0 prints (inside hours and not late), which change no bar.</param>
/// <param name="BarsEmitted">Bars emitted, empty ones included.</param>
/// <param name="EmptyBarsEmitted">Flat zero-volume bars emitted for windows without trades.</param>
public readonly record struct TradeAggregationCounters(
    long Accepted,
    long Duplicates,
    long Late,
    long OutsideHours,
    long ZeroSize,
    long BarsEmitted,
    long EmptyBarsEmitted);
