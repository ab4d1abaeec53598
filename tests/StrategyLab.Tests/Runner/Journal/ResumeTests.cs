using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner.Journal;

/// <summary>
/// The journal of a replay run (every order request before the venue sees it, every venue event as it arrives) and
/// <c>--resume</c> from a journal cut at any point: the resumed run ends as the uninterrupted one.
/// </summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sl-resume-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task AReplay_JournalsEachRequestBeforeItsAck_EachFillBeforeItsPosition_WithDeterministicClientIds()
    {
        var folder = await Reference();
        using var reader = JournalReader.Open(folder);
        var events = reader.ReadAfter();
        var requests = events.Where(e => e.Kind == JournalEventKind.OrderRequest).ToList();
        Assert.True(requests.Count >= 10);
        Assert.Equal(Enumerable.Range(1, requests.Count).Select(i => "sl-run-" + i), requests.Select(e => e.ClientOrderId));
        foreach (var r in requests)
        {
            var first = events.First(e => e.ClientOrderId == r.ClientOrderId);
            Assert.Same(r, first); // nothing about an order is journalled before its request
            Assert.Equal("pending_new", r.OrderStatus);
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Kind == JournalEventKind.Fill)
            {
                // The position row follows once the engine applied the fill (the orders it placed in reaction come first).
                var next = events.Skip(i + 1).First(e => e.Kind is JournalEventKind.Position or JournalEventKind.Fill);
                Assert.Equal(JournalEventKind.Position, next.Kind);
                Assert.Equal(events[i].Symbol, next.Symbol);
            }
        }

        // orders.csv carries the same ids: a resend after a restart uses the journalled one.
        Assert.Contains("sl-run-1,", File.ReadAllText(Path.Combine(folder, "orders.csv")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, RunJournal.ConfigFileName)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(60)]
    public async Task Resume_FromAJournalCutAfterAnyRow_EndsAsTheUninterruptedRun(int keep)
    {
        var reference = await Reference();
        using var reader = JournalReader.Open(reference);
        var all = reader.ReadAfter();
        Assert.True(all.Count > keep);

        // A run that died after its keep-th row: the config echo and the first rows of the journal.
        var cut = Path.Combine(_dir, "cut" + keep, "run");
        Directory.CreateDirectory(cut);
        File.Copy(Path.Combine(reference, RunJournal.ConfigFileName), Path.Combine(cut, RunJournal.ConfigFileName));
        using (var journal = LiveJournal.Open(cut, new FakeTimeProvider()))
        {
            foreach (var e in all.Take(keep))
            {
                journal.Append(new JournalEntry(e.Kind, e.PayloadJson, e.Symbol, e.ClientOrderId, e.BrokerOrderId, e.OrderStatus));
            }
        }

        var r = await CliRunner.RunInProcessAsync("live", "--resume", cut, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        using var resumed = JournalReader.Open(cut);
        Assert.Equal(
            all.Select(e => (e.Kind, e.ClientOrderId, e.OrderStatus, e.PayloadJson)),
            resumed.ReadAfter().Select(e => (e.Kind, e.ClientOrderId, e.OrderStatus, e.PayloadJson)));
        foreach (var file in (string[])["orders.csv", "fills.csv", "trades.csv", "equity.csv"])
        {
            Assert.Equal(File.ReadAllText(Path.Combine(reference, file)), File.ReadAllText(Path.Combine(cut, file)));
        }

        var log = File.ReadLines(Path.Combine(cut, "log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()).ToList();
        Assert.Contains("reconcile.completed", log);
    }

    [Fact]
    public async Task Resume_OfAFolderWithoutAJournal_IsABadInput_NamingTheFolder()
    {
        var folder = Path.Combine(_dir, "empty");
        Directory.CreateDirectory(folder);
        var r = await CliRunner.RunInProcessAsync("replay", "--resume", folder, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("empty", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_WhileAnotherProcessWritesTheJournal_Fails()
    {
        var reference = await Reference();
        using var journal = LiveJournal.Open(reference, new FakeTimeProvider());
        var r = await CliRunner.RunInProcessAsync("replay", "--resume", reference, "--quiet");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("open for writing", r.ToString(), StringComparison.Ordinal);
    }

    private async Task<string> Reference()
    {
        var folder = Path.Combine(_dir, "ref", "run");
        var config = Path.Combine(_dir, "ref.json");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(config, $$"""
            { "data": { "provider": "synthetic", "from": "2024-01-02", "to": "2024-01-03" }, "speedup": 0,
              "output": { "dir": "{{folder.Replace('\\', '/')}}", "report": false } }
            """);
        var r = await CliRunner.RunInProcessAsync("replay", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        return folder;
    }
}
