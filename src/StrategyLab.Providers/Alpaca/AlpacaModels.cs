namespace StrategyLab.Providers.Alpaca;

/// <summary>Order side.</summary>
public enum AlpacaSide
{
    /// <summary><c>buy</c>.</summary>
    Buy,

    /// <summary><c>sell</c>.</summary>
    Sell,
}

/// <summary>Order type.</summary>
public enum AlpacaOrderType
{
    /// <summary><c>market</c>.</summary>
    Market,

    /// <summary><c>limit</c>: needs a limit price.</summary>
    Limit,

    /// <summary><c>stop</c>: needs a stop price.</summary>
    Stop,

    /// <summary><c>stop_limit</c>: needs both.</summary>
    StopLimit,

    /// <summary><c>trailing_stop</c>: needs a trail price or a trail percent.</summary>
    TrailingStop,
}

/// <summary>Time in force.</summary>
public enum AlpacaTimeInForce
{
    /// <summary><c>day</c>: expires at the close.</summary>
    Day,

    /// <summary><c>gtc</c>: good till canceled.</summary>
    Gtc,

    /// <summary><c>opg</c>: at the open.</summary>
    Opg,

    /// <summary><c>cls</c>: at the close.</summary>
    Cls,

    /// <summary><c>ioc</c>: immediate or cancel.</summary>
    Ioc,

    /// <summary><c>fok</c>: fill or kill.</summary>
    Fok,
}

/// <summary>Order class.</summary>
public enum AlpacaOrderClass
{
    /// <summary>A single order.</summary>
    Simple,

    /// <summary>An entry with a take-profit limit and a stop-loss, the two exits one-cancels-other, held until the entry fills.</summary>
    Bracket,

    /// <summary>A limit (take-profit) and a stop (stop-loss) exit, one cancels the other.</summary>
    Oco,

    /// <summary>One triggers other: an entry with one exit.</summary>
    Oto,
}

/// <summary>An order to submit (<c>POST /v2/orders</c>). Quantities and prices are sent as decimal strings.</summary>
/// <param name="Symbol">e.g. <c>AAPL</c>, crypto <c>BTC/USD</c>.</param>
/// <param name="Quantity">Positive quantity (up to 9 decimals).</param>
/// <param name="Side">Buy or sell.</param>
/// <param name="Type">Order type.</param>
/// <param name="TimeInForce">Time in force.</param>
/// <param name="ClientOrderId">The deterministic id (<see cref="AlpacaClientOrderId"/>): required, it is what makes a resend safe.</param>
public sealed record AlpacaOrderRequest(
    string Symbol,
    decimal Quantity,
    AlpacaSide Side,
    AlpacaOrderType Type,
    AlpacaTimeInForce TimeInForce,
    string ClientOrderId)
{
    /// <summary>Limit price (limit, stop-limit).</summary>
    public decimal? LimitPrice { get; init; }

    /// <summary>Stop price (stop, stop-limit).</summary>
    public decimal? StopPrice { get; init; }

    /// <summary>Trail in price units (trailing stop).</summary>
    public decimal? TrailPrice { get; init; }

    /// <summary>Trail in percent (trailing stop).</summary>
    public decimal? TrailPercent { get; init; }

    /// <summary>Order class (default simple).</summary>
    public AlpacaOrderClass OrderClass { get; init; } = AlpacaOrderClass.Simple;

    /// <summary>Bracket / OCO take-profit limit price.</summary>
    public decimal? TakeProfitLimitPrice { get; init; }

    /// <summary>Bracket / OCO / OTO stop-loss stop price.</summary>
    public decimal? StopLossStopPrice { get; init; }

    /// <summary>Bracket / OCO / OTO stop-loss limit price (makes the stop-loss a stop-limit).</summary>
    public decimal? StopLossLimitPrice { get; init; }

    /// <summary>Allow pre/after-market execution (limit + day only).</summary>
    public bool ExtendedHours { get; init; }
}

