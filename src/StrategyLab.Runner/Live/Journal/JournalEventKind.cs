namespace StrategyLab.Runner.Live.Journal;

/// <summary>What a journal event records. Stored as the lower-case text of <see cref="JournalKinds.ToText"/>.</summary>
public enum JournalEventKind
{
    /// <summary>The strategy (or an operator) decided to place, change or cancel an order; written before anything is sent.</summary>
    Intent,

    /// <summary>An order request about to go to the venue (with its client order id); written before it is sent.</summary>
    OrderRequest,

    /// <summary>The venue acknowledged an order (accepted, replaced, rejected…): the broker's order id and status.</summary>
    BrokerAck,

    /// <summary>An execution (partial or complete), as it arrives.</summary>
    Fill,

    /// <summary>An order ended without (further) fills: canceled, expired, rejected.</summary>
    Cancel,

    /// <summary>A position's new quantity after a fill or a reconciliation.</summary>
    Position,

    /// <summary>The strategy's saved state.</summary>
    StrategyState,

    /// <summary>A difference found (and resolved) when the journal was compared with the broker.</summary>
    Reconcile,

    /// <summary>
    /// An operator command acted on the run from outside its process (<c>strategylab flatten</c>): what was asked, then
    /// what the broker did. Written by <see cref="OperatorJournal"/>, never by the run itself.
    /// </summary>
    Operator,

    /// <summary>
    /// Bars a live run handed to the engine: the warm-up, or one slice (every bar ending at one instant), committed before
    /// the engine acts on them. A resumed live run replays them (<see cref="LiveCatchUp"/>), since a feed cannot be re-read.
    /// Written by <see cref="BarJournal"/>; journals of older builds have none.
    /// </summary>
    Bars,
}

/// <summary>The stored text of each <see cref="JournalEventKind"/> (stable: it is on disk).</summary>
public static class JournalKinds
{
    /// <summary>The stored text, e.g. <c>order_request</c>.</summary>
    public static string ToText(JournalEventKind kind) => kind switch
    {
        JournalEventKind.Intent => "intent",
        JournalEventKind.OrderRequest => "order_request",
        JournalEventKind.BrokerAck => "broker_ack",
        JournalEventKind.Fill => "fill",
        JournalEventKind.Cancel => "cancel",
        JournalEventKind.Position => "position",
        JournalEventKind.StrategyState => "strategy_state",
        JournalEventKind.Reconcile => "reconcile",
        JournalEventKind.Operator => "operator",
        JournalEventKind.Bars => "bars",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown journal event kind."),
    };

    /// <summary>The kind stored as <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">Not a known kind (a journal written by a newer version?).</exception>
    public static JournalEventKind Parse(string text) => text switch
    {
        "intent" => JournalEventKind.Intent,
        "order_request" => JournalEventKind.OrderRequest,
        "broker_ack" => JournalEventKind.BrokerAck,
        "fill" => JournalEventKind.Fill,
        "cancel" => JournalEventKind.Cancel,
        "position" => JournalEventKind.Position,
        "strategy_state" => JournalEventKind.StrategyState,
        "reconcile" => JournalEventKind.Reconcile,
        "operator" => JournalEventKind.Operator,
        "bars" => JournalEventKind.Bars,
        _ => throw new FormatException($"Unknown journal event kind '{text}'."),
    };
}
