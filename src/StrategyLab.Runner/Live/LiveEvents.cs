using Microsoft.Extensions.Logging;

namespace StrategyLab.Runner.Live;

/// <summary>Stable names of the live and replay runners' log events (5xxx ids).</summary>
public static class LiveEvents
{
    /// <summary>A live or replay run started.</summary>
    public static readonly EventId Started = new(5000, "liveMode.started");

    /// <summary>The run is waiting for the market to open.</summary>
    public static readonly EventId WaitingForOpen = new(5001, "liveMode.waiting");

    /// <summary>Warm-up bars were loaded.</summary>
    public static readonly EventId WarmupLoaded = new(5002, "liveMode.warmup.loaded");

    /// <summary>Warm-up history was not available (the run warms up from live cycles instead).</summary>
    public static readonly EventId WarmupUnavailable = new(5003, "liveMode.warmup.unavailable");

    /// <summary>The next wake-up was scheduled at a bar boundary plus the buffer.</summary>
    public static readonly EventId BarSync = new(5004, "bar.sync");

    /// <summary>A live cycle ran.</summary>
    public static readonly EventId Cycle = new(5005, "liveMode.cycle");

    /// <summary>Bars missed during a disconnection were backfilled from history.</summary>
    public static readonly EventId GapBackfilled = new(5006, "liveMode.gap.backfilled");

    /// <summary>Bars missed during a disconnection could not be backfilled.</summary>
    public static readonly EventId GapUnfilled = new(5007, "liveMode.gap.unfilled");

    /// <summary>A provider bar arrived after its bar was closed off; it was ignored.</summary>
    public static readonly EventId LateBar = new(5008, "liveMode.bar.late");

    /// <summary>The run is stopping (auto stop, Ctrl+C, market closed, feed failure).</summary>
    public static readonly EventId Stopping = new(5009, "liveMode.stopping");

    /// <summary>The run stopped.</summary>
    public static readonly EventId Stopped = new(5010, "liveMode.stopped");

    /// <summary>The market is open.</summary>
    public static readonly EventId MarketOpen = new(4100, "market.open");

    /// <summary>The market is closed for the weekend.</summary>
    public static readonly EventId MarketClosedWeekend = new(4101, "market.closed.weekend");

    /// <summary>The market is closed outside its hours.</summary>
    public static readonly EventId MarketClosedHours = new(4102, "market.closed.hours");

    /// <summary>The market is closed for a holiday.</summary>
    public static readonly EventId MarketClosedHoliday = new(4103, "market.closed.holiday");

    /// <summary>A provider notice (error frame, unexpected status).</summary>
    public static readonly EventId ProviderNotice = new(5011, "liveMode.provider.notice");

    /// <summary>A replay slice was released by the scaled clock.</summary>
    public static readonly EventId ReplaySlice = new(5012, "replay.slice");

    /// <summary>Replay takes precedence over live mode.</summary>
    public static readonly EventId ReplayWinsOverLive = new(5013, "liveMode.replayPrecedence");

    /// <summary>A provider bar that does not combine into the run's bars (e.g. a minute aggregate on a 5 s run) was ignored.</summary>
    public static readonly EventId BarUnusable = new(5015, "liveMode.bar.unusable");

    /// <summary>Auto stop time reached.</summary>
    public static readonly EventId AutoStop = new(5014, "liveMode.autoStop");

    /// <summary>User code in the strategy threw: the run stops (<c>stop_reason: "strategy_error"</c>).</summary>
    public static readonly EventId StrategyError = new(5016, "strategy.error");

    /// <summary>An operator's flatten request is applied by the live run (<see cref="OperatorDesk"/>): cancel all, close all, halt.</summary>
    public static readonly EventId FlattenApplied = new(5017, "flatten.applied");

    /// <summary>The live run has no open order and no position left after an operator's flatten; trading stays halted.</summary>
    public static readonly EventId FlattenDone = new(5018, "flatten.done");
}
