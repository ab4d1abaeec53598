namespace StrategyLab.Core.Execution;

/// <summary>
/// The broker order an execution came from. One engine order can be several broker orders over its life (Alpaca's
/// replace makes a new order, with its own id and its own cumulative fill), so a resumed run must know which one each
/// journalled fill belongs to: counted against the wrong one, a later fill is either dropped as "already applied" or
/// applied twice.
/// </summary>
/// <param name="VenueOrderId">The broker's id of the order that filled.</param>
/// <param name="VenueClientOrderId">That order's own client order id (the engine order's, or a replacement's).</param>
/// <param name="FilledQuantity">That broker order's cumulative filled quantity after this execution.</param>
public sealed record VenueFill(string VenueOrderId, string VenueClientOrderId, decimal FilledQuantity);
