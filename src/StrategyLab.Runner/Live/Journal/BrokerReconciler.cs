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
/// <para>
/// An adopted fill is journalled at the price of what the journal lacks: the broker's notional of the order (it reports no
/// per-fill prices in an order snapshot) less the journalled fills'; the quantity is exact. It is stamped with the broker's time of the fill
/// (<see cref="BrokerOrderSnapshot.LastFillUtc"/>), not the time of the reconciliation.
/// </para>
/// <para>
/// An order replaced at the broker is a chain of broker orders (the original, then <c>{id}-r1</c>…), each counting its own
/// fills, as the live path counts them: the journal's order is compared with the sum over its chain, so a partly filled
/// order that was replaced before a crash adopts exactly what its replacement filled while the process was down. When the
/// journal's fills name their broker order (every fill since they do), each link is compared with the fills naming it and
/// adopts its own remainder, in a fill row naming it, so the resumed broker adapter counts it against that link.
/// </para>
/// </remarks>
public sealed class BrokerReconciler(IBrokerAccount broker, LiveJournal journal, ILogger logger)
{
    private readonly Dictionary<string, List<BrokerOrderSnapshot>> _chains = new(StringComparer.Ordinal);

    /// <summary>Reconciles <paramref name="state"/> (the journal as replayed) with the broker.</summary>
    public async Task<ReconcileReport> ReconcileAsync(JournalState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var since = state.LastEventUtc ?? DateTime.MinValue;
        var changed = await broker.OrdersChangedSinceAsync(since, cancellationToken).ConfigureAwait(false);
        var open = await broker.OpenOrdersAsync(cancellationToken).ConfigureAwait(false);
        var positions = await broker.PositionsAsync(cancellationToken).ConfigureAwait(false);

        // The latest snapshot of each broker order (an order can be in both lists), by its own client order id.
        var known = new Dictionary<string, BrokerOrderSnapshot>(StringComparer.Ordinal);
        foreach (var o in changed.Concat(open))
        {
            if (!known.TryGetValue(o.ClientOrderId, out var seen) || o.UpdatedAtUtc >= seen.UpdatedAtUtc)
            {
                known[o.ClientOrderId] = o;
            }
        }

        // Each order in play (listed by the broker, or open in the journal) as one view over its chain: the order and the
        // replacements it was replaced by. A link missing from the lists (it ended before the last journalled event, e.g.
        // a fill the process died before journalling, or a replaced original) is asked for by its client order id.
        var inPlay = known.Keys.Select(k => JournalIdOf(k, state))
            .Concat(state.Orders.Values.Where(o => o.IsOpen).Select(o => o.ClientOrderId))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var orders = new List<BrokerOrderSnapshot>();
        foreach (var id in inPlay)
        {
            if (!state.Orders.ContainsKey(id))
            {
                orders.AddRange(known.Values.Where(o => JournalIdOf(o.ClientOrderId, state) == id));
                continue;
            }

            var chain = await ChainAsync(id, known, cancellationToken).ConfigureAwait(false);
            if (chain.Count > 0)
            {
                orders.Add(ReplacementChain.View(chain));
                _chains[id] = chain;
            }
        }

        var journalPositions = new Dictionary<string, decimal>(state.Positions, StringComparer.Ordinal);
        int adopted = 0, unknown = 0, missing = 0, mismatches = 0;
        var viewed = orders.Select(o => o.ClientOrderId).ToHashSet(StringComparer.Ordinal);
        foreach (var b in orders.OrderBy(o => o.UpdatedAtUtc).ThenBy(o => o.ClientOrderId, StringComparer.Ordinal))
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

            if (!j.UnattributedFills && _chains.TryGetValue(b.ClientOrderId, out var links))
            {
                moved |= AdoptFillsPerLink(b, j, links, state, journalPositions);
            }
            else if (b.FilledQuantity > j.FilledQuantity)
            {
                var delta = b.FilledQuantity - j.FilledQuantity;
                var status = b.Status == "filled" || b.FilledQuantity >= b.Quantity ? "filled" : "partially_filled";
                // The price of what the journal lacks: the broker's notional (over the whole chain) less the journalled
                // fills'. A link's average also covers its fills the journal holds (a replacement partly filled before the
                // crash, the rest while down), so it is not the remainder's price.
                var price = b.AverageFillPrice is { } average && j.FilledNotional is { } journalled
                    ? (((b.FilledQuantity * average) - journalled) / delta) / 1.0000000000000000000000000000m // no trailing zeros
                    : _chains.TryGetValue(b.ClientOrderId, out var chain) ? ReplacementChain.PriceOfLast(chain, delta) : b.AverageFillPrice;
                Reconcile("order.adopted", b.Symbol, b.ClientOrderId, b.BrokerOrderId, new { what = "fill", qty = Text(delta), journalFilledQty = Text(j.FilledQuantity), brokerFilledQty = Text(b.FilledQuantity) });
                journal.Append(
                    JournalEventKind.Fill,
                    new { qty = Text(delta), price = Text(price), filledQty = Text(b.FilledQuantity), adopted = true, timeUtc = Time(b.LastFillUtc) },
                    b.Symbol, b.ClientOrderId, b.BrokerOrderId, status);
                var qty = journalPositions.GetValueOrDefault(b.Symbol) + (j.IsBuy ? delta : -delta);
                journalPositions[b.Symbol] = qty;
                journal.Append(JournalEventKind.Position, new { qty = Text(qty), adopted = true, timeUtc = Time(b.LastFillUtc) }, b.Symbol);
                moved = true;
            }

            var terminal = JournalReader.TerminalStatuses.Contains(b.Status);
            if (terminal && j.IsOpen && b.Status is not ("filled" or "replaced"))
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

        foreach (var j in state.Orders.Values.Where(o => o.IsOpen && !viewed.Contains(o.ClientOrderId)).OrderBy(o => o.ClientOrderId, StringComparer.Ordinal))
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

    /// <summary>
    /// Adopts what each broker order of <paramref name="links"/> filled beyond the journal's fills naming it: one
    /// <c>fill</c> row per link, naming the link, priced at the link's notional less its journalled fills' (exact for one
    /// link, whatever filled before), then a <c>position</c> row. True when anything was adopted.
    /// </summary>
    private bool AdoptFillsPerLink(BrokerOrderSnapshot view, JournalOrder j, List<BrokerOrderSnapshot> links, JournalState state, Dictionary<string, decimal> positions)
    {
        var filled = j.FilledQuantity;
        var adopted = false;
        foreach (var link in links)
        {
            var done = state.VenueFills.GetValueOrDefault(link.BrokerOrderId) ?? new JournalVenueFills(0m, 0m);
            var delta = link.FilledQuantity - done.Quantity;
            if (delta <= 0)
            {
                continue;
            }

            filled += delta;
            var last = filled >= view.FilledQuantity;
            var status = last && (view.Status == "filled" || view.FilledQuantity >= view.Quantity) ? "filled" : "partially_filled";
            var price = link.AverageFillPrice is { } average
                ? (((link.FilledQuantity * average) - done.Notional) / delta) / 1.0000000000000000000000000000m // no trailing zeros
                : (decimal?)null;
            Reconcile(
                "order.adopted",
                view.Symbol,
                view.ClientOrderId,
                link.BrokerOrderId,
                new { what = "fill", qty = Text(delta), venueClientOrderId = link.ClientOrderId, journalFilledQty = Text(done.Quantity), brokerFilledQty = Text(link.FilledQuantity) });
            journal.Append(
                JournalEventKind.Fill,
                new
                {
                    qty = Text(delta), price = Text(price), filledQty = Text(filled), adopted = true, timeUtc = Time(link.LastFillUtc),
                    venueOrderId = link.BrokerOrderId, venueClientOrderId = link.ClientOrderId, venueFilledQty = Text(link.FilledQuantity),
                },
                view.Symbol, view.ClientOrderId, link.BrokerOrderId, status);
            var qty = positions.GetValueOrDefault(view.Symbol) + (j.IsBuy ? delta : -delta);
            positions[view.Symbol] = qty;
            journal.Append(JournalEventKind.Position, new { qty = Text(qty), adopted = true, timeUtc = Time(link.LastFillUtc) }, view.Symbol);
            adopted = true;
        }

        return adopted;
    }

    /// <summary>
    /// The order <paramref name="clientOrderId"/> and its replacements (<c>{id}-r1</c>, <c>-r2</c>…), oldest first, as far
    /// as the broker has them: each link is taken from the lists when there, else asked for; the chain ends at the first
    /// link that was not replaced. Empty when the broker does not know the order.
    /// </summary>
    private async Task<List<BrokerOrderSnapshot>> ChainAsync(string clientOrderId, Dictionary<string, BrokerOrderSnapshot> known, CancellationToken cancellationToken)
    {
        var chain = new List<BrokerOrderSnapshot>();
        for (var n = 0; ; n++)
        {
            var id = n == 0 ? clientOrderId : AlpacaOrderMapping.ReplacementId(clientOrderId, n);
            var link = known.GetValueOrDefault(id) ?? await broker.OrderAsync(id, cancellationToken).ConfigureAwait(false);
            if (link is null)
            {
                return chain;
            }

            chain.Add(link);
            if (link.Status != "replaced")
            {
                return chain;
            }
        }
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
