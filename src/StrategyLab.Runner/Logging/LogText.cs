using System.Collections;
using System.Globalization;
using System.Text;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Runner.Logging;

/// <summary>
/// How log lines (the console's and <c>log.jsonl</c>'s) show instants: in the exchange's time with its offset, to the
/// millisecond at most, as the run's files do (<c>2013-10-07T09:51:00-04:00</c>, not <c>2013-10-07T13:51:00.0000000Z</c>).
/// Without an exchange (commands that run no market) they stay UTC, to the millisecond.
/// </summary>
/// <remarks>
/// Messages whose values hold no instant are the logger's own text, unchanged; the others are rendered again from
/// their template with the same positional holes, alignments and formats, instants aside.
/// </remarks>
public sealed class LogText
{
    private const string Format = "yyyy-MM-ddTHH:mm:ss.FFFzzz";
    private const string UtcFormat = "yyyy-MM-ddTHH:mm:ss.FFF'Z'";
    private const string TemplateKey = "{OriginalFormat}";

    private readonly IMarketCalendar? _exchange;

    /// <summary>Shows instants in <paramref name="exchange"/>'s time (null: UTC).</summary>
    public LogText(IMarketCalendar? exchange) => _exchange = exchange;

    /// <summary>Instants in UTC, to the millisecond.</summary>
    public static LogText Utc { get; } = new(null);

    /// <summary>
    /// <paramref name="value"/> as log text. Only a UTC <see cref="DateTime"/> is an instant; any other kind is a wall
    /// time and keeps its text (without its ticks beyond the millisecond).
    /// </summary>
    public string Time(DateTime value) => value.Kind == DateTimeKind.Utc
        ? Time(new DateTimeOffset(value))
        : value.ToString("yyyy-MM-ddTHH:mm:ss.FFF", CultureInfo.InvariantCulture);

    /// <summary><paramref name="value"/> as log text: the exchange's offset (or UTC), milliseconds at most.</summary>
    public string Time(DateTimeOffset value)
    {
        var truncated = value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMillisecond));
        return _exchange is null
            ? truncated.UtcDateTime.ToString(UtcFormat, CultureInfo.InvariantCulture)
            : _exchange.ToExchangeOffset(truncated.UtcDateTime).ToString(Format, CultureInfo.InvariantCulture);
    }

    /// <summary>The message of a log call, its instants shown by <see cref="Time(DateTimeOffset)"/>.</summary>
    public string Message<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (state is not IReadOnlyList<KeyValuePair<string, object?>> values || values.Count < 2 || !HasInstant(values)
            || values[^1] is not { Key: TemplateKey, Value: string template })
        {
            return formatter(state, exception);
        }

        return Render(template, values);
    }

    private static bool HasInstant(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i].Value is DateTime { Kind: DateTimeKind.Utc } or DateTimeOffset)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The template with its holes filled in order: <c>{Name[,alignment][:format]}</c>; <c>{{</c> and <c>}}</c> are braces.</summary>
    private string Render(string template, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var text = new StringBuilder(template.Length + 32);
        var hole = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                text.Append(c);
                i++;
                continue;
            }

            var end = c == '{' ? template.IndexOf('}', i + 1) : -1;
            if (end < 0)
            {
                text.Append(c);
                continue;
            }

            var spec = template.AsSpan(i + 1, end - i - 1);
            var colon = spec.IndexOf(':');
            var format = colon < 0 ? null : spec[(colon + 1)..].ToString();
            var name = colon < 0 ? spec : spec[..colon];
            var comma = name.IndexOf(',');
            var alignment = comma >= 0 && int.TryParse(name[(comma + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a) ? a : 0;
            var shown = hole < values.Count - 1 ? Value(values[hole].Value, format) : string.Empty;
            hole++;
            text.Append(alignment >= 0 ? shown.PadLeft(alignment) : shown.PadRight(-alignment));
            i = end;
        }

        return text.ToString();
    }

    private string Value(object? value, string? format) => value switch
    {
        null => "(null)",
        DateTime { Kind: DateTimeKind.Utc } dt when IsRoundTrip(format) => Time(dt),
        DateTimeOffset dto when IsRoundTrip(format) => Time(dto),
        DateTime { Kind: DateTimeKind.Utc } dt => Exchange(new DateTimeOffset(dt)).ToString(format, CultureInfo.InvariantCulture),
        DateTimeOffset dto => Exchange(dto).ToString(format, CultureInfo.InvariantCulture),
        string s => s,
        IFormattable f => f.ToString(format, CultureInfo.InvariantCulture),
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(item => Value(item, format))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private DateTimeOffset Exchange(DateTimeOffset value) =>
        _exchange is null ? value.ToUniversalTime() : _exchange.ToExchangeOffset(value.UtcDateTime);

    private static bool IsRoundTrip(string? format) => format is null or "O" or "o" or "s" or "u";
}
