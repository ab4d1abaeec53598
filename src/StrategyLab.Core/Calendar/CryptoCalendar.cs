namespace StrategyLab.Core.Calendar;

/// <summary>
/// A market that never closes: one session per UTC date, [00:00, 24:00) UTC, no holidays and no
/// pre-market or after-hours segments (extended hours change nothing).
/// </summary>
public sealed class CryptoCalendar : MarketCalendar
{
    /// <summary>The calendar's name.</summary>
    public const string CalendarName = "24/7";

    /// <summary>The shared instance.</summary>
    public static CryptoCalendar Instance { get; } = new();

    private CryptoCalendar()
        : base(CalendarName, "Etc/UTC")
    {
    }

    /// <inheritdoc />
    protected override TradingSession ComputeSession(DateOnly date)
    {
        var open = DateTime.SpecifyKind(date.ToDateTime(TimeOnly.MinValue), DateTimeKind.Utc);
        var close = open.AddDays(1);
        return new TradingSession(date, open, open, close, close, IsEarlyClose: false);
    }
}