/// <summary>A change to an open order (<c>PATCH /v2/orders/{id}</c>); null fields stay as they are.</summary>
/// <param name="ClientOrderId">The new order's client order id (deterministic too, so a resent replace is refused as a duplicate).</param>
public sealed record AlpacaReplaceRequest(string ClientOrderId)
{
    /// <summary>New quantity.</summary>
    public decimal? Quantity { get; init; }

    /// <summary>New time in force.</summary>
    public AlpacaTimeInForce? TimeInForce { get; init; }

    /// <summary>New limit price.</summary>
    public decimal? LimitPrice { get; init; }

    /// <summary>New stop price.</summary>
    public decimal? StopPrice { get; init; }

    /// <summary>New trail (price units or percent, as the order was placed).</summary>
    public decimal? Trail { get; init; }
}

/// <summary>An order as Alpaca reports it.</summary>
public sealed record AlpacaOrder
{
    /// <summary>Alpaca's terminal statuses.</summary>
    public static readonly IReadOnlySet<string> TerminalStatuses = new HashSet<string>(StringComparer.Ordinal) { "filled", "canceled", "expired", "replaced", "rejected" };

    /// <summary>Alpaca's order id.</summary>
    public required string Id { get; init; }

    /// <summary>Our client order id.</summary>
    public required string ClientOrderId { get; init; }

    /// <summary>Symbol.</summary>
    public required string Symbol { get; init; }

    /// <summary><c>buy</c> or <c>sell</c>.</summary>
    public required string Side { get; init; }

    /// <summary><c>market</c>, <c>limit</c>, …</summary>
    public required string Type { get; init; }

    /// <summary><c>day</c>, <c>gtc</c>, …</summary>
    public required string TimeInForce { get; init; }

    /// <summary><c>""</c> (simple), <c>bracket</c>, <c>oco</c>, <c>oto</c>.</summary>
    public required string OrderClass { get; init; }

    /// <summary>Status (<c>new</c>, <c>partially_filled</c>, <c>filled</c>, …).</summary>
    public required string Status { get; init; }

    /// <summary>Ordered quantity (null for a notional order).</summary>
    public decimal? Quantity { get; init; }

    /// <summary>Filled so far.</summary>
    public decimal FilledQuantity { get; init; }

    /// <summary>Average fill price.</summary>
    public decimal? FilledAveragePrice { get; init; }

    /// <summary>Limit price.</summary>
    public decimal? LimitPrice { get; init; }

    /// <summary>Stop price.</summary>
    public decimal? StopPrice { get; init; }

    /// <summary>Created.</summary>
    public DateTime CreatedAtUtc { get; init; }

    /// <summary>Last changed.</summary>
    public DateTime UpdatedAtUtc { get; init; }

    /// <summary>Submitted (what <c>after</c>/<c>until</c> filter on).</summary>
    public DateTime SubmittedAtUtc { get; init; }

    /// <summary>Filled, if it did.</summary>
    public DateTime? FilledAtUtc { get; init; }

    /// <summary>Canceled, if it was.</summary>
    public DateTime? CanceledAtUtc { get; init; }

    /// <summary>The order that replaced it.</summary>
    public string? ReplacedBy { get; init; }

    /// <summary>The order it replaced.</summary>
    public string? Replaces { get; init; }

    /// <summary>Bracket/OCO legs (when listed nested).</summary>
    public IReadOnlyList<AlpacaOrder> Legs { get; init; } = [];

    /// <summary>True when the order can change no more.</summary>
    public bool IsTerminal => TerminalStatuses.Contains(Status);
}

/// <summary>An open position.</summary>
/// <param name="Symbol">Symbol.</param>
/// <param name="Quantity">Signed quantity (negative: short).</param>
/// <param name="AverageEntryPrice">Average entry price.</param>
/// <param name="MarketValue">Market value.</param>
/// <param name="CurrentPrice">Last price.</param>
public sealed record AlpacaPosition(string Symbol, decimal Quantity, decimal AverageEntryPrice, decimal? MarketValue, decimal? CurrentPrice);

