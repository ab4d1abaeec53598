namespace StrategyLab.Core.Calendar;

/// <summary>Which part of a trading day an instant falls in.</summary>
public enum MarketSegment
{
    /// <summary>Outside every session (night, weekend, holiday).</summary>
    Closed,

    /// <summary>Before the regular open (NYSE 04:00–09:30 New York).</summary>
    PreMarket,

    /// <summary>The regular session (NYSE 09:30–16:00, or 13:00 on an early close).</summary>
    Regular,

    /// <summary>After the regular close (NYSE until 20:00 New York, 17:00 on an early-close day).</summary>
    AfterHours,
}
