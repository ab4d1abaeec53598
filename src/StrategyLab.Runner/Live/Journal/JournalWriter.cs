using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// Appends a run's events to its journal, one transaction each, and makes a resumed run idempotent: a resumed run
/// re-derives its events from the start, and the n-th row of a kind for one order (or symbol) is only written when the
/// journal does not already hold it (<see cref="JournalState.CountOf"/>). A row the journal lacked (the process died
/// before committing it) is written as it is re-derived, and reported once per order as <c>reconcile.order.recovered</c>.
/// Passes the kill points of <see cref="FaultPoints"/> before and after every commit.
/// </summary>
public sealed class JournalWriter
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private readonly LiveJournal _journal;
    private readonly JournalState _resumed;
    private readonly ILogger _logger;
    private readonly Dictionary<string, int> _written = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recovered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _expected = new(StringComparer.Ordinal);
    private bool _caughtUp;

    /// <summary>Writes to <paramref name="journal"/>, skipping what <paramref name="resumed"/> already holds.</summary>
    public JournalWriter(LiveJournal journal, JournalState resumed, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(resumed);
        ArgumentNullException.ThrowIfNull(logger);
        _journal = journal;
        _resumed = resumed;
        _logger = logger;
        _caughtUp = resumed.LastSequence == 0;
    }

    /// <summary>The journal state the run resumed from (empty for a fresh run).</summary>
    public JournalState Resumed => _resumed;

    /// <summary>Rows skipped because the journal already held them (a resumed run's catch-up).</summary>
    public long Skipped { get; private set; }

    /// <summary>Rows committed by this process.</summary>
    public long Written { get; private set; }

    /// <summary>Rows a resumed run found missing and wrote (the process died between the event and its row).</summary>
    public long Recovered { get; private set; }

    /// <summary>
    /// How many rows of <paramref name="kind"/> for this order (or symbol) this process has re-derived or written so far:
    /// a resumed run's catch-up compares it with the journal's rows to tell which ones its engine did not re-derive.
    /// </summary>
    public int CountSoFar(JournalEventKind kind, string? clientOrderId, string? symbol) =>
        _written.GetValueOrDefault(JournalState.KeyOf(kind, clientOrderId, symbol));

    /// <summary>
    /// Says that the journal gained a row of <paramref name="kind"/> for this order (or symbol) behind this writer's back
    /// (a reconciliation wrote it), so the same row re-derived by the engine is not written again.
    /// </summary>
    public void Expect(JournalEventKind kind, string? clientOrderId, string? symbol)
    {
        var key = JournalState.KeyOf(kind, clientOrderId, symbol);
        _expected[key] = _expected.GetValueOrDefault(key) + 1;
    }

    /// <summary>
    /// True when this is the row's first occurrence in the journal and it was committed; false when the journal already
    /// held it (nothing written).
    /// </summary>
    /// <param name="kind">What the row records.</param>
    /// <param name="payload">Its data (serialised with web defaults: camelCase).</param>
    /// <param name="symbol">The instrument, if any.</param>
    /// <param name="clientOrderId">Our order id, if any.</param>
    /// <param name="brokerOrderId">The venue's order id, if any.</param>
    /// <param name="orderStatus">The order's status after it, if it changes it.</param>
    /// <param name="marketTimeUtc">
    /// The market time of the event: a row the journal lacked at or before the last journalled market time is one the
    /// process died before committing (<c>reconcile.order.recovered</c>); later ones are simply new.
    /// </param>
    public bool Write<T>(
        JournalEventKind kind,
        T payload,
        string? symbol = null,
        string? clientOrderId = null,
        string? brokerOrderId = null,
        string? orderStatus = null,
        DateTime? marketTimeUtc = null)
    {
        var key = JournalState.KeyOf(kind, clientOrderId, symbol);
        var n = _written[key] = _written.GetValueOrDefault(key) + 1;
        if (n <= _resumed.CountOf(key) + _expected.GetValueOrDefault(key))
        {
            Skipped++;
            return false;
        }

        if (!_caughtUp)
        {
            _caughtUp = true;
            _logger.LogInformation(ReconcileEvents.CaughtUp, "the journal held the first {Skipped} re-derived event(s); appending from sequence {Next}", Skipped, _journal.LastSequence + 1);
        }

        if (clientOrderId is not null && marketTimeUtc <= _resumed.LastMarketTimeUtc && _resumed.Orders.ContainsKey(clientOrderId) && _recovered.Add(clientOrderId))
        {
            Recovered++;
            _logger.LogWarning(ReconcileEvents.OrderRecovered, "order {ClientOrderId}: the journal lacked its {Kind} event (the process stopped before committing it); journalled now", clientOrderId, JournalKinds.ToText(kind));
        }

        var point = JournalKinds.ToText(kind);
        FaultPoints.Hit("before_" + point);
        _journal.Append(new JournalEntry(kind, JsonSerializer.Serialize(payload, PayloadJson), symbol, clientOrderId, brokerOrderId, orderStatus));
        Written++;
        FaultPoints.Hit("after_" + point);
        return true;
    }
}
