using System.Globalization;
using System.Text;
using System.Text.Json;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Json;

namespace StrategyLab.Providers.Polygon;

/// <summary>The kinds of events in a Polygon stream frame.</summary>
internal enum PolygonEventKind
{
    /// <summary><c>{"ev":"status","status":…,"message":…}</c>.</summary>
    Status,

    /// <summary><c>AM</c>: a minute aggregate.</summary>
    MinuteAggregate,

    /// <summary><c>A</c>: a second aggregate.</summary>
    SecondAggregate,

    /// <summary><c>T</c>: a trade.</summary>
    Trade,

    /// <summary>A well-formed event of a type this client does not use (<c>Q</c>, <c>LULD</c>, …).</summary>
    Other,
}

/// <summary>One event of a frame, ready to hand on.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Bar">The bar of an aggregate.</param>
/// <param name="Trade">The print of a trade.</param>
/// <param name="Text">The <c>status</c> of a status event, or the <c>ev</c> of an <see cref="PolygonEventKind.Other"/> event.</param>
/// <param name="Message">The <c>message</c> of a status event.</param>
internal readonly record struct PolygonEvent(PolygonEventKind Kind, Bar Bar, TradePrint Trade, string? Text, string? Message);

/// <summary>What a frame held.</summary>
/// <param name="Malformed">True when the frame as a whole could not be read (nothing was taken from it).</param>
/// <param name="SkippedEvents">Events skipped inside an otherwise readable frame.</param>
/// <param name="Problem">The first problem met (null when all was fine).</param>
internal readonly record struct PolygonFrame(bool Malformed, int SkippedEvents, string? Problem);

