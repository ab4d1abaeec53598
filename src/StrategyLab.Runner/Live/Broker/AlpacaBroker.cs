using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Execution;
using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Runner.Live.Broker;

/// <summary>
/// Alpaca as the venue of a live run. The engine's calls return at once and do no I/O: <see cref="Submit"/> makes the
/// order (working, not yet acknowledged) and queues it for a background sender; cancels and replaces are queued the same
/// way, and one sender sends them all in order. Everything Alpaca says (submit answers, <c>trade_updates</c>, and the
/// orders listed after each stream reconnect) is queued as <see cref="BrokerReport"/>s and applied to the orders on the
/// engine's thread by <see cref="DrainEvents"/>, through <see cref="BrokerOrderBook"/>: the same order events as the
/// simulated exchange raises.
/// </summary>
/// <remarks>
/// <para>Every order's <c>client_order_id</c> is <see cref="AlpacaClientOrderId.For"/>(run, order id): a resend after a
/// timeout or a restart cannot make a second order (Alpaca refuses the duplicate; the client reads the first back).</para>
/// <para>Fills are applied from cumulative quantities per broker order, so a fill seen both on the stream and in a
/// reconciliation counts once.</para>
/// <para>Stop-loss, take-profit and trailing exits are the trade manager's own orders, sent as simple Alpaca orders; their
/// OCO group is emulated here (a fill reduces the siblings by the filled quantity, and cancels them at zero), not with
/// Alpaca's bracket/OCO classes, so every venue protects positions the same way.</para>
/// </remarks>
public sealed partial class AlpacaBroker : ILiveVenue, IBrokerAccount, IResumableVenue
{
    private readonly AlpacaTradingClient _client;
    private readonly AlpacaTradeStream _stream;
    private readonly AlpacaOptions _options;
    private readonly string _runId;
    private readonly ILogger _logger;
    private readonly AlpacaBrokerSettings _settings;
    private readonly BrokerOrderBook _book = new();
    private readonly ConcurrentDictionary<string, Tracked> _byClientId = new(StringComparer.Ordinal);
    private readonly Channel<Command> _outbox = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<BrokerReport> _inbox = Channel.CreateUnbounded<BrokerReport>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private Task _sender = Task.CompletedTask;
    private Task _reader = Task.CompletedTask;
    private DateTime _connectedUtc;
    private bool _connected;
    private bool _catchingUp;
    private DateTime? _resumedUtc;

    /// <summary>Creates the adapter; nothing is sent before <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Keys and endpoints (validated by the clients).</param>
    /// <param name="runId">The run's id: the stem of every client order id (the run folder's name).</param>
    /// <param name="loggers">Logging (never a key).</param>
    /// <param name="settings">Retry settings; null for the defaults.</param>
    public AlpacaBroker(AlpacaOptions options, string runId, ILoggerFactory loggers, AlpacaBrokerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _runId = runId;
        _settings = settings ?? new AlpacaBrokerSettings();
        _logger = loggers.CreateLogger("StrategyLab.Broker");
        _client = new AlpacaTradingClient(options, loggers.CreateLogger("StrategyLab.Broker.Alpaca"));
        _stream = new AlpacaTradeStream(options, loggers.CreateLogger("StrategyLab.Broker.Alpaca.Stream"));
    }

    /// <inheritdoc cref="IBrokerAccount.Name" />
    public string Name => _options.Live ? "alpaca-live" : "alpaca-paper";

    /// <inheritdoc />
    public IOrderEventListener? Listener
    {
        get => _book.Listener;
        set => _book.Listener = value;
    }

    /// <inheritdoc />
    public IReadOnlyList<Order> OpenOrders => _book.OpenOrders;

    /// <summary>Reports applied so far (stream, answers and reconciliation; duplicates included).</summary>
    public long ReportsApplied { get; private set; }

    /// <summary>Reconciliations run after a stream reconnect.</summary>
    public int Reconciliations => Volatile.Read(ref _reconciliations);

    private int _reconciliations;

