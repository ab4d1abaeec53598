using NodaTime;
using NodaTime.TimeZones;

namespace StrategyLab.Core.Calendar;

/// <summary>
/// Shared machinery of a calendar: time-zone conversion (IANA tzdb shipped with NodaTime, so it does not depend on
/// the machine's zone files), a per-year cache of sessions, and the search for next open/close. A derived calendar
/// only says which dates trade and at what local times (<see cref="ComputeSession"/>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="SessionAt"/> and <see cref="IsOpen"/> are meant to be called once per bar or tick. They remember the last
/// span of time over which their answer is constant (a session, or the gap between two sessions) and answer from it
/// with two comparisons while instants stay inside it, so a forward walk over bars does one time-zone conversion per
/// session boundary rather than one per call. <see cref="ToExchangeTime"/> likewise remembers the last UTC-offset
/// interval of the zone. Both caches are immutable objects swapped atomically, so the calendar stays safe to share
/// between threads (threads walking different times only lose the cache, never correctness). Threads that walk
/// different times at once (a sweep's workers) take a copy each with <see cref="WithOwnCaches"/>.
/// </para>
/// <para>
/// Instants whose exchange-local date lies outside <see cref="MinYear"/>–<see cref="MaxYear"/> are rejected with an
/// <see cref="ArgumentOutOfRangeException"/> by every query, rather than answered as "closed".
/// </para>
/// </remarks>
public abstract class MarketCalendar : IMarketCalendar
{
    /// <summary>Earliest year the calendar answers for.</summary>
    public const int MinYear = 1990;

    /// <summary>Latest year the calendar answers for.</summary>
    public const int MaxYear = 2100;

    private const long TwoDays = 2 * TimeSpan.TicksPerDay;

    private readonly DateTimeZone _zone;
    private readonly TradingSession?[]?[] _years;
    private readonly DateTime _rangeStartUtc;
    private readonly DateTime _rangeEndUtc;
    private SessionSpan? _lastRegularSpan;
    private SessionSpan? _lastExtendedSpan;
    private OffsetSpan? _lastOffset;

