using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// Puts a venue behind the journal. Every order request is journalled (<c>order_request</c>, with its deterministic
/// client order id <c>sl-{run}-{n}</c>) before it reaches the venue, every cancel and replace as an <c>intent</c> before
/// it is sent, and every venue event as it arrives, before the engine acts on it: acknowledgements (<c>broker_ack</c>),
/// executions (<c>fill</c>, naming the broker order it came from when there is one; then a <c>position</c> row once the
/// portfolio holds it), cancels, expiries and rejections
/// (<c>cancel</c>). Works for any <see cref="IExecutionVenue"/> whose events reach <see cref="OnOrderEvent"/>.
/// </summary>
public sealed class JournalingVenue : IBarDrivenVenue, ISplitAwareVenue, IOrderEventListener
{
    private readonly IExecutionVenue _inner;
    private readonly IBarDrivenVenue? _bars;
    private readonly JournalWriter _writer;
    private readonly Portfolio _portfolio;
    private readonly string _runId;
    private readonly ILogger _logger;
    private long _sequence;

    /// <summary>Journals what goes to and comes from <paramref name="inner"/>.</summary>
    /// <param name="inner">The venue; its events must be delivered to this object.</param>
    /// <param name="writer">The journal.</param>
    /// <param name="portfolio">The account (position rows after fills).</param>
    /// <param name="runId">The run's id (its folder name): the stem of the client order ids.</param>
    /// <param name="logger">Where order mismatches of a resumed run are reported.</param>
    public JournalingVenue(IExecutionVenue inner, JournalWriter writer, Portfolio portfolio, string runId, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(logger);
        _inner = inner;
        _bars = inner as IBarDrivenVenue;
        _writer = writer;
        _portfolio = portfolio;
        _runId = runId;
        _logger = logger;
    }

    /// <summary>Receives the venue's events after they are journalled (the engine).</summary>
    public IOrderEventListener? Downstream { get; set; }

