namespace StrategyLab.Core.Calendar;

/// <summary>
/// The New York Stock Exchange calendar (America/New_York), used for every US equity. Regular session 09:30–16:00,
/// pre-market 04:00–09:30 and after-hours 16:00–20:00 (NYSE Arca's early and late trading sessions).
/// </summary>
/// <remarks>
/// <para>
/// Holidays and early closes are computed by rule for every year 1990–2100 (see the rules in <c>NyseRules</c>):
/// New Year's Day, Martin Luther King Jr. Day (from 1998), Washington's Birthday, Good Friday, Memorial Day,
/// Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving and Christmas, with NYSE Rule 7.2's weekend
/// observance; early closes the day before (or, 1996–2012, after) Independence Day from 1995, the day after
/// Thanksgiving from 1992 and on Christmas Eve. Early closes are at 13:00, or 14:00 before 1993. One-off closures and
/// short days (funerals, 9/11, Hurricane Sandy, snowstorms…) come from the single list in <c>NyseSpecialDays</c>.
/// </para>
/// <para>
/// On an early-close day the after-hours segment ends at 17:00: since the NYSE's 2019 holiday notices, the NYSE Arca
/// (and American, Chicago, National) late trading sessions close at 5:00 p.m. on those days; notices up to 2018 said
/// 4:00 p.m. The extended-hours windows are today's and are applied to every year, although extended trading before
/// the 2000s was thin or absent.
/// </para>
/// </remarks>
public sealed class NyseCalendar : MarketCalendar
{
    /// <summary>The calendar's name.</summary>
    public const string CalendarName = "NYSE";

    /// <summary>Start of pre-market trading, New York time.</summary>
    public static readonly TimeOnly PreMarketOpenTime = new(4, 0);

    /// <summary>The regular open, New York time.</summary>
    public static readonly TimeOnly RegularOpenTime = new(9, 30);

    /// <summary>The regular close, New York time.</summary>
    public static readonly TimeOnly RegularCloseTime = new(16, 0);

    /// <summary>End of after-hours trading on a full day, New York time.</summary>
    public static readonly TimeOnly AfterHoursCloseTime = new(20, 0);

    /// <summary>End of after-hours trading on an early-close day, New York time.</summary>
    public static readonly TimeOnly EarlyCloseAfterHoursCloseTime = new(17, 0);

    private NyseCalendar()
        : base(CalendarName, "America/New_York")
    {
    }

    /// <summary>The shared instance.</summary>
    public static NyseCalendar Instance { get; } = new();

    /// <inheritdoc />
    protected override TradingSession? ComputeSession(DateOnly date)
    {
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || NyseRules.IsHoliday(date))
        {
            return null;
        }

        var open = RegularOpenTime;
        var close = NyseRules.ScheduledEarlyClose(date) ?? RegularCloseTime;
        if (NyseSpecialDays.Find(date) is { } special)
        {
            if (special.IsClosed)
            {
                return null;
            }

            (open, close) = (special.Open, special.Close);
        }

        var isEarlyClose = close < RegularCloseTime;
        var afterHoursClose = isEarlyClose ? EarlyCloseAfterHoursCloseTime : AfterHoursCloseTime;
        return new TradingSession(
            date,
            At(date, PreMarketOpenTime),
            At(date, open),
            At(date, close),
            At(date, afterHoursClose),
            isEarlyClose);
    }
}
