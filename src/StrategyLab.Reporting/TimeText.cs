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
        Two(d, 0, year / 100);
        Two(d, 2, year % 100);
        d[4] = (byte)'-';
        Two(d, 5, month);
        d[7] = (byte)'-';
        Two(d, 8, day);
        d[10] = (byte)'T';
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

        var offsetMinutes = (int)(value.Offset.Ticks / TimeSpan.TicksPerMinute);
        d[pos++] = offsetMinutes < 0 ? (byte)'-' : (byte)'+';
        offsetMinutes = Math.Abs(offsetMinutes);
        Two(d, pos, offsetMinutes / 60);
        d[pos + 2] = (byte)':';
        Two(d, pos + 3, offsetMinutes % 60);
        return pos + 5;
    }

    private static void Two(Span<byte> destination, int at, int value)
    {
        destination[at] = (byte)('0' + (value / 10));
        destination[at + 1] = (byte)('0' + (value % 10));
    }
}
