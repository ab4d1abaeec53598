using System.Globalization;
using System.Text;

namespace StrategyLab.Data.Text;

/// <summary>
/// Makes text read from an input file safe to echo in a message: control characters (C0, DEL, C1) and the Unicode
/// bidirectional overrides are written as escapes (<c>\n</c>, <c>\t</c>, <c>\u001B</c>…), so a file cannot move the
/// cursor, recolour the terminal or split one log line into two.
/// </summary>
public static class TextEscape
{
    /// <summary>The text with every unsafe character escaped; the same string when there is none.</summary>
    public static string ForMessage(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = 0;
        while (i < text.Length && !IsUnsafe(text[i]))
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (IsUnsafe(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private static bool IsUnsafe(char c) =>
        c < ' ' || (c >= '\u007F' && c <= '\u009F') || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069');
}
