namespace StrategyLab.Reporting;

/// <summary>
/// The artifact time format (<see cref="ArtifactFormat.Time"/>, <c>yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz</c>) written as
/// ASCII digit by digit: the same text as <c>DateTimeOffset.ToString(Time, InvariantCulture)</c> (the fraction and its
/// point only when non-zero, trailing zeros trimmed; the offset as <c>+hh:mm</c>/<c>-hh:mm</c>) without the custom-format
/// parser.
/// </summary>
internal static class TimeText
{
    /// <summary>Writes <paramref name="value"/>; returns the bytes written (at most 33).</summary>
    public static int Format(DateTimeOffset value, Span<byte> destination)
    {
        var clock = value.DateTime;
        clock.Deconstruct(out int year, out int month, out int day);
        var d = destination[..33];
        DateAndClock(d, year, month, day, (byte)'T', 0, 0);
        var pos = ClockFrom11(d, clock.Ticks % TimeSpan.TicksPerDay);
        return Offset(d, pos, value.Offset.Ticks);
    }

    /// <summary>Writes <c>HH:mm:ss</c> and the fraction (only when non-zero, trailing zeros trimmed) at byte 11; returns the end.</summary>
    private static int ClockFrom11(Span<byte> d, long ticksOfDay)
    {
        var seconds = (int)(ticksOfDay / TimeSpan.TicksPerSecond);
        var fraction = (int)(ticksOfDay % TimeSpan.TicksPerSecond);
        Two(d, 11, seconds / 3600);
        d[13] = (byte)':';
        Two(d, 14, seconds / 60 % 60);
        d[16] = (byte)':';
        Two(d, 17, seconds % 60);
        var pos = 19;
        if (fraction != 0)
        {
            d[pos++] = (byte)'.';
            var digits = 7;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            for (var i = digits - 1; i >= 0; i--)
            {
                d[pos + i] = (byte)('0' + (fraction % 10));
                fraction /= 10;
            }

            pos += digits;
        }

        return pos;
    }

    /// <summary>Writes the offset as <c>+hh:mm</c>/<c>-hh:mm</c> (<see cref="OffsetLength"/> bytes) at <paramref name="pos"/>; returns the end.</summary>
    private static int Offset(Span<byte> d, int pos, long offsetTicks)
    {
        var offsetMinutes = (int)(offsetTicks / TimeSpan.TicksPerMinute);
        d[pos] = offsetMinutes < 0 ? (byte)'-' : (byte)'+';
        offsetMinutes = Math.Abs(offsetMinutes);
        Two(d, pos + 1, offsetMinutes / 60);
        d[pos + 3] = (byte)':';
        Two(d, pos + 4, offsetMinutes % 60);
        return pos + OffsetLength;
    }

    // "yyyy-MM-ddT" and "+hh:mm": an offset is at most ±14 hours, so its hours are two digits.
    private const int DateLength = 11;
    private const int OffsetLength = 6;

    /// <summary>
    /// <see cref="Format(DateTimeOffset, Span{byte})"/> for the times of one file, which mostly follow each other on the
    /// same local date with the same offset: the date's and the offset's bytes of the last time are kept and copied for
    /// the next one on that date and offset, so only the clock is computed (no year/month/day from the ticks per row).
    /// </summary>
    internal sealed class SameDay
    {
        private readonly byte[] _date = new byte[DateLength];
        private readonly byte[] _offset = new byte[OffsetLength];
        private long _day = -1;
        private long _offsetTicks;

        /// <summary>Writes <paramref name="value"/> as <see cref="TimeText.Format(DateTimeOffset, Span{byte})"/> does; returns the bytes written.</summary>
        public int Format(DateTimeOffset value, Span<byte> destination)
        {
            var local = value.DateTime.Ticks;
            var day = local / TimeSpan.TicksPerDay;
            var offsetTicks = value.Offset.Ticks;
            if (day != _day || offsetTicks != _offsetTicks)
            {
                var written = TimeText.Format(value, destination);
                destination[..DateLength].CopyTo(_date);
                destination.Slice(written - OffsetLength, OffsetLength).CopyTo(_offset);
                (_day, _offsetTicks) = (day, offsetTicks);
                return written;
            }

            var d = destination[..33];
            _date.CopyTo(d);
            var pos = ClockFrom11(d, local - (day * TimeSpan.TicksPerDay));
            _offset.CopyTo(d[pos..]);
            return pos + OffsetLength;
        }
    }

    /// <summary>
    /// A local time for reading, <c>yyyy-MM-dd HH:mm</c>, and <c>:ss</c> when it has seconds or milliseconds (the
    /// report's times); returns the bytes written (at most <see cref="ReadableLength"/>).
    /// </summary>
    public static int FormatReadable(DateTime clock, Span<byte> destination)
    {
        var d = destination[..ReadableLength];
        DateAndClock(d, clock.Year, clock.Month, clock.Day, (byte)' ', clock.Hour, clock.Minute);
        if (clock.Second == 0 && clock.Millisecond == 0)
        {
            return 16;
        }

        d[16] = (byte)':';
        Two(d, 17, clock.Second);
        return ReadableLength;
    }

    /// <summary>Bytes <see cref="FormatReadable"/> writes at most.</summary>
    public const int ReadableLength = 19;

    /// <summary><c>yyyy-MM-dd</c>, <paramref name="separator"/>, <c>HH:mm</c>: the first 16 bytes of both formats.</summary>
    private static void DateAndClock(Span<byte> d, int year, int month, int day, byte separator, int hour, int minute)
    {
        Two(d, 0, year / 100);
        Two(d, 2, year % 100);
        d[4] = (byte)'-';
        Two(d, 5, month);
        d[7] = (byte)'-';
        Two(d, 8, day);
        d[10] = separator;
        Two(d, 11, hour);
        d[13] = (byte)':';
        Two(d, 14, minute);
    }

    private static void Two(Span<byte> destination, int at, int value)
    {
        destination[at] = (byte)('0' + (value / 10));
        destination[at + 1] = (byte)('0' + (value % 10));
    }
}
