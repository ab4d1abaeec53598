using NodaTime;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Data.Time;

/// <summary>
/// Converts between exchange-local wall time and UTC for one calendar, fast: it remembers the zone interval (the span
/// between two offset changes) of the last conversion and converts by plain arithmetic while inputs stay inside it.
/// Inputs within a day of an offset change go through the calendar, so DST gaps and overlaps follow its rules.
/// </summary>
/// <remarks>Not thread-safe: one instance per reader.</remarks>
internal sealed class ExchangeClock
{
    private static readonly long Margin = TimeSpan.TicksPerDay;

    private readonly IMarketCalendar _calendar;
    private readonly DateTimeZone? _zone;

    // Local wall times in [_localFrom, _localTo) map to UTC by subtracting _localOffset.
    private long _localFrom = long.MaxValue;
    private long _localTo = long.MinValue;
    private long _localOffset;

    // UTC instants in [_utcFrom, _utcTo) map to local by adding _utcOffset.
    private long _utcFrom = long.MaxValue;
    private long _utcTo = long.MinValue;
    private long _utcOffset;

    /// <summary>Creates a clock for the calendar's time zone.</summary>
    public ExchangeClock(IMarketCalendar calendar)
    {
        _calendar = calendar;
        _zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(calendar.TimeZoneId);
    }

    /// <summary>The calendar this clock converts for.</summary>
    public IMarketCalendar Calendar => _calendar;

    /// <summary>The UTC instant of an exchange-local wall time (a time skipped by DST maps forward).</summary>
    public DateTime ToUtc(DateTime local)
    {
        var t = local.Ticks;
        if (t >= _localFrom && t < _localTo)
        {
            return new DateTime(t - _localOffset, DateTimeKind.Utc);
        }

        var utc = _calendar.ToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified));
        if (TryGetInterval(utc, out var from, out var to, out var offset))
        {
            _localFrom = from == long.MinValue ? long.MinValue : from + offset + Margin;
            _localTo = to == long.MaxValue ? long.MaxValue : to + offset - Margin;
            _localOffset = offset;
        }

        return utc;
    }

    /// <summary>The exchange-local wall time of a UTC instant.</summary>
    public DateTime ToLocal(DateTime utc)
    {
        var t = utc.Ticks;
        if (t >= _utcFrom && t < _utcTo)
        {
            return new DateTime(t + _utcOffset, DateTimeKind.Unspecified);
        }

        var local = _calendar.ToExchangeTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        if (TryGetInterval(utc, out var from, out var to, out var offset))
        {
            (_utcFrom, _utcTo, _utcOffset) = (from, to, offset);
        }

        return local;
    }

    /// <summary>The exchange-local date of a UTC instant.</summary>
    public DateOnly LocalDate(DateTime utc) => DateOnly.FromDateTime(ToLocal(utc));

    private bool TryGetInterval(DateTime utc, out long fromTicks, out long toTicks, out long offsetTicks)
    {
        fromTicks = toTicks = offsetTicks = 0;
        if (_zone is null)
        {
            return false;
        }

        var interval = _zone.GetZoneInterval(Instant.FromDateTimeUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc)));
        offsetTicks = interval.WallOffset.Ticks;
        fromTicks = ToTicks(interval.HasStart ? interval.Start : null, long.MinValue);
        toTicks = ToTicks(interval.HasEnd ? interval.End : null, long.MaxValue);
        return true;
    }

    private static long ToTicks(Instant? instant, long unbounded)
    {
        if (instant is not { } i)
        {
            return unbounded;
        }

        var min = Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));
        var max = Instant.FromDateTimeUtc(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));
        if (i <= min)
        {
            return long.MinValue;
        }

        return i >= max ? long.MaxValue : i.ToDateTimeUtc().Ticks;
    }
}
