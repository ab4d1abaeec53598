using System.Runtime.CompilerServices;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Accounting;

namespace StrategyLab.Core.Execution;

/// <summary>
/// A venue that fills orders against bars, with the documented fill rules (README, "Fill rules"):
/// <list type="bullet">
/// <item>An order may only fill on bars that start at or after its decision time (an order decided on bar t, at t's
/// end, never fills at t's prices). Market orders fill at the next bar's open.</item>
/// <item>Stop: triggers when the bar's range reaches the stop; fills at the stop, or at the open when the bar opens
/// beyond it (gap). Limit: fills when the bar trades through the limit (touching is not enough), at the limit or at a
/// better open. Stop-limit: a stop that then works as a limit. Trailing stop: a stop that follows the best price.</item>
/// <item>Orders fill only on bars that start inside trading hours (regular unless extended hours are on). An order
/// decided while the market is closed, or at the close instant (where daily bars and every session's last bar are
/// decided), belongs to the next session under <see cref="OrdersAtClose.NextOpen"/> (the default): a market order fills
/// at the open of that session's first bar. Under <see cref="OrdersAtClose.Expire"/> a decision at the close belongs to
/// the session it closes and one while closed is rejected. DAY orders expire at the close of their session.</item>
/// <item>Protective levels (trailing stops) are rounded to the instrument's increment away from the market; a stop the
/// last price has already reached when it is placed is rejected (<see cref="RejectReason.StopAlreadyTriggered"/>).</item>
/// <item>When a stop and a limit of one OCO group could both fill on one bar, the stop fills (the conservative
/// assumption); a fill reduces its OCO siblings by the filled quantity and cancels them at zero.</item>
/// </list>
/// The exchange reads the portfolio for buying-power checks; the listener applies fills to it (before the exchange
/// goes on), so the next check sees them.
/// </summary>
public sealed partial class SimulatedExchange : IBarDrivenVenue, ISplitAwareVenue
{
    private readonly ExchangeSettings _settings;
    private readonly Portfolio _portfolio;
    private readonly Func<Symbol, IMarketCalendar> _calendars;
    private readonly SymbolTable<Book> _books = new();
    private readonly List<Book> _bookList = [];
    private readonly List<Order> _open = [];
    // Open orders by id. Finished ones are dropped (the recorders keep what a run needs), unless history is kept:
    // a backtest with hundreds of thousands of orders must not carry them all.
    private readonly Dictionary<long, Order> _byId = [];
    private readonly List<Order>? _history;
    private readonly HashSet<string> _clientIds = new(StringComparer.Ordinal);
    private readonly List<Order> _scratch = [];
    private readonly List<Order> _batch = [];
    private readonly List<Order> _siblings = [];
    private long _nextId = 1;

    // The earliest expiry among open DAY orders (MaxValue when none): AdvanceTime is a comparison until then.
    private DateTime _nextExpiryUtc = DateTime.MaxValue;

