using System.Collections.Concurrent;
using NodaTime;

namespace StrategyLab.Core.Calendar;

/// <summary>
/// Shared machinery of a calendar: time-zone conversion (IANA tzdb shipped with NodaTime, so it does not depend on
/// the machine's zone files), a per-year cache of sessions, and the search for next open/close. A derived calendar
/// only says which dates trade and at what local times (<see cref="ComputeSession"/>).
/// </summary>
public abstract class MarketCalendar : IMarketCalendar
{
    /// <summary>Earliest year the calendar answers for.</summary>
    public const int MinYear = 1990;

    /// <summary>Latest year the calendar answers for.</summary>
    public const int MaxYear = 2100;

    private readonly DateTimeZone _zone;
    private readonly ConcurrentDictionary<int, TradingSession?[]> _years = new();

    /// <summary>Creates a calendar in the given IANA time zone.</summary>
    /// <exception cref="ArgumentException">The zone id is not in the tz database.</exception>
    protected MarketCalendar(string name, string timeZoneId)
    {
        Name = name;
        TimeZoneId = timeZoneId;
        _zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZoneId)
            ?? throw new ArgumentException($"Unknown time zone '{timeZoneId}'.", nameof(timeZoneId));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string TimeZoneId { get; }

    /// <summary>Works out the session of one date from the calendar's rules; null when closed all day.</summary>
    protected abstract TradingSession? ComputeSession(DateOnly date);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The date's year is outside 1990–2100.</exception>
    public TradingSession? GetSession(DateOnly date)
    {
        if (date.Year < MinYear || date.Year > MaxYear)
        {
            throw new ArgumentOutOfRangeException(
                nameof(date), date, $"Calendar '{Name}' covers the years {MinYear}–{MaxYear}; {date:yyyy-MM-dd} is outside.");
        }

        var year = _years.GetOrAdd(date.Year, BuildYear);
        return year[date.DayOfYear - 1];
    }

    private TradingSession?[] BuildYear(int year)
    {
        var days = DateTime.IsLeapYear(year) ? 366 : 365;
        var sessions = new TradingSession?[days];
        var first = new DateOnly(year, 1, 1);
        for (var i = 0; i < days; i++)
        {
            sessions[i] = ComputeSession(first.AddDays(i));
        }

        return sessions;
    }

    /// <inheritdoc />
    public TradingSession? SessionAt(DateTime utc, bool extendedHours = false)
    {
        // A session lies on its local date; look at the local date and, for sessions that span midnight
        // in local time (none today, but cheap to allow), the day before.
        var local = DateOnly.FromDateTime(ToExchangeTime(utc));
        for (var d = 0; d >= -1; d--)
        {
            var date = local.AddDays(d);
            if (date.Year < MinYear)
            {
                continue;
            }

            var s = GetSession(date);
            if (s is not null && s.Contains(utc, extendedHours))
            {
                return s;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public bool IsOpen(DateTime utc, bool extendedHours = false) => SessionAt(utc, extendedHours) is not null;

    /// <inheritdoc />
    public DateTime NextOpen(DateTime utc, bool extendedHours = false)
    {
        foreach (var s in SessionsFrom(DateOnly.FromDateTime(ToExchangeTime(utc)).AddDays(-1)))
        {
            var open = s.Open(extendedHours);
            if (open > utc)
            {
                return open;
            }
        }

        throw new InvalidOperationException($"No session of '{Name}' opens after {utc:O} before {MaxYear + 1}.");
    }

    /// <inheritdoc />
    public DateTime NextClose(DateTime utc, bool extendedHours = false)
    {
        foreach (var s in SessionsFrom(DateOnly.FromDateTime(ToExchangeTime(utc)).AddDays(-1)))
        {
            var close = s.Close(extendedHours);
            if (close > utc)
            {
                return close;
            }
        }

        throw new InvalidOperationException($"No session of '{Name}' closes after {utc:O} before {MaxYear + 1}.");
    }

    private IEnumerable<TradingSession> SessionsFrom(DateOnly start)
    {
        var last = new DateOnly(MaxYear, 12, 31);
        for (var d = start.Year < MinYear ? new DateOnly(MinYear, 1, 1) : start; d <= last; d = d.AddDays(1))
        {
            var s = GetSession(d);
            if (s is not null)
            {
                yield return s;
            }
        }
    }

    /// <inheritdoc />
    public IEnumerable<TradingSession> GetSessions(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            var s = GetSession(d);
            if (s is not null)
            {
                yield return s;
            }
        }
    }

    /// <inheritdoc />
    public DateTime ToExchangeTime(DateTime utc) =>
        Instant.FromDateTimeUtc(EnsureUtc(utc)).InZone(_zone).LocalDateTime.ToDateTimeUnspecified();

    /// <inheritdoc />
    public DateTimeOffset ToExchangeOffset(DateTime utc) =>
        Instant.FromDateTimeUtc(EnsureUtc(utc)).InZone(_zone).ToDateTimeOffset();

    /// <inheritdoc />
    public DateTime ToUtc(DateTime exchangeLocal) =>
        LocalDateTime.FromDateTime(exchangeLocal).InZoneLeniently(_zone).ToDateTimeUtc();

    /// <summary>The UTC instant of a local date and time of day in the exchange's zone.</summary>
    protected DateTime At(DateOnly date, TimeOnly time) => ToUtc(date.ToDateTime(time));

    private static DateTime EnsureUtc(DateTime utc) => utc.Kind switch
    {
        DateTimeKind.Utc => utc,
        DateTimeKind.Unspecified => DateTime.SpecifyKind(utc, DateTimeKind.Utc),
        _ => throw new ArgumentException("Expected a UTC instant, got a local DateTime.", nameof(utc)),
    };
}