/// <summary>
/// Reads Polygon stream frames (a JSON array of events of mixed types and symbols) straight from UTF-8 bytes. Prices,
/// sizes and volumes become exact decimals from the token text (numbers or strings); <c>s</c>/<c>e</c>/<c>t</c> are epoch
/// milliseconds. A frame that is not a JSON array is reported, never thrown; a bad event is skipped and the rest kept.
/// </summary>
internal sealed class PolygonFrameParser(ProviderSymbolTable symbols)
{
    // Times before 2000 or after 2200 are nonsense (a seconds-or-nanoseconds mix-up, or garbage).
    private const long MinTimeMs = 946_684_800_000L;
    private const long MaxTimeMs = 7_258_118_400_000L;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };

    /// <summary>Reads one frame; its readable events are added to <paramref name="events"/> (cleared first).</summary>
    public PolygonFrame Parse(ReadOnlySpan<byte> utf8, List<PolygonEvent> events)
    {
        events.Clear();
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return new PolygonFrame(true, 0, "not a JSON array of events");
            }

            var skipped = 0;
            string? problem = null;
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    skipped++;
                    problem ??= string.Create(CultureInfo.InvariantCulture, $"event {index} is not a JSON object");
                }
                else if (ReadEvent(ref reader, out var e, out var why))
                {
                    events.Add(e);
                }
                else
                {
                    skipped++;
                    problem ??= string.Create(CultureInfo.InvariantCulture, $"event {index}: {why}");
                }

                index++;
            }

            // Anything after the array makes the next Read throw (one JSON value per frame).
            reader.Read();
            return new PolygonFrame(false, skipped, problem);
        }
        catch (JsonException e)
        {
            events.Clear();
            return new PolygonFrame(true, 0, "not valid JSON: " + PrintableText.Escape(e.Message));
        }
        catch (InvalidOperationException e)
        {
            // A string the reader cannot decode (a lone surrogate escape, invalid UTF-8): the frame is unreadable.
            events.Clear();
            return new PolygonFrame(true, 0, "unreadable string: " + e.Message);
        }
    }

    private bool ReadEvent(ref Utf8JsonReader reader, out PolygonEvent result, out string? why)
    {
        result = default;
        why = null;
        string? ev = null, status = null, message = null, tradeId = null;
        Symbol? symbol = null;
        decimal? open = null, high = null, low = null, close = null, volume = null, vwap = null, price = null, s = null;
        long? end = null, time = null, exchange = null;
        string[]? conditions = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("ev"u8))
            {
                reader.Read();
                ev = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("sym"u8))
            {
                reader.Read();
                symbol = symbols.Resolve(ref reader);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("o"u8))
            {
                open = ReadDecimal(ref reader, "o", ref why);
            }
            else if (reader.ValueTextEquals("h"u8))
            {
                high = ReadDecimal(ref reader, "h", ref why);
            }
            else if (reader.ValueTextEquals("l"u8))
            {
                low = ReadDecimal(ref reader, "l", ref why);
            }
            else if (reader.ValueTextEquals("c"u8))
            {
                // A close price in aggregates, a list of condition ids in trades.
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    conditions = ReadConditions(ref reader, ref why);
                }
                else if (JsonDecimal.TryRead(ref reader, out var value))
                {
                    close = value;
                }
                else
                {
                    why ??= "'c' is neither a number nor a list of conditions";
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("v"u8))
            {
                volume = ReadDecimal(ref reader, "v", ref why);
            }
            else if (reader.ValueTextEquals("vw"u8))
            {
                vwap = ReadDecimal(ref reader, "vw", ref why);
            }
            else if (reader.ValueTextEquals("p"u8))
            {
                price = ReadDecimal(ref reader, "p", ref why);
            }
            else if (reader.ValueTextEquals("s"u8))
            {
                s = ReadDecimal(ref reader, "s", ref why);
            }
            else if (reader.ValueTextEquals("e"u8))
            {
                end = ReadInt64(ref reader, "e", ref why);
            }
            else if (reader.ValueTextEquals("t"u8))
            {
                time = ReadInt64(ref reader, "t", ref why);
            }
            else if (reader.ValueTextEquals("x"u8))
            {
                exchange = ReadInt64(ref reader, "x", ref why);
            }
            else if (reader.ValueTextEquals("i"u8))
            {
                reader.Read();
                tradeId = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => null,
                };
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        switch (ev)
        {
            case null:
                why ??= "no 'ev'";
                return false;
            case "status":
                if (status is null)
                {
                    why ??= "a status event without 'status'";
                    return false;
                }

                result = new PolygonEvent(PolygonEventKind.Status, default, default, PrintableText.Escape(status), PrintableText.Escape(message) ?? string.Empty);
                return true;
            case "AM" or "A":
                return BuildAggregate(ev == "AM", symbol, open, high, low, close, volume, vwap, s, end, ref why, out result);
            case "T":
                return BuildTrade(symbol, price, s, time, tradeId, exchange, conditions, ref why, out result);
            default:
                result = new PolygonEvent(PolygonEventKind.Other, default, default, PrintableText.Escape(ev), null);
                return true;
        }
    }

    private static bool BuildAggregate(
        bool minute, Symbol? symbol, decimal? open, decimal? high, decimal? low, decimal? close, decimal? volume, decimal? vwap,
        decimal? start, long? end, ref string? why, out PolygonEvent result)
    {
        result = default;
        if (why is not null)
        {
            return false;
        }

        why = symbol is null ? "no usable 'sym'"
            : open is null ? "no 'o'"
            : high is null ? "no 'h'"
            : low is null ? "no 'l'"
            : close is null ? "no 'c'"
            : volume is null ? "no 'v'"
            : start is not { } st || st != decimal.Truncate(st) || st < MinTimeMs || st > MaxTimeMs ? "'s' is not a start time in epoch milliseconds"
            : end is not { } en || en <= (long)start.Value || en > MaxTimeMs ? "'e' is not an end time after 's'"
            : null;
        if (why is not null)
        {
            return false;
        }

        try
        {
            var bar = new Bar(
                symbol!,
                FromMs((long)start!.Value),
                FromMs(end!.Value),
                open!.Value,
                high!.Value,
                low!.Value,
                close!.Value,
                volume!.Value,
                tradeCount: null,
                vwap: vwap);
            result = new PolygonEvent(minute ? PolygonEventKind.MinuteAggregate : PolygonEventKind.SecondAggregate, bar, default, null, null);
            return true;
        }
        catch (ArgumentException e)
        {
            why = "inconsistent bar: " + e.Message.Split(" (Parameter")[0];
            return false;
        }
    }

    private static bool BuildTrade(
        Symbol? symbol, decimal? price, decimal? size, long? time, string? tradeId, long? exchange, string[]? conditions,
        ref string? why, out PolygonEvent result)
    {
        result = default;
        if (why is not null)
        {
            return false;
        }

        why = symbol is null ? "no usable 'sym'"
            : price is not > 0m ? "'p' is not a positive number"
            : size is not >= 0m ? "'s' is not a size >= 0"
            : time is not (>= MinTimeMs and <= MaxTimeMs) ? "'t' is not a time in epoch milliseconds"
            : string.IsNullOrEmpty(tradeId) ? "no trade id 'i'"
            : null;
        if (why is not null)
        {
            return false;
        }

        var id = TradeId(symbol!, tradeId!, exchange);
        var print = new TradePrint(symbol!, FromMs(time!.Value), price!.Value, size!.Value, id, conditions ?? []);
        result = new PolygonEvent(PolygonEventKind.Trade, default, print, null, null);
        return true;
    }

    /// <summary>The de-duplication key of a trade: (sym, i, x), e.g. <c>AAPL|12345|4</c>.</summary>
    internal static string TradeId(Symbol symbol, string tradeId, long? exchange) =>
        string.Create(CultureInfo.InvariantCulture, $"{symbol.Ticker}|{tradeId}|{exchange?.ToString(CultureInfo.InvariantCulture) ?? string.Empty}");

    private static DateTime FromMs(long ms) => DateTime.UnixEpoch.AddTicks(ms * TimeSpan.TicksPerMillisecond);

    private static decimal? ReadDecimal(ref Utf8JsonReader reader, string name, ref string? why)
    {
        reader.Read();
        if (JsonDecimal.TryRead(ref reader, out var value))
        {
            return value;
        }

        why ??= $"'{name}' is not a number";
        reader.Skip();
        return null;
    }

    private static long? ReadInt64(ref Utf8JsonReader reader, string name, ref string? why)
    {
        reader.Read();
        if (JsonDecimal.TryReadInt64(ref reader, out var value))
        {
            return value;
        }

        why ??= $"'{name}' is not an integer";
        reader.Skip();
        return null;
    }

    private string[] ReadConditions(ref Utf8JsonReader reader, ref string? why)
    {
        List<string>? codes = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var code = symbols.ReadCode(ref reader);
            if (code is null)
            {
                reader.Skip();
                why ??= "'c' holds something other than condition ids";
                continue;
            }

            (codes ??= new List<string>(4)).Add(code);
        }

        return codes is null ? [] : [.. codes];
    }
}