    /// <summary>Creates a calendar in the given IANA time zone.</summary>
    /// <exception cref="ArgumentException">The zone id is not in the tz database.</exception>
    protected MarketCalendar(string name, string timeZoneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZoneId);
        Name = name;
        TimeZoneId = timeZoneId;
        _zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZoneId)
            ?? throw new ArgumentException($"Unknown time zone '{timeZoneId}'.", nameof(timeZoneId));
        _years = new TradingSession?[]?[MaxYear - MinYear + 1];
        _rangeStartUtc = ToUtc(new DateTime(MinYear, 1, 1, 0, 0, 0, DateTimeKind.Unspecified));
        _rangeEndUtc = ToUtc(new DateTime(MaxYear + 1, 1, 1, 0, 0, 0, DateTimeKind.Unspecified));
    }

    /// <summary>A copy of <paramref name="shared"/> over the same per-year sessions, with caches of its own.</summary>
    private MarketCalendar(MarketCalendar shared)
    {
        Name = shared.Name;
        TimeZoneId = shared.TimeZoneId;
        _zone = shared._zone;
        _years = shared._years;
        _rangeStartUtc = shared._rangeStartUtc;
        _rangeEndUtc = shared._rangeEndUtc;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string TimeZoneId { get; }

    /// <summary>
    /// Works out the session of one date from the calendar's rules; null when closed all day. Called at most a few
    /// times per date (results are cached per year), possibly from several threads at once, so it must be pure.
    /// Sessions of successive dates must not overlap and must follow each other in time.
    /// </summary>
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

        return YearOf(date.Year)[date.DayOfYear - 1];
    }

    /// <summary>
    /// This calendar for one thread: the same answers, and the same per-year sessions (built once, shared), but its own
    /// last span and offset. Threads walking different times through one shared calendar overwrite each other's
    /// remembered span, so each call misses (a search and an allocation), and the fields' cache line moves between the
    /// cores on every write; a sweep's workers measured twice the searches with two workers as with one.
    /// </summary>
    public MarketCalendar WithOwnCaches() => new OwnCaches(this);

    private TradingSession?[] YearOf(int year)
    {
        ref var slot = ref _years[year - MinYear];
        var sessions = Volatile.Read(ref slot);
        if (sessions is not null)
        {
            return sessions;
        }

        // Two threads may build the same year at once; both get the same answer and the first one stored wins.
        var built = BuildYear(year);
        return Interlocked.CompareExchange(ref slot, built, null) ?? built;
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

    private TradingSession? SessionOrNullInRange(DateOnly date) =>
        date.Year < MinYear || date.Year > MaxYear ? null : YearOf(date.Year)[date.DayOfYear - 1];

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The instant's exchange-local date is outside 1990–2100.</exception>
    public TradingSession? SessionAt(DateTime utc, bool extendedHours = false)
    {
        utc = EnsureUtc(utc);
        var span = extendedHours ? Volatile.Read(ref _lastExtendedSpan) : Volatile.Read(ref _lastRegularSpan);
        if (span is not null && utc >= span.Start && utc < span.End)
        {
            return span.Session;
        }

        span = FindSpan(utc, extendedHours);
        if (extendedHours)
        {
            Volatile.Write(ref _lastExtendedSpan, span);
        }
        else
        {
            Volatile.Write(ref _lastRegularSpan, span);
        }

        return span.Session;
    }

    /// <summary>The longest span around <paramref name="utc"/> over which <see cref="SessionAt"/> gives one answer.</summary>
    private SessionSpan FindSpan(DateTime utc, bool extendedHours)
    {
        EnsureInRange(utc);
        var local = DateOnly.FromDateTime(ToExchangeTime(utc));

        // A session lies on its local date; look at the local date and, for sessions that run past local midnight
        // (none today, but cheap to allow), the day before.
        for (var d = 0; d >= -1; d--)
        {
            var s = SessionOrNullInRange(local.AddDays(d));
            if (s is not null && s.Contains(utc, extendedHours))
            {
                return new SessionSpan(s.Open(extendedHours), s.Close(extendedHours), s);
            }
        }

        // Closed: the gap runs from the latest close at or before the instant to the first open after it. Sessions
        // follow each other in time, so scanning dates outwards finds both; the covered range bounds the scan.
        var gapStart = _rangeStartUtc;
        for (var date = local; date.Year >= MinYear; date = date.AddDays(-1))
        {
            var s = YearOf(date.Year)[date.DayOfYear - 1];
            if (s is not null && s.Close(extendedHours) <= utc)
            {
                gapStart = s.Close(extendedHours);
                break;
            }
        }

        var gapEnd = _rangeEndUtc;
        for (var date = local.AddDays(-1); date.Year <= MaxYear; date = date.AddDays(1))
        {
            var s = SessionOrNullInRange(date);
            if (s is not null && s.Open(extendedHours) > utc)
            {
                gapEnd = s.Open(extendedHours);
                break;
            }
        }

        return new SessionSpan(gapStart, gapEnd, null);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The instant's exchange-local date is outside 1990–2100.</exception>
    public bool IsOpen(DateTime utc, bool extendedHours = false) => SessionAt(utc, extendedHours) is not null;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The instant's exchange-local date is outside 1990–2100.</exception>
    /// <exception cref="InvalidOperationException">No session opens after the instant within the covered years.</exception>
    public DateTime NextOpen(DateTime utc, bool extendedHours = false)
    {
        utc = EnsureUtc(utc);
        EnsureInRange(utc);
        var last = new DateOnly(MaxYear, 12, 31);
        for (var date = LocalDateOf(utc).AddDays(-1); date <= last; date = date.AddDays(1))
        {
            var s = SessionOrNullInRange(date);
            if (s is not null && s.Open(extendedHours) > utc)
            {
                return s.Open(extendedHours);
            }
        }

        throw new InvalidOperationException($"No session of '{Name}' opens after {utc:O} before {MaxYear + 1}.");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The instant's exchange-local date is outside 1990–2100.</exception>
    /// <exception cref="InvalidOperationException">No session closes after the instant within the covered years.</exception>
    public DateTime NextClose(DateTime utc, bool extendedHours = false)
    {
        utc = EnsureUtc(utc);
        EnsureInRange(utc);
        var last = new DateOnly(MaxYear, 12, 31);
        for (var date = LocalDateOf(utc).AddDays(-1); date <= last; date = date.AddDays(1))
        {
            var s = SessionOrNullInRange(date);
            if (s is not null && s.Close(extendedHours) > utc)
            {
                return s.Close(extendedHours);
            }
        }

        throw new InvalidOperationException($"No session of '{Name}' closes after {utc:O} before {MaxYear + 1}.");
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A non-empty range reaches outside 1990–2100.</exception>
    public IEnumerable<TradingSession> GetSessions(DateOnly from, DateOnly to)
    {
        if (from <= to && (from.Year < MinYear || to.Year > MaxYear))
        {
            throw new ArgumentOutOfRangeException(
                nameof(from), $"Calendar '{Name}' covers the years {MinYear}–{MaxYear}; {from:yyyy-MM-dd}..{to:yyyy-MM-dd} reaches outside.");
        }

        return Enumerate(from, to);

        IEnumerable<TradingSession> Enumerate(DateOnly first, DateOnly last)
        {
            for (var d = first; d <= last; d = d.AddDays(1))
            {
                var s = YearOf(d.Year)[d.DayOfYear - 1];
                if (s is not null)
                {
                    yield return s;
                }
            }
        }
    }

    /// <inheritdoc />
    public DateTime ToExchangeTime(DateTime utc)
    {
        utc = EnsureUtc(utc);
        return new DateTime(utc.Ticks + OffsetAt(utc).Ticks, DateTimeKind.Unspecified);
    }

    /// <inheritdoc />
    public DateTimeOffset ToExchangeOffset(DateTime utc)
    {
        utc = EnsureUtc(utc);
        var offset = OffsetAt(utc);
        return new DateTimeOffset(utc.Ticks + offset.Ticks, offset);
    }

    /// <inheritdoc />
    public DateTime ToUtc(DateTime exchangeLocal)
    {
        // From the remembered offset interval when the instant lies two days or more inside it: then no other offset
        // of the zone (they differ by less than two days) can map the same wall time, so the answer is unique and the
        // same as the zone's. Saves NodaTime's look-up (an allocation, and writes to its cache shared by all threads).
        var span = Volatile.Read(ref _lastOffset);
        if (span is not null)
        {
            var ticks = exchangeLocal.Ticks - span.Offset.Ticks;
            var inRange = ticks >= TwoDays && ticks <= DateTime.MaxValue.Ticks - TwoDays;
            if (inRange
                && (span.StartTicks == long.MinValue || ticks - span.StartTicks >= TwoDays)
                && (span.EndTicks == long.MaxValue || span.EndTicks - ticks >= TwoDays))
            {
                return new DateTime(ticks, DateTimeKind.Utc);
            }
        }

        return LocalDateTime.FromDateTime(exchangeLocal).InZoneLeniently(_zone).ToDateTimeUtc();
    }

    /// <summary>The UTC instant of a local date and time of day in the exchange's zone.</summary>
    protected DateTime At(DateOnly date, TimeOnly time) => ToUtc(date.ToDateTime(time));

    /// <summary>The zone's UTC offset at an instant, from the remembered offset interval when it still applies.</summary>
    private TimeSpan OffsetAt(DateTime utc)
    {
        var span = Volatile.Read(ref _lastOffset);
        if (span is null || utc.Ticks < span.StartTicks || utc.Ticks >= span.EndTicks)
        {
            span = OffsetSpan.Of(_zone.GetZoneInterval(Instant.FromDateTimeUtc(utc)));
            Volatile.Write(ref _lastOffset, span);
        }

        return span.Offset;
    }

    private DateOnly LocalDateOf(DateTime utc) => DateOnly.FromDateTime(ToExchangeTime(utc));

    private void EnsureInRange(DateTime utc)
    {
        if (utc < _rangeStartUtc || utc >= _rangeEndUtc)
        {
            throw new ArgumentOutOfRangeException(
                nameof(utc), utc, $"Calendar '{Name}' covers the years {MinYear}–{MaxYear} (exchange time); {utc:O} is outside.");
        }
    }

    private static DateTime EnsureUtc(DateTime utc) => utc.Kind switch
    {
        DateTimeKind.Utc => utc,
        DateTimeKind.Unspecified => DateTime.SpecifyKind(utc, DateTimeKind.Utc),
        _ => throw new ArgumentException("Expected a UTC instant, got a local DateTime.", nameof(utc)),
    };

    /// <summary>A calendar's copy with caches of its own (<see cref="WithOwnCaches"/>); the rules stay the original's.</summary>
    private sealed class OwnCaches : MarketCalendar
    {
        private readonly MarketCalendar _rules;

        public OwnCaches(MarketCalendar shared)
            : base(shared) => _rules = shared;

        protected override TradingSession? ComputeSession(DateOnly date) => _rules.ComputeSession(date);
    }

    /// <summary>[Start, End) over which <see cref="SessionAt"/> returns <see cref="Session"/> (null: closed).</summary>
    private sealed class SessionSpan(DateTime start, DateTime end, TradingSession? session)
    {
        public DateTime Start { get; } = start;

        public DateTime End { get; } = end;

        public TradingSession? Session { get; } = session;
    }

    /// <summary>[StartTicks, EndTicks) in UTC ticks over which the zone keeps one offset.</summary>
    private sealed class OffsetSpan(long startTicks, long endTicks, TimeSpan offset)
    {
        public long StartTicks { get; } = startTicks;

        public long EndTicks { get; } = endTicks;

        public TimeSpan Offset { get; } = offset;

        private static readonly Instant FirstInstant = Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));
        private static readonly Instant LastInstant = Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));

        public static OffsetSpan Of(ZoneInterval interval)
        {
            // The zone's first and last intervals reach beyond DateTime's range; clamp those ends.
            var start = interval.HasStart && interval.Start > FirstInstant ? interval.Start.ToDateTimeUtc().Ticks : long.MinValue;
            var end = interval.HasEnd && interval.End < LastInstant ? interval.End.ToDateTimeUtc().Ticks : long.MaxValue;
            return new OffsetSpan(start, end, interval.WallOffset.ToTimeSpan());
        }
    }
}
