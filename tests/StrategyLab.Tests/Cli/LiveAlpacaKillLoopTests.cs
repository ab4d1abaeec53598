using System.Globalization;
using System.Text.Json.Nodes;
using StrategyLab.Runner.Live.Journal;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// Issue 13 point 5 through the CLI in live mode with the Alpaca broker: a real <c>strategylab live</c> process trades
/// BTC/USD on 1-second bars (trades from the Alpaca fake's data stream, orders to the fake's trading API) and is killed
/// with SIGKILL at one of the kill points; with every other run the streams are dropped around it (fills happen at the
/// fake while nobody listens). Then <c>live --resume &lt;run-folder&gt;</c> carries on, trades, and stops gracefully. After
/// every resume: no order lost (every journalled request reached the fake), none doubled (the fake holds one order per
/// client order id and none the journal does not know), each order's filled quantity and the positions equal the
/// fake's, and the run's cash equals the fake account's (the equity continues, nothing counted twice or dropped).
/// <c>status</c> is asked on the live and on the killed run. <c>STRATEGYLAB_LIVE_KILL_RUNS</c> sets the number of runs
/// (<c>STRATEGYLAB_LIVE_KILL_FIRST</c> the first one's number, to split a long loop over processes).
/// </summary>
public sealed class LiveAlpacaKillLoopTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The environment variable with the number of runs (default <see cref="DefaultRuns"/>).</summary>
    public const string RunsVariable = "STRATEGYLAB_LIVE_KILL_RUNS";

    /// <summary>The environment variable with the first run's number (default 0), to split a long loop over processes.</summary>
    public const string FirstRunVariable = "STRATEGYLAB_LIVE_KILL_FIRST";

    private const int DefaultRuns = 5;

    /// <summary>Killed from outside while the trade stream is reconnecting (its upgrades refused).</summary>
    private const string DuringReconnect = "during_reconnect";

    /// <summary>
    /// The kill points: before the order's request is journalled (so before it is sent); its request journalled but not
    /// yet sent; sent but its acknowledgement not journalled; a fill received but not journalled; a stream reconnect.
    /// </summary>
    private static readonly string[] Points = ["before_order_request", "after_order_request", "before_broker_ack", "before_fill", DuringReconnect];

    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(90);

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-livekill-").FullName;

    public void Dispose() => JournalFolders.Delete(_dir);

    [Fact]
    public async Task LiveAlpacaProcess_KilledAtEachPoint_WithAndWithoutTheStreamDropped_ThenResumed_LosesAndDoublesNoOrder()
    {
        var runs = int.TryParse(Environment.GetEnvironmentVariable(RunsVariable), CultureInfo.InvariantCulture, out var r) && r > 0 ? r : DefaultRuns;
        var first = int.TryParse(Environment.GetEnvironmentVariable(FirstRunVariable), CultureInfo.InvariantCulture, out var f) && f > 0 ? f : 0;
        var random = new Random(1313 + first);
        var tally = new KillTally();
        for (var run = first; run < first + runs; run++)
        {
            // Every point with and without the drop within ten runs.
            var point = Points[run % Points.Length];
            var dropped = run % 2 == 1;
            await using var market = await AlpacaLiveMarket.StartAsync(seed: 1000 + run);
            var folder = Path.Combine(_dir, "k" + run.ToString(CultureInfo.InvariantCulture), "run");
            var what = $"run {run} ({point}{(dropped ? ", streams dropped" : string.Empty)})";

            var nth = await KillAsync(market, folder, point, dropped, random, what);
            tally.Killed(point, dropped);

            var crashed = await StatusAsync(folder);
            Assert.False(crashed["running"]!.GetValue<bool>(), $"{what}: status says a killed run is running");

            await ResumeAndStopAsync(market, folder, what);
            tally.Resumed(Check(market, folder, what));
            tally.StreamConnections += market.Server.TradeStreamConnections;
            output.WriteLine($"{what}: killed at the {nth}th pass, resumed; {market}");
        }

        tally.Reconnects = tally.StreamConnections - (2 * runs);
        var summary = tally.Summary(runs, first);
        output.WriteLine(summary);
        Console.WriteLine(summary); // shows in `dotnet test` output too
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.Duplicates);
    }

    /// <summary>Starts the live run and kills it at <paramref name="point"/>; returns which pass of the point it was.</summary>
    private async Task<int> KillAsync(AlpacaLiveMarket market, string folder, string point, bool dropped, Random random, string what)
    {
        var config = market.WriteConfig(_dir, folder);
        var environment = new Dictionary<string, string>(AlpacaLiveMarket.KeyEnvironment);
        var nth = 1 + random.Next(3) + (dropped ? 1 : 0); // with the drop, late enough to fall during or after the outage
        if (point != DuringReconnect)
        {
            environment[FaultPoints.Variable] = point + ":" + nth.ToString(CultureInfo.InvariantCulture);
        }

        using var live = CliProcess.Start(["live", "--config", config], environment);
        var drop = dropped ? DropOnceTradingAsync(market, live) : Task.CompletedTask;
        if (point == DuringReconnect)
        {
            await Eventually.Until(() => market.Server.Orders.Count >= nth || live.HasExited, $"{what}: {nth} order(s) at the fake", ProcessTimeout);
            await drop;
            Assert.False(live.HasExited, $"{what}: the run ended before the kill\n{live}");

            var live1 = await StatusAsync(folder);
            Assert.True(live1["running"]!.GetValue<bool>(), $"{what}: status says a live run is not running");

            var refused = market.Server.RefusedUpgrades;
            market.Server.Faults.RefuseStreamUpgrades = true;
            market.Server.AbortTradeStreams();
            await Eventually.Until(() => market.Server.RefusedUpgrades > refused, $"{what}: a reconnect attempt", ProcessTimeout);
            live.Signal("KILL");
            await live.WaitForExitAsync(ProcessTimeout);
            market.Server.Faults.RefuseStreamUpgrades = false;
        }
        else
        {
            await live.WaitForExitAsync(ProcessTimeout);
            await drop;
        }

        Assert.True(live.ExitCode == 137, $"{what}: expected a kill -9 (137), got {live.ExitCode}\n{live}");
        return nth;
    }

    /// <summary>Drops the streams for a second and a half once the run has an order at the fake.</summary>
    private static async Task DropOnceTradingAsync(AlpacaLiveMarket market, CliProcess live)
    {
        await Eventually.Until(() => market.Server.Orders.Count >= 1 || live.HasExited, "an order at the fake", ProcessTimeout);
        if (!live.HasExited)
        {
            await market.DropStreamsAsync(TimeSpan.FromSeconds(1.5));
        }
    }

    /// <summary>
    /// <c>live --resume</c>: waits until it listens to the trade stream again, lets it trade for two seconds, stops the prints
    /// (so nothing fills behind its back), and stops it gracefully.
    /// </summary>
    private static async Task ResumeAndStopAsync(AlpacaLiveMarket market, string folder, string what)
    {
        var connections = market.Server.TradeStreamConnections;
        using var resumed = CliProcess.Start(["live", "--resume", folder], AlpacaLiveMarket.KeyEnvironment);
        await Eventually.Until(() => (market.Server.TradeStreamConnections > connections && market.Server.TradeStreamListeners > 0) || resumed.HasExited, $"{what}: the resumed run's trade stream", ProcessTimeout);
        Assert.False(resumed.HasExited, $"{what}: the resumed run ended early\n{resumed}");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // a few bars of trading after the resume
        market.Pause();
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken); // the last events reach it
        resumed.Signal("TERM");
        var code = await resumed.WaitForExitAsync(ProcessTimeout);
        Assert.True(code == 0, $"{what}: the resumed run exited with {code}\n{resumed}");
    }

    /// <summary>The journal against the fake: lost and doubled orders (asserted zero), fills, positions and cash.</summary>
    private static (int Orders, int Lost, int Duplicates, int Adopted) Check(AlpacaLiveMarket market, string folder, string what)
    {
        var state = JournalState.Load(folder);
        var all = market.Server.Orders.Where(o => !o.ClientOrderId.StartsWith("close-", StringComparison.Ordinal)).ToList();
        var atBroker = all.Where(o => !IsReplacement(o.ClientOrderId)).ToList(); // a replaced order's chain counts as the order
        var ids = atBroker.Select(o => o.ClientOrderId).ToList();
        var lost = state.OrderRequests.Except(ids, StringComparer.Ordinal).ToList();
        var duplicates = (ids.Count - ids.Distinct(StringComparer.Ordinal).Count())
            + (state.OrderRequests.Count - state.OrderRequests.Distinct(StringComparer.Ordinal).Count())
            + ids.Except(state.OrderRequests, StringComparer.Ordinal).Count();
        Assert.True(lost.Count == 0, $"{what}: journalled orders the fake never got: {string.Join(", ", lost)}");
        Assert.True(duplicates == 0, $"{what}: {duplicates} doubled order(s); journal [{string.Join(", ", state.OrderRequests)}], fake [{string.Join(", ", ids)}]");
        foreach (var o in atBroker)
        {
            var filled = all.Where(c => c.ClientOrderId == o.ClientOrderId || (IsReplacement(c.ClientOrderId) && c.ClientOrderId.StartsWith(o.ClientOrderId + "-r", StringComparison.Ordinal))).Sum(c => c.FilledQty);
            Assert.True(filled == state.Orders[o.ClientOrderId].FilledQuantity, $"{what}: {o.ClientOrderId} filled {filled} at the fake (its replacements included), {state.Orders[o.ClientOrderId].FilledQuantity} in the journal");
        }

        var journal = state.Positions.Where(p => p.Value != 0).OrderBy(p => p.Key, StringComparer.Ordinal);
        var broker = market.Server.Positions.OrderBy(p => p.Key, StringComparer.Ordinal);
        Assert.True(journal.SequenceEqual(broker), $"{what}: positions differ: journal [{string.Join(", ", journal)}], fake [{string.Join(", ", broker)}]");

        // Equity continuity: the run's cash (every fill once, at the fake's price) is the fake account's.
        var fills = File.ReadAllLines(Path.Combine(folder, "fills.csv"));
        var header = fills[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        var cash = 100_000m;
        foreach (var line in fills.Skip(1))
        {
            var f = line.Split(',');
            var qty = decimal.Parse(f[Col("qty")], CultureInfo.InvariantCulture) * decimal.Parse(f[Col("price")], CultureInfo.InvariantCulture);
            cash += string.Equals(f[Col("side")], "buy", StringComparison.OrdinalIgnoreCase) ? -qty : qty;
        }

        Assert.True(Math.Abs(cash - market.Server.Cash) <= 0.000001m, $"{what}: the run's fills leave cash {cash}, the fake account holds {market.Server.Cash}");

        // And the equity curve goes on from where the killed process left it: one mark per time, in order, no restart.
        var marks = File.ReadLines(Path.Combine(folder, "equity.csv")).Skip(1)
            .Select(l => DateTimeOffset.Parse(l[..l.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture)).ToList();
        Assert.True(marks.Zip(marks.Skip(1)).All(p => p.First < p.Second), $"{what}: equity.csv times are not strictly increasing");

        // A fill adopted from the broker (made while nobody listened) carries the broker's fill time, not the resume's.
        int adopted;
        using (var reader = JournalReader.Open(folder))
        {
            var rows = reader.ReadAfter();
            adopted = rows.Count(e => e.Kind == JournalEventKind.Reconcile && e.PayloadJson.Contains("order.adopted", StringComparison.Ordinal));
            foreach (var fill in rows.Where(e => e.Kind == JournalEventKind.Fill && e.PayloadJson.Contains("\"adopted\":true", StringComparison.Ordinal)))
            {
                var order = all.Where(o => o.ClientOrderId == fill.ClientOrderId || o.ClientOrderId.StartsWith(fill.ClientOrderId + "-r", StringComparison.Ordinal)).Last();
                var stamped = JsonNode.Parse(fill.PayloadJson)!["timeUtc"]!.GetValue<string>();
                var time = DateTime.Parse(stamped, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                Assert.True(order.Status != "filled" || time == order.FilledAt, $"{what}: {fill.ClientOrderId}'s adopted fill is stamped {stamped}; the fake filled it at {order.FilledAt:O}");
            }
        }

        market.Resume();
        return (ids.Count, lost.Count, duplicates, adopted);
    }

    private static bool IsReplacement(string clientOrderId) =>
        clientOrderId.LastIndexOf("-r", StringComparison.Ordinal) is var at and > 0 && at + 2 < clientOrderId.Length && clientOrderId[(at + 2)..].All(char.IsAsciiDigit);

    internal static async Task<JsonNode> StatusAsync(string folder)
    {
        var status = await CliRunner.RunInProcessAsync("status", folder, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        return JsonNode.Parse(status.StdOut)!;
    }

    /// <summary>The loop's numbers.</summary>
    private sealed class KillTally
    {
        private readonly Dictionary<string, int> _byPoint = Points.ToDictionary(p => p, _ => 0, StringComparer.Ordinal);
        private int _dropped;

        public int Kills { get; private set; }

        public int Orders { get; private set; }

        public int Lost { get; private set; }

        public int Duplicates { get; private set; }

        public int Adopted { get; private set; }

        public int StreamConnections { get; set; }

        public int Reconnects { get; set; }

        public void Killed(string point, bool dropped)
        {
            Kills++;
            _byPoint[point]++;
            _dropped += dropped ? 1 : 0;
        }

        public void Resumed((int Orders, int Lost, int Duplicates, int Adopted) check)
        {
            Orders += check.Orders;
            Lost += check.Lost;
            Duplicates += check.Duplicates;
            Adopted += check.Adopted;
        }

        public string Summary(int runs, int first) =>
            $"live kill -9 loop (Alpaca fake, CLI): {runs} runs (#{first}-#{first + runs - 1}), {Kills} kills ({_dropped} with the streams dropped), {runs} resumes, "
            + $"{Reconnects} trade-stream reconnects, {Orders} orders, {Adopted} adopted by reconciliation, lost {Lost}, duplicates {Duplicates}; kills by point: "
            + string.Join(", ", _byPoint.Select(p => $"{p.Key} {p.Value}"));
    }
}
