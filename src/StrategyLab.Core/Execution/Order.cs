using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>
/// An order as the venue knows it. Only the venue changes it; everyone else reads it.
/// </summary>
public sealed class Order
{
    private string? _clientOrderId;

    internal Order(long id, string? clientOrderId, OrderRequest request, DateTime createdUtc)
    {
        Id = id;
        _clientOrderId = clientOrderId;
        Request = request;
        Quantity = request.Quantity;
        LimitPrice = request.LimitPrice;
        StopPrice = request.StopPrice;
        CreatedUtc = createdUtc;
        UpdatedUtc = createdUtc;
        ActiveFromUtc = createdUtc;
    }

    /// <summary>The venue's id, increasing in submission order.</summary>
    public long Id { get; }

    /// <summary>The caller's idempotency key; <c>SL-{Id}</c> when the caller gave none (made on first use).</summary>
    public string ClientOrderId => _clientOrderId ??= "SL-" + Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The request as submitted (in post-split terms after a split rescaled the order).</summary>
    public OrderRequest Request { get; internal set; }

    /// <summary>The instrument.</summary>
    public Symbol Symbol => Request.Symbol;

    /// <summary>Buy or sell.</summary>
    public OrderSide Side => Request.Side;

    /// <summary>The order type.</summary>
    public OrderType Type => Request.Type;

    /// <summary>Time in force.</summary>
    public TimeInForce TimeInForce => Request.TimeInForce;

    /// <summary>The reason the order exists (see <see cref="OrderRequest.Tag"/>).</summary>
    public string? Tag => Request.Tag;

    /// <summary>The OCO group, if any.</summary>
    public string? OcoGroup => Request.OcoGroup;

    /// <summary>Total quantity (changed by a replace or by an OCO sibling's fill).</summary>
    public decimal Quantity { get; internal set; }

    /// <summary>The current limit price.</summary>
    public decimal? LimitPrice { get; internal set; }

    /// <summary>The current stop price (for a trailing stop, the current trail level).</summary>
    public decimal? StopPrice { get; internal set; }

    /// <summary>Quantity filled so far.</summary>
    public decimal FilledQuantity { get; internal set; }

    /// <summary>Quantity still to fill.</summary>
    public decimal RemainingQuantity => Quantity - FilledQuantity;

    /// <summary>Volume-weighted average fill price, 0 before the first fill.</summary>
    public decimal AverageFillPrice { get; internal set; }

    /// <summary>Commission paid so far.</summary>
    public decimal Commission { get; internal set; }

    /// <summary>Current status.</summary>
    public OrderStatus Status { get; internal set; }

    /// <summary>Why it was rejected, when it was.</summary>
    public RejectReason RejectReason { get; internal set; }

    /// <summary>When it was submitted (the decision time, UTC).</summary>
    public DateTime CreatedUtc { get; }

    /// <summary>When the venue accepted it; null when it was refused at submission.</summary>
    public DateTime? AcceptedUtc { get; internal set; }

    /// <summary>When it last changed.</summary>
    public DateTime UpdatedUtc { get; internal set; }

    /// <summary>The first bar start this order may fill on (its decision time, or the fill time that created it).</summary>
    public DateTime ActiveFromUtc { get; internal set; }

    /// <summary>For a DAY order, the session close at which it expires.</summary>
    public DateTime? ExpiresUtc { get; internal set; }

    /// <summary>True once a stop-limit's stop has been reached.</summary>
    public bool IsTriggered { get; internal set; }

    /// <summary>For a trailing stop: the best price seen since submission.</summary>
    public decimal? TrailAnchorPrice { get; internal set; }

    /// <summary>True while the order can still fill.</summary>
    public bool IsOpen => Status is OrderStatus.Working or OrderStatus.PartiallyFilled;

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"#{Id} {Side} {Quantity} {Symbol} {Type} {Status}");
}
