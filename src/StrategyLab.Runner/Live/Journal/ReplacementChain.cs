using StrategyLab.Runner.Live.Broker;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// An order replaced at the broker, seen as one order: the original and its replacements, each with its own fills
/// (Alpaca's replace makes a new order), oldest first.
/// </summary>
internal static class ReplacementChain
{
    /// <summary>
    /// The chain as one snapshot: the first link's client order id, the last link's broker id, status and times, the
    /// fills of every link summed (quantity, average price), the quantity filled plus what the last link has left, and the
    /// broker's time of the latest fill.
    /// </summary>
    public static BrokerOrderSnapshot View(IReadOnlyList<BrokerOrderSnapshot> chain)
    {
        var first = chain[0];
        var last = chain[^1];
        if (chain.Count == 1)
        {
            return last;
        }

        var filled = chain.Sum(c => c.FilledQuantity);
        var notional = chain.Where(c => c.AverageFillPrice is not null).Sum(c => c.FilledQuantity * c.AverageFillPrice!.Value);
        var lastFilled = chain.LastOrDefault(c => c.FilledQuantity > 0);
        return last with
        {
            ClientOrderId = first.ClientOrderId,
            FilledQuantity = filled,
            AverageFillPrice = filled > 0 ? notional / filled : null,
            Quantity = filled + Math.Max(0m, last.Quantity - last.FilledQuantity),
            FilledAtUtc = lastFilled?.LastFillUtc,
        };
    }

    /// <summary>
    /// The average price of the last <paramref name="quantity"/> filled along the chain (the newest links first): the price
    /// of what the journal lacks, exact when it was all filled by one link.
    /// </summary>
    public static decimal? PriceOfLast(IReadOnlyList<BrokerOrderSnapshot> chain, decimal quantity)
    {
        var left = quantity;
        var notional = 0m;
        for (var i = chain.Count - 1; i >= 0 && left > 0; i--)
        {
            if (chain[i] is { FilledQuantity: > 0, AverageFillPrice: { } average } link)
            {
                var take = Math.Min(left, link.FilledQuantity);
                notional += take * average;
                left -= take;
            }
        }

        return quantity > left ? notional / (quantity - left) : null;
    }
}
