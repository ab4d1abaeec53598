using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>One execution of (part of) an order.</summary>
/// <param name="OrderId">The order filled.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Quantity of this execution (positive).</param>
/// <param name="Price">Execution price (slippage included).</param>
/// <param name="Commission">Commission charged for this execution.</param>
/// <param name="TimeUtc">When it happened: the bar's start for a fill at the open, the bar's end for a fill inside the bar.</param>
/// <param name="Tag">The order's tag.</param>
/// <param name="BarLow">Low of the bar it filled on (for the fill-price invariant).</param>
/// <param name="BarHigh">High of the bar it filled on.</param>
public readonly record struct Fill(
    long OrderId,
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    decimal Commission,
    DateTime TimeUtc,
    string? Tag,
    decimal BarLow,
    decimal BarHigh)
{
    /// <summary>Signed quantity: positive for a buy, negative for a sell.</summary>
    public decimal SignedQuantity => Side == OrderSide.Buy ? Quantity : -Quantity;
}
