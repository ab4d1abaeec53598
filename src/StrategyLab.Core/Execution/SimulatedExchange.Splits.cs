using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>Corporate actions on the book: a split rescales the open orders of its symbol (raw prices).</summary>
public sealed partial class SimulatedExchange
{
    /// <summary>
    /// A split of <paramref name="ratio"/> new shares per old share in <paramref name="symbol"/> (raw prices): every open
    /// order of the symbol is rescaled (quantities × ratio, limit, stop and trail anchor ÷ ratio) and reported with a
    /// <see cref="OrderEventKind.Replaced"/> event; the last price ÷ ratio. A US-equity quantity is rounded down to whole
    /// shares (a protective order then covers the whole shares the portfolio keeps). Call it before the split date's first bar.
    /// </summary>
    /// <returns>The number of orders rescaled.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not positive.</exception>
    public int ApplySplit(Symbol symbol, decimal ratio, DateTime nowUtc)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratio);
        if (_books.Get(symbol) is not { } book)
        {
            return 0;
        }

        book.LastPrice /= ratio;
        var adjusted = 0;
        foreach (var o in book.Working.ToArray())
        {
            var whole = symbol.AssetClass == AssetClass.UsEquity;
            var quantity = whole ? decimal.Truncate(o.Quantity * ratio) : o.Quantity * ratio;
            var filled = whole ? decimal.Truncate(o.FilledQuantity * ratio) : o.FilledQuantity * ratio;
            if (quantity <= filled)
            {
                Close(o, OrderStatus.Canceled, nowUtc);
                continue;
            }

            o.Quantity = quantity;
            o.FilledQuantity = filled;
            o.AverageFillPrice /= ratio;
            o.LimitPrice /= ratio;
            o.StopPrice /= ratio;
            o.TrailAnchorPrice /= ratio;
            o.Request = o.Request with
            {
                Quantity = whole ? Math.Max(1, decimal.Truncate(o.Request.Quantity * ratio)) : o.Request.Quantity * ratio,
                LimitPrice = o.Request.LimitPrice / ratio,
                StopPrice = o.Request.StopPrice / ratio,
            };
            o.UpdatedUtc = nowUtc;
            adjusted++;
            Raise(OrderEventKind.Replaced, o, nowUtc);
        }

        return adjusted;
    }
}
