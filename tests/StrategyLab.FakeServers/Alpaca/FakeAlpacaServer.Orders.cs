using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StrategyLab.FakeServers.Alpaca;

public sealed partial class FakeAlpacaServer
{
    private static readonly string[] OrderTypes = ["market", "limit", "stop", "stop_limit", "trailing_stop"];
    private static readonly string[] TimesInForce = ["day", "gtc", "opg", "cls", "ioc", "fok"];

    /// <summary>
    /// The next price of <paramref name="symbol"/>: every working order it makes marketable fills (market orders at this
    /// price; limit, stop, stop-limit and trailing stops when the price crosses), bracket legs activate after their parent
    /// fills, and an OCO sibling is canceled when the other leg fills. Events go out on <c>trade_updates</c>.
    /// </summary>
    public void PushPrice(string symbol, decimal price)
    {
        lock (_gate)
        {
            _lastPrices[symbol] = price;
            foreach (var order in _orders.Where(o => o.Symbol == symbol && o.IsWorking).ToList())
            {
                if (order.IsWorking && Marketable(order, price))
                {
                    Fill(order, price);
                }
            }
        }

        _signal.Pulse();
    }

    /// <summary>Expires every open DAY order (the close): status <c>expired</c>, event <c>expired</c>.</summary>
    public void ExpireDayOrders()
    {
        lock (_gate)
        {
            foreach (var order in _orders.Where(o => o.IsOpen && o.TimeInForce == "day").ToList())
            {
                order.Status = "expired";
                order.ExpiredAt = order.UpdatedAt = Now();
                SendOrderEvent("expired", order);
            }
        }

        _signal.Pulse();
    }

    private static bool Marketable(BookOrder o, decimal price)
    {
        var buy = o.Side == "buy";
        switch (o.Type)
        {
            case "market":
                return true;
            case "limit":
                return buy ? price <= o.LimitPrice : price >= o.LimitPrice;
            case "stop":
                return buy ? price >= o.StopPrice : price <= o.StopPrice;
            case "stop_limit":
                if (!o.Triggered && (buy ? price >= o.StopPrice : price <= o.StopPrice))
                {
                    o.Triggered = true;
                }

                return o.Triggered && (buy ? price <= o.LimitPrice : price >= o.LimitPrice);
            case "trailing_stop":
                o.Hwm = o.Hwm is not { } h ? price : buy ? Math.Min(h, price) : Math.Max(h, price);
                var offset = o.TrailPrice ?? (o.Hwm.Value * (o.TrailPercent ?? 0) / 100m);
                o.StopPrice = buy ? o.Hwm + offset : o.Hwm - offset;
                return buy ? price >= o.StopPrice : price <= o.StopPrice;
            default:
                return false;
        }
    }

    private void Fill(BookOrder order, decimal price)
    {
        var remaining = order.Qty - order.FilledQty;
        var qty = Faults.SplitFills && remaining > 1 ? Math.Ceiling(remaining / 2) : remaining;
        var now = Now();
        order.FilledQty += qty;
        order.FilledNotional += qty * price;
        order.UpdatedAt = now;
        var done = order.FilledQty == order.Qty;
        order.Status = done ? "filled" : "partially_filled";
        if (done)
        {
            order.FilledAt = now;
        }

        var signed = order.Side == "buy" ? qty : -qty;
        _cash -= signed * price;
        var (posQty, avg) = _positions.TryGetValue(order.Symbol, out var p) ? p : (0m, 0m);
        var newQty = posQty + signed;
        if (newQty == 0)
        {
            avg = 0;
        }
        else if (posQty == 0 || Math.Sign(posQty) != Math.Sign(newQty))
        {
            avg = price; // opened, or flipped through zero
        }
        else if (Math.Sign(signed) == Math.Sign(posQty))
        {
            avg = ((posQty * avg) + (signed * price)) / newQty; // added to the position
        }

        _positions[order.Symbol] = (newQty, avg);

        if (Faults.TakeDropOnFill())
        {
            AbortTradeStreams(); // the fill happened; its event is lost with the socket
        }
        else
        {
            SendTradeUpdate(done ? "fill" : "partial_fill", order, now, price, qty, newQty);
        }

        if (done)
        {
            AfterFilled(order);
        }
    }

