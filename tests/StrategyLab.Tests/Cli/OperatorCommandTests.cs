using System.Text.Json.Nodes;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// <c>strategylab status</c> and <c>strategylab flatten</c> on journals written by the test: while a writer holds the journal
/// (a live run) and after it is gone without closing (a killed run); flatten against the Alpaca fake.
/// </summary>
public sealed class OperatorCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-ops-").FullName;

    public void Dispose() => JournalFolders.Delete(_dir);

    /// <summary>A run's journal: SPY bought 10 (filled), an open limit order on QQQ, a position.</summary>
    private static void WriteTrading(LiveJournal journal)
    {
        journal.Append(JournalEventKind.OrderRequest, new { qty = "10" }, "SPY", "run-1-1");
        journal.Append(JournalEventKind.BrokerAck, new { }, "SPY", "run-1-1", "b-1", "new");
        journal.Append(JournalEventKind.Fill, new { qty = "10", price = "100.5" }, "SPY", "run-1-1", "b-1", "filled");
        journal.Append(JournalEventKind.Position, new { qty = "10", avgEntryPrice = "100.5" }, "SPY");
        journal.Append(JournalEventKind.OrderRequest, new { qty = "5", limit = "50" }, "QQQ", "run-1-2");
        journal.Append(JournalEventKind.BrokerAck, new { }, "QQQ", "run-1-2", "b-2", "new");
    }

    [Fact]
    public async Task Status_OfALiveRun_ShowsPositionsOpenOrdersAndLastEvents_AsTextAndJson()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "live")).FullName;
        using var journal = LiveJournal.Open(folder, TimeProvider.System);
        WriteTrading(journal);

        var text = await CliRunner.RunInProcessAsync("status", folder);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("live (a process holds the journal)", text.StdOut, StringComparison.Ordinal);
        Assert.Contains("positions (1)", text.StdOut, StringComparison.Ordinal);
        Assert.Contains("open orders (1)", text.StdOut, StringComparison.Ordinal);
        Assert.Contains("run-1-2", text.StdOut, StringComparison.Ordinal);

        var json = await CliRunner.RunInProcessAsync("status", folder, "--json", "--last", "3");
        Assert.True(json.ExitCode == 0, json.ToString());
        var doc = JsonNode.Parse(json.StdOut)!;
        Assert.True(doc["running"]!.GetValue<bool>());
        Assert.Equal(6, doc["last_seq"]!.GetValue<long>());
        var position = Assert.Single(doc["positions"]!.AsArray())!;
        Assert.Equal(("SPY", 10m), (position["symbol"]!.GetValue<string>(), position["qty"]!.GetValue<decimal>()));
        Assert.Equal("run-1-2", Assert.Single(doc["open_orders"]!.AsArray())!["client_order_id"]!.GetValue<string>());
        Assert.Equal([4L, 5L, 6L], doc["last_events"]!.AsArray().Select(e => e!["seq"]!.GetValue<long>()));

        // The live writer is not disturbed: it keeps appending after the reads.
        journal.Append(JournalEventKind.Cancel, new { }, "QQQ", "run-1-2", "b-2", "canceled");
        var after = JsonNode.Parse((await CliRunner.RunInProcessAsync("status", folder, "--json")).StdOut)!;
        Assert.Empty(after["open_orders"]!.AsArray());
    }

    [Fact]
    public async Task Status_OfAKilledRun_ReadsTheCommittedEvents_AndSaysItIsNotRunning()
    {
        // The files as a killed writer leaves them: committed events still in the WAL (no checkpoint, no close), and no
        // process holding the lock. Copied while the writer is open, so nothing is checkpointed first.
        var live = Directory.CreateDirectory(Path.Combine(_dir, "writer")).FullName;
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "killed")).FullName;
        using (var journal = LiveJournal.Open(live, TimeProvider.System))
        {
            WriteTrading(journal);
            foreach (var name in (string[])["journal.db", "journal.db-wal"])
            {
                using var source = new FileStream(Path.Combine(live, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var target = File.Create(Path.Combine(folder, name));
                source.CopyTo(target);
            }

            Assert.True(new FileInfo(Path.Combine(folder, "journal.db-wal")).Length > 0);
        }

        var result = await CliRunner.RunInProcessAsync("status", folder, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var doc = JsonNode.Parse(result.StdOut)!;
        Assert.False(doc["running"]!.GetValue<bool>());
        Assert.Single(doc["positions"]!.AsArray());
        Assert.Single(doc["open_orders"]!.AsArray());
    }

    [Fact]
    public async Task Status_OfAFolderWithoutJournal_SaysSo()
    {
        var result = await CliRunner.RunInProcessAsync("status", _dir);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("has no journal", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flatten_OfAStoppedSimulatedRun_IsRefusedWithAClearMessage()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "sim")).FullName;
        using (var journal = LiveJournal.Open(folder, TimeProvider.System))
        {
            WriteTrading(journal);
        }

        File.WriteAllText(Path.Combine(folder, "config.json"), """{ "mode": "live", "broker": { "type": "simulated" } }""");

        var result = await CliRunner.RunInProcessAsync("flatten", folder);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("simulated exchange", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("nothing to flatten", result.StdErr, StringComparison.Ordinal);
        using var reader = JournalReader.Open(folder);
        Assert.Equal(6, reader.Status().LastSequence);
    }

    [Fact]
    public async Task Flatten_OfALiveSimulatedRun_ThatNeverAnswers_TimesOutAndSaysTheRequestStays()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "sim-live")).FullName;
        using var journal = LiveJournal.Open(folder, TimeProvider.System); // a "live" process without an operator desk
        WriteTrading(journal);
        File.WriteAllText(Path.Combine(folder, "config.json"), """{ "mode": "live", "broker": { "type": "simulated" } }""");

        var result = await CliRunner.RunInProcessAsync("flatten", folder, "--timeout", "0.5");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("handed to its process", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("did not report the flatten done", result.StdErr, StringComparison.Ordinal);
        var rows = ReadOperator(folder);
        Assert.Equal("flatten.requested", JsonNode.Parse(Assert.Single(rows).PayloadJson)!["action"]!.GetValue<string>()); // left for the run to apply
        Assert.Equal(7, rows[0].Sequence);
    }

    [Fact]
    public async Task Flatten_OfALiveAlpacaRun_WhoseProcessDiesBeforeApplyingIt_IsAbandoned_AndDoneAtTheBroker()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        await h.Client.SubmitOrderAsync(AlpacaHarness.Market("SPY", 10, AlpacaSide.Buy, 1), ct);
        h.Server.PushPrice("SPY", 100m);
        await h.Server.WaitUntilAsync(s => s.Positions.GetValueOrDefault("SPY") == 10m, cancellationToken: ct);
        await h.Client.SubmitOrderAsync(
            new AlpacaOrderRequest("QQQ", 5, AlpacaSide.Buy, AlpacaOrderType.Limit, AlpacaTimeInForce.Gtc, AlpacaClientOrderId.For("run-test", 2)) { LimitPrice = 50m }, ct);

        var folder = Directory.CreateDirectory(Path.Combine(_dir, "alpaca")).FullName;
        var journal = LiveJournal.Open(folder, TimeProvider.System); // the run is live: it holds the writer lock
        WriteTrading(journal);
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            { "mode": "live", "broker": { "type": "alpaca", "live": false },
              "providers": { "alpaca": { "api_key_id": "***", "api_secret_key": "***", "trading_url": "{{h.Server.TradingUrl}}" } } }
            """);

        var flatten = CliRunner.RunProcessAsync(
            ["flatten", folder],
            environment: new Dictionary<string, string> { [AlpacaOptions.KeyIdVariable] = AlpacaHarness.KeyId, [AlpacaOptions.SecretKeyVariable] = AlpacaHarness.Secret });
        await Eventually.Until(() => ReadOperator(folder).Count > 0 || flatten.IsCompleted, "the flatten request in the journal", TimeSpan.FromSeconds(60));
        journal.Dispose(); // the "process" dies before it applies the request
        var result = await flatten;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("flatten.abandoned", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("1 order(s) canceled, 1 position(s) closing", result.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain(AlpacaHarness.Secret, result.StdOut + result.StdErr, StringComparison.Ordinal);

        Assert.Equal("canceled", Assert.Single(h.Server.Orders, o => o.Symbol == "QQQ").Status);
        var close = Assert.Single(h.Server.Orders, o => o.Symbol == "SPY" && o.Side == "sell");
        Assert.Equal(10m, close.Qty);
        h.Server.PushPrice("SPY", 101m);
        await h.Server.WaitUntilAsync(s => !s.Positions.ContainsKey("SPY"), cancellationToken: ct);

        var rows = ReadOperator(folder);
        Assert.Equal(
            ["flatten.requested", "flatten.abandoned", "flatten.cancel", "flatten.close", "flatten.done"],
            rows.Select(r => JsonNode.Parse(r.PayloadJson)!["action"]!.GetValue<string>()));
        Assert.Equal(rows[0].Sequence, JsonNode.Parse(rows[^1].PayloadJson)!["request"]!.GetValue<long>());
    }

    private static IReadOnlyList<JournalEvent> ReadOperator(string folder)
    {
        using var reader = JournalReader.Open(folder);
        return reader.ReadOperatorAfter(0);
    }
}
