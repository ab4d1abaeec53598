namespace StrategyLab.Core.Execution;

/// <summary>Buy or sell.</summary>
public enum OrderSide
{
    /// <summary>Buy: opens or adds to a long, or covers a short.</summary>
    Buy,

    /// <summary>Sell: reduces or closes a long, or opens a short.</summary>
    Sell,
}

/// <summary>How an order's price is decided.</summary>
public enum OrderType
{
    /// <summary>Fills at the open of the next bar.</summary>
    Market,

    /// <summary>Fills at the limit price or better, when the bar trades through it.</summary>
    Limit,

    /// <summary>Becomes a market order when the bar reaches the stop price; fills at the stop (or the open on a gap).</summary>
    Stop,

    /// <summary>Becomes a limit order when the bar reaches the stop price.</summary>
    StopLimit,

    /// <summary>A stop whose price follows the best price since submission by a fixed percentage.</summary>
    TrailingStop,
}

/// <summary>How long an order stays working.</summary>
public enum TimeInForce
{
    /// <summary>Expires at the close of the session in which it was submitted.</summary>
    Day,

    /// <summary>Good till cancelled.</summary>
    Gtc,
}

/// <summary>Where an order is in its life.</summary>
public enum OrderStatus
{
    /// <summary>Accepted and working.</summary>
    Working,

    /// <summary>Part of the quantity filled, the rest still working.</summary>
    PartiallyFilled,

    /// <summary>Fully filled (terminal).</summary>
    Filled,

    /// <summary>Cancelled by the user or by its OCO sibling (terminal).</summary>
    Canceled,

    /// <summary>A DAY order that reached the session close (terminal).</summary>
    Expired,

    /// <summary>Refused at submission or at fill time; see <see cref="Order.RejectReason"/> (terminal).</summary>
    Rejected,
}

/// <summary>Why an order was rejected.</summary>
public enum RejectReason
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>Not enough cash (cash account) or margin to pay for the order.</summary>
    InsufficientBuyingPower,

    /// <summary>The market is closed at the decision time.</summary>
    MarketClosed,

    /// <summary>The venue does not trade this symbol.</summary>
    UnknownSymbol,

    /// <summary>Quantity is zero, negative, or fractional where whole units are required.</summary>
    BadQuantity,

    /// <summary>A required limit/stop/trail value is missing or not positive.</summary>
    BadPrice,

    /// <summary>Selling short is not allowed in a cash account.</summary>
    ShortSellingNotAllowed,

    /// <summary>No price is known yet for the symbol, so the order cannot be checked.</summary>
    NoMarketData,

    /// <summary>The client order id was used before.</summary>
    DuplicateClientOrderId,

    /// <summary>
    /// A stop (or an untriggered stop-limit) that the last price has already reached when it is placed: a sell stop at
    /// or above the market, a buy stop at or below it. It is refused rather than filled at once.
    /// </summary>
    StopAlreadyTriggered,

    /// <summary>A broker refused it (its message is in the log, <c>broker.order.rejected</c>).</summary>
    BrokerRejected,

    /// <summary>Trading is halted (an operator flattened the run): the order was never sent.</summary>
    TradingHalted,
}

/// <summary>What happened to an order.</summary>
public enum OrderEventKind
{
    /// <summary>Accepted and working.</summary>
    Accepted,

    /// <summary>Refused.</summary>
    Rejected,

    /// <summary>Part of it filled.</summary>
    PartiallyFilled,

    /// <summary>Completely filled.</summary>
    Filled,

    /// <summary>Cancelled.</summary>
    Canceled,

    /// <summary>Expired at the session close.</summary>
    Expired,

    /// <summary>Quantity or prices changed.</summary>
    Replaced,

    /// <summary>A stop-limit order's stop was reached; it now works as a limit.</summary>
    Triggered,
}