/// <summary>The account.</summary>
/// <param name="Id">Account id.</param>
/// <param name="Status">e.g. <c>ACTIVE</c>.</param>
/// <param name="Currency">e.g. <c>USD</c>.</param>
/// <param name="Cash">Cash.</param>
/// <param name="BuyingPower">Buying power.</param>
/// <param name="Equity">Equity.</param>
/// <param name="TradingBlocked">Trading blocked.</param>
public sealed record AlpacaAccount(string Id, string Status, string Currency, decimal Cash, decimal BuyingPower, decimal Equity, bool TradingBlocked);

/// <summary>The market clock.</summary>
/// <param name="Timestamp">Now, with the New-York offset.</param>
/// <param name="IsOpen">Whether the market is open.</param>
/// <param name="NextOpen">Next open.</param>
/// <param name="NextClose">Next close.</param>
public sealed record AlpacaClock(DateTimeOffset Timestamp, bool IsOpen, DateTimeOffset NextOpen, DateTimeOffset NextClose);

/// <summary>The answer to a submit.</summary>
/// <param name="Order">The order as Alpaca has it.</param>
/// <param name="AlreadySent">
/// True when Alpaca already had an order with this client order id (a duplicate refused, or an ambiguous failure after
/// which the order was found): the order was not placed twice, and this is the existing one.
/// </param>
public sealed record AlpacaSubmitResult(AlpacaOrder Order, bool AlreadySent);

/// <summary>Which orders to list (<c>GET /v2/orders</c>).</summary>
public sealed record AlpacaOrderQuery
{
    /// <summary><c>open</c> (default), <c>closed</c> or <c>all</c>.</summary>
    public string Status { get; init; } = "open";

    /// <summary>Only orders submitted after this time (exclusive). Alpaca filters on the submission time, not the last change.</summary>
    public DateTime? AfterUtc { get; init; }

    /// <summary>Only orders submitted before this time (exclusive).</summary>
    public DateTime? UntilUtc { get; init; }

    /// <summary>At most this many (1–500; default 500).</summary>
    public int Limit { get; init; } = 500;

    /// <summary>Oldest first (default false: newest first, as Alpaca).</summary>
    public bool Ascending { get; init; }

    /// <summary>Legs inside their parent (default true).</summary>
    public bool Nested { get; init; } = true;

    /// <summary>Only these symbols.</summary>
    public IReadOnlyList<string>? Symbols { get; init; }
}

/// <summary>One event of the <c>trade_updates</c> stream.</summary>
/// <param name="Event"><c>new</c>, <c>fill</c>, <c>partial_fill</c>, <c>canceled</c>, <c>replaced</c>, <c>rejected</c>, <c>expired</c>…</param>
/// <param name="TimestampUtc">When it happened at Alpaca.</param>
/// <param name="Order">The order after the event.</param>
/// <param name="ExecutionId">The execution's id (fills).</param>
/// <param name="Price">This execution's price (fills).</param>
/// <param name="Quantity">This execution's quantity (fills).</param>
/// <param name="PositionQuantity">The position after it (fills).</param>
public sealed record AlpacaTradeUpdate(
    string Event, DateTime TimestampUtc, AlpacaOrder Order, string? ExecutionId, decimal? Price, decimal? Quantity, decimal? PositionQuantity);

/// <summary>A bar from the data API or stream (prices exact; volume decimal, crypto volumes are fractional).</summary>
/// <param name="Symbol">Symbol.</param>
/// <param name="StartUtc">Bar start.</param>
/// <param name="Open">Open.</param>
/// <param name="High">High.</param>
/// <param name="Low">Low.</param>
/// <param name="Close">Close.</param>
/// <param name="Volume">Volume.</param>
/// <param name="Trades">Trade count.</param>
/// <param name="Vwap">VWAP.</param>
/// <param name="Updated">True for a recalculated bar (<c>T:"u"</c>) of a minute already sent.</param>
public sealed record AlpacaBar(string Symbol, DateTime StartUtc, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, long Trades, decimal? Vwap, bool Updated = false);
