using StrategyLab.Data.Text;

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
        : base(TextEscape.ForMessage(message))
    {
        Key = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public ConfigException(string message, Exception innerException)
        : base(TextEscape.ForMessage(message), innerException)
    {
        Key = string.Empty;
    }

    /// <summary>The key at fault, e.g. <c>risk.stop_loss_pct</c> (empty when the file as a whole is wrong).</summary>
    public string Key { get; }

    // Values quoted from the config file are echoed: control characters in them are escaped (a JSON "\u001b" must not
    // recolour the terminal or split the line).
    private static string Format(string key, string problem, string? file, long? line)
    {
        var where = file is null ? string.Empty : line is null ? $"{file}: " : $"{file}:{line}: ";
        return TextEscape.ForMessage(key.Length == 0 ? $"{where}{problem}" : $"{where}{key}: {problem}");
    }
}
