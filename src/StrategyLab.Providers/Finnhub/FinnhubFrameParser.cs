using System.Text.Json;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Json;

namespace StrategyLab.Providers.Finnhub;

/// <summary>The kinds of Finnhub stream frames.</summary>
internal enum FinnhubFrameType
{
    /// <summary>Not readable: see <see cref="FinnhubFrame.Problem"/>.</summary>
    Malformed,

    /// <summary><c>{"type":"trade","data":[...]}</c>.</summary>
    Trade,

    /// <summary><c>{"type":"ping"}</c>: liveness only.</summary>
    Ping,

    /// <summary><c>{"type":"error","msg":"..."}</c>.</summary>
    Error,

    /// <summary>A well-formed frame of a type this client does not use (e.g. news).</summary>
    Other,
}

/// <summary>One print of a trade frame, exactly as sent.</summary>
internal readonly record struct FinnhubTrade(Symbol Symbol, long TimeMs, decimal Price, decimal Volume, string[]? Conditions);

/// <summary>What a frame held.</summary>
/// <param name="Type">The frame's kind.</param>
/// <param name="Text">The <c>msg</c> of an error frame, or the <c>type</c> of an <see cref="FinnhubFrameType.Other"/> frame.</param>
/// <param name="Problem">Why the frame, or some of its prints, could not be read (null when all was fine).</param>
/// <param name="SkippedPrints">Prints of a trade frame that were skipped as malformed.</param>
internal readonly record struct FinnhubFrame(FinnhubFrameType Type, string? Text, string? Problem, int SkippedPrints);

/// <summary>
/// Reads Finnhub stream frames straight from UTF-8 bytes. Prices and volumes become exact decimals from the token text,
/// whether sent as numbers or strings; <c>t</c> is epoch milliseconds. A frame that is not JSON or has the wrong shape is
/// reported, never thrown; a bad print is skipped and the rest of the batch kept.
/// </summary>
internal sealed class FinnhubFrameParser(ProviderSymbolTable symbols)
{
    // Trades before 2000 or after 2200 are nonsense (a seconds-or-microseconds mix-up, or garbage).
    private const long MinTimeMs = 946_684_800_000L;
    private const long MaxTimeMs = 7_258_118_400_000L;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    /// <summary>Reads one frame; valid prints of a trade frame are added to <paramref name="trades"/> (cleared first).</summary>
    public FinnhubFrame Parse(ReadOnlySpan<byte> utf8, List<FinnhubTrade> trades)
    {
        trades.Clear();
        FinnhubFrameType type;
        string? text;
        try
        {
            // First pass: the frame's type (properties may come in any order), checking the whole frame is valid JSON.
            if (!ReadEnvelope(utf8, out type, out text, out var hasData, out var problem))
            {
                return new FinnhubFrame(FinnhubFrameType.Malformed, null, problem, 0);
            }

            if (type != FinnhubFrameType.Trade)
            {
                return new FinnhubFrame(type, text, null, 0);
            }

            if (!hasData)
            {
                return new FinnhubFrame(FinnhubFrameType.Malformed, null, "a trade frame without 'data'", 0);
            }

            return ReadTrades(utf8, trades);
        }
        catch (JsonException e)
        {
            trades.Clear();
            return new FinnhubFrame(FinnhubFrameType.Malformed, null, "not valid JSON: " + PrintableText.Escape(e.Message), 0);
        }
        catch (InvalidOperationException e)
        {
            // A string the reader cannot decode (a lone surrogate escape, invalid UTF-8): the frame is unreadable.
            trades.Clear();
            return new FinnhubFrame(FinnhubFrameType.Malformed, null, "unreadable string: " + e.Message, 0);
        }
    }

    private static bool ReadEnvelope(ReadOnlySpan<byte> utf8, out FinnhubFrameType type, out string? text, out bool hasData, out string? problem)
    {
        type = FinnhubFrameType.Malformed;
        text = null;
        hasData = false;
        problem = null;
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            problem = "not a JSON object";
            return false;
        }

