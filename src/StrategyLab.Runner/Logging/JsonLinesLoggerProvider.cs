using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Runner.Logging;

/// <summary>
/// Writes every log event as one JSON object per line (<c>log.jsonl</c>): <c>time</c>, <c>level</c>, <c>event</c>
/// (the stable event name), <c>category</c>, <c>message</c>, and the event's named values. Known secrets are replaced
/// by <c>***</c> in every string before it is written. Lines are flushed as they are written, so a crash leaves whole lines.
/// </summary>
public sealed class JsonLinesLoggerProvider : ILoggerProvider
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly TextWriter _writer;
    private readonly bool _ownsWriter;
    private readonly TimeProvider _time;
    private readonly SecretRedactor _secrets;
    private readonly LogLevel _minimum;
    private readonly Lock _gate = new();
    private readonly LogText _text;

    /// <summary>Writes to <paramref name="writer"/>; instants in messages and values are shown by <paramref name="text"/> (default UTC).</summary>
    public JsonLinesLoggerProvider(TextWriter writer, TimeProvider time, IEnumerable<string?>? secrets = null, LogLevel minimum = LogLevel.Debug, bool ownsWriter = false, LogText? text = null)
    {
        _writer = writer;
        _text = text ?? LogText.Utc;
        _time = time;
        _ownsWriter = ownsWriter;
        _minimum = minimum;
        _secrets = new SecretRedactor(secrets ?? []);
    }

    /// <summary>Appends to the file at <paramref name="path"/> (created if missing).</summary>
    public static JsonLinesLoggerProvider ToFile(string path, TimeProvider time, IEnumerable<string?>? secrets = null, LogLevel minimum = LogLevel.Debug, LogText? text = null)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        return new JsonLinesLoggerProvider(writer, time, secrets, minimum, ownsWriter: true, text);
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new JsonLinesLogger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsWriter)
        {
            lock (_gate)
            {
                _writer.Dispose();
            }
        }
    }

    /// <summary>Replaces every known secret in <paramref name="text"/> by <c>***</c>, where it stands as a whole token (<see cref="SecretRedactor"/>).</summary>
    public string Redact(string text) => _secrets.Redact(text);

    private void Write<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (level < _minimum || level == LogLevel.None)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("time", _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            json.WriteString("level", level.ToString().ToLowerInvariant());
            json.WriteString("event", string.IsNullOrEmpty(eventId.Name) ? "log" : eventId.Name);
            json.WriteString("category", category);
            json.WriteString("message", Redact(_text.Message(state, exception, formatter)));
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    if (key == "{OriginalFormat}" || key is "time" or "level" or "event" or "category" or "message" or "exception")
                    {
                        continue;
                    }

                    WriteValue(json, key, value);
                }
            }

            if (exception is not null)
            {
                json.WriteString("exception", Redact($"{exception.GetType().Name}: {exception.Message}"));
            }

            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }

    private void WriteValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            case int or long or short or byte:
                json.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case decimal d:
                json.WriteNumber(key, d);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumber(key, d);
                break;
            case DateTime dt:
                json.WriteString(key, _text.Time(dt));
                break;
            case DateTimeOffset dto:
                json.WriteString(key, _text.Time(dto));
                break;
            case DateOnly date:
                json.WriteString(key, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case TimeSpan ts:
                json.WriteNumber(key, Math.Round(ts.TotalSeconds, 3));
                break;
            default:
                json.WriteString(key, Redact(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty));
                break;
        }
    }

    private sealed class JsonLinesLogger(JsonLinesLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write(category, logLevel, eventId, state, exception, formatter);
    }
}
