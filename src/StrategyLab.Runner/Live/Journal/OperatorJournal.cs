using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace StrategyLab.Runner.Live.Journal;

/// <summary>
/// Appends <see cref="JournalEventKind.Operator"/> rows to a run's journal from another process (<c>strategylab flatten</c>),
/// also while the run is live and holds the journal's writer lock.
/// </summary>
/// <remarks>
/// <para>
/// The live process's <see cref="LiveJournal"/> holds <c>journal.db.lock</c> to keep a second <em>run</em> off the folder;
/// it does not lock the database itself. SQLite already serialises writers of one file: in WAL mode exactly one write
/// transaction runs at a time and the others wait (busy timeout). So an operator row is written on its own connection,
/// without taking the lock file, in one <c>BEGIN IMMEDIATE</c> transaction (it takes the write lock up front, so it never
/// has to upgrade a read and fail), with a busy timeout of several seconds: if the run is committing at that moment, one of
/// the two waits a few milliseconds for the other. Rows stay append-only, sequence numbers unique (<c>AUTOINCREMENT</c>),
/// and the run's own commits are never mixed with ours. The run does not read these rows; a resume sees them as history.
/// </para>
/// <para>Each call opens, writes one row, and closes: nothing is held between calls.</para>
/// </remarks>
public static class OperatorJournal
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>How long a write waits for the run's own commit to finish (busy timeout).</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// True while a process holds the journal's writer lock (<c>journal.db.lock</c>): the run is live (or resuming). False
    /// for a stopped or crashed run (the lock dies with its process).
    /// </summary>
    public static bool IsHeldByARun(string runFolder)
    {
        var lockFile = JournalSchema.PathIn(runFolder) + ".lock";
        if (!File.Exists(lockFile))
        {
            return false;
        }

        try
        {
            using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>Commits one operator row; <paramref name="payload"/> is serialised as a JSON object (camelCase).</summary>
    /// <param name="runFolder">The run folder (its journal must exist).</param>
    /// <param name="action">What happened, e.g. <c>flatten.requested</c>, <c>flatten.done</c>; stored in the payload's <c>action</c>.</param>
    /// <param name="payload">The details (an object; its properties are merged after <c>action</c>).</param>
    /// <param name="time">The clock the row is stamped with.</param>
    /// <param name="symbol">The instrument, when the row concerns one.</param>
    /// <returns>The row's sequence number.</returns>
    /// <exception cref="FileNotFoundException">The folder has no journal.</exception>
    /// <exception cref="SqliteException">The write failed (e.g. the run kept the write lock past the busy timeout).</exception>
    public static long Append(string runFolder, string action, object payload, TimeProvider time, string? symbol = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(time);
        var file = JournalSchema.PathIn(runFolder);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No journal in {Path.GetFullPath(runFolder)} (expected {JournalSchema.FileName}).", file);
        }

        var body = JsonSerializer.SerializeToNode(payload, PayloadJson) as System.Text.Json.Nodes.JsonObject ?? [];
        var json = new System.Text.Json.Nodes.JsonObject { ["action"] = action };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            json[key] = value;
        }

        using var connection = new SqliteConnection(JournalSchema.ConnectionString(file, SqliteOpenMode.ReadWrite));
        connection.Open();
        JournalSchema.Execute(connection, "PRAGMA busy_timeout=" + ((long)BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        try
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO events (time_utc, kind, symbol, payload) VALUES ($time, $kind, $symbol, $payload) RETURNING seq";
            insert.Parameters.AddWithValue("$time", time.GetUtcNow().UtcDateTime.ToString(JournalSchema.TimeFormat, CultureInfo.InvariantCulture));
            insert.Parameters.AddWithValue("$kind", JournalKinds.ToText(JournalEventKind.Operator));
            insert.Parameters.AddWithValue("$symbol", (object?)symbol ?? DBNull.Value);
            insert.Parameters.AddWithValue("$payload", json.ToJsonString());
            var seq = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            JournalSchema.Execute(connection, "COMMIT");
            return seq;
        }
        catch
        {
            JournalSchema.Execute(connection, "ROLLBACK");
            throw;
        }
    }
}