    private void AfterFilled(BookOrder order)
    {
        if (order.OrderClass == "bracket" && order.Parent is null)
        {
            foreach (var leg in order.Legs.Where(l => l.Status == "held"))
            {
                leg.Status = "new";
                leg.UpdatedAt = Now();
                SendOrderEvent("new", leg);
            }

            return;
        }

        // One leg of an OCO group (a bracket's exits, or an oco order and its leg) filled: cancel the others.
        var group = order.Parent is { } parent ? [parent, .. parent.Legs] : order.OrderClass == "oco" ? new List<BookOrder>([order, .. order.Legs]) : [];
        foreach (var other in group.Where(o => o != order && o.IsOpen && !(o.OrderClass == "bracket" && o.Parent is null)))
        {
            CancelCore(other);
        }
    }

    private BookOrder CreateOrder(
        string symbol, string side, string type, string tif, decimal qty, decimal? limit, decimal? stop, decimal? trailPrice, decimal? trailPercent,
        string clientOrderId, string orderClass, BookOrder? parent, string? replaces, string status = "new")
    {
        var now = Now();
        var order = new BookOrder
        {
            Id = NewId(),
            ClientOrderId = clientOrderId,
            Symbol = symbol,
            Side = side,
            Type = type,
            TimeInForce = tif,
            OrderClass = orderClass,
            Qty = qty,
            LimitPrice = limit,
            StopPrice = stop,
            TrailPrice = trailPrice,
            TrailPercent = trailPercent,
            CreatedAt = now,
            UpdatedAt = now,
            SubmittedAt = now,
            Parent = parent,
            Replaces = replaces,
            Status = status,
        };
        _orders.Add(order);
        parent?.Legs.Add(order);
        if (status != "held")
        {
            SendOrderEvent("new", order);
        }

        return order;
    }

    private async Task<(int, byte[])> SubmitAsync(JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b)
        {
            return (422, AlpacaJson.Error(40010000, "request body format is invalid"));
        }

        BookOrder order;
        lock (_gate)
        {
            var (error, created) = ValidateAndCreate(b);
            if (error is { } e)
            {
                return e;
            }

            order = created!;
        }

        _signal.Pulse();
        if (Faults.OrderAckDelay > TimeSpan.Zero)
        {
            await Task.Delay(Faults.OrderAckDelay, _time).ConfigureAwait(false);
        }

