using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Support;

/// <summary>
/// A calendar for engine tests: every weekday trades 09:30–16:00 New York (pre-market 04:00, after-hours 20:00),
/// no holidays; <see cref="EarlyCloseDates"/> close at 13:00 (after-hours to 17:00).
/// </summary>
public sealed class WeekdayTestCalendar : MarketCalendar
{
    public WeekdayTestCalendar(params DateOnly[] earlyCloseDates)
        : base("TEST", "America/New_York")
    {
        EarlyCloseDates = [.. earlyCloseDates];
    }

    public static WeekdayTestCalendar Instance { get; } = new();

    public HashSet<DateOnly> EarlyCloseDates { get; }

    protected override TradingSession? ComputeSession(DateOnly date)
    {
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            return null;
        }

        var early = EarlyCloseDates.Contains(date);
        return new TradingSession(
            date,
            At(date, new TimeOnly(4, 0)),
            At(date, new TimeOnly(9, 30)),
            At(date, early ? new TimeOnly(13, 0) : new TimeOnly(16, 0)),
            At(date, early ? new TimeOnly(17, 0) : new TimeOnly(20, 0)),
            early);
    }
}
