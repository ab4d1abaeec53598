using System.Runtime.CompilerServices;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>
/// The prices a bar may span without reaching any of a book's working orders: strictly above every sell stop and buy
/// limit (the floor) and strictly below every buy stop and sell limit (the ceiling). Known only for books whose orders
/// are all plain stops and limits already active; trailing stops move and stop-limits change rule once triggered.
/// </summary>
/// <remarks>
/// Why: a protective stop usually sits for many bars far from the price, and the exchange matched it on every bar
/// (an <see cref="FillPrices.CouldFill"/> per order: with the loop around it ~4 % of the engine's samples in the SMA
/// run). With the range kept per symbol, a bar inside it is two compares. <see cref="Contains"/> implies that
/// <see cref="FillPrices.CouldFill"/> is false for each of the orders (property-tested): a sell stop needs the low at or
/// below it, a buy stop the high at or above it, a buy limit the open at or below it or the low below it, a sell limit
/// the open at or above it or the high above it; a bar's open lies within its low and high.
/// </remarks>
internal readonly struct QuietRange
{
    private readonly decimal _floor;
    private readonly decimal _ceiling;
    private readonly bool _hasFloor;
    private readonly bool _hasCeiling;

    private QuietRange(decimal floor, bool hasFloor, decimal ceiling, bool hasCeiling, int orderCount)
    {
        _floor = floor;
        _hasFloor = hasFloor;
        _ceiling = ceiling;
        _hasCeiling = hasCeiling;
        OrderCount = orderCount;
    }

    /// <summary>How many working orders the range was made from (a cheap guard: a different count means it is stale).</summary>
    public int OrderCount { get; }

    /// <summary>
    /// The range of <paramref name="working"/>; false when an order is not a plain stop or limit, or is not active at
    /// <paramref name="barStart"/> yet (it becomes matchable later, so a range without it would not last).
    /// </summary>
    public static bool TryOf(List<Order> working, DateTime barStart, out QuietRange range)
    {
        range = default;
        decimal floor = 0, ceiling = 0;
        bool hasFloor = false, hasCeiling = false;
        for (var i = 0; i < working.Count; i++)
        {
            var o = working[i];
            if (o.ActiveFromUtc > barStart)
            {
                return false;
            }

            bool below; // true: the order sits below the price (fills when the bar comes down to it)
            switch (o.Type)
            {
                case OrderType.Stop:
                    below = o.Side == OrderSide.Sell;
                    break;
                case OrderType.Limit:
                    below = o.Side == OrderSide.Buy;
                    break;
                default:
                    return false;
            }

            var price = o.OwnPrice;
            if (below)
            {
                if (!hasFloor || DecimalCompare.Greater(price, floor))
                {
                    floor = price;
                    hasFloor = true;
                }
            }
            else if (!hasCeiling || DecimalCompare.Less(price, ceiling))
            {
                ceiling = price;
                hasCeiling = true;
            }
        }

        range = new QuietRange(floor, hasFloor, ceiling, hasCeiling, working.Count);
        return true;
    }

    /// <summary>
    /// True when the bar's low and high stay strictly between the floor and the ceiling; its open and close lie within
    /// them (<see cref="Bar"/>'s constructor checks it, and its properties have no setters).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(in Bar bar) =>
        (!_hasFloor || DecimalCompare.Greater(bar.Low, _floor)) && (!_hasCeiling || DecimalCompare.Less(bar.High, _ceiling));
}
