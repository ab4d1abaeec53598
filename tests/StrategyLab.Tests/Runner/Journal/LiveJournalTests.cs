using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Runner.Live.Journal;

namespace StrategyLab.Tests.Runner.Journal;

/// <summary>The live journal: write and replay, append-only, status queries, concurrent readers, a writer killed mid-write.</summary>
public sealed class LiveJournalTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sl-journal-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 2, 14, 30, 0, TimeSpan.Zero));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public void Append_ThenReplay_GivesEveryEventInOrder_WithItsFields()
    {
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Assert.Equal(1, journal.Append(JournalEventKind.Intent, new { side = "buy", qty = "10" }, symbol: "AAPL"));
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(2, journal.Append(new JournalEntry(JournalEventKind.OrderRequest, "{\"type\":\"market\"}", "AAPL", "run1-1", null, "pending_new")));
            Assert.Equal(3, journal.Append(new JournalEntry(JournalEventKind.BrokerAck, "{}", "AAPL", "run1-1", "b-1", "new")));
            Assert.Equal(3, journal.LastSequence);
        }

        Assert.True(File.Exists(Path.Combine(_folder, "journal.db")));
        using var reader = JournalReader.Open(_folder);
        var events = reader.ReadAfter();
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal([JournalEventKind.Intent, JournalEventKind.OrderRequest, JournalEventKind.BrokerAck], events.Select(e => e.Kind));
        Assert.Equal(new DateTime(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc), events[0].TimeUtc);
        Assert.Equal(DateTimeKind.Utc, events[0].TimeUtc.Kind);
        Assert.Equal(new DateTime(2026, 3, 2, 14, 30, 1, DateTimeKind.Utc), events[1].TimeUtc);
        Assert.Equal("{\"side\":\"buy\",\"qty\":\"10\"}", events[0].PayloadJson);
        Assert.Equal(("run1-1", "b-1", "new"), (events[2].ClientOrderId, events[2].BrokerOrderId, events[2].OrderStatus));
        Assert.Equal([3L], reader.ReadAfter(2).Select(e => e.Sequence));
        Assert.Equal([2L, 3L], reader.ReadOrder("run1-1").Select(e => e.Sequence));
    }

    [Fact]
    public void Reopen_ContinuesTheSequence_AndTheFileIsInWalMode()
    {
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            journal.Append(JournalEventKind.Intent, new { n = 1 });
        }

        using (var journal = LiveJournal.Open(_folder, _time))
        {
            Assert.Equal(1, journal.LastSequence);
            Assert.Equal(2, journal.Append(JournalEventKind.Intent, new { n = 2 }));
        }

        using var raw = RawConnection();
        Assert.Equal("wal", Scalar(raw, "PRAGMA journal_mode"));
    }

    [Fact]
    public void TheTable_IsAppendOnly_AndRejectsAPayloadThatIsNotJson()
    {
        using var journal = LiveJournal.Open(_folder, _time);
        journal.Append(JournalEventKind.Intent, new { n = 1 });

        Assert.Throws<SqliteException>(() => journal.Append(new JournalEntry(JournalEventKind.Fill, "{\"half\":")));
        Assert.Equal(1, journal.LastSequence);

        using var raw = RawConnection();
        var update = Assert.Throws<SqliteException>(() => Execute(raw, "UPDATE events SET kind = 'fill'"));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Throws<SqliteException>(() => Execute(raw, "DELETE FROM events"));
        Assert.Equal("1", Scalar(raw, "SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public void ASecondWriter_IsRefused_WhileTheFirstIsOpen()
    {
        using var first = LiveJournal.Open(_folder, _time);

        var e = Assert.Throws<IOException>(() => LiveJournal.Open(_folder, _time));
        Assert.Contains("open for writing by another process", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_ShowsOpenOrders_NonZeroPositions_AndTheLastEvents()
    {
        using (var journal = LiveJournal.Open(_folder, _time))
        {
            journal.Append(new JournalEntry(JournalEventKind.OrderRequest, "{}", "AAPL", "r-1", null, "pending_new"));
            journal.Append(new JournalEntry(JournalEventKind.BrokerAck, "{}", "AAPL", "r-1", "b-1", "new"));
            journal.Append(new JournalEntry(JournalEventKind.OrderRequest, "{}", "MSFT", "r-2", null, "pending_new"));
            journal.Append(new JournalEntry(JournalEventKind.Fill, "{\"qty\":\"5\",\"price\":\"300\"}", "MSFT", "r-2", "b-2", "filled"));
            journal.Append(JournalEventKind.Position, new { qty = "5", avgEntryPrice = "300" }, symbol: "MSFT");
            journal.Append(new JournalEntry(JournalEventKind.Position, "{\"qty\":3}", "SPY"));
            journal.Append(new JournalEntry(JournalEventKind.Position, "{\"qty\":\"0\"}", "SPY"));
            journal.Append(new JournalEntry(JournalEventKind.OrderRequest, "{}", "AAPL", "r-3", null, "pending_new"));
            journal.Append(new JournalEntry(JournalEventKind.Cancel, "{}", "AAPL", "r-3", "b-3", "canceled"));
        }

        using var reader = JournalReader.Open(_folder);
        var status = reader.Status(lastEvents: 2);

        Assert.Equal(9, status.LastSequence);
        var open = Assert.Single(status.OpenOrders);
        Assert.Equal(("r-1", "new", "b-1"), (open.ClientOrderId, open.OrderStatus, open.BrokerOrderId));
        var position = Assert.Single(status.Positions);
        Assert.Equal(("MSFT", 5m, (decimal?)300m), (position.Symbol, position.Quantity, position.AverageEntryPrice));
        Assert.Equal([8L, 9L], status.LastEvents.Select(e => e.Sequence));
    }

    [Fact]
    public async Task AReader_WhileTheWriterAppends_SeesOnlyWholeContiguousPrefixes()
    {
        const int Total = 300;
        using var journal = LiveJournal.Open(_folder, TimeProvider.System);
        using var reader = JournalReader.Open(_folder);
        var writer = Task.Run(
            () =>
            {
                for (var i = 1; i <= Total; i++)
                {
                    journal.Append(new JournalEntry(JournalEventKind.Fill, Payload(i), "AAPL", "c-" + i.ToString(CultureInfo.InvariantCulture), null, "filled"));
                }
            },
            TestContext.Current.CancellationToken);

        var reads = 0;
        long seen = 0;
        while (!writer.IsCompleted || seen < Total)
        {
            var events = reader.ReadAfter();
            Assert.True(events.Count >= seen, "a later read never sees fewer events");
            AssertWholePrefix(events);
            var status = reader.Status(lastEvents: 5);
            Assert.True(status.LastSequence >= events.Count);
            seen = events.Count;
            reads++;
        }

        await writer;
        Assert.Equal(Total, reader.ReadAfter().Count);
        Assert.True(reads > 1);
    }

    [Fact]
    public async Task AWriterKilledMidWrite_LeavesAJournalThatOpens_WithEveryCommittedEvent_AndNoPartialOne()
    {
        Directory.CreateDirectory(_folder);
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(typeof(LiveJournalTests).Assembly.Location);
        psi.ArgumentList.Add("-method");
        psi.ArgumentList.Add(typeof(JournalChildWriter).FullName + "." + nameof(JournalChildWriter.WriteUntilKilled));
        psi.Environment[JournalChildWriter.FolderVariable] = _folder;
        using var child = Process.Start(psi)!;
        _ = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        _ = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            // Wait (on the journal itself) until the child is well into its loop, then SIGKILL it mid-stream.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (CommittedCount() < 200)
            {
                Assert.False(child.HasExited, "the child writer exited before it was killed");
                Assert.True(DateTime.UtcNow < deadline, "the child wrote fewer than 200 events in 60 s");
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            child.Kill(); // SIGKILL on Unix: no finaliser, no Dispose, no checkpoint.
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        using (var reader = JournalReader.Open(_folder))
        {
            var events = reader.ReadAfter();
            Assert.True(events.Count >= 200);
            AssertWholePrefix(events);
        }

        using (var raw = RawConnection())
        {
            Assert.Equal("ok", Scalar(raw, "PRAGMA integrity_check"));
        }

        // The killed writer's lock died with it: a resumed run can open the journal and carry on the sequence.
        using var resumed = LiveJournal.Open(_folder, _time);
        var next = resumed.LastSequence + 1;
        Assert.Equal(next, resumed.Append(new JournalEntry(JournalEventKind.Reconcile, Payload(next))));
    }

    /// <summary>Sequences 1..n without a gap, each payload whole and carrying its own sequence number.</summary>
    internal static void AssertWholePrefix(IReadOnlyList<JournalEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(i + 1, events[i].Sequence);
            using var doc = JsonDocument.Parse(events[i].PayloadJson);
            Assert.Equal(i + 1, doc.RootElement.GetProperty("i").GetInt64());
            Assert.Equal(JournalChildWriter.Padding.Length, doc.RootElement.GetProperty("pad").GetString()!.Length);
        }
    }

    internal static string Payload(long i) =>
        "{\"i\":" + i.ToString(CultureInfo.InvariantCulture) + ",\"pad\":\"" + JournalChildWriter.Padding + "\"}";

    private int CommittedCount()
    {
        if (!File.Exists(Path.Combine(_folder, "journal.db")))
        {
            return 0;
        }

        try
        {
            using var reader = JournalReader.Open(_folder);
            return (int)reader.Status(0).LastSequence;
        }
        catch (SqliteException)
        {
            return 0; // the child is still creating the schema
        }
    }

    private SqliteConnection RawConnection()
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "journal.db"), Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static string? Scalar(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// The child process of <see cref="LiveJournalTests.AWriterKilledMidWrite_LeavesAJournalThatOpens_WithEveryCommittedEvent_AndNoPartialOne"/>:
/// the test assembly started again on this one method, which appends events until it is killed. Skipped when run
/// without the folder variable (i.e. in a normal test run).
/// </summary>
public sealed class JournalChildWriter
{
    /// <summary>The environment variable naming the run folder to write into.</summary>
    public const string FolderVariable = "STRATEGYLAB_JOURNAL_CHILD_FOLDER";

    /// <summary>A payload large enough (8 KiB) that a kill often lands inside a write.</summary>
    public static readonly string Padding = new('x', 8192);

    [Fact]
    public void WriteUntilKilled()
    {
        var folder = Environment.GetEnvironmentVariable(FolderVariable);
        Assert.SkipWhen(string.IsNullOrEmpty(folder), "runs only as the child process of the journal kill test");
        using var journal = LiveJournal.Open(folder!, TimeProvider.System);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120); // never outlive a test run that forgot to kill it
        for (var i = journal.LastSequence + 1; DateTime.UtcNow < deadline; i++)
        {
            journal.Append(new JournalEntry(JournalEventKind.Fill, LiveJournalTests.Payload(i), "AAPL", "c-" + i.ToString(CultureInfo.InvariantCulture), null, "filled"));
        }
    }
}
