using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>What a strategy or the trade manager asks a venue to do.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Quantity">Positive quantity (shares; fractional units allowed for crypto).</param>
/// <param name="Type">Market, limit, stop, stop-limit or trailing stop.</param>
/// <param name="LimitPrice">Limit price (limit and stop-limit).</param>
/// <param name="StopPrice">Stop price (stop and stop-limit).</param>
/// <param name="TrailPercent">Trail distance in percent of the best price (trailing stop).</param>
/// <param name="TimeInForce">DAY (expires at the session close) or GTC.</param>
/// <param name="Tag">Why the order exists: <c>entry</c>, <c>stop_loss</c>, <c>take_profit</c>, <c>trailing_stop</c>, <c>signal</c>, <c>flatten</c>…; becomes the exit reason of a round trip.</param>
/// <param name="OcoGroup">Orders sharing a group cancel each other: a fill of one reduces or cancels the others.</param>
/// <param name="ClientOrderId">An idempotency key chosen by the caller; generated when absent.</param>
public sealed record OrderRequest(
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    OrderType Type = OrderType.Market,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    decimal? TrailPercent = null,
    TimeInForce TimeInForce = TimeInForce.Day,
    string? Tag = null,
    string? OcoGroup = null,
    string? ClientOrderId = null)
{
    /// <summary>A market order.</summary>
    public static OrderRequest Market(Symbol symbol, OrderSide side, decimal quantity, string? tag = null) =>
        new(symbol, side, quantity, OrderType.Market, Tag: tag);

    /// <summary>A limit order.</summary>
    public static OrderRequest Limit(Symbol symbol, OrderSide side, decimal quantity, decimal limitPrice, TimeInForce tif = TimeInForce.Day, string? tag = null) =>
        new(symbol, side, quantity, OrderType.Limit, LimitPrice: limitPrice, TimeInForce: tif, Tag: tag);

    /// <summary>A stop order.</summary>
    public static OrderRequest Stop(Symbol symbol, OrderSide side, decimal quantity, decimal stopPrice, TimeInForce tif = TimeInForce.Day, string? tag = null) =>
        new(symbol, side, quantity, OrderType.Stop, StopPrice: stopPrice, TimeInForce: tif, Tag: tag);

    /// <summary>A stop-limit order.</summary>
    public static OrderRequest StopLimit(Symbol symbol, OrderSide side, decimal quantity, decimal stopPrice, decimal limitPrice, TimeInForce tif = TimeInForce.Day, string? tag = null) =>
        new(symbol, side, quantity, OrderType.StopLimit, LimitPrice: limitPrice, StopPrice: stopPrice, TimeInForce: tif, Tag: tag);

    /// <summary>A trailing stop order.</summary>
    public static OrderRequest TrailingStop(Symbol symbol, OrderSide side, decimal quantity, decimal trailPercent, TimeInForce tif = TimeInForce.Day, string? tag = null) =>
        new(symbol, side, quantity, OrderType.TrailingStop, TrailPercent: trailPercent, TimeInForce: tif, Tag: tag);
}
