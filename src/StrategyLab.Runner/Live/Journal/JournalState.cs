using System.Globalization;
using System.Text.Json;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>An order as the journal knows it after a replay.</summary>
/// <param name="ClientOrderId">Our client order id.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="IsBuy">Buy or sell.</param>
/// <param name="Quantity">Ordered quantity (after the last journalled replace).</param>
/// <param name="FilledQuantity">Filled so far (sum of the journalled fills).</param>
/// <param name="Status">Latest journalled status (<c>pending_new</c> until the venue acknowledged it).</param>
/// <param name="BrokerOrderId">The venue's id, once acknowledged.</param>
/// <param name="RequestedQuantity">The quantity of the <c>order_request</c> (before any replace).</param>
/// <param name="FilledNotional">Σ quantity × price of the journalled fills (null when one has no price).</param>
/// <param name="UnattributedFills">
/// A journalled fill of it does not name the broker order it came from (a journal written before fills did): its fills
/// can only be compared with the broker's as a whole.
/// </param>
public sealed record JournalOrder(
    string ClientOrderId,
    string Symbol,
    bool IsBuy,
    decimal Quantity,
    decimal FilledQuantity,
    string Status,
    string? BrokerOrderId,
    decimal RequestedQuantity,
    decimal? FilledNotional = 0m,
    bool UnattributedFills = false)
{
    /// <summary>True while the order can still fill.</summary>
    public bool IsOpen => !JournalReader.TerminalStatuses.Contains(Status);
}

/// <summary>What the journal holds of the fills of one broker order (one link of a replaced order).</summary>
/// <param name="Quantity">Σ quantity of its journalled fills.</param>
/// <param name="Notional">Σ quantity × price of them.</param>
public sealed record JournalVenueFills(decimal Quantity, decimal Notional);

