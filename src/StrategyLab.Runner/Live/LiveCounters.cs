namespace StrategyLab.Runner.Live;

/// <summary>Why a live run ended.</summary>
public enum LiveStopReason
{
    /// <summary><c>auto_stop_at</c> was reached.</summary>
    AutoStop,

    /// <summary>The user stopped it (Ctrl+C, SIGTERM).</summary>
    Cancelled,

    /// <summary>The market closed and <c>market_hours.when_closed</c> is <c>exit</c>.</summary>
    MarketClosed,

    /// <summary>The feed failed for good (e.g. authentication).</summary>
    FeedFailed,

    /// <summary>The calendar has no further session.</summary>
    NoMoreSessions,
}

/// <summary>What a live run did, beyond the engine's own counters.</summary>
public sealed class LiveCounters
{
    /// <summary>Bar-sync wake-ups (one live cycle each).</summary>
    public long Cycles { get; internal set; }

    /// <summary>Trades received.</summary>
    public long Trades { get; internal set; }

    /// <summary>Provider bars received (Polygon aggregates).</summary>
    public long ProviderBars { get; internal set; }

    /// <summary>Provider bars that came after their bar had been closed off (ignored, never double counted).</summary>
    public long LateProviderBars { get; internal set; }

    /// <summary>Provider bars that do not combine into the run's bars (e.g. minute aggregates on a 5 s run; ignored).</summary>
    public long UnusableProviderBars { get; internal set; }

    /// <summary>Bars built and handed to the engine.</summary>
    public long Bars { get; internal set; }

    /// <summary>Disconnections seen.</summary>
    public int Disconnects { get; internal set; }

    /// <summary>Bars replaced or added from history after a disconnection.</summary>
    public int BarsBackfilled { get; internal set; }

    /// <summary>Gaps that could not be backfilled.</summary>
    public int GapsUnfilled { get; internal set; }

    /// <summary>Warm-up bars loaded from history.</summary>
    public int WarmupBars { get; internal set; }
}
