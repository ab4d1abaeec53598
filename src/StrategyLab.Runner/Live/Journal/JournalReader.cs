using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>A position as last journalled.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Quantity">Signed quantity (negative: short).</param>
/// <param name="AverageEntryPrice">The average entry price, when the event carried one.</param>
/// <param name="Sequence">The event it comes from.</param>
/// <param name="TimeUtc">When that event was written.</param>
public sealed record JournalPosition(string Symbol, decimal Quantity, decimal? AverageEntryPrice, long Sequence, DateTime TimeUtc);

/// <summary>What <c>strategylab status</c> shows, read in one snapshot (one read transaction).</summary>
/// <param name="LastSequence">The last committed event.</param>
/// <param name="OpenOrders">Each order whose latest status is not terminal: that latest event.</param>
/// <param name="Positions">The latest <c>position</c> event of each symbol whose quantity is not zero.</param>
/// <param name="LastEvents">The last events, oldest first (<c>bars</c> rows left out: they are market data, not events of the run).</param>
public sealed record JournalStatus(long LastSequence, IReadOnlyList<JournalEvent> OpenOrders, IReadOnlyList<JournalPosition> Positions, IReadOnlyList<JournalEvent> LastEvents);

/// <summary>
/// Reads a journal, also while a live process writes it: WAL readers see the last committed state, never a partial
/// transaction, and do not block the writer. Opens the file read-write (so SQLite can recover the WAL of a killed writer)
/// but only ever queries (<c>PRAGMA query_only</c>).
/// </summary>
public sealed class JournalReader : IDisposable
{
    /// <summary>Alpaca's terminal order statuses: an order in one of them is no longer open.</summary>
    public static readonly IReadOnlySet<string> TerminalStatuses = new HashSet<string>(StringComparer.Ordinal)
    {
        "filled", "canceled", "expired", "replaced", "rejected", "done_for_day",
    };

    private readonly SqliteConnection _connection;

    private JournalReader(SqliteConnection connection, string file)
    {
        _connection = connection;
        FilePath = file;
    }

    /// <summary>The journal file.</summary>
    public string FilePath { get; }

    /// <summary>Opens the journal of <paramref name="runFolder"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">The run folder has no journal.</exception>
    public static JournalReader Open(string runFolder)
    {
        var file = JournalSchema.PathIn(runFolder);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No journal in {Path.GetFullPath(runFolder)} (expected {JournalSchema.FileName}).", file);
        }

        var connection = new SqliteConnection(JournalSchema.ConnectionString(file, SqliteOpenMode.ReadWrite));
        try
        {
            connection.Open();
            JournalSchema.Execute(connection, "PRAGMA query_only=1");
            return new JournalReader(connection, file);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Every event after <paramref name="afterSequence"/>, in sequence order (the replay of a resume).</summary>
    public IReadOnlyList<JournalEvent> ReadAfter(long afterSequence = 0)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {JournalSchema.Columns} FROM events WHERE seq > $after ORDER BY seq";
        command.Parameters.AddWithValue("$after", afterSequence);
        return ReadAll(command);
    }

    /// <summary>The <c>operator</c> rows after <paramref name="afterSequence"/>, in order (a live run polling for operator requests).</summary>
    public IReadOnlyList<JournalEvent> ReadOperatorAfter(long afterSequence)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {JournalSchema.Columns} FROM events WHERE seq > $after AND kind = 'operator' ORDER BY seq";
        command.Parameters.AddWithValue("$after", afterSequence);
        return ReadAll(command);
    }

    /// <summary>Every event of one order (by client order id), in order.</summary>
    public IReadOnlyList<JournalEvent> ReadOrder(string clientOrderId)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {JournalSchema.Columns} FROM events WHERE client_order_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", clientOrderId);
        return ReadAll(command);
    }

    /// <summary>The status (open orders, positions, last events) as of one committed moment.</summary>
    /// <param name="lastEvents">How many of the last events to include.</param>
    public JournalStatus Status(int lastEvents = 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastEvents);

        // One read transaction: the three queries see the same WAL snapshot, so orders and positions agree.
        using var tx = _connection.BeginTransaction(deferred: true);
        long last;
        using (var command = Command(tx, "SELECT COALESCE(MAX(seq), 0) FROM events"))
        {
            last = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var terminal = string.Join(", ", TerminalStatuses.Order(StringComparer.Ordinal).Select(s => "'" + s + "'"));
        IReadOnlyList<JournalEvent> open;
        using (var command = Command(tx, $"""
            SELECT {Prefixed("e")} FROM events e
            JOIN (SELECT client_order_id, MAX(seq) AS seq FROM events
                  WHERE client_order_id IS NOT NULL AND order_status IS NOT NULL GROUP BY client_order_id) latest
              ON e.seq = latest.seq
            WHERE e.order_status NOT IN ({terminal})
            ORDER BY e.seq
            """))
        {
            open = ReadAll(command);
        }

        var positions = new List<JournalPosition>();
        using (var command = Command(tx, $"""
            SELECT {Prefixed("e")} FROM events e
            JOIN (SELECT symbol, MAX(seq) AS seq FROM events WHERE kind = 'position' AND symbol IS NOT NULL GROUP BY symbol) latest
              ON e.seq = latest.seq
            ORDER BY e.symbol
            """))
        {
            foreach (var e in ReadAll(command))
            {
                var position = ToPosition(e);
                if (position.Quantity != 0)
                {
                    positions.Add(position);
                }
            }
        }

        IReadOnlyList<JournalEvent> recent;
        using (var command = Command(tx, $"SELECT {JournalSchema.Columns} FROM (SELECT * FROM events WHERE kind <> 'bars' ORDER BY seq DESC LIMIT $n) ORDER BY seq"))
        {
            command.Parameters.AddWithValue("$n", lastEvents);
            recent = ReadAll(command);
        }

        tx.Commit();
        return new JournalStatus(last, open, positions, recent);
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _connection.Dispose();

    /// <summary>
    /// The position of a <c>position</c> event: payload <c>{"qty": "10", "avgEntryPrice": "101.5"}</c> (decimals as strings
    /// or numbers; <c>avg_entry_price</c> is accepted too).
    /// </summary>
    /// <exception cref="FormatException">The payload has no readable <c>qty</c>.</exception>
    public static JournalPosition ToPosition(JournalEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        using var doc = JsonDocument.Parse(e.PayloadJson);
        var root = doc.RootElement;
        var qty = Decimal(root, "qty") ?? throw new FormatException($"Journal event {e.Sequence}: a position without 'qty'.");
        var avg = Decimal(root, "avgEntryPrice") ?? Decimal(root, "avg_entry_price");
        return new JournalPosition(e.Symbol!, qty, avg, e.Sequence, e.TimeUtc);
    }

    private static decimal? Decimal(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDecimal(),
            JsonValueKind.String => decimal.Parse(v.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    private static string Prefixed(string alias) =>
        string.Join(", ", JournalSchema.Columns.Split(", ").Select(c => alias + "." + c));

    private SqliteCommand Command(SqliteTransaction tx, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    private static List<JournalEvent> ReadAll(SqliteCommand command)
    {
        var events = new List<JournalEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(JournalSchema.Read(reader));
        }

        return events;
    }
}
