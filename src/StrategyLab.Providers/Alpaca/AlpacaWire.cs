using System.Buffers;
using System.Globalization;
using System.Text.Json;
using StrategyLab.Providers.Json;

namespace StrategyLab.Providers.Alpaca;

/// <summary>Alpaca's JSON: request bodies out (decimals as strings), orders, positions, events and bars in (strings or numbers).</summary>
internal static class AlpacaWire
{
    public static string Text(AlpacaSide side) => side == AlpacaSide.Buy ? "buy" : "sell";

    public static string Text(AlpacaOrderType type) => type switch
    {
        AlpacaOrderType.Market => "market",
        AlpacaOrderType.Limit => "limit",
        AlpacaOrderType.Stop => "stop",
        AlpacaOrderType.StopLimit => "stop_limit",
        AlpacaOrderType.TrailingStop => "trailing_stop",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static string Text(AlpacaTimeInForce tif) => tif.ToString().ToLowerInvariant();

    public static string Text(AlpacaOrderClass c) => c.ToString().ToLowerInvariant();

    public static string Dec(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] OrderBody(AlpacaOrderRequest r) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("symbol", r.Symbol);
        w.WriteString("qty", Dec(r.Quantity));
        w.WriteString("side", Text(r.Side));
        w.WriteString("type", Text(r.Type));
        w.WriteString("time_in_force", Text(r.TimeInForce));
        w.WriteString("client_order_id", r.ClientOrderId);
        Optional(w, "limit_price", r.LimitPrice);
        Optional(w, "stop_price", r.StopPrice);
        Optional(w, "trail_price", r.TrailPrice);
        Optional(w, "trail_percent", r.TrailPercent);
        if (r.ExtendedHours)
        {
            w.WriteBoolean("extended_hours", true);
        }

        if (r.OrderClass != AlpacaOrderClass.Simple)
        {
            w.WriteString("order_class", Text(r.OrderClass));
            if (r.TakeProfitLimitPrice is { } tp)
            {
                w.WriteStartObject("take_profit");
                w.WriteString("limit_price", Dec(tp));
                w.WriteEndObject();
            }

            if (r.StopLossStopPrice is { } sl)
            {
                w.WriteStartObject("stop_loss");
                w.WriteString("stop_price", Dec(sl));
                Optional(w, "limit_price", r.StopLossLimitPrice);
                w.WriteEndObject();
            }
        }

        w.WriteEndObject();
    });

    public static byte[] ReplaceBody(AlpacaReplaceRequest r) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("client_order_id", r.ClientOrderId);
        Optional(w, "qty", r.Quantity);
        if (r.TimeInForce is { } tif)
        {
            w.WriteString("time_in_force", Text(tif));
        }

        Optional(w, "limit_price", r.LimitPrice);
        Optional(w, "stop_price", r.StopPrice);
        Optional(w, "trail", r.Trail);
        w.WriteEndObject();
    });

    private static void Optional(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, Dec(v));
        }
    }

    // ------------------------------------------------------------------ reading

    /// <exception cref="FormatException">A required field is missing or unreadable.</exception>
    public static AlpacaOrder Order(JsonElement e) => new()
    {
        Id = RequiredString(e, "id"),
        ClientOrderId = RequiredString(e, "client_order_id"),
        Symbol = RequiredString(e, "symbol"),
        Side = RequiredString(e, "side"),
        Type = String(e, "type") ?? String(e, "order_type") ?? string.Empty,
        TimeInForce = String(e, "time_in_force") ?? string.Empty,
        OrderClass = String(e, "order_class") ?? string.Empty,
        Status = RequiredString(e, "status"),
        Quantity = Decimal(e, "qty"),
        FilledQuantity = Decimal(e, "filled_qty") ?? 0m,
        FilledAveragePrice = Decimal(e, "filled_avg_price"),
        LimitPrice = Decimal(e, "limit_price"),
        StopPrice = Decimal(e, "stop_price"),
        CreatedAtUtc = Time(e, "created_at") ?? default,
        UpdatedAtUtc = Time(e, "updated_at") ?? Time(e, "created_at") ?? default,
        SubmittedAtUtc = Time(e, "submitted_at") ?? Time(e, "created_at") ?? default,
        FilledAtUtc = Time(e, "filled_at"),
        CanceledAtUtc = Time(e, "canceled_at"),
        ReplacedBy = String(e, "replaced_by"),
        Replaces = String(e, "replaces"),
        Legs = e.TryGetProperty("legs", out var legs) && legs.ValueKind == JsonValueKind.Array ? [.. legs.EnumerateArray().Select(Order)] : [],
    };

    public static AlpacaPosition Position(JsonElement e) => new(
        RequiredString(e, "symbol"),
        Decimal(e, "qty") ?? throw new FormatException("position without qty"),
        Decimal(e, "avg_entry_price") ?? 0m,
        Decimal(e, "market_value"),
        Decimal(e, "current_price"));

    public static AlpacaAccount Account(JsonElement e) => new(
        String(e, "id") ?? string.Empty,
        String(e, "status") ?? string.Empty,
        String(e, "currency") ?? "USD",
        Decimal(e, "cash") ?? 0m,
        Decimal(e, "buying_power") ?? 0m,
        Decimal(e, "equity") ?? 0m,
        e.TryGetProperty("trading_blocked", out var b) && b.ValueKind == JsonValueKind.True);

    public static AlpacaClock Clock(JsonElement e) => new(
        Offset(RequiredString(e, "timestamp")),
        e.TryGetProperty("is_open", out var open) && open.ValueKind == JsonValueKind.True,
        Offset(RequiredString(e, "next_open")),
        Offset(RequiredString(e, "next_close")));

    public static AlpacaTradeUpdate TradeUpdate(JsonElement data) => new(
        RequiredString(data, "event"),
        Time(data, "timestamp") ?? default,
        Order(data.GetProperty("order")),
        String(data, "execution_id"),
        Decimal(data, "price"),
        Decimal(data, "qty"),
        Decimal(data, "position_qty"));

    public static AlpacaBar Bar(string symbol, JsonElement e, bool updated = false) => new(
        symbol,
        Time(e, "t") ?? throw new FormatException("bar without t"),
        Decimal(e, "o") ?? throw new FormatException("bar without o"),
        Decimal(e, "h") ?? throw new FormatException("bar without h"),
        Decimal(e, "l") ?? throw new FormatException("bar without l"),
        Decimal(e, "c") ?? throw new FormatException("bar without c"),
        Decimal(e, "v") ?? 0m,
        e.TryGetProperty("n", out var n) && n.TryGetInt64(out var trades) ? trades : 0,
        Decimal(e, "vw"),
        updated);

    /// <summary>Alpaca's error body: <c>{"code": 40010001, "message": "…"}</c>.</summary>
    public static (int? Code, string? Message) Error(byte[]? body)
    {
        if (body is null || body.Length == 0)
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            int? code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : null;
            return (code, String(root, "message"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    public static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string RequiredString(JsonElement e, string name) =>
        String(e, name) ?? throw new FormatException($"'{name}' is missing or not a string");

    public static decimal? Decimal(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && JsonDecimal.TryRead(v, out var d) ? d : null;

    private static DateTime? Time(JsonElement e, string name) =>
        String(e, name) is { Length: > 0 } text ? ParseUtc(text) : null;

    /// <summary>RFC3339 with any number of fraction digits (Alpaca sends nanoseconds; .NET keeps 7).</summary>
    public static DateTime ParseUtc(string text) => Offset(text).UtcDateTime;

    private static DateTimeOffset Offset(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
