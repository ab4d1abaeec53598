using System.Buffers.Binary;

namespace StrategyLab.Data.Text;

/// <summary>How a time field was written, which decides how it becomes an instant.</summary>
internal enum TimeTextKind
{
    /// <summary>ISO-8601 with <c>Z</c> or a UTC offset: an exact instant.</summary>
    Offset,

    /// <summary>ISO-8601 date and time without an offset: exchange-local wall time.</summary>
    Naive,

    /// <summary>A date alone (<c>yyyy-MM-dd</c>): names a session.</summary>
    DateOnly,

    /// <summary>Unix epoch seconds or milliseconds: an exact instant.</summary>
    Unix,
}

/// <summary>A parsed time field.</summary>
/// <param name="Kind">How it was written.</param>
/// <param name="Wall">The date and time as written (in its own offset for <see cref="TimeTextKind.Offset"/>, UTC for
/// <see cref="TimeTextKind.Unix"/>), <see cref="DateTimeKind.Unspecified"/>.</param>
/// <param name="Utc">The instant for <see cref="TimeTextKind.Offset"/> and <see cref="TimeTextKind.Unix"/>; default otherwise.</param>
internal readonly record struct ParsedTime(TimeTextKind Kind, DateTime Wall, DateTime Utc);

/// <summary>The date of the last stamp <see cref="TimeText.TryParseCommon"/> read: rows of a day share it.</summary>
internal struct StampDateCache
{
    public ulong Head; // the stamp's first 8 bytes
    public ushort Tail; // its bytes 8 and 9
    public long DayTicks;
    public bool Valid;
}

