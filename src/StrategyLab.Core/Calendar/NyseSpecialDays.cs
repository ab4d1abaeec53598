namespace StrategyLab.Core.Calendar;

/// <summary>
/// One-off NYSE closures, early closes and late opens since 1990: the days no rule predicts. This file is the only
/// place they live; add a new one here (with its source) when the exchange announces it.
/// </summary>
/// <remarks>
/// <para>
/// Sources: the NYSE's own history of market closings ("NYSE Closings", as transcribed with references in
/// pandas_market_calendars' NYSE calendar), NYSE/ICE press releases for 2012 (Hurricane Sandy), 2018 (President
/// George H. W. Bush) and 2025 (President Jimmy Carter), and exchange_calendars' XNYS calendar, which lists the
/// same closures and the 1997/2003 day-after-Christmas early closes.
/// </para>
/// <para>
/// Deliberately left out: the one- to three-minute delayed openings for moments of silence (1991-01-17,
/// 1991-02-25, 2001-09-17, 2001-10-08, 2003-03-20, 2004-06-07, 2006-12-27), since the market otherwise opened
/// normally and other venues traded from 09:30; and 1999-12-31, which exchange_calendars marks as a 13:00 close but
/// the NYSE's closings history, LEAN and pandas_market_calendars do not (it was a full day).
/// </para>
/// </remarks>
internal static class NyseSpecialDays
{
    // In date order (a test checks): Find searches it by halving. Not a frozen dictionary: building one over DateOnly
    // keys JIT-compiles its generic code at every start (~2 % of a small run; docs/performance.md: Start-up).
    private static readonly NyseSpecialDay[] Days =
    [
        // 1990s
        LateOpen(1990, 12, 27, 11, 0, "Con Edison transformer explosion"),
        EarlyClose(1994, 2, 11, 14, 30, "Snowstorm"),
        Closed(1994, 4, 27, "Funeral of former President Richard Nixon"),
        LateOpen(1995, 12, 18, 10, 30, "Computer system problems"),
        Shortened(1996, 1, 8, new TimeOnly(11, 0), new TimeOnly(14, 0), "Snowstorm (late open and early close)"),
        EarlyClose(1997, 10, 27, 15, 30, "Circuit breaker halted trading for the rest of the day"),
        EarlyClose(1997, 12, 26, 13, 0, "Friday after Christmas"),

        // 2000s
        Closed(2001, 9, 11, "Terrorist attacks on the World Trade Center"),
        Closed(2001, 9, 12, "Terrorist attacks on the World Trade Center"),
        Closed(2001, 9, 13, "Terrorist attacks on the World Trade Center"),
        Closed(2001, 9, 14, "Terrorist attacks on the World Trade Center"),
        LateOpen(2002, 9, 11, 12, 0, "First anniversary of the September 11 attacks"),
        EarlyClose(2003, 12, 26, 13, 0, "Friday after Christmas"),
        Closed(2004, 6, 11, "National day of mourning for former President Ronald Reagan"),
        EarlyClose(2005, 6, 1, 15, 56, "Systems communication problem"),
        Closed(2007, 1, 2, "National day of mourning for former President Gerald Ford"),

        // 2010s and later
        Closed(2012, 10, 29, "Hurricane Sandy"),
        Closed(2012, 10, 30, "Hurricane Sandy"),
        Closed(2018, 12, 5, "National day of mourning for former President George H. W. Bush"),
        Closed(2025, 1, 9, "National day of mourning for former President Jimmy Carter"),
    ];

    /// <summary>Every special day, in date order.</summary>
    public static IReadOnlyList<NyseSpecialDay> All => Days;

    /// <summary>The special day on <paramref name="date"/>, or null.</summary>
    public static NyseSpecialDay? Find(DateOnly date)
    {
        var (low, high) = (0, Days.Length - 1);
        while (low <= high)
        {
            var middle = (low + high) >>> 1;
            var order = Days[middle].Date.CompareTo(date);
            if (order == 0)
            {
                return Days[middle];
            }

            (low, high) = order < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return null;
    }

    private static NyseSpecialDay Closed(int year, int month, int day, string reason) =>
        new(new DateOnly(year, month, day), IsClosed: true, NyseCalendar.RegularOpenTime, NyseCalendar.RegularCloseTime, reason);

    private static NyseSpecialDay EarlyClose(int year, int month, int day, int hour, int minute, string reason) =>
        new(new DateOnly(year, month, day), IsClosed: false, NyseCalendar.RegularOpenTime, new TimeOnly(hour, minute), reason);

    private static NyseSpecialDay LateOpen(int year, int month, int day, int hour, int minute, string reason) =>
        new(new DateOnly(year, month, day), IsClosed: false, new TimeOnly(hour, minute), NyseCalendar.RegularCloseTime, reason);

    private static NyseSpecialDay Shortened(int year, int month, int day, TimeOnly open, TimeOnly close, string reason) =>
        new(new DateOnly(year, month, day), IsClosed: false, open, close, reason);
}

/// <summary>A one-off NYSE day: closed all day, or a regular session with a different open and/or close.</summary>
/// <param name="Date">The exchange-local date.</param>
/// <param name="IsClosed">True when the market did not open at all.</param>
/// <param name="Open">The regular open (New York time) when not closed.</param>
/// <param name="Close">The regular close (New York time) when not closed.</param>
/// <param name="Reason">Why, in a few words.</param>
internal sealed record NyseSpecialDay(DateOnly Date, bool IsClosed, TimeOnly Open, TimeOnly Close, string Reason);
