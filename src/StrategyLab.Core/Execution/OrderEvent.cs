namespace StrategyLab.Core.Execution;

/// <summary>A change to an order, as a venue reports it.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Order">The order after the change.</param>
/// <param name="TimeUtc">When.</param>
/// <param name="Fill">The execution, for fill events.</param>
/// <param name="Venue">For a broker's fill: the broker order it came from (null for the simulated exchange).</param>
public readonly record struct OrderEvent(OrderEventKind Kind, Order Order, DateTime TimeUtc, Fill? Fill = null, VenueFill? Venue = null);

/// <summary>Receives order events from a venue, synchronously and in order.</summary>
public interface IOrderEventListener
{
    /// <summary>Called for every order event.</summary>
    void OnOrderEvent(in OrderEvent orderEvent);
}

/// <summary>
/// A place orders go: the simulated exchange, or a broker adapter with the same contract.
/// Events are delivered to the listener given at construction, in order.
/// </summary>
public interface IExecutionVenue
{
    /// <summary>Submits an order decided at <paramref name="decisionTimeUtc"/>; returns it (possibly rejected).</summary>
    Order Submit(OrderRequest request, DateTime decisionTimeUtc);

    /// <summary>Cancels the rest of an open order; false when it was not open.</summary>
    bool Cancel(long orderId, DateTime nowUtc);

    /// <summary>Changes an open order's quantity and/or prices; false when it was not open or the change is invalid.</summary>
    bool Replace(long orderId, decimal? quantity, decimal? limitPrice, decimal? stopPrice, DateTime nowUtc);

    /// <summary>Every order that can still fill, in submission order.</summary>
    IReadOnlyList<Order> OpenOrders { get; }

    /// <summary>Looks an order up by id.</summary>
    Order? Find(long orderId);
}

/// <summary>A venue that matches orders against the bars it is shown (the simulated exchange).</summary>
public interface IBarDrivenVenue : IExecutionVenue
{
    /// <summary>
    /// Shows the venue a completed bar: expires DAY orders, fills what the bar allows, and remembers the close.
    /// Called once per bar, in time order, before the strategy sees the bar.
    /// </summary>
    void OnBar(in Domain.Bar bar);

    /// <summary>Expires DAY orders whose session has closed by <paramref name="nowUtc"/>.</summary>
    void AdvanceTime(DateTime nowUtc);

    /// <summary>
    /// Ends the run: cancels every open order and closes every position at the last price seen (there is no later
    /// bar to fill a market order on), tagging the fills with <paramref name="tag"/>.
    /// </summary>
    void LiquidateAtLastPrice(DateTime nowUtc, string tag);
}

/// <summary>A venue that rescales its open orders on a stock split (the simulated exchange, and decorators of it).</summary>
public interface ISplitAwareVenue
{
    /// <summary>Rescales the open orders of <paramref name="symbol"/> for a <paramref name="ratio"/>-for-1 split; returns how many.</summary>
    int ApplySplit(Domain.Symbol symbol, decimal ratio, DateTime nowUtc);
}
