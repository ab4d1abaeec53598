using System.Runtime.CompilerServices;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>
/// The price rules of the simulated exchange: whether a bar reaches an order, and at what price it fills (README, "Fill
/// rules"). Pure functions of the order and the bar, apart from a stop-limit's trigger flag.
/// </summary>
internal static class FillPrices
{
    /// <summary>Whether the bar's range reaches the order at all (a necessary condition for a fill, or a stop-limit trigger).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool CouldFill(Order o, in Bar bar)
    {
        var buy = o.Side == OrderSide.Buy;
        switch (o.Type)
        {
            case OrderType.Market:
                return true;
            case OrderType.Limit:
                var limit = o.OwnPrice;
                return buy
                    ? DecimalCompare.LessOrEqual(bar.Open, limit) || DecimalCompare.Less(bar.Low, limit)
                    : DecimalCompare.GreaterOrEqual(bar.Open, limit) || DecimalCompare.Greater(bar.High, limit);
            case OrderType.StopLimit when o.IsTriggered:
                var l = o.LimitPrice!.Value;
                return buy
                    ? DecimalCompare.LessOrEqual(bar.Open, l) || DecimalCompare.Less(bar.Low, l)
                    : DecimalCompare.GreaterOrEqual(bar.Open, l) || DecimalCompare.Greater(bar.High, l);
            default:
                // Stop, trailing stop, and a stop-limit not triggered yet: the stop is the order's own price.
                var stop = o.OwnPrice;
                return buy ? DecimalCompare.GreaterOrEqual(bar.High, stop) : DecimalCompare.LessOrEqual(bar.Low, stop);
        }
    }

    /// <summary>
    /// True when the bar starts before <paramref name="nextExpiryUtc"/> (no DAY order to expire), no order in
    /// <paramref name="working"/> is a trailing stop and the bar's range reaches none of them (<see cref="CouldFill"/>
    /// false for each): matching the bar would then neither fill nor trigger nor move anything, exactly as the exchange's
    /// own first pass over its working orders decides. A call of its own (one per bar with working orders) into which
    /// the per-order test is inlined; the time comparison is here too, so that it does not take the inlining budget of
    /// the engine's price update, into which the exchange's bar is inlined (there a <see cref="DateTime"/> comparison
    /// stayed a call).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static bool NoneReached(List<Order> working, in Bar bar, DateTime nextExpiryUtc)
    {
        if (bar.Start >= nextExpiryUtc)
        {
            return false;
        }

        for (var i = 0; i < working.Count; i++)
        {
            var o = working[i];
            if (o.Type == OrderType.TrailingStop || CouldFill(o, bar))
            {
                return false;
            }
        }

        return true;
    }

    internal static int Priority(OrderType type) => type switch
    {
        OrderType.Market => 0,
        OrderType.Stop or OrderType.TrailingStop or OrderType.StopLimit => 1,
        _ => 2,
    };

    internal static bool TryPrice(Order order, in Bar bar, out decimal price, out bool atOpen)
    {
        var buy = order.Side == OrderSide.Buy;
        atOpen = false;
        price = 0;
        switch (order.Type)
        {
            case OrderType.Market:
                price = bar.Open;
                atOpen = true;
                return true;
            case OrderType.Limit:
                return TryLimit(buy, order.OwnPrice, bar, out price, out atOpen);
            case OrderType.Stop:
            case OrderType.TrailingStop:
                return TryStop(buy, order.OwnPrice, bar, out price, out atOpen);
            case OrderType.StopLimit:
                return TryStopLimit(order, buy, bar, out price, out atOpen);
            default:
                return false;
        }
    }

    internal static bool TryLimit(bool buy, decimal limit, in Bar bar, out decimal price, out bool atOpen)
    {
        atOpen = buy ? DecimalCompare.LessOrEqual(bar.Open, limit) : DecimalCompare.GreaterOrEqual(bar.Open, limit);
        if (atOpen)
        {
            price = bar.Open;
            return true;
        }

        price = limit;
        return buy ? DecimalCompare.Less(bar.Low, limit) : DecimalCompare.Greater(bar.High, limit);
    }

    internal static bool TryStop(bool buy, decimal stop, in Bar bar, out decimal price, out bool atOpen)
    {
        atOpen = buy ? DecimalCompare.GreaterOrEqual(bar.Open, stop) : DecimalCompare.LessOrEqual(bar.Open, stop);
        if (atOpen)
        {
            price = bar.Open;
            return true;
        }

        price = stop;
        return buy ? DecimalCompare.GreaterOrEqual(bar.High, stop) : DecimalCompare.LessOrEqual(bar.Low, stop);
    }

    internal static bool TryStopLimit(Order order, bool buy, in Bar bar, out decimal price, out bool atOpen)
    {
        var limit = order.LimitPrice!.Value;
        if (order.IsTriggered)
        {
            return TryLimit(buy, limit, bar, out price, out atOpen);
        }

        if (!TryStop(buy, order.StopPrice!.Value, bar, out var triggerPrice, out atOpen))
        {
            price = 0;
            return false;
        }

        order.IsTriggered = true;
        var marketable = buy ? triggerPrice <= limit : triggerPrice >= limit;
        if (marketable)
        {
            price = triggerPrice;
            return true;
        }

        // Triggered beyond the limit. After a trigger at the open the whole bar follows it, so a trade through
        // the limit later in the bar fills; after an intrabar trigger the order of prices is unknown: wait.
        price = limit;
        atOpen = false;
        return triggerPrice == bar.Open && (buy ? bar.Low < limit : bar.High > limit);
    }
}
