using System.Globalization;
using System.Text.Json.Nodes;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// <c>strategylab flatten</c> on a running <c>strategylab live</c> process (issue 13): the command hands the request to the
/// process through the journal, the process's engine cancels its open orders and closes its positions through its venue
/// (the Alpaca fake, or the simulated exchange) and halts trading; the process keeps running and sends no further order;
/// a graceful stop writes <c>session.halted_by</c>, and <c>--resume</c> replays the halt. On a killed run flatten acts at
/// the broker itself.
/// </summary>
public sealed class LiveFlattenTests : IDisposable
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-flatten-").FullName;

    public void Dispose() => JournalFolders.Delete(_dir);

    [Fact]
    public async Task Flatten_OfARunningAlpacaProcess_ClosesThroughItsEngine_HaltsIt_AndAResumeReplaysTheHalt()
    {
        await using var market = await AlpacaLiveMarket.StartAsync(seed: 77);
        var folder = Path.Combine(_dir, "live", "run");
        using var live = CliProcess.Start(["live", "--config", market.WriteConfig(_dir, folder)], AlpacaLiveMarket.KeyEnvironment);

        // A position and its working stop-loss at the fake, and no exit of the strategy's in flight; the prints pause (no
        // bar, no fill) so that is still so when the flatten arrives.
        bool Holding() =>
            market.Server.Positions.Count > 0
            && market.Server.Orders.Any(o => o.Type == "stop" && o.Status is "new" or "accepted")
            && !market.Server.Orders.Any(o => o.Type == "market" && o.Status is "new" or "accepted" or "partially_filled");
        for (var attempt = 0; ; attempt++)
        {
            await Eventually.Until(() => live.HasExited || Holding(), "a position and an open stop at the fake", ProcessTimeout);
            Assert.False(live.HasExited, live.ToString());
            market.Pause();

            // The 1-second bar holding the last prints before the pause closes up to 1 s later and is handed over 0.2 s
            // after that (plus a 0.3 s late grace): the strategy may still decide on it, so look again only after it.
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            if (Holding() || attempt == 20)
            {
                break;
            }

            market.Resume();
        }

        var held = market.Server.Positions[AlpacaLiveMarket.Symbol];
        var running = await LiveAlpacaKillLoopTests.StatusAsync(folder);
        Assert.True(running["running"]!.GetValue<bool>());

        // The close is a market order: it fills at the fake's next print, so the prints resume once it is there.
        var flatten = CliRunner.RunProcessAsync(["flatten", folder], environment: new Dictionary<string, string>(AlpacaLiveMarket.KeyEnvironment));
        await Eventually.Until(() => OperatorActions(folder).Contains("flatten.applied") || flatten.IsCompleted, "the flatten applied by the run", ProcessTimeout);

        // Prints resume only once the fake has the stop cancelled and the close working: a print while the cancel is still
        // on its way may fill the stop as well (as at a real broker), and the run then rightly closes the short it left in
        // a second pass (2 positions closed, seen under load), which is not the case this test is about.
        await Eventually.Until(
            () => flatten.IsCompleted
                || (!market.Server.Orders.Any(o => o.Type == "stop" && o.Status is "new" or "accepted" or "pending_cancel")
                    && market.Server.Orders.Any(o => o.Type == "market" && o.Status is "new" or "accepted")),
            "the stop cancelled and the close working at the fake",
            ProcessTimeout);
        market.Resume();
        var result = await flatten;
        Assert.True(result.ExitCode == 0, result.ToString() + live);
        foreach (var line in (string[])["handed to its process", "done by the live run: 1 order(s) canceled, 1 position(s) closed", "canceled BTC/USD sell", "closed BTC/USD sell " + held.ToString(CultureInfo.InvariantCulture)])
        {
            Assert.True(
                result.StdOut.Contains(line, StringComparison.Ordinal),
                $"'{line}' not in\n{result}\nfake: {string.Join("; ", market.Server.Orders.Select(o => $"{o.ClientOrderId} {o.Side} {o.Type} {o.Status}"))}\n{File.ReadAllText(Path.Combine(folder, "log.jsonl"))}");
        }

        // The broker is flat, and so is the engine (status reads the journal the engine writes); the orders were its own.
        Assert.Empty(market.Server.Positions);
        Assert.DoesNotContain(market.Server.Orders, o => o.Status is "new" or "accepted" or "partially_filled" or "pending_cancel");
        Assert.All(market.Server.Orders, o => Assert.StartsWith("sl-", o.ClientOrderId, StringComparison.Ordinal));
        var flat = await LiveAlpacaKillLoopTests.StatusAsync(folder);
        Assert.True(flat["running"]!.GetValue<bool>(), "the process keeps running after a flatten");
        Assert.All(flat["positions"]!.AsArray(), p => Assert.Equal(0m, p!["qty"]!.GetValue<decimal>()));
        Assert.Empty(flat["open_orders"]!.AsArray());
        Assert.Equal(["flatten.requested", "flatten.applied", "flatten.done"], OperatorActions(folder));

        // Halted: prices keep moving for a few bars and no order is sent.
        var orders = market.Server.Orders.Count;
        var requests = JournalState.Load(folder).OrderRequests.Count;
        await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
        Assert.False(live.HasExited, live.ToString());
        Assert.Equal(orders, market.Server.Orders.Count);
        Assert.Equal(requests, JournalState.Load(folder).OrderRequests.Count);

        live.Signal("TERM");
        Assert.Equal(0, await live.WaitForExitAsync(ProcessTimeout));
        Assert.Equal("flatten", Session(folder)["halted_by"]?.GetValue<string>());
        Assert.Contains("flatten", File.ReadAllText(Path.Combine(folder, "trades.csv")), StringComparison.Ordinal); // the close is a trade, exit reason flatten

        // --resume replays the halt: it listens again, trades nothing, and says so in its summary.
        var connections = market.Server.TradeStreamConnections;
        using (var resumed = CliProcess.Start(["live", "--resume", folder], AlpacaLiveMarket.KeyEnvironment))
        {
            await Eventually.Until(() => (market.Server.TradeStreamConnections > connections && market.Server.TradeStreamListeners > 0) || resumed.HasExited, "the resumed run's trade stream", ProcessTimeout);
            await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
            resumed.Signal("TERM");
            Assert.True(await resumed.WaitForExitAsync(ProcessTimeout) == 0, resumed.ToString());
        }

        Assert.Equal(orders, market.Server.Orders.Count);
        Assert.Equal(requests, JournalState.Load(folder).OrderRequests.Count);
        Assert.Equal("flatten", Session(folder)["halted_by"]?.GetValue<string>());
        Assert.Empty(market.Server.Positions);
    }

    [Fact]
    public async Task Flatten_OfAKilledAlpacaProcess_ActsAtTheBroker()
    {
        await using var market = await AlpacaLiveMarket.StartAsync(seed: 78);
        var folder = Path.Combine(_dir, "killed", "run");
        using var live = CliProcess.Start(["live", "--config", market.WriteConfig(_dir, folder)], AlpacaLiveMarket.KeyEnvironment);
        await Eventually.Until(() => market.Server.Positions.Count > 0 || live.HasExited, "a position at the fake", ProcessTimeout);
        live.Signal("KILL");
        Assert.Equal(137, await live.WaitForExitAsync(ProcessTimeout));
        Assert.False((await LiveAlpacaKillLoopTests.StatusAsync(folder))["running"]!.GetValue<bool>());

        var result = await CliRunner.RunProcessAsync(["flatten", folder], environment: new Dictionary<string, string>(AlpacaLiveMarket.KeyEnvironment));
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("not running", result.StdOut, StringComparison.Ordinal);
        await Eventually.Until(
            () => market.Server.Positions.Count == 0 && !market.Server.Orders.Any(o => o.Status is "new" or "accepted" or "partially_filled"),
            "a flat account at the fake",
            ProcessTimeout);
        Assert.DoesNotContain(AlpacaHarness.Secret, result.StdOut + result.StdErr, StringComparison.Ordinal);
        var actions = OperatorActions(folder);
        Assert.Equal("flatten.requested", actions[0]);
        Assert.Equal("flatten.done", actions[^1]);
        Assert.DoesNotContain("flatten.applied", actions);
    }

    [Fact]
    public async Task Flatten_OfARunningSimulatedProcess_ClosesThroughTheSimulatedExchange_AndHaltsIt()
    {
        await using var market = await AlpacaLiveMarket.StartAsync(seed: 79);
        var folder = Path.Combine(_dir, "sim", "run");
        using var live = CliProcess.Start(["live", "--config", market.WriteConfig(_dir, folder, broker: "simulated")], AlpacaLiveMarket.KeyEnvironment);
        await Eventually.Until(
            () => live.HasExited || HoldsAPosition(folder),
            "a position in the simulated run",
            ProcessTimeout);
        Assert.False(live.HasExited, live.ToString());

        var result = await CliRunner.RunProcessAsync(["flatten", folder]);
        Assert.True(result.ExitCode == 0, result.ToString() + live);
        Assert.Contains("done by the live run", result.StdOut, StringComparison.Ordinal);
        var state = JournalState.Load(folder);
        Assert.All(state.Positions.Values, q => Assert.Equal(0m, q));
        Assert.DoesNotContain(state.Orders.Values, o => o.IsOpen);
        var requests = state.OrderRequests.Count;
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        Assert.Equal(requests, JournalState.Load(folder).OrderRequests.Count);
        Assert.Empty(market.Server.Orders); // nothing went to the broker: the run trades the simulated exchange

        live.Signal("TERM");
        Assert.Equal(0, await live.WaitForExitAsync(ProcessTimeout));
        Assert.Equal("flatten", Session(folder)["halted_by"]?.GetValue<string>());
    }

    /// <summary>True once the run's journal holds a position (false while the process is still creating it).</summary>
    private static bool HoldsAPosition(string folder)
    {
        try
        {
            return File.Exists(Path.Combine(folder, "journal.db")) && JournalState.Load(folder).Positions.Values.Any(q => q != 0);
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return false;
        }
    }

    private static List<string> OperatorActions(string folder)
    {
        using var reader = JournalReader.Open(folder);
        return [.. reader.ReadAfter().Where(e => e.Kind == JournalEventKind.Operator).Select(e => JsonNode.Parse(e.PayloadJson)!["action"]!.GetValue<string>())];
    }

    private static JsonNode Session(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!["session"]!;
}
