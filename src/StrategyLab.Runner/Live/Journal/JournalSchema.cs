using System.Globalization;
using Microsoft.Data.Sqlite;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>The journal's file name, connection settings and schema (version 1).</summary>
internal static class JournalSchema
{
    /// <summary>The journal's file name in a run folder.</summary>
    public const string FileName = "journal.db";

    /// <summary>The schema version kept in <c>PRAGMA user_version</c>.</summary>
    public const int Version = 1;

    /// <summary>The time format on disk: ISO-8601 UTC with 100 ns ticks, so text order is time order.</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>
    /// The table, and triggers that make it append-only (an UPDATE or DELETE aborts). <c>AUTOINCREMENT</c> so a sequence
    /// number is never reused, even for the last row; <c>json_valid</c> so no half-written payload can be committed.
    /// </summary>
    public const string CreateSql = """
        CREATE TABLE IF NOT EXISTS events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time_utc TEXT NOT NULL,
            kind TEXT NOT NULL,
            symbol TEXT,
            client_order_id TEXT,
            broker_order_id TEXT,
            order_status TEXT,
            payload TEXT NOT NULL CHECK (json_valid(payload))
        );
        CREATE INDEX IF NOT EXISTS events_client_order_id ON events (client_order_id) WHERE client_order_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS events_kind ON events (kind);
        CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
        """;

    /// <summary>The journal file of a run folder.</summary>
    public static string PathIn(string runFolder) => Path.Combine(Path.GetFullPath(runFolder), FileName);

    /// <summary>
    /// A connection string for the file. No pooling: a pooled connection would keep the file open after the journal is
    /// disposed (and tests, or <c>status</c>, must see the file released). The default timeout is how long a statement
    /// waits on a lock (a checkpoint, another writer) before failing.
    /// </summary>
    public static string ConnectionString(string file, SqliteOpenMode mode) => new SqliteConnectionStringBuilder
    {
        DataSource = file,
        Mode = mode,
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Runs one statement that returns nothing.</summary>
    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs one statement and returns its first value as text.</summary>
    public static string? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The event on the current row of a reader that selected <see cref="Columns"/>.</summary>
    public static JournalEvent Read(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        DateTime.SpecifyKind(DateTime.ParseExact(reader.GetString(1), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.None), DateTimeKind.Utc),
        JournalKinds.Parse(reader.GetString(2)),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.GetString(7));

    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns = "seq, time_utc, kind, symbol, client_order_id, broker_order_id, order_status, payload";
}
