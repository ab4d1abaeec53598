using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace StrategyLab.Cli;

/// <summary>
/// <c>--json</c> on a failure: stdout still receives exactly one JSON document, <c>{"error": "…", "exit_code": n}</c>,
/// for every command that has <c>--json</c> and every way it can fail (arguments that do not parse, bad input, a
/// failed run, an unexpected exception). The human-readable lines stay on stderr.
/// </summary>
internal static class JsonErrors
{
    private const string ErrorPrefix = "error: ";

    /// <summary>True when the parsed command has a <c>--json</c> flag and it is set.</summary>
    public static bool Requested(ParseResult parse)
    {
        if (parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--json") is not Option<bool> option || parse.GetResult(option) is null)
        {
            return false;
        }

        try
        {
            return parse.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return true; // "--json" was given with a value that does not parse: the caller still reads JSON
        }
    }

    /// <summary>Writes the error document.</summary>
    public static void Write(TextWriter stdout, string error, int exitCode)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteNumber("exit_code", exitCode);
            json.WriteEndObject();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>
    /// The error text of a failed command from what it wrote to stderr: its <c>error: …</c> lines (every command
    /// reports a failure that way), else a pointer to stderr (an unexpected exception's trace is not repeated).
    /// </summary>
    public static string MessageOf(string stderr, int exitCode)
    {
        var lines = stderr.ReplaceLineEndings("\n").Split('\n')
            .Where(l => l.StartsWith(ErrorPrefix, StringComparison.Ordinal))
            .Select(l => l[ErrorPrefix.Length..])
            .ToList();
        return lines.Count > 0
            ? string.Join('\n', lines)
            : $"the command failed (exit code {exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)}); details on stderr.";
    }
}

/// <summary>
/// A writer that passes everything on to <see cref="Inner"/> and remembers whether anything was written and the first
/// <see cref="MaxKept"/> characters of it.
/// </summary>
internal sealed class RecordingTextWriter(TextWriter inner) : TextWriter
{
    /// <summary>Most characters kept for <see cref="Text"/>.</summary>
    public const int MaxKept = 64 * 1024;

    private readonly StringBuilder _kept = new();
    private readonly Lock _gate = new();

    /// <summary>The writer written to.</summary>
    public TextWriter Inner { get; } = inner;

    /// <summary>True once anything was written.</summary>
    public bool HasWritten { get; private set; }

    /// <summary>The start of what was written.</summary>
    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _kept.ToString();
            }
        }
    }

    /// <inheritdoc />
    public override Encoding Encoding => Inner.Encoding;

    /// <inheritdoc />
    public override void Write(char value)
    {
        Keep(value.ToString());
        Inner.Write(value);
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        Keep(value);
        Inner.Write(value);
    }

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count)
    {
        Keep(new string(buffer, index, count));
        Inner.Write(buffer, index, count);
    }

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        Keep(value + NewLine);
        Inner.WriteLine(value);
    }

    /// <inheritdoc />
    public override Task WriteLineAsync(string? value)
    {
        Keep(value + NewLine);
        return Inner.WriteLineAsync(value);
    }

    /// <inheritdoc />
    public override Task WriteAsync(string? value)
    {
        Keep(value);
        return Inner.WriteAsync(value);
    }

    /// <inheritdoc />
    public override void Flush() => Inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync() => Inner.FlushAsync();

    private void Keep(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        lock (_gate)
        {
            HasWritten = true;
            if (_kept.Length < MaxKept)
            {
                _kept.Append(text, 0, Math.Min(text.Length, MaxKept - _kept.Length));
            }
        }
    }
}
