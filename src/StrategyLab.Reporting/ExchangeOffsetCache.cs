using StrategyLab.Core.Calendar;

namespace StrategyLab.Reporting;

/// <summary>
/// Turns UTC instants into exchange-offset times through <see cref="IMarketCalendar.ToExchangeOffset"/>, converting once
/// per UTC hour instead of once per row: when the offset at an hour's first and last tick agree, it holds for the whole
/// hour (time zones change offset at most once an hour), so the hour is cached. An hour containing a change is
/// converted row by row.
/// </summary>
internal sealed class ExchangeOffsetCache
{
    private readonly IMarketCalendar? _calendar;
    private long _hourStartTicks = long.MaxValue;
    private TimeSpan _offset;

    /// <summary>Creates a cache for <paramref name="calendar"/>; null means UTC.</summary>
    public ExchangeOffsetCache(IMarketCalendar? calendar) => _calendar = calendar;

    /// <summary>
    /// The exchange's offset at <paramref name="utc"/> in ticks (<see cref="ToOffset"/>'s offset) without making the
    /// time value: a recorder that keeps UTC ticks and offsets (the chart candles) needs no more per bar.
    /// </summary>
    public long OffsetTicks(DateTime utc)
    {
        var ticks = utc.Ticks;
        if (_calendar is null)
        {
            return 0;
        }

        return ticks - _hourStartTicks is >= 0 and < TimeSpan.TicksPerHour ? _offset.Ticks : ToOffset(utc).Offset.Ticks;
    }

    public DateTimeOffset ToOffset(DateTime utc)
    {
        var ticks = utc.Ticks;
        if (_calendar is null)
        {
            return new DateTimeOffset(ticks, TimeSpan.Zero);
        }

        if (ticks - _hourStartTicks is >= 0 and < TimeSpan.TicksPerHour)
        {
            return new DateTimeOffset(ticks + _offset.Ticks, _offset);
        }

        var hourStart = ticks - (ticks % TimeSpan.TicksPerHour);
        var first = _calendar.ToExchangeOffset(new DateTime(hourStart, DateTimeKind.Utc)).Offset;
        var last = _calendar.ToExchangeOffset(new DateTime(hourStart + TimeSpan.TicksPerHour - 1, DateTimeKind.Utc)).Offset;
        if (first != last)
        {
            return _calendar.ToExchangeOffset(new DateTime(ticks, DateTimeKind.Utc));
        }

        _hourStartTicks = hourStart;
        _offset = first;
        return new DateTimeOffset(ticks + first.Ticks, first);
    }
}
