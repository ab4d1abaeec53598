using System.Runtime.CompilerServices;
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

    // The cached span [_spanStart, _spanStart + _spanLength) of UTC ticks and its offset: a whole UTC hour, every tick
    // for UTC (no calendar), none before the first conversion (the start is long.MaxValue, so the unsigned difference
    // of any tick is past the length). One unsigned comparison tests a tick.
    private long _spanStart = long.MaxValue;
    private readonly ulong _spanLength = TimeSpan.TicksPerHour;
    private TimeSpan _offset;
    private long _offsetTicks;
    private short _offsetMinutes;

    /// <summary>Creates a cache for <paramref name="calendar"/>; null means UTC.</summary>
    public ExchangeOffsetCache(IMarketCalendar? calendar)
    {
        _calendar = calendar;
        if (calendar is null)
        {
            _spanStart = 0;
            _spanLength = ulong.MaxValue;
        }
    }

    /// <summary>
    /// The exchange's offset at <paramref name="utc"/> in ticks (<see cref="ToOffset"/>'s offset) without making the
    /// time value: a recorder that keeps UTC ticks and offsets (the chart candles) needs no more per bar.
    /// </summary>
    /// <remarks>Inlined into the per-bar callers: a cached tick is one comparison.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long OffsetTicks(DateTime utc) =>
        (ulong)(utc.Ticks - _spanStart) < _spanLength ? _offsetTicks : ToOffset(utc).Offset.Ticks;

    /// <summary>
    /// <see cref="ToOffset"/> as exchange-local ticks and the offset in minutes (how a <see cref="DateTimeOffset"/>
    /// holds it), without making the time value: a recorder that packs times (the plot points) needs no more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long LocalTicks(DateTime utc, out short offsetMinutes)
    {
        var ticks = utc.Ticks;
        if ((ulong)(ticks - _spanStart) < _spanLength)
        {
            offsetMinutes = _offsetMinutes;
            return ticks + _offsetTicks;
        }

        return LocalTicksSlow(utc, out offsetMinutes);
    }

    /// <summary><paramref name="utc"/> with the exchange's offset at that instant.</summary>
    public DateTimeOffset ToOffset(DateTime utc)
    {
        var ticks = utc.Ticks;
        if ((ulong)(ticks - _spanStart) < _spanLength)
        {
            return new DateTimeOffset(ticks + _offsetTicks, _offset);
        }

        return ToOffsetSlow(ticks);
    }

    private long LocalTicksSlow(DateTime utc, out short offsetMinutes)
    {
        var at = ToOffset(utc);
        offsetMinutes = (short)at.TotalOffsetMinutes;
        return at.DateTime.Ticks;
    }

    private DateTimeOffset ToOffsetSlow(long ticks)
    {
        var calendar = _calendar!;
        var hourStart = ticks - (ticks % TimeSpan.TicksPerHour);
        var first = calendar.ToExchangeOffset(new DateTime(hourStart, DateTimeKind.Utc)).Offset;
        var last = calendar.ToExchangeOffset(new DateTime(hourStart + TimeSpan.TicksPerHour - 1, DateTimeKind.Utc)).Offset;
        if (first != last)
        {
            return calendar.ToExchangeOffset(new DateTime(ticks, DateTimeKind.Utc));
        }

        _spanStart = hourStart;
        _offset = first;
        _offsetTicks = first.Ticks;
        _offsetMinutes = (short)(first.Ticks / TimeSpan.TicksPerMinute);
        return new DateTimeOffset(ticks + first.Ticks, first);
    }
}