        lock (_gate)
        {
            return (200, AlpacaJson.Write(w => AlpacaJson.Order(w, order, nested: true)));
        }
    }

    private ((int, byte[])? Error, BookOrder? Order) ValidateAndCreate(JsonElement b)
    {
        static (int, byte[]) Invalid(string message) => (422, AlpacaJson.Error(40010001, message));
        var symbol = Str(b, "symbol");
        var side = Str(b, "side");
        var type = Str(b, "type") ?? "market";
        var tif = Str(b, "time_in_force");
        var qty = Dec(b, "qty");
        var limit = Dec(b, "limit_price");
        var stop = Dec(b, "stop_price");
        var trailPrice = Dec(b, "trail_price");
        var trailPercent = Dec(b, "trail_percent");
        var orderClass = Str(b, "order_class") ?? string.Empty;
        var clientOrderId = Str(b, "client_order_id") ?? Guid.NewGuid().ToString();
        if (string.IsNullOrEmpty(symbol))
        {
            return (Invalid("symbol is required"), null);
        }

        if (side is not ("buy" or "sell"))
        {
            return (Invalid("invalid side"), null);
        }

        if (!OrderTypes.Contains(type))
        {
            return (Invalid("invalid order type"), null);
        }

        if (tif is null || !TimesInForce.Contains(tif))
        {
            return (Invalid("invalid time_in_force"), null);
        }

        if (qty is not > 0)
        {
            return (Invalid("qty must be > 0"), null);
        }

        if (clientOrderId.Length > 128)
        {
            return (Invalid("client_order_id must be no more than 128 characters"), null);
        }

        if (type is "limit" or "stop_limit" && limit is null)
        {
            return (Invalid("limit_price is required"), null);
        }

        if (type is "stop" or "stop_limit" && stop is null)
        {
            return (Invalid("stop_price is required"), null);
        }

        if (type == "trailing_stop" && (trailPrice is null) == (trailPercent is null))
        {
            return (Invalid("one of trail_price or trail_percent is required"), null);
        }

        if (orderClass is not ("" or "simple" or "bracket" or "oco" or "oto"))
        {
            return (Invalid("invalid order_class"), null);
        }

        var takeProfit = b.TryGetProperty("take_profit", out var tp) && tp.ValueKind == JsonValueKind.Object ? Dec(tp, "limit_price") : null;
        decimal? stopLoss = null;
        decimal? stopLossLimit = null;
        if (b.TryGetProperty("stop_loss", out var sl) && sl.ValueKind == JsonValueKind.Object)
        {
            stopLoss = Dec(sl, "stop_price");
            stopLossLimit = Dec(sl, "limit_price");
        }

        if (orderClass == "bracket" && (takeProfit is null || stopLoss is null))
        {
            return (Invalid("bracket orders require take_profit.limit_price and stop_loss.stop_price"), null);
        }

        if (orderClass == "oco" && (type != "limit" || stopLoss is null))
        {
            return (Invalid("oco orders must be limit orders with stop_loss.stop_price"), null);
        }

        if (_orders.Any(o => o.ClientOrderId == clientOrderId))
        {
            return (Invalid(DuplicateClientOrderIdMessage), null);
        }

        var reference = limit ?? stop ?? (_lastPrices.TryGetValue(symbol, out var last) ? last : 0m);
        if (side == "buy" && qty.Value * reference > _cash)
        {
            return ((403, AlpacaJson.Error(40310000, "insufficient buying power")), null);
        }

        var parentClass = orderClass == "simple" ? string.Empty : orderClass;
        var order = CreateOrder(symbol, side, type, tif, qty.Value, limit, stop, trailPrice, trailPercent, clientOrderId, parentClass, null, null);
        var exit = side == "buy" ? "sell" : "buy";
        if (orderClass == "bracket")
        {
            CreateOrder(symbol, exit, "limit", tif, qty.Value, takeProfit, null, null, null, clientOrderId + "-tp", "bracket", order, null, "held");
            CreateOrder(symbol, exit, stopLossLimit is null ? "stop" : "stop_limit", tif, qty.Value, stopLossLimit, stopLoss, null, null, clientOrderId + "-sl", "bracket", order, null, "held");
        }
        else if (orderClass == "oco")
        {
            CreateOrder(symbol, side, stopLossLimit is null ? "stop" : "stop_limit", tif, qty.Value, stopLossLimit, stopLoss, null, null, clientOrderId + "-sl", "oco", order, null);
        }

        return (null, order);
    }

    private (int, byte[]) ListOrders(IQueryCollection q)
    {
        var status = q["status"].FirstOrDefault() ?? "open";
        var limit = int.TryParse(q["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 500) : 50;
        var after = ParseTime(q["after"]);
        var until = ParseTime(q["until"]);
        var asc = q["direction"] == "asc";
        var nested = q["nested"] == "true";
        var symbols = q["symbols"].FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        lock (_gate)
        {
            // As Alpaca: after/until filter on the submission time, not on the last change.
            var selected = _orders
                .Where(o => !nested || o.Parent is null)
                .Where(o => status == "all" || (status == "open") == o.IsOpen)
                .Where(o => after is null || o.SubmittedAt > after)
                .Where(o => until is null || o.SubmittedAt < until)
                .Where(o => symbols is null || symbols.Contains(o.Symbol));
            var ordered = (asc ? selected.OrderBy(o => o.SubmittedAt) : selected.OrderByDescending(o => o.SubmittedAt)).Take(limit).ToList();
            return (200, AlpacaJson.Write(w =>
            {
                w.WriteStartArray();
                foreach (var o in ordered)
                {
                    AlpacaJson.Order(w, o, nested);
                }

                w.WriteEndArray();
            }));
        }
    }

    private (int, byte[]) ByClientOrderId(string? clientOrderId)
    {
        lock (_gate)
        {
            return _orders.FirstOrDefault(o => o.ClientOrderId == clientOrderId) is { } order
                ? (200, AlpacaJson.Write(w => AlpacaJson.Order(w, order, nested: true)))
                : (404, AlpacaJson.Error(40410000, "order not found"));
        }
    }

    private (int, byte[]) GetOrder(string id, bool nested)
    {
        lock (_gate)
        {
            return _orders.FirstOrDefault(o => o.Id == id) is { } order
                ? (200, AlpacaJson.Write(w => AlpacaJson.Order(w, order, nested)))
                : (404, AlpacaJson.Error(40410000, "order not found"));
        }
    }

    private (int, byte[]) Replace(string id, JsonElement? body)
    {
        lock (_gate)
        {
            if (_orders.FirstOrDefault(o => o.Id == id) is not { } old)
            {
                return (404, AlpacaJson.Error(40410000, "order not found"));
            }

            // Alpaca refuses to replace an order only while it is accepted, pending_new, pending_cancel or pending_replace (or
            // ended); a partly filled one can be. Its replacement is a new order counting its own fills: here it is for
            // what is left (the quantity asked minus what already filled), so the two never fill more than was asked.
            if (!old.IsWorking)
            {
                return (422, AlpacaJson.Error(42210000, "order is not replaceable (status " + old.Status + ")"));
            }

            var b = body ?? default;
            var has = body is { ValueKind: JsonValueKind.Object };
            var clientOrderId = (has ? Str(b, "client_order_id") : null) ?? Guid.NewGuid().ToString();
            if (_orders.Any(o => o.ClientOrderId == clientOrderId))
            {
                return (422, AlpacaJson.Error(40010001, DuplicateClientOrderIdMessage));
            }

            var now = Now();
            old.Status = "replaced";
            old.ReplacedAt = old.UpdatedAt = now;
            var fresh = CreateOrder(
                old.Symbol,
                old.Side,
                old.Type,
                (has ? Str(b, "time_in_force") : null) ?? old.TimeInForce,
                ((has ? Dec(b, "qty") : null) ?? old.Qty) - old.FilledQty,
                (has ? Dec(b, "limit_price") : null) ?? old.LimitPrice,
                (has ? Dec(b, "stop_price") : null) ?? old.StopPrice,
                (has ? Dec(b, "trail") : null) ?? old.TrailPrice,
                old.TrailPercent,
                clientOrderId,
                old.OrderClass,
                null,
                old.Id);
            old.ReplacedBy = fresh.Id;
            SendOrderEvent("replaced", old);
            return (200, AlpacaJson.Write(w => AlpacaJson.Order(w, fresh, nested: true)));
        }
    }

    private (int, byte[]?) Cancel(string id)
    {
        lock (_gate)
        {
            if (_orders.FirstOrDefault(o => o.Id == id) is not { } order)
            {
                return (404, AlpacaJson.Error(40410000, "order not found"));
            }

            if (!order.IsOpen)
            {
                return (422, AlpacaJson.Error(42210000, "order is already in \"" + order.Status + "\" state"));
            }

            CancelCore(order);
            return (204, null);
        }
    }

    private (int, byte[]) CancelAll()
    {
        lock (_gate)
        {
            var open = _orders.Where(o => o.IsOpen && o.Parent is null).ToList();
            foreach (var order in open)
            {
                CancelCore(order);
            }

            return (207, AlpacaJson.Write(w =>
            {
                w.WriteStartArray();
                foreach (var o in open)
                {
                    w.WriteStartObject();
                    w.WriteString("id", o.Id);
                    w.WriteNumber("status", 200);
                    w.WritePropertyName("body");
                    AlpacaJson.Order(w, o, nested: true);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
        }
    }

    private void CancelCore(BookOrder order)
    {
        order.Status = "canceled";
        order.CanceledAt = order.UpdatedAt = Now();
        SendOrderEvent("canceled", order);
        foreach (var leg in order.Legs.Where(l => l.IsOpen))
        {
            CancelCore(leg);
        }
    }

    private static DateTime? ParseTime(string? text) =>
        string.IsNullOrEmpty(text) ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static decimal? Dec(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDecimal(),
            JsonValueKind.String when decimal.TryParse(v.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }
}