        string? message = null;
        string? otherType = null;
        var sawType = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    problem = "'type' is not a string";
                    return false;
                }

                sawType = true;
                if (reader.ValueTextEquals("trade"u8))
                {
                    type = FinnhubFrameType.Trade;
                }
                else if (reader.ValueTextEquals("ping"u8))
                {
                    type = FinnhubFrameType.Ping;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    type = FinnhubFrameType.Error;
                }
                else
                {
                    type = FinnhubFrameType.Other;
                    otherType = PrintableText.Escape(reader.GetString());
                }
            }
            else if (reader.ValueTextEquals("msg"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? PrintableText.Escape(reader.GetString()) : null;
                reader.Skip();
            }
            else
            {
                hasData |= reader.ValueTextEquals("data"u8);
                reader.Read();
                reader.Skip();
            }
        }

        // Reading past the end validates that nothing but white space follows the object.
        if (reader.Read())
        {
            problem = "content after the JSON object";
            return false;
        }

        if (!sawType)
        {
            problem = "no 'type'";
            return false;
        }

        text = type switch
        {
            FinnhubFrameType.Error => message ?? "(no message)",
            FinnhubFrameType.Other => otherType,
            _ => null,
        };
        return true;
    }

    private FinnhubFrame ReadTrades(ReadOnlySpan<byte> utf8, List<FinnhubTrade> trades)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        reader.Read();
        string? problem = null;
        var skipped = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                trades.Clear();
                return new FinnhubFrame(FinnhubFrameType.Malformed, null, "'data' is not an array", 0);
            }

            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!TryReadPrint(ref reader, out var trade, out var why))
                {
                    skipped++;
                    problem ??= $"print {index}: {why}";
                }
                else
                {
                    trades.Add(trade);
                }

                index++;
            }
        }

        return new FinnhubFrame(FinnhubFrameType.Trade, null, problem, skipped);
    }

    /// <summary>Reads one element of <c>data</c>, leaving the reader on its last token.</summary>
    private bool TryReadPrint(ref Utf8JsonReader reader, out FinnhubTrade trade, out string? why)
    {
        trade = default;
        why = null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            why = "not an object";
            return false;
        }

        Symbol? symbol = null;
        long? time = null;
        decimal? price = null;
        decimal? volume = null;
        string[]? conditions = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("s"u8))
            {
                reader.Read();
                symbol = symbols.Resolve(ref reader);
                why ??= symbol is null ? "'s' is not a ticker" : null;
            }
            else if (reader.ValueTextEquals("p"u8))
            {
                reader.Read();
                if (JsonDecimal.TryRead(ref reader, out var p) && p > 0)
                {
                    price = p;
                }
                else
                {
                    why ??= "'p' is not a positive number";
                }
            }
            else if (reader.ValueTextEquals("v"u8))
            {
                reader.Read();
                if (JsonDecimal.TryRead(ref reader, out var v) && v >= 0)
                {
                    volume = v;
                }
                else
                {
                    why ??= "'v' is not a number >= 0";
                }
            }
            else if (reader.ValueTextEquals("t"u8))
            {
                reader.Read();
                if (JsonDecimal.TryReadInt64(ref reader, out var t) && t is >= MinTimeMs and <= MaxTimeMs)
                {
                    time = t;
                }
                else
                {
                    why ??= "'t' is not a time in epoch milliseconds";
                }
            }
            else if (reader.ValueTextEquals("c"u8))
            {
                reader.Read();
                if (!TryReadConditions(ref reader, out conditions))
                {
                    why ??= "'c' is not a list of codes";
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (why is null)
        {
            why = symbol is null ? "no 's'" : price is null ? "no 'p'" : time is null ? "no 't'" : volume is null ? "no 'v'" : null;
        }

        if (why is not null)
        {
            return false;
        }

        trade = new FinnhubTrade(symbol!, time!.Value, price!.Value, volume!.Value, conditions);
        return true;
    }

    private bool TryReadConditions(ref Utf8JsonReader reader, out string[]? conditions)
    {
        conditions = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        List<string>? codes = null;
        var ok = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var code = symbols.ReadCode(ref reader);
            if (code is null)
            {
                reader.Skip();
                ok = false;
                continue;
            }

            (codes ??= new List<string>(4)).Add(code);
        }

        conditions = codes is null ? [] : [.. codes];
        return ok;
    }
}