/// <summary>
/// Fast parsing of the time formats the CSV reader accepts (see <see cref="Csv.CsvBarReader"/>):
/// ISO-8601 <c>yyyy-MM-dd[(T| )HH:mm[:ss[.fffffff]]][Z|±HH:mm|±HHmm|±HH]</c> and Unix epoch integers.
/// </summary>
internal static class TimeText
{
    /// <summary>
    /// Integers with an absolute value below this are Unix seconds (that covers instants up to the year 5138);
    /// from it on they are milliseconds (1e11 ms is 1973-03-03T09:46:40Z).
    /// </summary>
    public const long UnixMillisecondsThreshold = 100_000_000_000L;

    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>Parses a time field; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out ParsedTime time, out string? error) => TryParse<char>(s, out time, out error);

    /// <summary>Parses a time field given as UTF-8 bytes: the same result and error as the same characters as text.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out ParsedTime time, out string? error) => TryParse<byte>(utf8, out time, out error);

    /// <summary>The parse over UTF-16 (<see cref="char"/>) or UTF-8 (<see cref="byte"/>) code units.</summary>
    internal static bool TryParse<TChar>(ReadOnlySpan<TChar> s, out ParsedTime time, out string? error)
        where TChar : unmanaged
    {
        time = default;
        error = null;
        if (s.Length == 0)
        {
            error = "the time is empty";
            return false;
        }

        if (IsInteger(s))
        {
            return TryParseUnix(s, out time, out error);
        }

        // yyyy-MM-dd
        if (s.Length < 10 || TextChars.Code(s[4]) != '-' || TextChars.Code(s[7]) != '-'
            || !TryDigits(s, 0, 4, out var year) || !TryDigits(s, 5, 2, out var month) || !TryDigits(s, 8, 2, out var day))
        {
            error = "expected ISO-8601 (yyyy-MM-dd, yyyy-MM-ddTHH:mm[:ss][Z|±HH:mm]) or Unix seconds/milliseconds";
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            error = "the date does not exist";
            return false;
        }

        if (s.Length == 10)
        {
            time = new ParsedTime(TimeTextKind.DateOnly, new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified), default);
            return true;
        }

        // [T ]HH:mm[:ss[.f+]]
        if ((TextChars.Code(s[10]) != 'T' && TextChars.Code(s[10]) != ' ' && TextChars.Code(s[10]) != 't') || s.Length < 16 || TextChars.Code(s[13]) != ':'
            || !TryDigits(s, 11, 2, out var hour) || !TryDigits(s, 14, 2, out var minute))
        {
            error = "expected HH:mm after the date";
            return false;
        }

        var i = 16;
        var second = 0;
        long fractionTicks = 0;
        if (i < s.Length && TextChars.Code(s[i]) == ':')
        {
            if (!TryDigits(s, i + 1, 2, out second))
            {
                error = "expected two digits of seconds";
                return false;
            }

            i += 3;
            if (i < s.Length && (TextChars.Code(s[i]) == '.' || TextChars.Code(s[i]) == ','))
            {
                i++;
                var start = i;
                long scale = TimeSpan.TicksPerSecond;
                while (i < s.Length && (uint)(TextChars.Code(s[i]) - '0') <= 9)
                {
                    scale /= 10;
                    if (scale == 0)
                    {
                        error = "more than 7 fractional digits of seconds (finer than 100 ns)";
                        return false;
                    }

                    fractionTicks += (TextChars.Code(s[i]) - '0') * scale;
                    i++;
                }

                if (i == start)
                {
                    error = "expected digits after the decimal point of the seconds";
                    return false;
                }
            }
        }

        if (hour > 23 || minute > 59 || second > 59)
        {
            error = "the time of day is out of range";
            return false;
        }

        var wall = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        if (i == s.Length)
        {
            time = new ParsedTime(TimeTextKind.Naive, wall, default);
            return true;
        }

        if (!TryParseOffset(s[i..], out var offset))
        {
            error = "expected Z or a UTC offset (±HH:mm) after the time";
            return false;
        }

        var utcTicks = wall.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            error = "the instant is out of range";
            return false;
        }

        time = new ParsedTime(TimeTextKind.Offset, wall, new DateTime(utcTicks, DateTimeKind.Utc));
        return true;
    }

    /// <summary>
    /// The common stamp as UTF-8, <c>yyyy-MM-dd(T| )HH:mm:ss</c> with an optional <c>Z</c>, read with fixed offsets and
    /// the date of the stamp before reused when its ten bytes are the same (a day's rows share it). The same result as
    /// <see cref="TryParse(ReadOnlySpan{byte}, out ParsedTime, out string?)"/> for such text; false for any other text
    /// and for invalid values, which that method then reads and names.
    /// </summary>
    internal static bool TryParseCommon(ReadOnlySpan<byte> s, ref StampDateCache cache, out ParsedTime time)
    {
        time = default;
        if (s.Length != 19 && (s.Length != 20 || (s[19] != (byte)'Z' && s[19] != (byte)'z')))
        {
            return false;
        }

        var head = BinaryPrimitives.ReadUInt64LittleEndian(s);
        var tail = BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
        if (!cache.Valid || head != cache.Head || tail != cache.Tail)
        {
            if (s[4] != (byte)'-' || s[7] != (byte)'-'
                || !TryDigits(s, 0, 4, out var year) || !TryDigits(s, 5, 2, out var month) || !TryDigits(s, 8, 2, out var day)
                || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                return false;
            }

            cache = new StampDateCache { Head = head, Tail = tail, DayTicks = new DateTime(year, month, day).Ticks, Valid = true };
        }

        var separator = s[10];
        if ((separator != (byte)'T' && separator != (byte)' ' && separator != (byte)'t') || s[13] != (byte)':' || s[16] != (byte)':')
        {
            return false;
        }

        uint h1 = (uint)(s[11] - '0'), h2 = (uint)(s[12] - '0'), m1 = (uint)(s[14] - '0'), m2 = (uint)(s[15] - '0');
        uint s1 = (uint)(s[17] - '0'), s2 = (uint)(s[18] - '0');
        if (h1 > 9 || h2 > 9 || m1 > 9 || m2 > 9 || s1 > 9 || s2 > 9)
        {
            return false;
        }

        uint hour = (h1 * 10) + h2, minute = (m1 * 10) + m2, second = (s1 * 10) + s2;
        if (hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = cache.DayTicks + (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond);
        var wall = new DateTime(ticks, DateTimeKind.Unspecified);
        time = s.Length == 20
            ? new ParsedTime(TimeTextKind.Offset, wall, new DateTime(ticks, DateTimeKind.Utc))
            : new ParsedTime(TimeTextKind.Naive, wall, default);
        return true;
    }

    private static bool TryParseUnix<TChar>(ReadOnlySpan<TChar> s, out ParsedTime time, out string? error)
        where TChar : unmanaged
    {
        time = default;
        error = null;
        if (!DecimalText.TryParseInt64<TChar>(s, out var value))
        {
            error = "the Unix time has too many digits";
            return false;
        }

        var magnitude = value < 0 ? -value : value;
        long ticks;
        try
        {
            ticks = checked(magnitude < UnixMillisecondsThreshold
                ? value * TimeSpan.TicksPerSecond
                : value * TimeSpan.TicksPerMillisecond);
            ticks = checked(ticks + UnixEpochTicks);
        }
        catch (OverflowException)
        {
            error = "the Unix time is out of range";
            return false;
        }

        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            error = "the Unix time is out of range";
            return false;
        }

        var utc = new DateTime(ticks, DateTimeKind.Utc);
        time = new ParsedTime(TimeTextKind.Unix, DateTime.SpecifyKind(utc, DateTimeKind.Unspecified), utc);
        return true;
    }

    private static bool TryParseOffset<TChar>(ReadOnlySpan<TChar> s, out TimeSpan offset)
        where TChar : unmanaged
    {
        offset = default;
        if (s.Length == 1 && (TextChars.Code(s[0]) == 'Z' || TextChars.Code(s[0]) == 'z'))
        {
            return true;
        }

        if (s.Length < 3 || (TextChars.Code(s[0]) != '+' && TextChars.Code(s[0]) != '-') || !TryDigits(s, 1, 2, out var hh))
        {
            return false;
        }

        var mm = 0;
        if (s.Length == 6 && TextChars.Code(s[3]) == ':')
        {
            if (!TryDigits(s, 4, 2, out mm))
            {
                return false;
            }
        }
        else if (s.Length == 5)
        {
            if (!TryDigits(s, 3, 2, out mm))
            {
                return false;
            }
        }
        else if (s.Length != 3)
        {
            return false;
        }

        if (hh > 14 || mm > 59)
        {
            return false;
        }

        offset = new TimeSpan(hh, mm, 0);
        if (TextChars.Code(s[0]) == '-')
        {
            offset = -offset;
        }

        return true;
    }

    private static bool IsInteger<TChar>(ReadOnlySpan<TChar> s)
        where TChar : unmanaged
    {
        var i = TextChars.Code(s[0]) == '-' ? 1 : 0;
        if (i == s.Length)
        {
            return false;
        }

        for (; i < s.Length; i++)
        {
            if ((uint)(TextChars.Code(s[i]) - '0') > 9)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryDigits<TChar>(ReadOnlySpan<TChar> s, int start, int count, out int value)
        where TChar : unmanaged
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(TextChars.Code(s[i]) - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }
}
