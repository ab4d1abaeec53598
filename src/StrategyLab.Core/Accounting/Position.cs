using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Accounting;

/// <summary>A holding in one symbol: signed quantity (negative = short), average price, marks and PnL.</summary>
public sealed class Position
{
    internal Position(Symbol symbol) => Symbol = symbol;

    /// <summary>The instrument.</summary>
    public Symbol Symbol { get; }

    /// <summary>Signed quantity: positive long, negative short, 0 flat.</summary>
    public decimal Quantity { get; internal set; }

    /// <summary>Average entry price of the open quantity (0 when flat).</summary>
    public decimal AveragePrice { get; internal set; }

    /// <summary>The last price the position was marked at.</summary>
    public decimal LastPrice { get; internal set; }

    /// <summary>When <see cref="LastPrice"/> was set.</summary>
    public DateTime LastPriceTimeUtc { get; internal set; }

    /// <summary>Realized PnL in this symbol since the start (gross of commissions).</summary>
    public decimal RealizedPnl { get; internal set; }

    /// <summary>Net cash dividends in this symbol since the start (received long, paid short).</summary>
    public decimal Dividends { get; internal set; }

    /// <summary>Commissions paid in this symbol since the start.</summary>
    public decimal Fees { get; internal set; }

    /// <summary>Quantity × last price (negative for a short).</summary>
    public decimal MarketValue => Quantity * LastPrice;

    /// <summary>(last − average) × quantity.</summary>
    public decimal UnrealizedPnl => Quantity == 0 ? 0 : (LastPrice - AveragePrice) * Quantity;

    /// <summary>True when long or short.</summary>
    public bool IsOpen => Quantity != 0;

    /// <summary>True when long.</summary>
    public bool IsLong => Quantity > 0;

    /// <summary>True when short.</summary>
    public bool IsShort => Quantity < 0;
}
