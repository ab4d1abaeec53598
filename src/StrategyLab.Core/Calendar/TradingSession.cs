namespace StrategyLab.Core.Calendar;

/// <summary>
/// One trading day of a market: its date in exchange time and its boundaries as UTC instants.
/// Intervals are half-open: the regular session is [<see cref="RegularOpen"/>, <see cref="RegularClose"/>).
/// </summary>
/// <param name="Date">The trading date in the exchange's time zone.</param>
/// <param name="PreMarketOpen">Start of pre-market trading (equal to <paramref name="RegularOpen"/> where there is none).</param>
/// <param name="RegularOpen">Start of the regular session.</param>
/// <param name="RegularClose">End of the regular session (earlier on an early close).</param>
/// <param name="AfterHoursClose">End of after-hours trading (equal to <paramref name="RegularClose"/> where there is none).</param>
/// <param name="IsEarlyClose">True when the regular session closes early (NYSE: 13:00).</param>
public sealed record TradingSession(
    DateOnly Date,
    DateTime PreMarketOpen,
    DateTime RegularOpen,
    DateTime RegularClose,
    DateTime AfterHoursClose,
    bool IsEarlyClose)
{
    /// <summary>The session's first tradable instant: the regular open, or the pre-market open with extended hours.</summary>
    public DateTime Open(bool extendedHours) => extendedHours ? PreMarketOpen : RegularOpen;

    /// <summary>The session's end: the regular close, or the after-hours close with extended hours.</summary>
    public DateTime Close(bool extendedHours) => extendedHours ? AfterHoursClose : RegularClose;

    /// <summary>True when <paramref name="utc"/> lies in [open, close) of this session.</summary>
    public bool Contains(DateTime utc, bool extendedHours) => utc >= Open(extendedHours) && utc < Close(extendedHours);

    /// <summary>The segment of this session that contains <paramref name="utc"/>, or <see cref="MarketSegment.Closed"/>.</summary>
    public MarketSegment SegmentAt(DateTime utc)
    {
        if (utc < PreMarketOpen || utc >= AfterHoursClose)
        {
            return MarketSegment.Closed;
        }

        if (utc < RegularOpen)
        {
            return MarketSegment.PreMarket;
        }

        return utc < RegularClose ? MarketSegment.Regular : MarketSegment.AfterHours;
    }

    /// <summary>
    /// The [start, end) span of the segment containing <paramref name="utc"/>; false when the instant is outside the session.
    /// Bars are aligned to the start of their segment and never cross its end.
    /// </summary>
    public bool TryGetSegment(DateTime utc, out MarketSegment segment, out DateTime start, out DateTime end)
    {
        segment = SegmentAt(utc);
        switch (segment)
        {
            case MarketSegment.PreMarket:
                (start, end) = (PreMarketOpen, RegularOpen);
                return true;
            case MarketSegment.Regular:
                (start, end) = (RegularOpen, RegularClose);
                return true;
            case MarketSegment.AfterHours:
                (start, end) = (RegularClose, AfterHoursClose);
                return true;
            default:
                (start, end) = (default, default);
                return false;
        }
    }
}
