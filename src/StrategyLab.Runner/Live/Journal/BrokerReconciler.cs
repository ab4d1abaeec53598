using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Runner.Live.Broker;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>What a reconciliation found.</summary>
/// <param name="Adopted">Our orders the broker filled, cancelled or otherwise moved while we were away (journalled now).</param>
/// <param name="Unknown">Broker orders the journal does not know (reported, left alone).</param>
/// <param name="Missing">Orders the journal has open that the broker does not report.</param>
/// <param name="PositionMismatches">Symbols whose journalled position differed from the broker's (the broker's adopted).</param>
public sealed record ReconcileReport(int Adopted, int Unknown, int Missing, int PositionMismatches)
{
    /// <summary>True when the journal and the broker agreed on everything.</summary>
    public bool IsClean => Adopted == 0 && Unknown == 0 && Missing == 0 && PositionMismatches == 0;
}

/// <summary>
/// Compares a replayed journal with what the broker reports after a restart or a reconnect, and makes the journal
/// agree: fills the broker made while the process was down are journalled (<c>fill</c> + <c>position</c> rows), orders
/// it ended are journalled as ended, positions that still differ take the broker's quantity. Every difference is a
/// <c>reconcile.*</c> log event and a <c>reconcile</c> row. It cancels nothing: an order the journal does not know
/// (placed by hand, or by another program) is reported and left alone.
/// </summary>
/// <remarks>
/// An adopted fill is journalled at the broker's average fill price of the order (the broker reports no per-fill
/// prices in an order snapshot); the quantity is exact.
/// </remarks>
public sealed class BrokerReconciler(IBrokerAccount broker, LiveJournal journal, ILogger logger)
{
    /// <summary>Reconciles <paramref name="state"/> (the journal as replayed) with the broker.</summary>
    public async Task<ReconcileReport> ReconcileAsync(JournalState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var since = state.LastEventUtc ?? DateTime.MinValue;
        var changed = await broker.OrdersChangedSinceAsync(since, cancellationToken).ConfigureAwait(false);
        var open = await broker.OpenOrdersAsync(cancellationToken).ConfigureAwait(false);
        var positions = await broker.PositionsAsync(cancellationToken).ConfigureAwait(false);

        // The latest snapshot of each order (an order can be in both lists; a replacement counts as the order it replaced).
        var orders = new Dictionary<string, BrokerOrderSnapshot>(StringComparer.Ordinal);
        foreach (var o in changed.Concat(open).Select(o => o with { ClientOrderId = JournalIdOf(o.ClientOrderId, state) }))
        {
            if (!orders.TryGetValue(o.ClientOrderId, out var seen) || o.UpdatedAtUtc >= seen.UpdatedAtUtc)
            {
                orders[o.ClientOrderId] = o;
            }
        }

        // An order the journal has open but neither list holds (it ended before the last journalled event, e.g. a fill
        // the process died before journalling): asked for by its client order id.
        foreach (var j in state.Orders.Values.Where(o => o.IsOpen && !orders.ContainsKey(o.ClientOrderId)).OrderBy(o => o.ClientOrderId, StringComparer.Ordinal).ToList())
        {
            if (await broker.OrderAsync(j.ClientOrderId, cancellationToken).ConfigureAwait(false) is { } found)
            {
                orders[j.ClientOrderId] = found;
            }
        }

        var journalPositions = new Dictionary<string, decimal>(state.Positions, StringComparer.Ordinal);
        int adopted = 0, unknown = 0, missing = 0, mismatches = 0;
        foreach (var b in orders.Values.OrderBy(o => o.UpdatedAtUtc).ThenBy(o => o.ClientOrderId, StringComparer.Ordinal))
        {
            if (!state.Orders.TryGetValue(b.ClientOrderId, out var j))
            {
                unknown++;
                logger.LogWarning(
                    ReconcileEvents.OrderUnknown,
                    "{Broker} order {ClientOrderId} ({BrokerOrderId}: {Side} {Qty} {Symbol}, {Status}) is not in the journal; left alone",
                    broker.Name, b.ClientOrderId, b.BrokerOrderId, b.IsBuy ? "buy" : "sell", b.Quantity, b.Symbol, b.Status);
                Reconcile("order.unknown", b.Symbol, b.ClientOrderId, b.BrokerOrderId, new { status = b.Status, qty = Text(b.Quantity), filledQty = Text(b.FilledQuantity) });
                continue;
            }

            var moved = false;
            if (j.Status == "pending_new" && b.Status != "rejected")
            {
                // Sent, but the process died before the acknowledgement was journalled: the broker has it. The ack goes
                // first, so the journal reads as it happened (accepted, then filled or canceled).
                journal.Append(JournalEventKind.BrokerAck, new { @event = "accepted", qty = Text(b.Quantity), adopted = true, timeUtc = Time(b.UpdatedAtUtc) }, b.Symbol, b.ClientOrderId, b.BrokerOrderId, "new");
                Reconcile("order.adopted", b.Symbol, b.ClientOrderId, b.BrokerOrderId, new { what = "ack", status = b.Status });
                moved = true;
            }

            if (b.FilledQuantity > j.FilledQuantity)
            {
                var delta = b.FilledQuantity - j.FilledQuantity;
                var status = b.FilledQuantity >= b.Quantity ? "filled" : "partially_filled";
                Reconcile("order.adopted", b.Symbol, b.ClientOrderId, b.BrokerOrderId, new { what = "fill", qty = Text(delta), journalFilledQty = Text(j.FilledQuantity), brokerFilledQty = Text(b.FilledQuantity) });
                journal.Append(
                    JournalEventKind.Fill,
                    new { qty = Text(delta), price = Text(b.AverageFillPrice), filledQty = Text(b.FilledQuantity), adopted = true, timeUtc = Time(b.UpdatedAtUtc) },
                    b.Symbol, b.ClientOrderId, b.BrokerOrderId, status);
                var qty = journalPositions.GetValueOrDefault(b.Symbol) + (j.IsBuy ? delta : -delta);
                journalPositions[b.Symbol] = qty;
                journal.Append(JournalEventKind.Position, new { qty = Text(qty), adopted = true, timeUtc = Time(b.UpdatedAtUtc) }, b.Symbol);
                moved = true;
            }

            var terminal = JournalReader.TerminalStatuses.Contains(b.Status);
            if (terminal && j.IsOpen && b.Status != "filled")
            {
                Reconcile("order.adopted", b.Symbol, b.ClientOrderId, b.BrokerOrderId, new { what = b.Status, journalStatus = j.Status });
                journal.Append(JournalEventKind.Cancel, new { @event = b.Status, filledQty = Text(b.FilledQuantity), adopted = true, timeUtc = Time(b.UpdatedAtUtc) }, b.Symbol, b.ClientOrderId, b.BrokerOrderId, b.Status);
                moved = true;
            }

            if (moved)
            {
                adopted++;
                logger.LogWarning(
                    ReconcileEvents.OrderAdopted,
                    "order {ClientOrderId}: {Broker} reports {Status} with {Filled} filled; the journal had {JournalStatus} with {JournalFilled}; adopted",
                    b.ClientOrderId, broker.Name, b.Status, b.FilledQuantity, j.Status, j.FilledQuantity);
            }
        }

        foreach (var j in state.Orders.Values.Where(o => o.IsOpen && !orders.ContainsKey(o.ClientOrderId)).OrderBy(o => o.ClientOrderId, StringComparer.Ordinal))
        {
            missing++;
            logger.LogWarning(ReconcileEvents.OrderMissing, "order {ClientOrderId} is open in the journal ({Status}) but {Broker} does not report it", j.ClientOrderId, j.Status, broker.Name);
            Reconcile("order.missing", j.Symbol, j.ClientOrderId, j.BrokerOrderId, new { journalStatus = j.Status });
        }

        var brokerPositions = positions.ToDictionary(p => p.Symbol, p => p.Quantity, StringComparer.Ordinal);
        foreach (var symbol in journalPositions.Keys.Union(brokerPositions.Keys).Order(StringComparer.Ordinal))
        {
            var ours = journalPositions.GetValueOrDefault(symbol);
            var theirs = brokerPositions.GetValueOrDefault(symbol);
            if (ours == theirs)
            {
                continue;
            }

            mismatches++;
            logger.LogWarning(ReconcileEvents.PositionMismatch, "{Symbol}: the journal holds {Ours}, {Broker} holds {Theirs}; the broker's position is adopted", symbol, ours, broker.Name, theirs);
            Reconcile("position.mismatch", symbol, null, null, new { journalQty = Text(ours), brokerQty = Text(theirs) });
            var avg = positions.FirstOrDefault(p => p.Symbol == symbol)?.AverageEntryPrice;
            journal.Append(JournalEventKind.Position, new { qty = Text(theirs), avgEntryPrice = Text(avg), adopted = true }, symbol);
        }

        var report = new ReconcileReport(adopted, unknown, missing, mismatches);
        logger.LogInformation(
            ReconcileEvents.Completed,
            "{Broker}: {Adopted} order(s) adopted, {Unknown} unknown, {Missing} missing, {Mismatches} position mismatch(es)",
            broker.Name, adopted, unknown, missing, mismatches);
        return report;
    }

    /// <summary>The journal's id of a broker order: a replacement (<c>{id}-r{n}</c>) is journalled under the order it replaced.</summary>
    private static string JournalIdOf(string clientOrderId, JournalState state)
    {
        if (state.Orders.ContainsKey(clientOrderId))
        {
            return clientOrderId;
        }

        var cut = clientOrderId.LastIndexOf("-r", StringComparison.Ordinal);
        return cut > 0 && state.Orders.ContainsKey(clientOrderId[..cut]) ? clientOrderId[..cut] : clientOrderId;
    }

    private void Reconcile<T>(string what, string? symbol, string? clientOrderId, string? brokerOrderId, T details) =>
        journal.Append(JournalEventKind.Reconcile, new { @event = what, broker = broker.Name, details }, symbol, clientOrderId, brokerOrderId);

    private static string? Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
