using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Execution;

/// <summary>
/// An order as the venue knows it. Only the venue changes it; everyone else reads it.
/// </summary>
/// <remarks>
/// Orders are made on every entry, exit and protective level, and a run folder keeps every one until the end, so the
/// object is kept small: the request's fields live here (the trade manager's orders never build an
/// <see cref="OrderRequest"/>; <see cref="Request"/> makes one on first read, from the values as submitted), optional
/// prices and times are stored with presence flags rather than as nullables, enums as bytes, and a generated OCO group
/// is kept as the entry's id and spelt only when read. What most orders never have (a request object, a client id or
/// OCO group name, a trailing stop's anchor, a second price for a stop-limit, an acceptance time other than the
/// submission time) lives in a side record made on first need; the time from which an order may fill is its
/// submission time, not a field. The five decimals (quantity, own price, filled quantity, average fill price,
/// commission) are kept packed in 8 bytes each (<see cref="PackedDecimal"/>: bit for bit, for mantissas up to 56 bits),
/// a wider value in the side record: an order is 128 bytes rather than 168.
/// </remarks>
public sealed class Order
{
    private const byte HasLimit = 1;
    private const byte HasStop = 2;
    private const byte HasTrailAnchor = 4;
    private const byte HasAccepted = 8;
    private const byte HasExpires = 16;
    private const byte Triggered = 32;

    // The rarely used parts; null for a trade manager's order until something reads or sets one of them.
    private Extras? _extras;

    // Where a decimal field is kept in the extras when it does not pack (PackedDecimal.Wide).
    private const int QuantitySlot = 0;
    private const int PriceSlot = 1;
    private const int FilledSlot = 2;
    private const int AverageSlot = 3;
    private const int CommissionSlot = 4;

    // The entry order id of an OCO group the trade manager made ("oco-{id}", spelt on first read); 0 when none.
    private readonly long _ocoEntryId;
    private long _quantity;

    // The order's own price: the stop of a stop, stop-limit or trailing stop, else the limit. The other one (a
    // stop-limit's limit, or a price the type does not use) is in the extras.
    private long _price;
    private long _filledQuantity;
    private long _averageFillPrice;
    private long _commission;
    private DateTime _expiresUtc;
    private readonly byte _side;
    private readonly byte _type;
    private readonly byte _timeInForce;
    private byte _status;
    private byte _rejectReason;
    private byte _flags;

    internal Order(long id, string? clientOrderId, OrderRequest request, DateTime createdUtc)
        : this(id, request.Symbol, request.Side, request.Quantity, request.Type, request.LimitPrice, request.StopPrice, request.TimeInForce, request.Tag, createdUtc)
    {
        var extras = More;
        extras.ClientOrderId = clientOrderId;
        extras.Request = request;
        extras.OcoGroup = request.OcoGroup;
    }

    /// <summary>An order submitted by fields (no <see cref="OrderRequest"/> yet; <see cref="Request"/> builds it when read).</summary>
    internal Order(
        long id,
        Symbol symbol,
        OrderSide side,
        decimal quantity,
        OrderType type,
        decimal? limitPrice,
        decimal? stopPrice,
        TimeInForce timeInForce,
        string? tag,
        long ocoEntryId,
        DateTime createdUtc)
        : this(id, symbol, side, quantity, type, limitPrice, stopPrice, timeInForce, tag, createdUtc)
    {
        _ocoEntryId = ocoEntryId;
    }

    private Order(
        long id,
        Symbol symbol,
        OrderSide side,
        decimal quantity,
        OrderType type,
        decimal? limitPrice,
        decimal? stopPrice,
        TimeInForce timeInForce,
        string? tag,
        DateTime createdUtc)
    {
        Id = id;
        Symbol = symbol;
        _side = (byte)side;
        _type = (byte)type;
        _timeInForce = (byte)timeInForce;
        Tag = tag;
        Set(ref _quantity, QuantitySlot, quantity);
        SetLimit(limitPrice);
        SetStop(stopPrice);
        CreatedUtc = createdUtc;
        UpdatedUtc = createdUtc;
    }