    /// <summary>Orders whose re-derived request differed from the journalled one (a resumed run).</summary>
    public int Mismatches { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<Order> OpenOrders => _inner.OpenOrders;

    /// <inheritdoc />
    public Order? Find(long orderId) => _inner.Find(orderId);

    /// <summary>The client order id of the <paramref name="sequence"/>-th order of run <paramref name="runId"/>.</summary>
    public static string ClientOrderIdFor(string runId, long sequence) => AlpacaClientOrderId.For(runId, sequence);

    /// <inheritdoc />
    public Order Submit(OrderRequest request, DateTime decisionTimeUtc)
    {
        ArgumentNullException.ThrowIfNull(request);
        _sequence++;
        var id = request.ClientOrderId ?? ClientOrderIdFor(_runId, _sequence);
        request = request with { ClientOrderId = id };
        var written = _writer.Write(
            JournalEventKind.OrderRequest,
            new
            {
                seq = _sequence,
                side = request.Side == OrderSide.Buy ? "buy" : "sell",
                qty = Text(request.Quantity),
                type = request.Type.ToString(),
                limitPrice = Text(request.LimitPrice),
                stopPrice = Text(request.StopPrice),
                trailPercent = Text(request.TrailPercent),
                tif = request.TimeInForce.ToString(),
                tag = request.Tag,
                oco = request.OcoGroup,
                timeUtc = Time(decisionTimeUtc),
            },
            request.Symbol.Ticker,
            id,
            orderStatus: "pending_new",
            marketTimeUtc: decisionTimeUtc);
        if (!written)
        {
            Verify(request, id);
        }

        return _inner.Submit(request, decisionTimeUtc);
    }

    /// <inheritdoc />
    public bool Cancel(long orderId, DateTime nowUtc)
    {
        if (_inner.Find(orderId) is { IsOpen: true } o)
        {
            _writer.Write(JournalEventKind.Intent, new { action = "cancel", orderId, timeUtc = Time(nowUtc) }, o.Symbol.Ticker, o.ClientOrderId, marketTimeUtc: nowUtc);
        }

        return _inner.Cancel(orderId, nowUtc);
    }

    /// <inheritdoc />
    public bool Replace(long orderId, decimal? quantity, decimal? limitPrice, decimal? stopPrice, DateTime nowUtc)
    {
        if (_inner.Find(orderId) is { IsOpen: true } o)
        {
            _writer.Write(
                JournalEventKind.Intent,
                new { action = "replace", orderId, qty = Text(quantity), limitPrice = Text(limitPrice), stopPrice = Text(stopPrice), timeUtc = Time(nowUtc) },
                o.Symbol.Ticker,
                o.ClientOrderId,
                marketTimeUtc: nowUtc);
        }

        return _inner.Replace(orderId, quantity, limitPrice, stopPrice, nowUtc);
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar) => _bars?.OnBar(bar);

    /// <inheritdoc />
    public void AdvanceTime(DateTime nowUtc) => _bars?.AdvanceTime(nowUtc);

    /// <inheritdoc />
    public void LiquidateAtLastPrice(DateTime nowUtc, string tag) => _bars?.LiquidateAtLastPrice(nowUtc, tag);

    /// <inheritdoc />
    public int ApplySplit(Symbol symbol, decimal ratio, DateTime nowUtc) =>
        _inner is ISplitAwareVenue splits ? splits.ApplySplit(symbol, ratio, nowUtc) : 0;

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        var o = orderEvent.Order;
        var symbol = o.Symbol.Ticker;
        var broker = o.Id.ToString(CultureInfo.InvariantCulture);
        var time = Time(orderEvent.TimeUtc);
        switch (orderEvent.Kind)
        {
            case OrderEventKind.Accepted or OrderEventKind.Replaced or OrderEventKind.Triggered:
                _writer.Write(
                    JournalEventKind.BrokerAck,
                    new { @event = orderEvent.Kind.ToString().ToLowerInvariant(), qty = Text(o.Quantity), limitPrice = Text(o.LimitPrice), stopPrice = Text(o.StopPrice), timeUtc = time },
                    symbol,
                    o.ClientOrderId,
                    broker,
                    orderEvent.Kind == OrderEventKind.Triggered ? null : "new",
                    orderEvent.TimeUtc);
                break;
            case OrderEventKind.PartiallyFilled or OrderEventKind.Filled when orderEvent.Fill is { } f:
                // A broker's fill names the broker order it came from and that order's own cumulative fill (a replaced
                // order is several broker orders), so a resumed run counts each against the right one.
                object payload = orderEvent.Venue is { } v
                    ? new
                    {
                        qty = Text(f.Quantity), price = Text(f.Price), commission = Text(f.Commission), filledQty = Text(o.FilledQuantity), tag = f.Tag, timeUtc = time,
                        venueOrderId = v.VenueOrderId, venueClientOrderId = v.VenueClientOrderId, venueFilledQty = Text(v.FilledQuantity),
                    }
                    : new { qty = Text(f.Quantity), price = Text(f.Price), commission = Text(f.Commission), filledQty = Text(o.FilledQuantity), tag = f.Tag, timeUtc = time };
                _writer.Write(
                    JournalEventKind.Fill,
                    payload,
                    symbol,
                    o.ClientOrderId,
                    broker,
                    orderEvent.Kind == OrderEventKind.Filled ? "filled" : "partially_filled",
                    orderEvent.TimeUtc);
                break;
            case OrderEventKind.Canceled or OrderEventKind.Expired or OrderEventKind.Rejected:
                _writer.Write(
                    JournalEventKind.Cancel,
                    new { @event = orderEvent.Kind.ToString().ToLowerInvariant(), filledQty = Text(o.FilledQuantity), reason = o.RejectReason.ToString(), timeUtc = time },
                    symbol,
                    o.ClientOrderId,
                    broker,
                    orderEvent.Kind switch { OrderEventKind.Canceled => "canceled", OrderEventKind.Expired => "expired", _ => "rejected" },
                    orderEvent.TimeUtc);
                break;
        }

        Downstream?.OnOrderEvent(orderEvent);
        if (orderEvent.Fill is not null)
        {
            // After the engine applied the fill: the portfolio now holds the position the row states.
            var p = _portfolio.GetPosition(o.Symbol);
            _writer.Write(
                JournalEventKind.Position,
                new { qty = Text(p?.Quantity ?? 0m), avgEntryPrice = Text(p?.AveragePrice ?? 0m), timeUtc = time },
                symbol);
        }
    }

    private void Verify(OrderRequest request, string id)
    {
        if (!_writer.Resumed.Orders.TryGetValue(id, out var journalled))
        {
            return;
        }

        if (journalled.Symbol != request.Symbol.Ticker || journalled.IsBuy != (request.Side == OrderSide.Buy) || journalled.RequestedQuantity != request.Quantity)
        {
            Mismatches++;
            _logger.LogWarning(
                ReconcileEvents.OrderMismatch,
                "order {ClientOrderId}: journalled as {JSide} {JQty} {JSymbol}, re-derived as {Side} {Qty} {Symbol}; the journalled one stands",
                id,
                journalled.IsBuy ? "buy" : "sell",
                journalled.RequestedQuantity,
                journalled.Symbol,
                request.Side == OrderSide.Buy ? "buy" : "sell",
                request.Quantity,
                request.Symbol.Ticker);
            _writer.Write(
                JournalEventKind.Reconcile,
                new { @event = "order.mismatch", side = request.Side == OrderSide.Buy ? "buy" : "sell", qty = Text(request.Quantity), symbol = request.Symbol.Ticker },
                request.Symbol.Ticker,
                id);
        }
    }

    private static string? Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
