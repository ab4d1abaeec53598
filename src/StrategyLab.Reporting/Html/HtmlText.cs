using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Reporting.Html;

/// <summary>Escaping and number formats of the HTML pages: every text from a run folder goes through here.</summary>
internal static class HtmlText
{
    /// <summary>Seconds of the Unix epoch in ticks.</summary>
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>
    /// Escapes text for HTML element content and quoted attribute values: <c>&amp; &lt; &gt; " '</c> become entities.
    /// Control characters other than tab and line breaks are dropped.
    /// </summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\t' or '\n' or '\r': sb.Append(c); break;
                default:
                    if (!char.IsControl(c))
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// JSON writer options for data embedded in a <c>&lt;script type="application/json"&gt;</c> element: the default
    /// encoder escapes <c>&lt; &gt; &amp; ' " +</c> and every non-ASCII character as <c>\uXXXX</c>, so the text can
    /// never close the element or start a comment.
    /// </summary>
    public static JsonWriterOptions ScriptJson { get; } = new() { Encoder = JavaScriptEncoder.Default, Indented = false };

    /// <summary>Pretty JSON for reading (configuration), to be HTML-encoded before it goes into the page.</summary>
    public static string PrettyJson(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            node.WriteTo(w);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// A copy of a configuration with every secret-looking value (keys containing <c>api_key</c>, <c>apikey</c>,
    /// <c>secret</c>, <c>password</c>, <c>token</c>) replaced by <c>***</c>: the summary should hold none, the report
    /// makes sure.
    /// </summary>
    public static JsonNode? Redacted(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var copy = node.DeepClone();
        Redact(copy);
        return copy;
    }

    /// <summary>A wall-clock time as chart seconds: the exchange-local wall time read as if it were UTC (how the charts show local time).</summary>
    public static long ChartSeconds(long localTicks) => (localTicks - UnixEpochTicks) / TimeSpan.TicksPerSecond;

    /// <summary>A number as JSON/JS text in the artifact format (no exponent, up to 10 decimals).</summary>
    public static string Number(decimal value) => ArtifactFormat.ToText(value);

    /// <summary>A price or quantity for reading: thousands separators, the decimals it has (at least <paramref name="minDecimals"/>).</summary>
    public static string Quantity(decimal value, int minDecimals = 0)
    {
        var format = "#,##0." + new string('0', minDecimals) + "##########";
        return value.ToString(format, CultureInfo.InvariantCulture).TrimEnd('.');
    }

    /// <summary>
    /// A signed percent number without the sign of percent, two decimals, three below 0.1 % so small moves do not read
    /// as zero (<c>+1.23</c>, <c>-0.004</c>, <c>0.00</c>).
    /// </summary>
    public static string SignedPercent(decimal fraction)
    {
        var percent = fraction * 100m;
        return percent.ToString(Math.Abs(percent) < 0.1m ? "+0.000;-0.000;0.00" : "+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
    }

    /// <summary>A local time for reading: <c>2013-10-07 09:47</c> (seconds when not zero).</summary>
    public static string LocalTime(DateTimeOffset time)
    {
        Span<byte> text = stackalloc byte[LocalTimeLength];
        return Encoding.ASCII.GetString(text[..LocalTime(time, text)]);
    }

    /// <summary>
    /// <see cref="LocalTime(DateTimeOffset)"/> as ASCII into <paramref name="destination"/> (at least
    /// <see cref="LocalTimeLength"/> bytes), without the custom-format parser or a string; returns the bytes written.
    /// </summary>
    public static int LocalTime(DateTimeOffset time, Span<byte> destination) => TimeText.FormatReadable(time.DateTime, destination);

    /// <summary>Bytes <see cref="LocalTime(DateTimeOffset, Span{byte})"/> writes at most.</summary>
    public const int LocalTimeLength = TimeText.ReadableLength;

    /// <summary>The name of a ladder step: <c>1s</c>, <c>5m</c>, <c>4h</c>, <c>1d</c>, <c>1w</c>.</summary>
    public static string StepName(TimeSpan step) => step.Ticks switch
    {
        >= TimeSpan.TicksPerDay * 7 when step.Ticks % (TimeSpan.TicksPerDay * 7) == 0 => Invariant($"{step.Ticks / (TimeSpan.TicksPerDay * 7)}w"),
        >= TimeSpan.TicksPerDay when step.Ticks % TimeSpan.TicksPerDay == 0 => Invariant($"{step.Days}d"),
        >= TimeSpan.TicksPerHour when step.Ticks % TimeSpan.TicksPerHour == 0 => Invariant($"{(long)step.TotalHours}h"),
        >= TimeSpan.TicksPerMinute when step.Ticks % TimeSpan.TicksPerMinute == 0 => Invariant($"{(long)step.TotalMinutes}m"),
        _ => Invariant($"{(long)step.TotalSeconds}s"),
    };

    /// <summary>Colour of a heat-map cell: green for gains, red for losses, stronger with <paramref name="strength"/> in [0, 1].</summary>
    public static string HeatColour(decimal value, decimal strength)
    {
        if (value == 0)
        {
            return "transparent";
        }

        var alpha = 0.12m + (0.68m * Math.Clamp(strength, 0m, 1m));
        var a = alpha.ToString("0.00", CultureInfo.InvariantCulture);
        return value > 0 ? $"rgba(38,166,154,{a})" : $"rgba(239,83,80,{a})";
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Redact(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    var child = o[key];
                    if (IsSecretKey(key) && child is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length > 0)
                    {
                        o[key] = "***";
                    }
                    else if (child is not null)
                    {
                        Redact(child);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    if (item is not null)
                    {
                        Redact(item);
                    }
                }

                break;
        }
    }

    private static bool IsSecretKey(string key)
    {
        var k = key.ToLowerInvariant();
        return k.Contains("api_key", StringComparison.Ordinal) || k.Contains("apikey", StringComparison.Ordinal)
            || k.Contains("secret", StringComparison.Ordinal) || k.Contains("password", StringComparison.Ordinal)
            || k.Contains("token", StringComparison.Ordinal);
    }
}
