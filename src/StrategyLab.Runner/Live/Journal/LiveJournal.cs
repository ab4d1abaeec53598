using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// The append-only journal of a live run: <c>journal.db</c> (SQLite) in the run folder. Every event is committed in its
/// own transaction before <see cref="Append"/> returns, so a caller that writes an event and then acts on it (sends the
/// order) can never have acted on something the journal lost, whatever kills the process.
/// </summary>
/// <remarks>
/// <para>
/// Durability: WAL mode with <c>synchronous=FULL</c>. In WAL mode <c>NORMAL</c> already survives a killed process (a
/// commit is in the WAL file, in the OS page cache, before the call returns); it can lose the last commits on a power cut
/// or kernel panic, since the WAL is only fsynced at checkpoints. <c>FULL</c> fsyncs the WAL on every commit. A live run
/// writes a handful of events per bar, so the cost (one fsync, ~1–10 ms) is irrelevant, while a lost <c>order_request</c>
/// after the order really went out would make a resume re-derive the intent and rely on the broker's duplicate check alone.
/// </para>
/// <para>
/// One writer per file: the journal holds an exclusive lock on <c>journal.db.lock</c> for its lifetime, so a second live
/// process on the same run folder fails at open instead of interleaving events. Readers (<see cref="JournalReader"/>, e.g.
/// <c>strategylab status</c>) need no lock: WAL readers see the last committed state and never block the writer.
/// </para>
/// <para>Appends from several threads are serialised by an internal lock: sequence numbers follow commit order.</para>
/// </remarks>
public sealed class LiveJournal : IDisposable
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly FileStream _lock;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private bool _disposed;

    private LiveJournal(string file, SqliteConnection connection, FileStream lockFile, TimeProvider time)
    {
        FilePath = file;
        _connection = connection;
        _lock = lockFile;
        _time = time;
        _insert = connection.CreateCommand();
        _insert.CommandText = """
            INSERT INTO events (time_utc, kind, symbol, client_order_id, broker_order_id, order_status, payload)
            VALUES ($time, $kind, $symbol, $coid, $boid, $status, $payload) RETURNING seq
            """;
        foreach (var name in (string[])["$time", "$kind", "$symbol", "$coid", "$boid", "$status", "$payload"])
        {
            _insert.Parameters.Add(new SqliteParameter(name, SqliteType.Text));
        }

        LastSequence = long.Parse(JournalSchema.Scalar(connection, "SELECT COALESCE(MAX(seq), 0) FROM events") ?? "0", CultureInfo.InvariantCulture);
    }

    /// <summary>The journal's file name in a run folder.</summary>
    public const string FileName = JournalSchema.FileName;

    /// <summary>The journal file.</summary>
    public string FilePath { get; }

    /// <summary>The sequence number of the last committed event (0 for an empty journal).</summary>
    public long LastSequence { get; private set; }

    /// <summary>
    /// Opens (or creates) <c>journal.db</c> in <paramref name="runFolder"/> for writing: WAL, <c>synchronous=FULL</c>, the
    /// schema, and the single-writer lock. A journal left by a killed process opens as it was at its last commit (SQLite
    /// rolls the WAL forward and drops any uncommitted tail).
    /// </summary>
    /// <param name="runFolder">The run folder (created if missing).</param>
    /// <param name="time">The clock events are stamped with.</param>
    /// <param name="fsyncEachCommit">
    /// <c>synchronous=FULL</c> (the default: a commit survives a power cut). False gives <c>NORMAL</c>, which still survives
    /// a killed process: for replays, where the fsync per event would dominate a fast run and no real order is at stake.
    /// </param>
    /// <exception cref="IOException">Another process has the journal open for writing.</exception>
    /// <exception cref="InvalidDataException">The file is a journal of an unknown schema version.</exception>
    public static LiveJournal Open(string runFolder, TimeProvider time, bool fsyncEachCommit = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        ArgumentNullException.ThrowIfNull(time);
        Directory.CreateDirectory(runFolder);
        var file = JournalSchema.PathIn(runFolder);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(file + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The journal {file} is open for writing by another process (is the run still live?).", e);
        }

        var connection = new SqliteConnection(JournalSchema.ConnectionString(file, SqliteOpenMode.ReadWriteCreate));
        try
        {
            connection.Open();
            var mode = JournalSchema.Scalar(connection, "PRAGMA journal_mode=WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"The journal {file} could not be switched to WAL mode (got '{mode}').");
            }

            JournalSchema.Execute(connection, fsyncEachCommit ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            var version = int.Parse(JournalSchema.Scalar(connection, "PRAGMA user_version") ?? "0", CultureInfo.InvariantCulture);
            if (version > JournalSchema.Version)
            {
                throw new InvalidDataException(
                    $"The journal {file} has schema version {version}; this build reads up to {JournalSchema.Version}.");
            }

            using (var tx = connection.BeginTransaction())
            {
                using var create = connection.CreateCommand();
                create.Transaction = tx;
                create.CommandText = JournalSchema.CreateSql + $"PRAGMA user_version={JournalSchema.Version};";
                create.ExecuteNonQuery();
                tx.Commit();
            }

            return new LiveJournal(file, connection, lockFile, time);
        }
        catch
        {
            connection.Dispose();
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>Commits one event (its own transaction, fsynced) and returns its sequence number.</summary>
    /// <exception cref="SqliteException">The write failed (disk full, payload not a JSON object…): nothing was committed.</exception>
    public long Append(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var time = _time.GetUtcNow().UtcDateTime.ToString(JournalSchema.TimeFormat, CultureInfo.InvariantCulture);
            using var tx = _connection.BeginTransaction();
            _insert.Transaction = tx;
            _insert.Parameters["$time"].Value = time;
            _insert.Parameters["$kind"].Value = JournalKinds.ToText(entry.Kind);
            _insert.Parameters["$symbol"].Value = (object?)entry.Symbol ?? DBNull.Value;
            _insert.Parameters["$coid"].Value = (object?)entry.ClientOrderId ?? DBNull.Value;
            _insert.Parameters["$boid"].Value = (object?)entry.BrokerOrderId ?? DBNull.Value;
            _insert.Parameters["$status"].Value = (object?)entry.OrderStatus ?? DBNull.Value;
            _insert.Parameters["$payload"].Value = entry.PayloadJson;
            var seq = Convert.ToInt64(_insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            tx.Commit();
            LastSequence = seq;
            return seq;
        }
    }

    /// <summary>Commits one event whose payload is <paramref name="payload"/> serialised (web defaults: camelCase).</summary>
    public long Append<T>(
        JournalEventKind kind,
        T payload,
        string? symbol = null,
        string? clientOrderId = null,
        string? brokerOrderId = null,
        string? orderStatus = null) =>
        Append(new JournalEntry(kind, JsonSerializer.Serialize(payload, PayloadJson), symbol, clientOrderId, brokerOrderId, orderStatus));

    /// <summary>Closes the file (checkpointing the WAL) and releases the writer lock.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _insert.Dispose();
            _connection.Dispose();
            _lock.Dispose();
        }
    }
}
