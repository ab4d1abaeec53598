using System.Globalization;
using System.Text;

namespace StrategyLab.Providers.Json;

/// <summary>
/// Text from a provider (a frame's message, a parser's complaint quoting the frame) made safe to echo in logs and
/// errors: control characters (ESC, BEL, NUL…) are written as <c>\uXXXX</c>, so a hostile or garbled frame cannot
/// drive the user's terminal.
/// </summary>
internal static class PrintableText
{
    /// <summary><paramref name="text"/> with every control character escaped (null stays null).</summary>
    public static string? Escape(string? text)
    {
        if (text is null || !text.Any(char.IsControl))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