    /// <summary>The venue's id, increasing in submission order.</summary>
    public long Id { get; }

    /// <summary>The caller's idempotency key; <c>SL-{Id}</c> when the caller gave none (made on first use).</summary>
    public string ClientOrderId => More.ClientOrderId ??= GeneratedClientIdPrefix + Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The request as submitted (in post-split terms after a split rescaled the order).</summary>
    public OrderRequest Request
    {
        get => More.Request ??= new OrderRequest(
            Symbol,
            Side,
            Quantity,
            Type,
            LimitPrice,
            StopPrice,
            TrailPercent: null, // a trailing stop is always submitted with its request
            TimeInForce,
            Tag,
            OcoGroup,
            ClientOrderId: null);
        internal set => More.Request = value;
    }

    /// <summary>The instrument.</summary>
    public Symbol Symbol { get; }

    /// <summary>Buy or sell.</summary>
    public OrderSide Side => (OrderSide)_side;

    /// <summary>The order type.</summary>
    public OrderType Type => (OrderType)_type;

    /// <summary>Time in force.</summary>
    public TimeInForce TimeInForce => (TimeInForce)_timeInForce;

    /// <summary>The reason the order exists (see <see cref="OrderRequest.Tag"/>).</summary>
    public string? Tag { get; }

    /// <summary>The OCO group, if any.</summary>
    public string? OcoGroup => _ocoEntryId == 0 ? _extras?.OcoGroup : (More.OcoGroup ??= OcoGroupName(_ocoEntryId));

    /// <summary>Total quantity (changed by a replace or by an OCO sibling's fill).</summary>
    public decimal Quantity
    {
        get => Get(_quantity, QuantitySlot);
        internal set
        {
            KeepRequest();
            Set(ref _quantity, QuantitySlot, value);
        }
    }

    /// <summary>The current limit price.</summary>
    public decimal? LimitPrice
    {
        get => (_flags & HasLimit) == 0 ? null : StopIsOwnPrice ? _extras!.OtherPrice : Get(_price, PriceSlot);
        internal set
        {
            KeepRequest();
            SetLimit(value);
        }
    }

    /// <summary>The current stop price (for a trailing stop, the current trail level).</summary>
    public decimal? StopPrice
    {
        get => (_flags & HasStop) == 0 ? null : StopIsOwnPrice ? Get(_price, PriceSlot) : _extras!.OtherPrice;
        internal set
        {
            KeepRequest();
            SetStop(value);
        }
    }

    /// <summary>Quantity filled so far.</summary>
    public decimal FilledQuantity
    {
        get => Get(_filledQuantity, FilledSlot);
        internal set => Set(ref _filledQuantity, FilledSlot, value);
    }

    /// <summary>Quantity still to fill.</summary>
    public decimal RemainingQuantity => Quantity - FilledQuantity;

    /// <summary>Volume-weighted average fill price, 0 before the first fill.</summary>
    public decimal AverageFillPrice
    {
        get => Get(_averageFillPrice, AverageSlot);
        internal set => Set(ref _averageFillPrice, AverageSlot, value);
    }

    /// <summary>Commission paid so far.</summary>
    public decimal Commission
    {
        get => Get(_commission, CommissionSlot);
        internal set => Set(ref _commission, CommissionSlot, value);
    }

    /// <summary>Current status.</summary>
    public OrderStatus Status
    {
        get => (OrderStatus)_status;
        internal set => _status = (byte)value;
    }

    /// <summary>Why it was rejected, when it was.</summary>
    public RejectReason RejectReason
    {
        get => (RejectReason)_rejectReason;
        internal set => _rejectReason = (byte)value;
    }

    /// <summary>When it was submitted (the decision time, UTC).</summary>
    public DateTime CreatedUtc { get; }

