using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Core.Strategies;

/// <summary>
/// A small NYSE-shaped calendar for strategy tests (America/New_York; pre-market 04:00, regular 09:30–16:00,
/// after-hours to 20:00; weekends closed; the early closes listed close at 13:00 with after-hours to 17:00).
/// Only the days the tests use are special; it is not the real NYSE calendar.
/// </summary>
internal sealed class TestNyseCalendar : MarketCalendar
{
    private readonly HashSet<DateOnly> _earlyCloses;
    private readonly HashSet<DateOnly> _holidays;

    public TestNyseCalendar(IEnumerable<DateOnly>? earlyCloses = null, IEnumerable<DateOnly>? holidays = null)
        : base("TEST-NYSE", "America/New_York")
    {
        _earlyCloses = [.. earlyCloses ?? []];
        _holidays = [.. holidays ?? []];
    }

    /// <summary>2024: July 3 closes early, July 4 is a holiday (as on the real NYSE).</summary>
    public static TestNyseCalendar Instance { get; } = new(
        earlyCloses: [new DateOnly(2024, 7, 3), new DateOnly(2024, 11, 29)],
        holidays: [new DateOnly(2024, 7, 4)]);

    protected override TradingSession? ComputeSession(DateOnly date)
    {
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || _holidays.Contains(date))
        {
            return null;
        }

        var early = _earlyCloses.Contains(date);
        return new TradingSession(
            date,
            At(date, new TimeOnly(4, 0)),
            At(date, new TimeOnly(9, 30)),
            At(date, early ? new TimeOnly(13, 0) : new TimeOnly(16, 0)),
            At(date, early ? new TimeOnly(17, 0) : new TimeOnly(20, 0)),
            early);
    }
}
