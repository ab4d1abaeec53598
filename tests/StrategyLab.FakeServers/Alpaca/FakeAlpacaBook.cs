using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace StrategyLab.FakeServers.Alpaca;

/// <summary>An order as the fake keeps it (mutable; guarded by the server's lock).</summary>
internal sealed class BookOrder
{
    public required string Id { get; init; }
    public required string ClientOrderId { get; init; }
    public required string Symbol { get; init; }
    public required string Side { get; init; }
    public required string Type { get; init; }
    public required string TimeInForce { get; set; }
    public string OrderClass { get; init; } = string.Empty;
    public string Status { get; set; } = "new";
    public decimal Qty { get; set; }
    public decimal FilledQty { get; set; }
    public decimal FilledNotional { get; set; }
    public decimal? LimitPrice { get; set; }
    public decimal? StopPrice { get; set; }
    public decimal? TrailPrice { get; set; }
    public decimal? TrailPercent { get; set; }
    public decimal? Hwm { get; set; }
    public bool Triggered { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime SubmittedAt { get; init; }
    public DateTime? FilledAt { get; set; }
    public DateTime? CanceledAt { get; set; }
    public DateTime? ExpiredAt { get; set; }
    public DateTime? ReplacedAt { get; set; }
    public string? ReplacedBy { get; set; }
    public string? Replaces { get; init; }
    public BookOrder? Parent { get; init; }
    public List<BookOrder> Legs { get; } = [];

    public bool IsOpen => Status is "new" or "accepted" or "partially_filled" or "pending_new" or "held";

    public bool IsWorking => IsOpen && Status != "held";

    public decimal? FilledAvgPrice => FilledQty == 0 ? null : decimal.Round(FilledNotional / FilledQty, 9);

    public FakeAlpacaOrder Snapshot() => new(
        Id, ClientOrderId, Symbol, Side, Type, TimeInForce, OrderClass, Status, Qty, FilledQty, FilledAvgPrice, LimitPrice, StopPrice, Parent?.Id, ReplacedBy, FilledAt);
}

/// <summary>JSON writing in Alpaca's shapes: decimals as strings, RFC3339 timestamps with nanoseconds.</summary>
internal static class AlpacaJson
{
    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";

    public static string Dec(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            write(w);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void DecOrNull(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, Dec(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void TimeOrNull(Utf8JsonWriter w, string name, DateTime? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, Time(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void Order(Utf8JsonWriter w, BookOrder o, bool nested)
    {
        w.WriteStartObject();
        w.WriteString("id", o.Id);
        w.WriteString("client_order_id", o.ClientOrderId);
        w.WriteString("created_at", Time(o.CreatedAt));
        w.WriteString("updated_at", Time(o.UpdatedAt));
        w.WriteString("submitted_at", Time(o.SubmittedAt));
        TimeOrNull(w, "filled_at", o.FilledAt);
        TimeOrNull(w, "expired_at", o.ExpiredAt);
        TimeOrNull(w, "canceled_at", o.CanceledAt);
        w.WriteNull("failed_at");
        TimeOrNull(w, "replaced_at", o.ReplacedAt);
        if (o.ReplacedBy is null)
        {
            w.WriteNull("replaced_by");
        }
        else
        {
            w.WriteString("replaced_by", o.ReplacedBy);
        }

        if (o.Replaces is null)
        {
            w.WriteNull("replaces");
        }
        else
        {
            w.WriteString("replaces", o.Replaces);
        }

        w.WriteString("asset_id", "00000000-0000-4000-8000-" + ((uint)o.Symbol.GetHashCode(StringComparison.Ordinal)).ToString("x12", CultureInfo.InvariantCulture));
        w.WriteString("symbol", o.Symbol);
        w.WriteString("asset_class", o.Symbol.Contains('/', StringComparison.Ordinal) ? "crypto" : "us_equity");
        w.WriteNull("notional");
        w.WriteString("qty", Dec(o.Qty));
        w.WriteString("filled_qty", Dec(o.FilledQty));
        DecOrNull(w, "filled_avg_price", o.FilledAvgPrice);
        w.WriteString("order_class", o.OrderClass);
        w.WriteString("order_type", o.Type);
        w.WriteString("type", o.Type);
        w.WriteString("side", o.Side);
        w.WriteString("time_in_force", o.TimeInForce);
        DecOrNull(w, "limit_price", o.LimitPrice);
        DecOrNull(w, "stop_price", o.StopPrice);
        w.WriteString("status", o.Status);
        w.WriteBoolean("extended_hours", false);
        if (nested && o.Legs.Count > 0)
        {
            w.WriteStartArray("legs");
            foreach (var leg in o.Legs)
            {
                Order(w, leg, nested: false);
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("legs");
        }

        DecOrNull(w, "trail_percent", o.TrailPercent);
        DecOrNull(w, "trail_price", o.TrailPrice);
        DecOrNull(w, "hwm", o.Hwm);
        w.WriteEndObject();
    }

    public static byte[] Error(int code, string message) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
    });
}
