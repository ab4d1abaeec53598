using System.Globalization;

namespace StrategyLab.Core.Domain;

/// <summary>
/// A bar length from the supported set: 1s 5s 10s 15s 30s, 1m 2m 3m 5m 10m 15m 30m, 1h 2h 4h, 1d, 1w, 1mo.
/// <see cref="Parse"/> reads <c>5m</c>, <c>5min</c>, <c>1h</c>, <c>1d</c>, <c>1w</c>, <c>1mo</c> and similar; any other
/// text is an error that names it.
/// </summary>
/// <remarks>
/// A daily bar (<c>1d</c>) covers one trading session, not 24 hours of wall time; a weekly bar (<c>1w</c>) the sessions
/// of one Monday–Sunday week and a monthly bar (<c>1mo</c>) those of one calendar month (exchange dates), from the first
/// session's open to the last one's close. Intraday bars are aligned to the session open in exchange time (see the
/// aggregation types). Weekly and monthly bars are built from daily or finer bars; their <see cref="Duration"/> is
/// nominal (7 and 31 days), an upper bound used only for ordering.
/// </remarks>
public readonly struct Timeframe : IEquatable<Timeframe>, IComparable<Timeframe>
{
    private static readonly Timeframe[] Supported =
    [
        FromSeconds(1), FromSeconds(5), FromSeconds(10), FromSeconds(15), FromSeconds(30),
        FromSeconds(60), FromSeconds(120), FromSeconds(180), FromSeconds(300), FromSeconds(600), FromSeconds(900),
        FromSeconds(1800), FromSeconds(3600), FromSeconds(7200), FromSeconds(14400), FromSeconds(86400),
        FromSeconds(WeekSeconds), FromSeconds(MonthSeconds),
    ];

    // Nominal lengths: a week of sessions spans less than 7 days, a month of sessions less than 31.
    private const int WeekSeconds = 7 * 86400;
    private const int MonthSeconds = 31 * 86400;

    private readonly int _seconds;

    private Timeframe(int seconds) => _seconds = seconds;

    /// <summary>One second.</summary>
    public static Timeframe OneSecond => new(1);

    /// <summary>Five seconds.</summary>
    public static Timeframe FiveSeconds => new(5);

    /// <summary>One minute.</summary>
    public static Timeframe OneMinute => new(60);

    /// <summary>Five minutes.</summary>
    public static Timeframe FiveMinutes => new(300);

    /// <summary>Fifteen minutes.</summary>
    public static Timeframe FifteenMinutes => new(900);

    /// <summary>One hour.</summary>
    public static Timeframe OneHour => new(3600);

    /// <summary>One trading day (one session).</summary>
    public static Timeframe OneDay => new(86400);

    /// <summary>One week: the sessions of a Monday–Sunday week.</summary>
    public static Timeframe OneWeek => new(WeekSeconds);

    /// <summary>One month: the sessions of a calendar month.</summary>
    public static Timeframe OneMonth => new(MonthSeconds);

    /// <summary>Every supported timeframe, shortest first.</summary>
    public static IReadOnlyList<Timeframe> All => Supported;

    /// <summary>The nominal length of a bar.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(_seconds);

    /// <summary>The nominal length in whole seconds.</summary>
    public int Seconds => _seconds;

    /// <summary>The nominal length in ticks (100 ns).</summary>
    public long Ticks => _seconds * TimeSpan.TicksPerSecond;

    /// <summary>True for <c>1d</c>: one bar per trading session.</summary>
    public bool IsDaily => _seconds == 86400;

    /// <summary>True for <c>1w</c>.</summary>
    public bool IsWeekly => _seconds == WeekSeconds;

    /// <summary>True for <c>1mo</c>.</summary>
    public bool IsMonthly => _seconds == MonthSeconds;

    /// <summary>True for <c>1w</c> and <c>1mo</c>: one bar spans several sessions (built from daily or finer bars).</summary>
    public bool IsMultiSession => _seconds > 86400;

    /// <summary>True for <c>1d</c>, <c>1w</c> and <c>1mo</c>: bars made of whole sessions, decided at a close.</summary>
    public bool IsSessionBased => _seconds >= 86400;

    /// <summary>True for second-based timeframes (1s to 30s).</summary>
    public bool IsSeconds => _seconds < 60;

    /// <summary>True when this timeframe is the default value (not a real timeframe).</summary>
    public bool IsDefault => _seconds == 0;

    /// <summary>
    /// Reads a timeframe such as <c>5m</c>, <c>5min</c>, <c>15 minutes</c>, <c>1h</c>, <c>4hour</c>, <c>1d</c>, <c>30s</c>,
    /// <c>1w</c>, <c>1mo</c>. <c>1M</c> is refused: it reads as a month to many people and as a minute to others. A
    /// one-letter unit after a space (<c>1 m</c>, <c>1 h</c>) is refused too; spelled-out units may follow a space.
    /// </summary>
    /// <exception cref="FormatException">The text is not a supported timeframe; the message names the text and lists the supported ones.</exception>
    public static Timeframe Parse(string text)
    {
        if (TryParse(text, out var tf))
        {
            return tf;
        }

        throw new FormatException(
            $"Unknown timeframe '{text}'. Supported: {string.Join(' ', Supported.Select(s => s.ToString()))} " +
            "(units s/sec, m/min, h/hour, d/day, w/week, mo/month; '1M' is ambiguous: write 1m for a minute, 1mo for a month; a one-letter unit is written without a space, as 1m, not 1 m).");
    }

    /// <summary>Tries to read a timeframe; see <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, out Timeframe timeframe)
    {
        timeframe = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var t = text.Trim().ToLowerInvariant();
        var i = 0;
        while (i < t.Length && char.IsAsciiDigit(t[i]))
        {
            i++;
        }

        if (i == 0 || i > 6 || !int.TryParse(t.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return false;
        }

        var unit = t[i..].Trim();
        if (text.Trim().EndsWith('M'))
        {
            return false; // ambiguous: minute (1m) or month (1mo)
        }

        if (unit.Length == 1 && t.Length > i && t[i] != unit[0])
        {
            // "1 m", "1 h": a lone letter set apart reads like a typo or a cut-off word ("1 mo"?); spelled-out units
            // ("5 minutes") are plain enough to keep.
            return false;
        }

        if (n == 1 && unit is "w" or "wk" or "week" or "weeks")
        {
            timeframe = OneWeek;
            return true;
        }

        if (n == 1 && unit is "mo" or "mon" or "month" or "months")
        {
            timeframe = OneMonth;
            return true;
        }

        int unitSeconds = unit switch
        {
            "s" or "sec" or "secs" or "second" or "seconds" => 1,
            "m" or "min" or "mins" or "minute" or "minutes" => 60,
            "h" or "hr" or "hrs" or "hour" or "hours" => 3600,
            "d" or "day" or "days" => 86400,
            _ => 0,
        };
        if (unitSeconds == 0 || (long)n * unitSeconds > 86400)
        {
            return false;
        }

        var candidate = new Timeframe(n * unitSeconds);
        if (Array.IndexOf(Supported, candidate) < 0)
        {
            return false;
        }

        timeframe = candidate;
        return true;
    }

    /// <summary>True when <paramref name="smaller"/> bars can be combined into bars of this timeframe (it divides evenly).</summary>
    /// <remarks>Weekly and monthly bars combine daily or intraday ones (not each other: weeks straddle months).</remarks>
    public bool IsMultipleOf(Timeframe smaller) =>
        smaller._seconds > 0 && (IsSessionBased
            ? smaller._seconds <= 86400 || smaller._seconds == _seconds
            : _seconds % smaller._seconds == 0);

    private static Timeframe FromSeconds(int seconds) => new(seconds);

    /// <inheritdoc />
    public bool Equals(Timeframe other) => _seconds == other._seconds;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Timeframe other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _seconds;

    /// <inheritdoc />
    public int CompareTo(Timeframe other) => _seconds.CompareTo(other._seconds);

    /// <summary>The canonical short form: <c>5s</c>, <c>1m</c>, <c>15m</c>, <c>1h</c>, <c>1d</c>, <c>1w</c>, <c>1mo</c>.</summary>
    public override string ToString() => _seconds switch
    {
        0 => "(none)",
        86400 => "1d",
        WeekSeconds => "1w",
        MonthSeconds => "1mo",
        _ when _seconds % 3600 == 0 => (_seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h",
        _ when _seconds % 60 == 0 => (_seconds / 60).ToString(CultureInfo.InvariantCulture) + "m",
        _ => _seconds.ToString(CultureInfo.InvariantCulture) + "s",
    };

    /// <summary>Equality operator.</summary>
    public static bool operator ==(Timeframe left, Timeframe right) => left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(Timeframe left, Timeframe right) => !left.Equals(right);

    /// <summary>Ordering operator.</summary>
    public static bool operator <(Timeframe left, Timeframe right) => left._seconds < right._seconds;

    /// <summary>Ordering operator.</summary>
    public static bool operator >(Timeframe left, Timeframe right) => left._seconds > right._seconds;

    /// <summary>Ordering operator.</summary>
    public static bool operator <=(Timeframe left, Timeframe right) => left._seconds <= right._seconds;

    /// <summary>Ordering operator.</summary>
    public static bool operator >=(Timeframe left, Timeframe right) => left._seconds >= right._seconds;
}
