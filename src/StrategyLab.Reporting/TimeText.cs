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
        var ticksOfDay = clock.Ticks % TimeSpan.TicksPerDay;
        var seconds = (int)(ticksOfDay / TimeSpan.TicksPerSecond);
        var fraction = (int)(ticksOfDay % TimeSpan.TicksPerSecond);
        var d = destination[..33];
        DateAndClock(d, year, month, day, (byte)'T', seconds / 3600, seconds / 60 % 60);
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

        var offsetMinutes = (int)(value.Offset.Ticks / TimeSpan.TicksPerMinute);
        d[pos++] = offsetMinutes < 0 ? (byte)'-' : (byte)'+';
        offsetMinutes = Math.Abs(offsetMinutes);
        Two(d, pos, offsetMinutes / 60);
        d[pos + 2] = (byte)':';
        Two(d, pos + 3, offsetMinutes % 60);
        return pos + 5;
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