    /// <summary>When the venue accepted it; null when it was refused at submission.</summary>
    public DateTime? AcceptedUtc
    {
        get => (_flags & HasAccepted) == 0 ? null : _extras is { AcceptedLater: true } e ? e.AcceptedUtc : CreatedUtc;
        internal set
        {
            // The simulated exchange accepts at the submission time: only a later acceptance (a broker's) is stored.
            if (value is { } t && t != CreatedUtc)
            {
                var extras = More;
                extras.AcceptedUtc = t;
                extras.AcceptedLater = true;
            }
            else if (_extras is { } e)
            {
                e.AcceptedLater = false;
            }

            _flags = value.HasValue ? (byte)(_flags | HasAccepted) : (byte)(_flags & ~HasAccepted);
        }
    }

    /// <summary>When it last changed.</summary>
    public DateTime UpdatedUtc { get; internal set; }

    /// <summary>The first bar start this order may fill on: its decision time (for an exit attached to a fill, that fill's time).</summary>
    public DateTime ActiveFromUtc => CreatedUtc;

    /// <summary>For a DAY order, the session close at which it expires.</summary>
    public DateTime? ExpiresUtc
    {
        get => (_flags & HasExpires) != 0 ? _expiresUtc : null;
        internal set
        {
            _expiresUtc = value.GetValueOrDefault();
            _flags = value.HasValue ? (byte)(_flags | HasExpires) : (byte)(_flags & ~HasExpires);
        }
    }

    /// <summary>True once a stop-limit's stop has been reached.</summary>
    public bool IsTriggered
    {
        get => (_flags & Triggered) != 0;
        internal set => _flags = value ? (byte)(_flags | Triggered) : (byte)(_flags & ~Triggered);
    }

    /// <summary>For a trailing stop: the best price seen since submission.</summary>
    public decimal? TrailAnchorPrice
    {
        get => (_flags & HasTrailAnchor) != 0 ? _extras!.TrailAnchorPrice : null;
        internal set
        {
            if (value is { } anchor)
            {
                More.TrailAnchorPrice = anchor;
                _flags |= HasTrailAnchor;
            }
            else
            {
                _flags = (byte)(_flags & ~HasTrailAnchor);
            }
        }
    }

    /// <summary>True while the order can still fill.</summary>
    public bool IsOpen => Status is OrderStatus.Working or OrderStatus.PartiallyFilled;

    /// <summary>
    /// The order's own price without the nullable: the stop of a stop or trailing stop, the limit of a limit order (the
    /// fill rules' per-bar read; the type has that price once accepted).
    /// </summary>
    internal decimal OwnPrice => Get(_price, PriceSlot);

    /// <summary>True before any fill: the filled quantity and the average fill price are both <c>0m</c> itself (scale 0, positive).</summary>
    internal bool HasNoFillYet => (_filledQuantity | _averageFillPrice) == 0;

    /// <summary>The trail distance of a trailing stop, in percent (from its request).</summary>
    internal decimal? TrailPercent => _extras?.Request?.TrailPercent;

    /// <summary>The limit price as submitted (what the buying-power estimate uses), without building the request.</summary>
    internal decimal? RequestedLimitPrice => _extras?.Request is { } r ? r.LimitPrice : LimitPrice;

    /// <summary>The stop price as submitted, without building the request.</summary>
    internal decimal? RequestedStopPrice => _extras?.Request is { } r ? r.StopPrice : StopPrice;

    /// <summary>The quantity as submitted, without building the request.</summary>
    internal decimal RequestedQuantity => _extras?.Request is { } r ? r.Quantity : Quantity;

    /// <summary>The OCO group the trade manager gives the exits of entry <paramref name="entryId"/>.</summary>
    internal static string OcoGroupName(long entryId) => OcoGroupPrefix + entryId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when both orders are in one OCO group (compared without spelling generated names when possible).</summary>
    internal bool SharesOcoGroupWith(Order other)
    {
        if (_ocoEntryId != 0 && other._ocoEntryId != 0)
        {
            return _ocoEntryId == other._ocoEntryId;
        }

        if (_ocoEntryId == 0 && _extras?.OcoGroup is null && other._ocoEntryId == 0 && other._extras?.OcoGroup is null)
        {
            return false;
        }

        return string.Equals(OcoGroup, other.OcoGroup, StringComparison.Ordinal);
    }

