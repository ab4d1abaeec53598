using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Support;

/// <summary>
/// A small calendar with fixed NYSE-like hours in America/New_York, for tests that must not depend on the real NYSE
/// rules: weekdays trade 04:00–09:30 pre-market, 09:30–16:00 regular, 16:00–20:00 after-hours; the listed early-close
/// dates close at 13:00 (after-hours until 17:00); the listed holidays and weekends do not trade.
/// </summary>
public sealed class TestExchangeCalendar : MarketCalendar
{
    private readonly HashSet<DateOnly> _holidays;
    private readonly HashSet<DateOnly> _earlyCloses;

    public TestExchangeCalendar(IEnumerable<DateOnly>? holidays = null, IEnumerable<DateOnly>? earlyCloses = null)
        : base("TEST-NY", "America/New_York")
    {
        _holidays = [.. holidays ?? []];
        _earlyCloses = [.. earlyCloses ?? []];
    }

    /// <summary>Christmas 2015 as on the NYSE: 2015-12-24 closes at 13:00, 2015-12-25 is a holiday.</summary>
    public static TestExchangeCalendar Default { get; } = new(
        holidays: [new DateOnly(2015, 12, 25), new DateOnly(2024, 7, 4)],
        earlyCloses: [new DateOnly(2015, 12, 24), new DateOnly(2024, 7, 3)]);

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