    /// <inheritdoc />
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connected)
        {
            return;
        }

        var account = await _client.GetAccountAsync(cancellationToken).ConfigureAwait(false);
        await _stream.StartAsync(cancellationToken).ConfigureAwait(false);
        _connectedUtc = DateTime.UtcNow; // the broker's clock, not the engine's: "since" is compared with Alpaca's timestamps
        _connected = true;
        _logger.LogInformation(
            BrokerEvents.Connected,
            "{Broker}: {Mode} at {Url}, account {Status}, cash {Cash} {Currency}",
            Name,
            _options.Live ? "LIVE trading" : "paper trading",
            _options.EffectiveTradingUrl.GetLeftPart(UriPartial.Authority),
            account.Status,
            account.Cash,
            account.Currency);
        _sender = Task.Run(() => SendLoopAsync(_stop.Token), CancellationToken.None);
        _reader = Task.Run(() => ReadLoopAsync(_stop.Token), CancellationToken.None);
        if (_resumedUtc is { } resumed)
        {
            // A resumed run reconciled before the stream was up: what changed in between comes in now (fills are cumulative).
            _outbox.Writer.TryWrite(new ReconcileCommand(resumed));
        }
    }

    /// <inheritdoc />
    public Order Submit(OrderRequest request, DateTime decisionTimeUtc)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clientOrderId = request.ClientOrderId ?? AlpacaClientOrderId.For(_runId, _book.NextId); // the journal names orders when it is in front
        var order = _book.Create(request, clientOrderId, decisionTimeUtc);
        var reason = AlpacaOrderMapping.Check(request);
        if (reason != RejectReason.None)
        {
            _book.Reject(order, reason, decisionTimeUtc);
            return order;
        }

        var tracked = new Tracked(order, clientOrderId);
        _byClientId[clientOrderId] = tracked;
        _logger.LogInformation(
            BrokerEvents.OrderSubmitted,
            "#{OrderId} {ClientOrderId} {Side} {Quantity} {Symbol} {Type} ({Tag})",
            order.Id,
            clientOrderId,
            order.Side,
            order.Quantity,
            order.Symbol,
            order.Type,
            order.Tag);
        if (!_catchingUp)
        {
            _outbox.Writer.TryWrite(new SendCommand(tracked, AlpacaOrderMapping.ToAlpaca(order, clientOrderId)));
        }

        return order;
    }

    /// <inheritdoc />
    /// <remarks>The order stays open until Alpaca confirms the cancel (it may fill first: the fill then counts).</remarks>
    public bool Cancel(long orderId, DateTime nowUtc)
    {
        if (_book.Find(orderId) is not { IsOpen: true } order || !_byClientId.TryGetValue(order.ClientOrderId, out var tracked))
        {
            return false;
        }

        if (!tracked.CancelRequested)
        {
            tracked.CancelRequested = true;
            if (!_catchingUp)
            {
                _outbox.Writer.TryWrite(new CancelCommand(tracked));
            }
        }

        return true;
    }

    /// <inheritdoc />
    /// <remarks>The change is made at once (as the simulated exchange does) and sent as Alpaca's replace.</remarks>
    public bool Replace(long orderId, decimal? quantity, decimal? limitPrice, decimal? stopPrice, DateTime nowUtc)
    {
        if (_book.Find(orderId) is not { IsOpen: true } order || !_byClientId.TryGetValue(order.ClientOrderId, out var tracked) || tracked.CancelRequested)
        {
            return false;
        }

        if ((quantity is { } q && q <= order.FilledQuantity) || limitPrice is <= 0 || stopPrice is <= 0)
        {
            return false;
        }

        _book.Change(order, quantity, limitPrice, stopPrice, nowUtc);
        var replacementId = AlpacaOrderMapping.ReplacementId(tracked.ClientOrderId, ++tracked.Replacements);
        _byClientId[replacementId] = tracked; // known before it is sent: its events may come before the answer
        if (!_catchingUp)
        {
            _outbox.Writer.TryWrite(new ReplaceCommand(tracked, replacementId, quantity, limitPrice, stopPrice));
        }

        return true;
    }

    /// <inheritdoc />
    public Order? Find(long orderId) => _book.Find(orderId);

    /// <inheritdoc />
    public int DrainEvents(DateTime nowUtc)
    {
        var applied = 0;
        while (_inbox.Reader.TryRead(out var report))
        {
            Apply(report, report.TimeUtc < nowUtc ? report.TimeUtc : nowUtc);
            applied++;
        }

        ReportsApplied += applied;
        return applied;
    }

    /// <inheritdoc />
    public void BeginCatchUp()
    {
        if (_connected)
        {
            throw new InvalidOperationException("A broker that is already connected cannot catch up.");
        }

        _catchingUp = true;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A fill that names its broker order (<see cref="JournalledOrderEvent.Venue"/>) counts against that broker order with
    /// that order's own cumulative fill, exactly as Alpaca's report of it did: a replacement's later fills then apply in
    /// full and the original's never count again. An order with a journalled fill that names none (a journal written
    /// before fills named it) keeps the old count for all its fills: under its client order id during the catch-up, moved
    /// to its latest broker order by <see cref="EndCatchUpAsync"/>.
    /// </remarks>
    public void ApplyJournalled(JournalledOrderEvent orderEvent)
    {
        ArgumentNullException.ThrowIfNull(orderEvent);
        if (!_byClientId.TryGetValue(orderEvent.ClientOrderId, out var tracked))
        {
            return;
        }

        if (orderEvent.Venue is { } venue && !tracked.UnattributedFills)
        {
            _byClientId.TryAdd(venue.VenueClientOrderId, tracked);
            Apply(
                new BrokerReport(venue.VenueClientOrderId, venue.VenueOrderId, orderEvent.Status, venue.FilledQuantity, orderEvent.Price, orderEvent.Price, orderEvent.Quantity, orderEvent.TimeUtc, FromReconcile: !_catchingUp),
                orderEvent.TimeUtc);
            return;
        }

        tracked.UnattributedFills |= orderEvent.Quantity is > 0;

        // While catching up, journalled fills are counted under the client order id; EndCatchUpAsync moves the count to
        // Alpaca's id of the order, so a report of the same fill from Alpaca later applies nothing twice.
        var key = _catchingUp ? tracked.ClientOrderId : tracked.BrokerOrderId ?? tracked.ClientOrderId;
        Apply(
            new BrokerReport(orderEvent.ClientOrderId, key, orderEvent.Status, orderEvent.FilledQuantity, orderEvent.Price, orderEvent.Price, orderEvent.Quantity, orderEvent.TimeUtc, FromReconcile: !_catchingUp),
            orderEvent.TimeUtc,
            namesVenueOrder: false);
    }

    /// <inheritdoc />
    public async Task EndCatchUpAsync(CancellationToken cancellationToken)
    {
        _catchingUp = false;
        var resent = 0;
        foreach (var tracked in _byClientId.Values.Distinct().Where(t => t.Order.IsOpen).OrderBy(t => t.Order.Id).ToList())
        {
            var order = tracked.Order;
            var latest = tracked.Replacements > 0 ? AlpacaOrderMapping.ReplacementId(tracked.ClientOrderId, tracked.Replacements) : tracked.ClientOrderId;
            var found = await _client.GetOrderByClientOrderIdAsync(latest, cancellationToken).ConfigureAwait(false);
            if (found is null && tracked.Replacements > 0)
            {
                found = await _client.GetOrderByClientOrderIdAsync(tracked.ClientOrderId, cancellationToken).ConfigureAwait(false);
            }

            if (found is null)
            {
                // Journalled, never sent (the process died before the sender got to it): send it now, same id.
                resent++;
                _outbox.Writer.TryWrite(new SendCommand(tracked, AlpacaOrderMapping.ToAlpaca(order, tracked.ClientOrderId)));
                continue;
            }

            tracked.BrokerOrderId = found.Id;
            _book.MoveAppliedFills(tracked.ClientOrderId, found.Id);
            if (found.ClientOrderId != latest && !found.IsTerminal)
            {
                resent++;
                _outbox.Writer.TryWrite(new ReplaceCommand(tracked, latest, order.Quantity, order.LimitPrice, order.StopPrice));
            }

            if (tracked.CancelRequested && !found.IsTerminal)
            {
                resent++;
                _outbox.Writer.TryWrite(new CancelCommand(tracked));
            }
        }

        _resumedUtc = DateTime.UtcNow.AddSeconds(-1); // Alpaca's clock: the reconciliation at connect lists what changed since
        _logger.LogInformation(BrokerEvents.Reconciled, "{Broker}: caught up; {Open} open order(s), {Resent} request(s) to send again", Name, _book.OpenOrders.Count, resent);
    }

    /// <inheritdoc />
    public ValueTask<bool> WaitForEventsAsync(CancellationToken cancellationToken) => _inbox.Reader.WaitToReadAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<BrokerOrderSnapshot>> OrdersChangedSinceAsync(DateTime sinceUtc, CancellationToken cancellationToken)
    {
        var tracked = _byClientId.Values.Where(t => t.Order.IsOpen && t.BrokerOrderId is not null).Select(t => t.BrokerOrderId!).ToList();
        var orders = await _client.ListOrdersChangedSinceAsync(sinceUtc.AddTicks(-1), tracked, cancellationToken).ConfigureAwait(false);
        return [.. orders.Select(Snapshot)];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BrokerOrderSnapshot>> OpenOrdersAsync(CancellationToken cancellationToken) =>
        [.. (await _client.ListOrdersAsync(new AlpacaOrderQuery { Status = "open" }, cancellationToken).ConfigureAwait(false)).Select(Snapshot)];

    /// <inheritdoc />
    public async Task<IReadOnlyList<BrokerPositionSnapshot>> PositionsAsync(CancellationToken cancellationToken) =>
        [.. (await _client.ListPositionsAsync(cancellationToken).ConfigureAwait(false)).Select(p => new BrokerPositionSnapshot(p.Symbol, p.Quantity, p.AverageEntryPrice))];

    /// <inheritdoc />
    public async Task<BrokerOrderSnapshot?> OrderAsync(string clientOrderId, CancellationToken cancellationToken) =>
        await _client.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken).ConfigureAwait(false) is { } o ? Snapshot(o) : null;

    /// <inheritdoc />
    public async Task<bool> CancelAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        var order = await _client.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken).ConfigureAwait(false);
        return order is { IsTerminal: false } && await _client.CancelOrderAsync(order.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends what is still queued (cancels at the stop included, within a timeout), then closes the stream.</summary>
    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        if (_connected)
        {
            // Real time: this bounds network work, whatever clock the run uses.
            await Task.WhenAny(_sender, Task.Delay(_settings.StopTimeout, CancellationToken.None)).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_sender, _reader).ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
        _stop.Dispose();
        _inbox.Writer.TryComplete();
        _logger.LogInformation(BrokerEvents.Stopped, "{Broker}: {Reports} report(s) applied, {Reconciliations} reconciliation(s)", Name, ReportsApplied, Reconciliations);
    }

    private static BrokerOrderSnapshot Snapshot(AlpacaOrder o) =>
        new(o.ClientOrderId, o.Id, o.Symbol, o.Side == "buy", o.Quantity ?? 0m, o.FilledQuantity, o.FilledAveragePrice, o.Status, o.UpdatedAtUtc, o.FilledAtUtc);

    /// <summary>Applies one report on the engine's thread.</summary>
    /// <param name="report">What the broker said.</param>
    /// <param name="timeUtc">The engine's time of it.</param>
    /// <param name="namesVenueOrder">False when the report's broker id is only the key its count is kept under (an old journal's fill).</param>
    private void Apply(BrokerReport report, DateTime timeUtc, bool namesVenueOrder = true)
    {
        if (!_byClientId.TryGetValue(report.ClientOrderId, out var tracked))
        {
            _logger.LogDebug(BrokerEvents.ForeignOrder, "{ClientOrderId} ({Status}) was not sent by this run: ignored", report.ClientOrderId, report.Status);
            return;
        }

        var order = tracked.Order;
        if (report.Status == "replaced")
        {
            tracked.Superseded.Add(report.BrokerOrderId);
        }

        if (report.Status != "rejected")
        {
            _book.Accept(order, timeUtc);
        }

        if (!_catchingUp && tracked.Replacements == 0 && report.BrokerOrderId != tracked.ClientOrderId)
        {
            // After a resume, the journalled fills of an order that was no longer open when the catch-up ended are still
            // counted under its client id (EndCatchUpAsync looks up only the open ones at Alpaca): the first report
            // under Alpaca's id takes the count over, so a fill the journal holds is never applied twice.
            _book.MoveAppliedFills(tracked.ClientOrderId, report.BrokerOrderId);
        }

        if (report.FilledQuantity > 0 && report.AveragePrice is { } average)
        {
            var fill = _book.ApplyCumulativeFill(
                order, report.BrokerOrderId, report.FilledQuantity, average, report.LastPrice, report.LastQuantity, timeUtc, namesVenueOrder ? report.ClientOrderId : null);
            if (fill is { } f)
            {
                if (report.FromReconcile)
                {
                    _logger.LogWarning(BrokerEvents.MissedFill, "#{OrderId} {ClientOrderId}: {Quantity} @ {Price} filled while the stream was down", order.Id, report.ClientOrderId, f.Quantity, f.Price);
                }

                ReduceOcoSiblings(order, f.Quantity, timeUtc);
            }
        }

        if (tracked.Superseded.Contains(report.BrokerOrderId))
        {
            return; // the replaced order's end is not the order's end: its replacement carries on
        }

        switch (report.Status)
        {
            case "canceled":
                _book.Close(order, OrderStatus.Canceled, timeUtc);
                break;
            case "expired":
                _book.Close(order, OrderStatus.Expired, timeUtc);
                break;
            case "rejected":
                _logger.LogWarning(BrokerEvents.OrderRejected, "#{OrderId} {ClientOrderId}: {Message}", order.Id, report.ClientOrderId, report.Message ?? "rejected by Alpaca");
                _book.Reject(order, RejectReason.BrokerRejected, timeUtc);
                break;
        }
    }

    /// <summary>The OCO emulation: a fill of one exit reduces the others by the quantity filled, and cancels them at zero.</summary>
    private void ReduceOcoSiblings(Order filled, decimal quantity, DateTime timeUtc)
    {
        if (filled.OcoGroup is not { } group)
        {
            return;
        }

        foreach (var sibling in _book.OpenOrders.Where(o => o.Id != filled.Id && string.Equals(o.OcoGroup, group, StringComparison.Ordinal)).ToList())
        {
            var left = sibling.Quantity - quantity;
            if (left <= sibling.FilledQuantity)
            {
                Cancel(sibling.Id, timeUtc);
            }
            else
            {
                Replace(sibling.Id, left, null, null, timeUtc);
            }
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var e in _stream.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (e)
                {
                    case AlpacaTradeUpdateEvent u:
                        _inbox.Writer.TryWrite(BrokerReport.Of(u.Update));
                        break;
                    case AlpacaStreamReconnectedEvent r:
                        // Through the sender, so it cannot overtake a send queued before it.
                        _outbox.Writer.TryWrite(new ReconcileCommand(r.LastEventUtc ?? _connectedUtc));
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var command in _outbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await ExecuteAsync(command, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception e) when ((e is AlpacaApiException { OutcomeUnknown: true } or HttpRequestException or TimeoutException) && attempt < _settings.SendAttempts)
                    {
                        // Alpaca's 429/5xx were already retried by the client: this is a longer outage. The same client
                        // order id goes again, so a resend cannot make a second order.
                        _logger.LogWarning(BrokerEvents.SendFailed, "{Command} failed (attempt {Attempt}): {Error}; retrying", command, attempt, _client.Redactor.Redact(e.Message));
                        await Task.Delay(_settings.RetryDelay, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is AlpacaApiException or HttpRequestException or TimeoutException)
                    {
                        _logger.LogError(BrokerEvents.SendFailed, "{Command} failed: {Error}", command, _client.Redactor.Redact(e.Message));
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ExecuteAsync(Command command, CancellationToken cancellationToken)
    {
        switch (command)
        {
            case SendCommand send:
                await SendAsync(send, cancellationToken).ConfigureAwait(false);
                break;
            case CancelCommand cancel:
                var id = cancel.Tracked.BrokerOrderId
                    ?? (await _client.GetOrderByClientOrderIdAsync(cancel.Tracked.ClientOrderId, cancellationToken).ConfigureAwait(false))?.Id;
                if (id is null)
                {
                    return; // never reached Alpaca (its send failed for good): nothing to cancel
                }

                var accepted = await _client.CancelOrderAsync(id, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation(BrokerEvents.CancelSent, "{ClientOrderId}: cancel {Outcome}", cancel.Tracked.ClientOrderId, accepted ? "accepted" : "refused (already done)");
                break;
            case ReplaceCommand replace:
                if (replace.Tracked.BrokerOrderId is not { } current)
                {
                    return;
                }

                try
                {
                    var fresh = await _client.ReplaceOrderAsync(
                        current,
                        new AlpacaReplaceRequest(replace.ClientOrderId) { Quantity = replace.Quantity, LimitPrice = replace.LimitPrice, StopPrice = replace.StopPrice },
                        cancellationToken).ConfigureAwait(false);
                    replace.Tracked.BrokerOrderId = fresh.Id;
                    _inbox.Writer.TryWrite(BrokerReport.Of(fresh));
                    _logger.LogInformation(BrokerEvents.ReplaceSent, "{ClientOrderId} replaces {Old}", replace.ClientOrderId, replace.Tracked.ClientOrderId);
                }
                catch (AlpacaApiException e) when (!e.OutcomeUnknown)
                {
                    // Already filled or canceled: its own event says what happened.
                    _logger.LogWarning(BrokerEvents.SendFailed, "replace of {ClientOrderId} refused: {Error}", replace.Tracked.ClientOrderId, _client.Redactor.Redact(e.Message));
                }

                break;
            case ReconcileCommand reconcile:
                var open = _byClientId.Values.Where(t => t.BrokerOrderId is not null).Select(t => t.BrokerOrderId!).Distinct().ToList();
                var changed = await _client.ListOrdersChangedSinceAsync(reconcile.SinceUtc, open, cancellationToken).ConfigureAwait(false);
                foreach (var o in changed)
                {
                    _inbox.Writer.TryWrite(BrokerReport.Of(o, fromReconcile: true));
                }

                Interlocked.Increment(ref _reconciliations);
                _logger.LogInformation(BrokerEvents.Reconciled, "{Count} order(s) changed since {Since:O}", changed.Count, reconcile.SinceUtc);
                break;
        }
    }

    private async Task SendAsync(SendCommand send, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _client.SubmitOrderAsync(send.Request, cancellationToken).ConfigureAwait(false);
            send.Tracked.BrokerOrderId = result.Order.Id;
            _logger.LogInformation(
                result.AlreadySent ? BrokerEvents.OrderAlreadySent : BrokerEvents.OrderAcknowledged,
                "{ClientOrderId} is {BrokerOrderId} ({Status})",
                send.Request.ClientOrderId,
                result.Order.Id,
                result.Order.Status);
            _inbox.Writer.TryWrite(BrokerReport.Of(result.Order));
        }
        catch (AlpacaApiException e) when (!e.OutcomeUnknown)
        {
            // Refused (buying power, bad price, unknown asset...): the order never existed at Alpaca.
            _inbox.Writer.TryWrite(new BrokerReport(send.Request.ClientOrderId, string.Empty, "rejected", 0m, null, null, null, DateTime.UtcNow, Message: _client.Redactor.Redact(e.Message)));
        }
    }
}
