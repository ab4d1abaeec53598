namespace StrategyLab.Core.Calendar;

/// <summary>
/// When a market trades. Instants are UTC <see cref="DateTime"/>s; dates are exchange-local.
/// Implementations are immutable and safe to share between threads.
/// </summary>
public interface IMarketCalendar
{
    /// <summary>The calendar's name, e.g. <c>NYSE</c> or <c>24/7</c>.</summary>
    string Name { get; }

    /// <summary>The IANA id of the exchange's time zone, e.g. <c>America/New_York</c>.</summary>
    string TimeZoneId { get; }

    /// <summary>The session of an exchange-local date, or null when the market is closed all day.</summary>
    TradingSession? GetSession(DateOnly date);

    /// <summary>The session whose span (regular, or extended with <paramref name="extendedHours"/>) contains the instant.</summary>
    TradingSession? SessionAt(DateTime utc, bool extendedHours = false);

    /// <summary>True when the market trades at <paramref name="utc"/> (regular hours, or extended ones when asked).</summary>
    bool IsOpen(DateTime utc, bool extendedHours = false);

    /// <summary>The first session open strictly after <paramref name="utc"/>.</summary>
    DateTime NextOpen(DateTime utc, bool extendedHours = false);

    /// <summary>The first session close strictly after <paramref name="utc"/>.</summary>
    DateTime NextClose(DateTime utc, bool extendedHours = false);

    /// <summary>The sessions of every trading day in [<paramref name="from"/>, <paramref name="to"/>], in order.</summary>
    IEnumerable<TradingSession> GetSessions(DateOnly from, DateOnly to);

    /// <summary>The exchange-local wall time of an instant (<see cref="DateTimeKind.Unspecified"/>).</summary>
    DateTime ToExchangeTime(DateTime utc);

    /// <summary>The instant as a <see cref="DateTimeOffset"/> carrying the exchange's offset at that instant.</summary>
    DateTimeOffset ToExchangeOffset(DateTime utc);

    /// <summary>The UTC instant of an exchange-local wall time; a time skipped by a DST change maps forward.</summary>
    DateTime ToUtc(DateTime exchangeLocal);
}
