using Microsoft.Extensions.Logging;

namespace StrategyLab.Core;

/// <summary>
/// Stable names of the engine's structured log events. A user can grep or filter on them; they never change
/// meaning. The numeric ids group them: 1xxx engine, 2xxx orders, 3xxx risk, 4xxx market hours, 5xxx live mode,
/// 6xxx corporate actions.
/// </summary>
public static class EngineEvents
{
    /// <summary>A run started.</summary>
    public static readonly EventId RunStarted = new(1000, "run.started");

    /// <summary>A run finished.</summary>
    public static readonly EventId RunFinished = new(1001, "run.finished");

    /// <summary>A bar was dropped (outside trading hours, out of order).</summary>
    public static readonly EventId BarDropped = new(1002, "bar.dropped");

    /// <summary>A new session started for a symbol.</summary>
    public static readonly EventId SessionOpen = new(1003, "session.open");

    /// <summary>An intent was ignored during warm-up.</summary>
    public static readonly EventId IntentSuppressed = new(1004, "strategy.intent.suppressed");

    /// <summary>Trading halted by an operator (<c>strategylab flatten</c>): open orders cancelled, positions closed.</summary>
    public static readonly EventId TradingHalted = new(1006, "engine.halted");

    /// <summary>An intent or an order of a halted run was dropped.</summary>
    public static readonly EventId HaltedIntentDropped = new(1007, "engine.halted.dropped");

    /// <summary>
    /// Once at the end of a run: bars left out because they lie outside the sessions (closed days, outside hours;
    /// a warning), or in pre-market/after-hours while extended hours are off (information). See <see cref="Engine.OutsideSessionBars"/>.
    /// </summary>
    public static readonly EventId BarsOutsideSession = new(1005, "data.bars.outside_session");

    /// <summary>A scheduled callback did not fire in a session the run saw (no slice between its time and the close).</summary>
    public static readonly EventId ScheduleMissed = new(1020, "schedule.missed");

    /// <summary>An order was accepted.</summary>
    public static readonly EventId OrderAccepted = new(2000, "order.accepted");

    /// <summary>An order was rejected.</summary>
    public static readonly EventId OrderRejected = new(2001, "order.rejected");

    /// <summary>An order (partly) filled.</summary>
    public static readonly EventId OrderFilled = new(2002, "order.filled");

    /// <summary>An order was cancelled.</summary>
    public static readonly EventId OrderCanceled = new(2003, "order.canceled");

    /// <summary>An order expired.</summary>
    public static readonly EventId OrderExpired = new(2004, "order.expired");

    /// <summary>A round trip closed.</summary>
    public static readonly EventId TradeClosed = new(2005, "trade.closed");

    /// <summary>An entry was blocked by a limit.</summary>
    public static readonly EventId EntryBlocked = new(3000, "risk.entry_blocked");

    /// <summary>The daily loss limit was reached.</summary>
    public static readonly EventId DailyLossLimit = new(3001, "risk.daily_loss_limit");

    /// <summary>A target position's increase was cut to what the buying power covers (the rest possibly deferred).</summary>
    public static readonly EventId TargetCapped = new(3002, "risk.target_capped");

    /// <summary>A split was applied to the account and open orders (raw prices).</summary>
    public static readonly EventId CorporateSplit = new(6000, "corporate.split");

    /// <summary>A cash dividend was credited to longs / debited to shorts (raw prices).</summary>
    public static readonly EventId CorporateDividend = new(6001, "corporate.dividend");
}
