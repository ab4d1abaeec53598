namespace StrategyLab.Runner.Configuration;

/// <summary>The configuration is wrong; the message names the key (and the file and line when known).</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public ConfigException(string key, string problem, string? file = null, long? line = null)
        : base(Format(key, problem, file, line))
    {
        Key = key;
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException()
    {
        Key = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException(string message)
        : base(Printable(message))
    {
        Key = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException(string message, Exception innerException)
        : base(Printable(message), innerException)
    {
        Key = string.Empty;
    }

    /// <summary>The key at fault, e.g. <c>risk.stop_loss_pct</c> (empty when the file as a whole is wrong).</summary>
    public string Key { get; }

    private static string Format(string key, string problem, string? file, long? line)
    {
        var where = file is null ? string.Empty : line is null ? $"{file}: " : $"{file}:{line}: ";
        return Printable(key.Length == 0 ? $"{where}{problem}" : $"{where}{key}: {problem}");
    }

    /// <summary>
    /// Control characters of a quoted value (an ESC sequence, a BEL, a NUL in a config string) written as <c>\uXXXX</c>, so
    /// echoing the value cannot drive the user's terminal.
    /// </summary>
    private static string Printable(string message)
    {
        if (!message.Any(char.IsControl))
        {
            return message;
        }

        var sb = new System.Text.StringBuilder(message.Length + 16);
        foreach (var c in message)
        {
            _ = char.IsControl(c) && c != '\n' ? sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : sb.Append(c);
        }

        return sb.ToString();
    }
}