    /// <summary>Creates an exchange that trades <paramref name="symbols"/> for <paramref name="portfolio"/>.</summary>
    public SimulatedExchange(
        ExchangeSettings settings,
        Portfolio portfolio,
        Func<Symbol, IMarketCalendar> calendars,
        IEnumerable<Symbol> symbols)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(calendars);
        ArgumentNullException.ThrowIfNull(symbols);
        _settings = settings;
        _history = settings.KeepOrderHistory ? [] : null;
        _portfolio = portfolio;
        _calendars = calendars;
        foreach (var s in symbols)
        {
            if (_books.Get(s) is null)
            {
                var book = new Book(s, calendars(s)) { LearnsIncrement = settings.Instruments.LearnsFromBars(s) };
                _books.Set(s, book);
                _bookList.Add(book);
            }
        }
    }

    /// <summary>Receives every order event, synchronously, in order.</summary>
    public IOrderEventListener? Listener { get; set; }

    /// <inheritdoc />
    public IReadOnlyList<Order> OpenOrders => _open;

    /// <summary>
    /// Every order ever submitted, in submission order, when <see cref="ExchangeSettings.KeepOrderHistory"/> is on.
    /// </summary>
    /// <exception cref="InvalidOperationException">History is not kept.</exception>
    public IReadOnlyList<Order> AllOrders => _history ?? throw new InvalidOperationException(
        "The exchange keeps no order history: set ExchangeSettings.KeepOrderHistory, or record order events.");

    /// <summary>Number of orders submitted (accepted or rejected).</summary>
    public long SubmittedCount => _nextId - 1;

    /// <inheritdoc />
    /// <remarks>Finds open orders (and finished ones when history is kept).</remarks>
    public Order? Find(long orderId) =>
        _byId.GetValueOrDefault(orderId) ?? (_history is not null && orderId >= 1 && orderId <= _history.Count ? _history[(int)(orderId - 1)] : null);

    /// <summary>The last traded price the exchange saw for <paramref name="symbol"/>, if any.</summary>
    public decimal? LastPrice(Symbol symbol) =>
        _books.Get(symbol) is { HasPrice: true } b ? b.LastPrice : null;

    /// <summary>True when an order decided at <paramref name="decisionTimeUtc"/> would be accepted (market open).</summary>
    public bool IsAcceptingOrders(Symbol symbol, DateTime decisionTimeUtc) =>
        _books.Get(symbol) is { } b && SessionForDecision(b, decisionTimeUtc) is not null;

    /// <inheritdoc />
    public Order Submit(OrderRequest request, DateTime decisionTimeUtc)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Accept(new Order(_nextId++, request.ClientOrderId, request, decisionTimeUtc), request.ClientOrderId, decisionTimeUtc);
    }

    /// <summary>
    /// Submits an order given by its fields, as <see cref="Submit(OrderRequest, DateTime)"/> does a request: the trade
    /// manager's path, which makes no <see cref="OrderRequest"/> (nor OCO group name) unless someone reads it.
    /// </summary>
    /// <remarks>
    /// The parameters are those of <see cref="OrderRequest"/> (no trail: a trailing stop goes as a request), except the
    /// OCO group: <paramref name="ocoEntryId"/> is the entry whose exits form the group <c>oco-{id}</c>, 0 for none.
    /// </remarks>
    internal Order Submit(
        Symbol symbol,
        OrderSide side,
        decimal quantity,
        OrderType type,
        decimal? limitPrice,
        decimal? stopPrice,
        TimeInForce timeInForce,
        string? tag,
        long ocoEntryId,
        DateTime decisionTimeUtc)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (type == OrderType.TrailingStop)
        {
            throw new ArgumentException("A trailing stop is submitted with its request (it carries the trail).", nameof(type));
        }

        return Accept(
            new Order(_nextId++, symbol, side, quantity, type, limitPrice, stopPrice, timeInForce, tag, ocoEntryId, decisionTimeUtc),
            clientOrderId: null,
            decisionTimeUtc);
    }

    private Order Accept(Order order, string? clientOrderId, DateTime decisionTimeUtc)
    {
        _history?.Add(order);

        var reason = Validate(order, clientOrderId, decisionTimeUtc, out var session);
        if (reason != RejectReason.None)
        {
            order.Status = OrderStatus.Rejected;
            order.RejectReason = reason;
            Raise(OrderEventKind.Rejected, order, decisionTimeUtc);
            return order;
        }

        if (clientOrderId is { } clientId)
        {
            _clientIds.Add(clientId); // generated ids are unique by construction
        }

        if (order.TimeInForce == TimeInForce.Day)
        {
            order.ExpiresUtc = session!.Close(_settings.ExtendedHours);
            if (order.ExpiresUtc < _nextExpiryUtc)
            {
                _nextExpiryUtc = order.ExpiresUtc.Value;
            }
        }

        var book = _books.Get(order.Symbol)!;
        if (order.Type == OrderType.TrailingStop)
        {
            order.TrailAnchorPrice = book.LastPrice;
            order.StopPrice = TrailLevel(order, book.LastPrice);
        }

        order.Status = OrderStatus.Working;
        order.AcceptedUtc = decisionTimeUtc;
        _byId.Add(order.Id, order);
        book.Working.Add(order);
        _open.Add(order);
        Raise(OrderEventKind.Accepted, order, decisionTimeUtc);
        return order;
    }

    /// <inheritdoc />
    public bool Cancel(long orderId, DateTime nowUtc)
    {
        if (!_byId.TryGetValue(orderId, out var order) || !order.IsOpen)
        {
            return false;
        }

        Close(order, OrderStatus.Canceled, nowUtc);
        return true;
    }

    /// <inheritdoc />
    public bool Replace(long orderId, decimal? quantity, decimal? limitPrice, decimal? stopPrice, DateTime nowUtc)
    {
        if (!_byId.TryGetValue(orderId, out var order) || !order.IsOpen)
        {
            return false;
        }

        if (quantity is { } q && (q <= order.FilledQuantity || !IsValidQuantity(order.Symbol, q)))
        {
            return false;
        }

        if (limitPrice is <= 0 || stopPrice is <= 0)
        {
            return false;
        }

        if (quantity is { } newQty)
        {
            order.Quantity = newQty;
        }

        order.LimitPrice = limitPrice ?? order.LimitPrice;
        order.StopPrice = stopPrice ?? order.StopPrice;
        order.UpdatedUtc = nowUtc;
        Raise(OrderEventKind.Replaced, order, nowUtc);
        return true;
    }

    /// <inheritdoc />
    /// <remarks>The engine calls it on every cycle: until the next DAY order's expiry it is one comparison, inlined.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AdvanceTime(DateTime nowUtc)
    {
        if (nowUtc >= _nextExpiryUtc)
        {
            ExpireOrders(nowUtc);
        }
    }

    /// <summary>Expires the DAY orders whose expiry is at or before <paramref name="nowUtc"/>.</summary>
    private void ExpireOrders(DateTime nowUtc)
    {
        _scratch.Clear();
        var next = DateTime.MaxValue;
        foreach (var o in _open)
        {
            if (o.ExpiresUtc is { } exp)
            {
                if (exp <= nowUtc)
                {
                    _scratch.Add(o);
                }
                else if (exp < next)
                {
                    next = exp;
                }
            }
        }

        _nextExpiryUtc = next;
        foreach (var o in _scratch)
        {
            Close(o, OrderStatus.Expired, o.ExpiresUtc!.Value);
        }
    }

    /// <inheritdoc />
    public void LiquidateAtLastPrice(DateTime nowUtc, string tag)
    {
        foreach (var o in _open.ToArray())
        {
            Close(o, OrderStatus.Canceled, nowUtc);
        }

        foreach (var book in _bookList)
        {
            var held = _portfolio.QuantityOf(book.Symbol);
            if (held == 0 || !book.HasPrice)
            {
                continue;
            }

            var side = held > 0 ? OrderSide.Sell : OrderSide.Buy;
            var quantity = Math.Abs(held);
            var order = new Order(_nextId++, book.Symbol, side, quantity, OrderType.Market, null, null, TimeInForce.Day, tag, 0, nowUtc)
            {
                Status = OrderStatus.Working,
                AcceptedUtc = nowUtc,
            };
            _history?.Add(order);
            Raise(OrderEventKind.Accepted, order, nowUtc);
            var price = book.LastPrice;
            var commission = _settings.Commission.Compute(quantity, price);
            order.FilledQuantity = quantity;
            order.AverageFillPrice = price;
            order.Commission = commission;
            order.Status = OrderStatus.Filled;
            order.UpdatedUtc = nowUtc;
            Raise(OrderEventKind.Filled, order, nowUtc, new Fill(order.Id, book.Symbol, side, quantity, price, commission, nowUtc, tag, price, price));
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Called for every bar: the usual cases only note the close as the last price and are small enough to inline into
    /// the engine's price update: no order working in the symbol, or (with no expiry due and no increment to learn)
    /// working orders the bar does not reach, e.g. an open position's protective stop on most of its bars. Matching
    /// them would do nothing then (no fill, no trigger, no trail moved), so the match, its session check and its calls
    /// are skipped (<see cref="FillPrices.NoneReached"/>); the rest is <see cref="OnBarWithOrders"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnBar(in Bar bar)
    {
        if (_books.Get(bar.Symbol) is { } book && !book.LearnsIncrement
            && (book.Working.Count == 0 || FillPrices.NoneReached(book.Working, bar, _nextExpiryUtc)))
        {
            book.HasPrice = true;
            book.LastPrice = bar.Close;
            return;
        }

        OnBarWithOrders(bar);
    }

    /// <summary>The bar for a book with working orders or an increment to learn (or a symbol without a book).</summary>
    private void OnBarWithOrders(in Bar bar)
    {
        if (_books.Get(bar.Symbol) is not { } book)
        {
            return;
        }

        if (book.LearnsIncrement)
        {
            _settings.Instruments.Observe(bar);
        }

        book.HasPrice = true;
        if (book.Working.Count > 0)
        {
            // The open is the last price while the bar's orders are matched; with none working only the close is seen.
            book.LastPrice = bar.Open;
            if (bar.Start >= _nextExpiryUtc)
            {
                AdvanceTime(bar.Start);
            }

            if (book.Working.Count > 0 && IsTradable(book, bar.Start))
            {
                book.VolumeUsed = 0;
                MatchBar(book, bar);
            }
        }

        book.LastPrice = bar.Close;
    }

    private void MatchBar(Book book, in Bar bar)
    {
        // Fast path, the common case: protective stops and limits far from the price. Nothing fills, so only
        // trailing stops move. Only when something could fill does the ordered matching below run.
        var anyFill = false;
        var anyTrailing = false;
        var working = book.Working;
        for (var i = 0; i < working.Count; i++)
        {
            var o = working[i];
            if (o.ActiveFromUtc <= bar.Start)
            {
                if (FillPrices.CouldFill(o, bar))
                {
                    anyFill = true;
                    break;
                }

                anyTrailing |= o.Type == OrderType.TrailingStop;
            }
        }

        if (!anyFill)
        {
            for (var i = 0; anyTrailing && i < working.Count; i++)
            {
                var o = working[i];
                if (o.Type == OrderType.TrailingStop && o.ActiveFromUtc <= bar.Start)
                {
                    UpdateTrail(o, bar);
                }
            }

            return;
        }

        // Orders submitted while this bar is processed (exits attached to a fill at the open) may fill on it too:
        // everything in the bar happened after its open. Repeat until a pass adds nothing eligible.
        for (var pass = 0; pass < 4; pass++)
        {
            _scratch.Clear();
            foreach (var o in book.Working)
            {
                if (o.IsOpen && o.ActiveFromUtc <= bar.Start && !book.Matched.Contains(o.Id))
                {
                    _scratch.Add(o);
                }
            }

            if (_scratch.Count == 0)
            {
                break;
            }

            // Market orders first (they fill at the open), then stops (conservative), then limits; then by id.
            _scratch.Sort(static (a, b) =>
            {
                var c = FillPrices.Priority(a.Type).CompareTo(FillPrices.Priority(b.Type));
                return c != 0 ? c : a.Id.CompareTo(b.Id);
            });
            _batch.Clear();
            for (var i = 0; i < _scratch.Count; i++)
            {
                _batch.Add(_scratch[i]);
            }

            foreach (var o in _batch)
            {
                book.Matched.Add(o.Id);
                if (o.IsOpen)
                {
                    TryFill(book, o, bar);
                }
            }
        }

        book.Matched.Clear();
    }

    private void TryFill(Book book, Order order, in Bar bar)
    {
        if (!FillPrices.TryPrice(order, bar, out var price, out var atOpen))
        {
            if (order.Type == OrderType.TrailingStop)
            {
                UpdateTrail(order, bar);
            }

            return;
        }

        var quantity = order.RemainingQuantity;
        if (_settings.MaxVolumeFraction is { } fraction)
        {
            var available = (bar.Volume * fraction) - book.VolumeUsed;
            if (order.Symbol.AssetClass == AssetClass.UsEquity)
            {
                available = Math.Floor(available);
            }

            quantity = Math.Min(quantity, Math.Max(available, 0));
            if (quantity <= 0)
            {
                return;
            }
        }

        price = ApplySlippage(order, price);
        var time = atOpen ? bar.Start : bar.End;

        // Cash accounts cannot go short or spend cash they do not have, even if things changed since submission.
        var commission = _settings.Commission.Compute(quantity, price);
        if (_portfolio.AccountType == AccountType.Cash)
        {
            var held = _portfolio.QuantityOf(order.Symbol);
            if (order.Side == OrderSide.Sell && held - quantity < 0)
            {
                Reject(order, RejectReason.ShortSellingNotAllowed, time);
                return;
            }

            if (order.Side == OrderSide.Buy && held >= 0 && (quantity * price) + commission > _portfolio.Cash)
            {
                Reject(order, RejectReason.InsufficientBuyingPower, time);
                return;
            }
        }

        var firstFill = order.HasNoFillYet;
        var previousFilled = order.FilledQuantity;
        order.FilledQuantity += quantity;
        order.AverageFillPrice = firstFill
            ? ExactDivision.FirstFillAverage(price, order.FilledQuantity) // the same bits as below, for the usual single fill
            : ExactDivision.Divide((order.AverageFillPrice * previousFilled) + (price * quantity), order.FilledQuantity, price);
        order.Commission += commission;
        order.UpdatedUtc = time;
        book.VolumeUsed += quantity;
        book.LastPrice = price; // what an order placed in reaction to this fill is checked against
        var fill = new Fill(order.Id, order.Symbol, order.Side, quantity, price, commission, time, order.Tag, bar.Low, bar.High);
        var done = order.RemainingQuantity == 0;
        order.Status = done ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        if (done)
        {
            RemoveOpen(order);
        }

        Raise(done ? OrderEventKind.Filled : OrderEventKind.PartiallyFilled, order, time, fill);
        ReduceOcoSiblings(order, quantity, time);
    }

    private void ReduceOcoSiblings(Order filled, decimal quantity, DateTime time)
    {
        if (!filled.HasOcoGroup)
        {
            return;
        }

        // The shared list is taken only when free: the listener's reactions to a cancel could come back here.
        var siblings = _siblings.Count == 0 ? _siblings : [];
        foreach (var o in _open)
        {
            if (o.Id != filled.Id && o.SharesOcoGroupWith(filled))
            {
                siblings.Add(o);
            }
        }

        try
        {
            ReduceSiblings(siblings, filled, quantity, time);
        }
        finally
        {
            siblings.Clear();
        }
    }

    private void ReduceSiblings(List<Order> siblings, Order filled, decimal quantity, DateTime time)
    {
        foreach (var s in siblings)
        {
            var remaining = s.RemainingQuantity - quantity;
            if (remaining <= 0 || filled.Status == OrderStatus.Filled)
            {
                Close(s, OrderStatus.Canceled, time);
            }
            else
            {
                s.Quantity -= quantity;
                s.UpdatedUtc = time;
                Raise(OrderEventKind.Replaced, s, time);
            }
        }
    }

    private decimal ApplySlippage(Order order, decimal price)
    {
        if (_settings.SlippageBps == 0 || order.Type is OrderType.Limit or OrderType.StopLimit)
        {
            return price;
        }

        var factor = _settings.SlippageBps / 10000m;
        return order.Side == OrderSide.Buy ? price * (1 + factor) : price * (1 - factor);
    }

    private void UpdateTrail(Order order, in Bar bar)
    {
        // Checked against the level from before this bar, then the bar's best price moves the anchor.
        var best = order.Side == OrderSide.Sell ? bar.High : bar.Low;
        var anchor = order.TrailAnchorPrice ?? best;
        var better = order.Side == OrderSide.Sell ? best > anchor : best < anchor;
        if (better)
        {
            order.TrailAnchorPrice = best;
            order.StopPrice = TrailLevel(order, best);
        }
    }

    private decimal TrailLevel(Order order, decimal anchor)
    {
        // Rounded to the instrument's increment away from the market, as the trade manager rounds fixed stops.
        var pct = order.TrailPercent!.Value / 100m;
        return order.Side == OrderSide.Sell
            ? _settings.Instruments.RoundPrice(order.Symbol, anchor * (1 - pct), PriceRounding.Down)
            : _settings.Instruments.RoundPrice(order.Symbol, anchor * (1 + pct), PriceRounding.Up);
    }

    private void Reject(Order order, RejectReason reason, DateTime time)
    {
        order.RejectReason = reason;
        Close(order, OrderStatus.Rejected, time);
    }

    private void Close(Order order, OrderStatus status, DateTime time)
    {
        order.Status = status;
        order.UpdatedUtc = time;
        RemoveOpen(order);
        Raise(
            status switch
            {
                OrderStatus.Canceled => OrderEventKind.Canceled,
                OrderStatus.Expired => OrderEventKind.Expired,
                _ => OrderEventKind.Rejected,
            },
            order,
            time);
    }

    private void RemoveOpen(Order order)
    {
        _byId.Remove(order.Id);
        RemoveSame(_open, order);
        RemoveSame(_books.Get(order.Symbol)!.Working, order);
    }

    /// <summary>
    /// Removes <paramref name="order"/> (this very object) keeping the others' order. <see cref="List{T}.Remove"/> would
    /// compare through the default equality comparer, a shared-generic lookup per element on every order closed.
    /// </summary>
    private static void RemoveSame(List<Order> orders, Order order)
    {
        for (var i = 0; i < orders.Count; i++)
        {
            if (ReferenceEquals(orders[i], order))
            {
                orders.RemoveAt(i);
                return;
            }
        }
    }

    private void Raise(OrderEventKind kind, Order order, DateTime time, Fill? fill = null)
    {
        Listener?.OnOrderEvent(new OrderEvent(kind, order, time, fill));
    }
}
