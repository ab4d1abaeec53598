using System.Globalization;
using StrategyLab.Data.Text;

namespace StrategyLab.Data;

/// <summary>
/// Bad input in a data file. The message names the file, the line (1-based, when the problem is on one line) and the field,
/// e.g. <c>bars.csv:17: field 'high': 'abc' is not a number</c>.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception for a problem at a file, line and field.</summary>
    /// <param name="filePath">The file (or zip entry, as <c>archive.zip!entry.csv</c>).</param>
    /// <param name="line">The 1-based line, or null when the problem is not on one line.</param>
    /// <param name="field">The column or field name, or null when the problem is not in one field.</param>
    /// <param name="reason">What is wrong, without the location.</param>
    public DataFormatException(string filePath, long? line, string? field, string reason)
        : base(Format(filePath, line, field, reason))
    {
        FilePath = filePath;
        Line = line;
        Field = field;
        Reason = reason;
    }

    /// <summary>The file the problem is in.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line, when the problem is on one line.</summary>
    public long? Line { get; }

    /// <summary>The field (column) name, when the problem is in one field.</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>Formats a location and reason the way this exception's message does.</summary>
    /// <remarks>Control characters (from the file's own text, quoted in the reason or the field) are escaped.</remarks>
    public static string Format(string filePath, long? line, string? field, string reason)
    {
        (filePath, field, reason) = (TextEscape.ForMessage(filePath), field is null ? null : TextEscape.ForMessage(field), TextEscape.ForMessage(reason));
        var location = line is { } l ? string.Create(CultureInfo.InvariantCulture, $"{filePath}:{l}") : filePath;
        return field is null ? $"{location}: {reason}" : $"{location}: field '{field}': {reason}";
    }
}
