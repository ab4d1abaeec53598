using System.Buffers;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

/// <summary>Settings of the orchestrator itself.</summary>
public sealed record EngineOptions
{
    /// <summary>The timeframe of the bars the engine is fed (the strategy's timeframe).</summary>
    public Timeframe Timeframe { get; init; } = Timeframe.OneMinute;

    /// <summary>
    /// Act on pre-market and after-hours bars too (default false: bars outside the regular session are dropped
    /// before the exchange and the strategy see them).
    /// </summary>
    public bool ExtendedHours { get; init; }

    /// <summary>How many recent bars per symbol the strategy can look back on (default 256).</summary>
    public int HistoryCapacity { get; init; } = 256;

    /// <summary>
    /// Where the per-symbol history buffers come from (default null: each engine allocates its own). A sweep's many
    /// short runs share a pool and hand the buffers back with <see cref="TradingEngine.ReturnHistoryBuffers"/>: they
    /// were two thirds of what a run allocated.
    /// </summary>
    public ArrayPool<Bar>? HistoryBuffers { get; init; }

    /// <summary>Intents are ignored until this many cycles have run (live warm-up; default 0).</summary>
    public int MinCyclesBeforeTrading { get; init; }

    /// <summary>Close every position with market orders at the end of the run (default false: they stay open, marked).</summary>
    public bool ClosePositionsAtEnd { get; init; }

    /// <summary>
    /// Splits and dividends to apply to the account when bars are raw (<c>data.adjustment: raw</c>), any order: each is
    /// applied before the first bar of its symbol whose session date is on or after the ex-date (default none).
    /// </summary>
    public IReadOnlyList<CorporateAction> CorporateActions { get; init; } = [];

    /// <summary>
    /// The strategy's configuration name, for <see cref="Strategies.StrategyException"/> messages (default: the strategy
    /// class's name).
    /// </summary>
    public string? StrategyName { get; init; }

    /// <summary>
    /// Record the series a strategy plots over its price charts (<see cref="PlotPane.Price"/> and
    /// <see cref="PlotPane.Indicator"/>; default true). Runs without a report turn it off: those series exist only to be
    /// drawn, and the built-in strategies plot on every bar.
    /// </summary>
    public bool ChartOverlays { get; init; } = true;
}

/// <summary>Counts of what the engine did.</summary>
public sealed class EngineCounters
{
    /// <summary>Time slices processed (one cycle each).</summary>
    public long Cycles { get; internal set; }

    /// <summary>Bars acted on.</summary>
    public long Bars { get; internal set; }

    /// <summary>Bars dropped (outside trading hours).</summary>
    public long BarsDropped { get; internal set; }

    /// <summary>Warm-up bars shown to the strategy before trading.</summary>
    public long WarmupBars { get; internal set; }

    /// <summary>Orders submitted (accepted or rejected).</summary>
    public int OrdersSubmitted { get; internal set; }

    /// <summary>Orders rejected.</summary>
    public int OrdersRejected { get; internal set; }

    /// <summary>Fills (executions).</summary>
    public int Fills { get; internal set; }

    /// <summary>Intents ignored during warm-up.</summary>
    public int IntentsSuppressed { get; internal set; }

    /// <summary>Intents and orders dropped because trading was halted (<see cref="TradingEngine.Halt"/>).</summary>
    public int IntentsHalted { get; internal set; }
}
