using System.Buffers;
using System.Text;
using System.Text.Json;
using StrategyLab.Core.Domain;

namespace StrategyLab.Providers.Json;

/// <summary>
/// Maps the symbol text of a provider message (Finnhub <c>s</c>, Polygon <c>sym</c>) to the caller's <see cref="Symbol"/> without allocating for known symbols,
/// and keeps one string instance per condition code. Used by the read loop only (not thread-safe for writes).
/// </summary>
internal sealed class ProviderSymbolTable
{
    private const int MaxStackChars = 128;
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Symbol>.AlternateLookup<ReadOnlySpan<char>> _symbolLookup;
    private readonly Dictionary<string, string> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _codeLookup;

    public ProviderSymbolTable()
    {
        _symbolLookup = _symbols.GetAlternateLookup<ReadOnlySpan<char>>();
        _codeLookup = _codes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Registers a subscribed symbol: trades with its ticker map to this instance.</summary>
    public void Add(Symbol symbol) => _symbols[symbol.Ticker] = symbol;

    /// <summary>
    /// The symbol for the current string token, or null when the text is not a usable ticker. A ticker nobody subscribed
    /// to is read with <see cref="Symbol.Parse"/> and remembered.
    /// </summary>
    public Symbol? Resolve(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return null;
        }

        if (!reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.Length <= MaxStackChars)
        {
            Span<char> chars = stackalloc char[MaxStackChars];
            if (Encoding.UTF8.TryGetChars(reader.ValueSpan, chars, out var written)
                && _symbolLookup.TryGetValue(chars[..written], out var known))
            {
                return known;
            }
        }

        var text = reader.GetString();
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (_symbols.TryGetValue(text, out var existing))
        {
            return existing;
        }

        try
        {
            var symbol = Symbol.Parse(text);
            if (_symbols.Count < 10_000)
            {
                _symbols[text] = symbol;
            }

            return symbol;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The current token (string or number) as a condition code, one shared instance per distinct code.</summary>
    public string? ReadCode(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
        {
            return null;
        }

        if (!reader.ValueIsEscaped && !reader.HasValueSequence && reader.ValueSpan.Length <= MaxStackChars)
        {
            Span<char> chars = stackalloc char[MaxStackChars];
            if (Encoding.UTF8.TryGetChars(reader.ValueSpan, chars, out var written)
                && _codeLookup.TryGetValue(chars[..written], out var known))
            {
                return known;
            }
        }

        var text = reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        if (_codes.Count < 10_000)
        {
            _codes.TryAdd(text, text);
        }

        return text;
    }
}
