using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace StrategyLab.Providers.Json;

/// <summary>
/// Reads JSON numbers that providers send either as numbers or as strings into exact <see cref="decimal"/>s, from the
/// token's own text (never through <see cref="double"/>).
/// </summary>
internal static class JsonDecimal
{
    private const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>The current token (a number, or a string holding one) as a decimal; false for anything else.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out decimal value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return TryParse(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan, out value);
            case JsonTokenType.String when !reader.ValueIsEscaped && !reader.HasValueSequence:
                return TryParse(reader.ValueSpan, out value);
            case JsonTokenType.String:
                return decimal.TryParse(reader.GetString(), Style, CultureInfo.InvariantCulture, out value);
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>The element (a number, or a string holding one) as a decimal; false for anything else.</summary>
    public static bool TryRead(JsonElement element, out decimal value)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                return decimal.TryParse(element.GetRawText(), Style, CultureInfo.InvariantCulture, out value);
            case JsonValueKind.String:
                return decimal.TryParse(element.GetString(), Style, CultureInfo.InvariantCulture, out value);
            default:
                value = 0;
                return false;
        }
    }

    /// <summary>The current token (an integer number, or a string holding one) as a long; false for anything else.</summary>
    public static bool TryReadInt64(ref Utf8JsonReader reader, out long value)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetInt64(out value);
            case JsonTokenType.String when !reader.ValueIsEscaped && !reader.HasValueSequence:
                return long.TryParse(reader.ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
            default:
                value = 0;
                return false;
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> utf8, out decimal value) =>
        decimal.TryParse(utf8, Style, CultureInfo.InvariantCulture, out value);
}