    /// <summary>True when the order belongs to an OCO group.</summary>
    /// <summary>What a generated client id starts with (then the order id).</summary>
    internal const string GeneratedClientIdPrefix = "SL-";

    /// <summary>What a trade manager's OCO group name starts with (then the entry order id).</summary>
    internal const string OcoGroupPrefix = "oco-";

    /// <summary>The client id as stored: null while it is the generated <c>SL-{Id}</c> not spelt yet (writers format that themselves).</summary>
    internal string? StoredClientOrderId => _extras?.ClientOrderId;

    /// <summary>The entry order id of the trade manager's OCO group (named <c>oco-{id}</c>), or 0 when the group, if any, is named otherwise.</summary>
    internal long OcoEntryId => _ocoEntryId;

    /// <summary>The OCO group's name when it is not a trade manager's <c>oco-{id}</c> (null otherwise, or when none).</summary>
    internal string? NamedOcoGroup => _ocoEntryId == 0 ? _extras?.OcoGroup : null;

    internal bool HasOcoGroup => _ocoEntryId != 0 || _extras?.OcoGroup is not null;

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"#{Id} {Side} {Quantity} {Symbol} {Type} {Status}");

    /// <summary>True when <see cref="_price"/> holds the stop (the types that have one), false when it holds the limit.</summary>
    private bool StopIsOwnPrice => Type is OrderType.Stop or OrderType.StopLimit or OrderType.TrailingStop;

    /// <summary>The side record, made on first need.</summary>
    private Extras More => _extras ??= new Extras();

    /// <summary>Before the quantity or a price changes, fixes the request at the values as submitted.</summary>
    private void KeepRequest()
    {
        if (_extras?.Request is null)
        {
            _ = Request;
        }
    }

    private void SetLimit(decimal? value) => SetPrice(value, HasLimit, own: !StopIsOwnPrice);

    private void SetStop(decimal? value) => SetPrice(value, HasStop, own: StopIsOwnPrice);

    private void SetPrice(decimal? value, byte flag, bool own)
    {
        if (value is not { } price)
        {
            _flags = (byte)(_flags & ~flag);
            return;
        }

        if (own)
        {
            Set(ref _price, PriceSlot, price);
        }
        else
        {
            More.OtherPrice = price;
        }

        _flags |= flag;
    }

    /// <summary>The decimal a packed field holds (from the extras when it did not pack).</summary>
    private decimal Get(long packed, int slot) => packed != PackedDecimal.Wide ? PackedDecimal.Unpack(packed) : _extras!.Wide![slot];

    /// <summary>Stores <paramref name="value"/> packed, or in the extras when it does not pack.</summary>
    private void Set(ref long packed, int slot, decimal value)
    {
        packed = PackedDecimal.Pack(value);
        if (packed == PackedDecimal.Wide)
        {
            (More.Wide ??= new decimal[CommissionSlot + 1])[slot] = value;
        }
    }

    /// <summary>What most orders never have, kept apart so that the order itself stays small.</summary>
    private sealed class Extras
    {
        // Null until read for an order submitted by fields: every change of the quantity or a price builds it first,
        // so it always holds the values as submitted.
        public OrderRequest? Request { get; set; }

        public string? ClientOrderId { get; set; }

        public string? OcoGroup { get; set; }

        /// <summary>The price the type does not keep in the order itself (a stop-limit's limit).</summary>
        public decimal OtherPrice { get; set; }

        public decimal TrailAnchorPrice { get; set; }

        public DateTime AcceptedUtc { get; set; }

        /// <summary>True when <see cref="AcceptedUtc"/> holds an acceptance later than the submission.</summary>
        public bool AcceptedLater { get; set; }

        /// <summary>The decimal fields too wide to pack, by slot (made on the first one).</summary>
        public decimal[]? Wide { get; set; }
    }
}
