using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

// Order checks at acceptance: session, quantity and increments, buying power (with what open orders reserve).
public sealed partial class SimulatedExchange
{
    private RejectReason Validate(Order order, string? clientOrderId, DateTime decisionTimeUtc, out TradingSession? session)
    {
        // The order holds the request's values until it is accepted: read them there (no request is built).
        session = null;
        if (_books.Get(order.Symbol) is not { } book)
        {
            return RejectReason.UnknownSymbol;
        }

        if (clientOrderId is { } id && _clientIds.Contains(id))
        {
            return RejectReason.DuplicateClientOrderId;
        }

        if (!IsValidQuantity(order.Symbol, order.Quantity))
        {
            return RejectReason.BadQuantity;
        }

        var pricesOk = order.Type switch
        {
            OrderType.Limit => order.LimitPrice > 0,
            OrderType.Stop => order.StopPrice > 0,
            OrderType.StopLimit => order.LimitPrice > 0 && order.StopPrice > 0,
            OrderType.TrailingStop => order.TrailPercent is > 0 and < 100,
            _ => true,
        };
        if (!pricesOk)
        {
            return RejectReason.BadPrice;
        }

        session = SessionForDecision(book, decisionTimeUtc);
        if (_settings.OrdersAtClose == OrdersAtClose.NextOpen
            && (session is null || decisionTimeUtc >= session.Close(_settings.ExtendedHours)))
        {
            session = NextSession(book, decisionTimeUtc);
        }

        if (session is null)
        {
            return RejectReason.MarketClosed;
        }

        if (!book.HasPrice)
        {
            return RejectReason.NoMarketData;
        }

        if (order.Type is OrderType.Stop or OrderType.StopLimit
            && (order.Side == OrderSide.Buy ? book.LastPrice >= order.StopPrice!.Value : book.LastPrice <= order.StopPrice!.Value))
        {
            return RejectReason.StopAlreadyTriggered;
        }

        return CheckBuyingPower(order, book);
    }

    private RejectReason CheckBuyingPower(Order order, Book book)
    {
        var held = _portfolio.QuantityOf(order.Symbol);
        var signed = order.Side == OrderSide.Buy ? order.Quantity : -order.Quantity;
        var reducesOnly = held != 0 && Math.Sign(signed) != Math.Sign(held) && Math.Abs(signed) <= Math.Abs(held);
        if (reducesOnly)
        {
            return RejectReason.None;
        }

        if (_portfolio.AccountType == AccountType.Cash && held + signed < 0)
        {
            return RejectReason.ShortSellingNotAllowed;
        }

        var cost = EstimatedCost(order, order.RequestedQuantity, book.LastPrice);
        return cost > _portfolio.BuyingPower(ReservedByOpenOrders()) ? RejectReason.InsufficientBuyingPower : RejectReason.None;
    }

    /// <summary>What <paramref name="quantity"/> of the order costs at its submitted prices (buying-power checks).</summary>
    private decimal EstimatedCost(Order o, decimal quantity, decimal lastPrice)
    {
        var price = o.Type switch
        {
            OrderType.Limit => o.RequestedLimitPrice!.Value,
            OrderType.StopLimit => o.RequestedLimitPrice!.Value,
            OrderType.Stop => Math.Max(o.RequestedStopPrice!.Value, lastPrice),
            _ => lastPrice,
        };
        if (_settings.SlippageBps != 0)
        {
            price *= 1 + (_settings.SlippageBps / 10000m);
        }

        return (quantity * price) + _settings.Commission.Compute(quantity, price);
    }

    private decimal ReservedByOpenOrders()
    {
        var reserved = 0m;
        foreach (var o in _open)
        {
            var held = _portfolio.QuantityOf(o.Symbol);
            var adds = o.Side == OrderSide.Buy ? held >= 0 : held <= 0;
            if (adds)
            {
                var book = _books.Get(o.Symbol)!;
                reserved += EstimatedCost(o, o.RemainingQuantity, book.LastPrice);
            }
        }

        return reserved;
    }

    private static bool IsValidQuantity(Symbol symbol, decimal quantity) =>
        quantity > 0 && (symbol.AssetClass != AssetClass.UsEquity || quantity.Scale == 0 || decimal.Truncate(quantity) == quantity);

    private TradingSession? SessionForDecision(Book book, DateTime t)
    {
        var ext = _settings.ExtendedHours;
        var s = book.SessionAt(t, ext);
        if (s is not null)
        {
            return s;
        }

        // A decision stamped exactly at the close (the end of the session's last bar) belongs to that session.
        var before = book.SessionAt(t.AddTicks(-1), ext);
        return before is not null && before.Close(ext) == t ? before : null;
    }

    /// <summary>
    /// The session an order decided at or after a close belongs to under <see cref="OrdersAtClose.NextOpen"/>: the next
    /// one, so a market order fills at its first bar's open (market-on-open) and a DAY order lives until its close.
    /// </summary>
    private TradingSession? NextSession(Book book, DateTime decisionTimeUtc)
    {
        var ext = _settings.ExtendedHours;
        return book.Calendar.SessionAt(book.Calendar.NextOpen(decisionTimeUtc, ext), ext);
    }

    private bool IsTradable(Book book, DateTime barStart) => book.SessionAt(barStart, _settings.ExtendedHours) is not null;
}