/// <summary>
/// A journal replayed into what a resumed run needs: the orders (with fills and latest status), the positions, the
/// strategy's last saved state, the highest order sequence number, and how many rows of each kind each order (or
/// symbol) already has, so a resumed run that re-derives an event can tell whether the journal already holds it.
/// </summary>
public sealed class JournalState
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JournalOrder> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JournalVenueFills> _venueFills = new(StringComparer.Ordinal);
    private readonly List<string> _orderRequests = [];

    /// <summary>An empty journal (a fresh run).</summary>
    public static JournalState Empty { get; } = new();

    /// <summary>The last event's sequence number (0 when empty).</summary>
    public long LastSequence { get; private set; }

    /// <summary>When the last event was written (wall clock), if any.</summary>
    public DateTime? LastEventUtc { get; private set; }

    /// <summary>The latest market time any event carries (<c>timeUtc</c> of fills, acks, requests), if any.</summary>
    public DateTime? LastMarketTimeUtc { get; private set; }

    /// <summary>The strategy's last journalled state (the envelope JSON), if any.</summary>
    public string? StrategyState { get; private set; }

    /// <summary>Every order, by client order id.</summary>
    public IReadOnlyDictionary<string, JournalOrder> Orders => _orders;

    /// <summary>The journalled fills of each broker order, by the broker's id of it (from fills that name it).</summary>
    public IReadOnlyDictionary<string, JournalVenueFills> VenueFills => _venueFills;

    /// <summary>The client order ids of the <c>order_request</c> rows, in order.</summary>
    public IReadOnlyList<string> OrderRequests => _orderRequests;

    /// <summary>Positions (signed quantity) by symbol, from the fills; flat symbols included as 0.</summary>
    public IReadOnlyDictionary<string, decimal> Positions => _positions;

    /// <summary>How many rows the journal holds under <paramref name="key"/> (see <see cref="KeyOf"/>).</summary>
    public int CountOf(string key) => _counts.GetValueOrDefault(key);

    /// <summary>The dedupe key of a row: its kind and its order (or, without one, its symbol).</summary>
    public static string KeyOf(JournalEventKind kind, string? clientOrderId, string? symbol) =>
        JournalKinds.ToText(kind) + "|" + (clientOrderId ?? symbol ?? string.Empty);

    /// <summary>Replays every event of the journal in <paramref name="runFolder"/> (an empty state when it has none).</summary>
    public static JournalState Load(string runFolder)
    {
        if (!File.Exists(JournalSchema.PathIn(runFolder)))
        {
            return new JournalState();
        }

        using var reader = JournalReader.Open(runFolder);
        return Replay(reader.ReadAfter());
    }

    /// <summary>Replays <paramref name="events"/> (in sequence order).</summary>
    /// <exception cref="InvalidDataException">A row cannot be read; the message names its sequence number.</exception>
    public static JournalState Replay(IEnumerable<JournalEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = new JournalState();
        foreach (var e in events)
        {
            try
            {
                state.Apply(e);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"journal event {e.Sequence} ({JournalKinds.ToText(e.Kind)}): {ex.Message}", ex);
            }
        }

        return state;
    }

    private void Apply(JournalEvent e)
    {
        LastSequence = e.Sequence;
        LastEventUtc = e.TimeUtc;
        var key = KeyOf(e.Kind, e.ClientOrderId, e.Symbol);
        _counts[key] = _counts.GetValueOrDefault(key) + 1;
        using var doc = JsonDocument.Parse(e.PayloadJson);
        var root = doc.RootElement;
        if (root.TryGetProperty("timeUtc", out var t) && t.ValueKind == JsonValueKind.String)
        {
            var time = DateTime.Parse(t.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            if (LastMarketTimeUtc is null || time > LastMarketTimeUtc)
            {
                LastMarketTimeUtc = time;
            }
        }

        switch (e.Kind)
        {
            case JournalEventKind.OrderRequest when e.ClientOrderId is { } id:
                _orderRequests.Add(id);
                var requested = Dec(root, "qty");
                _orders[id] = new JournalOrder(id, e.Symbol ?? string.Empty, root.GetProperty("side").GetString() == "buy", requested, 0m, e.OrderStatus ?? "pending_new", null, requested);
                break;
            case JournalEventKind.Fill when e.ClientOrderId is { } id && _orders.TryGetValue(id, out var o):
                var qty = Dec(root, "qty");
                var priced = root.TryGetProperty("price", out var p) && p.ValueKind is JsonValueKind.String or JsonValueKind.Number;
                decimal? notional = priced ? o.FilledNotional + (qty * Dec(root, "price")) : null;
                var attributed = root.TryGetProperty("venueOrderId", out var venue) && venue.ValueKind == JsonValueKind.String && priced;
                if (attributed)
                {
                    var done = _venueFills.GetValueOrDefault(venue.GetString()!) ?? new JournalVenueFills(0m, 0m);
                    _venueFills[venue.GetString()!] = new JournalVenueFills(done.Quantity + qty, done.Notional + (qty * Dec(root, "price")));
                }

                _orders[id] = o with
                {
                    FilledQuantity = o.FilledQuantity + qty,
                    Status = e.OrderStatus ?? o.Status,
                    BrokerOrderId = e.BrokerOrderId ?? o.BrokerOrderId,
                    FilledNotional = notional,
                    UnattributedFills = o.UnattributedFills || !attributed,
                };
                _positions[o.Symbol] = _positions.GetValueOrDefault(o.Symbol) + (o.IsBuy ? qty : -qty);
                break;
            case JournalEventKind.BrokerAck or JournalEventKind.Cancel or JournalEventKind.Reconcile when e.ClientOrderId is { } id && _orders.TryGetValue(id, out var o):
                _orders[id] = o with
                {
                    Status = e.OrderStatus ?? o.Status,
                    BrokerOrderId = e.BrokerOrderId ?? o.BrokerOrderId,
                    Quantity = root.TryGetProperty("qty", out _) && e.Kind == JournalEventKind.BrokerAck ? Dec(root, "qty") : o.Quantity,
                };
                break;
            case JournalEventKind.Position when e.Symbol is { } symbol:
                // A position row states the quantity (after a fill or a reconciliation): it is the authority.
                _positions[symbol] = JournalReader.ToPosition(e).Quantity;
                break;
            case JournalEventKind.StrategyState:
                StrategyState = e.PayloadJson;
                break;
        }
    }

    private static decimal Dec(JsonElement root, string name)
    {
        var v = root.GetProperty(name);
        return v.ValueKind == JsonValueKind.Number
            ? v.GetDecimal()
            : decimal.Parse(v.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);
    }
}
