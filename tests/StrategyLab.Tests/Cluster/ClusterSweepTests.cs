using StrategyLab.Cluster;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Sweeps;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cluster;

/// <summary>
/// Runs alone, after the parallel tests: two worker silos and their backtests load both cores, and a silo starved
/// by other tests would be slow to start (never wrong: no timing is asserted, the timeouts are generous).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster (runs alone)";
}

/// <summary>
/// Issue 14, items 6 and 7: a sweep on an Orleans cluster of worker processes, with one worker killed mid-sweep, gives
/// every combination once and the same <c>sweep.csv</c> as the local sweep; then <c>strategylab sweep --cluster</c>,
/// typed as a user would, gives it too.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSweepTests(ITestOutputHelper output) : IDisposable
{
    // Three months of the synthetic market: each backtest takes a few tenths of a second, so a chunk of two cannot be
    // done before the worker holding it is killed (with ten days, a loaded machine let the worker answer first, and
    // the sweep never needed the dead worker's chunks).
    private const string Config = """
        {
          "data": { "provider": "synthetic", "from": "2024-01-02", "to": "2024-03-28" },
          "strategy": { "name": "sma_crossover" },
          "risk": { "stop_loss_pct": null }
        }
        """;

    private static readonly string[] Params = ["fast=3,5,8", "slow=15,20,30,45"];

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-cluster-").FullName;

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

    [Fact(Timeout = 15 * 60 * 1000)] // a backstop only: the sweep itself is bounded (RunBoundedAsync)
    public async Task Sweep_WithOneWorkerKilledMidSweep_HasEveryCombinationOnce_AndTheLocalSweepCsv()
    {
        using var cluster = await TestCluster.StartAsync();
        var workers = await Task.WhenAll(cluster.StartWorkerAsync(), cluster.StartWorkerAsync());
        var configPath = Path.Combine(_dir, "run.json");
        await File.WriteAllTextAsync(configPath, Config, TestContext.Current.CancellationToken);
        var (config, effective) = ConfigLoader.Load(configPath);
        var job = SweepJob.Prepare(new SweepJobSpec(effective.ToJsonString(), config.Strategy.BaseDirectory));
        var plan = SweepPlan.Build(null, Params, [], top: 1);

        var handed = new Dictionary<string, int>();
        string? victim = null;
        var lost = new List<string>();
        var seen = new List<int>();
        int reassigned;
        SweepResult remote;
        using var log = new CapturingLoggerProvider();
        await using (var executor = await ClusterSweepRunner.ConnectAsync(
            new ClusterSweepOptions
            {
                Cluster = cluster.Address,
                ChunkSize = 2, // 6 chunks for 4 slots: the first worker to finish a chunk is handed a third
                PollInterval = TimeSpan.FromSeconds(1),
                // The killed worker's chunks go back when it misses its probes (asserted below), not at this timeout; a
                // call to the live worker lost when the other died goes back when the survivor's probe answers do not list
                // it (AChunkLostOnTheWayToALiveWorker…). This stays a last bound on anything neither path catches.
                ChunkTimeout = TimeSpan.FromMinutes(1),
                ProbeTimeout = TimeSpan.FromSeconds(3),
                MissedProbesLimit = 3,
                WorkerLost = (worker, reason) =>
                {
                    output.WriteLine($"worker {worker} lost: {reason}");
                    lost.Add(worker);
                },
                WorkerWait = TimeSpan.FromMinutes(2),
                ChunkStarted = (worker, indexes) =>
                {
                    output.WriteLine($"chunk [{string.Join(',', indexes)}] to {worker}");
                    handed[worker] = handed.GetValueOrDefault(worker) + 1;
                    if (victim is null && handed[worker] == 3)
                    {
                        // Mid-sweep, with a chunk it was just handed: SIGKILL, so it never leaves the cluster cleanly
                        // and the sweep learns of it from the membership (or failed calls) only.
                        Array.Find(workers, w => w.Endpoint == worker).Process.Kill();
                        victim = worker;
                        output.WriteLine($"killed worker {victim}");
                    }
                },
            },
            TestContext.Current.CancellationToken,
            log.Into))
        {
            remote = await RunBoundedAsync(executor, job, plan, seen, log, cluster);
            reassigned = executor.Reassigned;
        }

        Assert.NotNull(victim);
        Assert.Equal([victim], lost); // the killed worker was dropped (the live one never was)
        output.WriteLine($"{reassigned} combination(s) handed to the other worker");
        Assert.Equal(plan.Combinations.Select(c => c.Index).Order(), seen.Order()); // every combination, once
        Assert.True(reassigned > 0, "the killed worker's chunks were never handed out again");
        Assert.All(remote.Rows, r => Assert.Null(r.Error));

        // Where a combination ran does not change its row: the same sweep.csv as on this machine's cores.
        var local = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(2), Path.Combine(_dir, "local"), cancellationToken: TestContext.Current.CancellationToken);
        var expected = await File.ReadAllTextAsync(Path.Combine(local.Folder, SweepOutput.CsvFileName), TestContext.Current.CancellationToken);
        Assert.Equal(expected, await File.ReadAllTextAsync(Path.Combine(remote.Folder, SweepOutput.CsvFileName), TestContext.Current.CancellationToken));

        // The command as a user types it, on a cluster of its own: the first one may still list the killed worker as
        // alive for a while, and a user's sweep waits far longer (30 minutes) for a chunk than this test should.
        using var second = await TestCluster.StartAsync();
        await second.StartWorkerAsync();
        var cliOut = Path.Combine(_dir, "cli");
        var cli = await CliRunner.RunProcessAsync(["sweep", "--config", configPath, "--param", Params[0], "--param", Params[1], "--top", "1", "--cluster", second.Address, "--out", cliOut, "--quiet"], timeout: TimeSpan.FromMinutes(5));
        output.WriteLine(cli.StdOut + cli.StdErr);
        Assert.Equal(0, cli.ExitCode);
        Assert.Equal(expected, await File.ReadAllTextAsync(Path.Combine(cliOut, SweepOutput.CsvFileName), TestContext.Current.CancellationToken));
    }

    [Theory(Timeout = 10 * 60 * 1000)] // a backstop only: the sweep itself is bounded (RunBoundedAsync)
    [InlineData(false)]
    [InlineData(true)]
    public async Task AChunkLostOnTheWayToALiveWorker_IsHandedOutAgain_LongBeforeTheCallTimeout(bool oneSlotOnly)
    {
        // One worker loses its second chunk as a call lost in transit would be (STRATEGYLAB_FAULT_DROP_CHUNK): it keeps
        // answering its probes, but they never list that chunk, so the client hands it out again after a few probes,
        // not after the user's 30-minute call timeout, and drops no worker. With a single one-slot worker the chunk
        // can only go back to the slot whose call hung: the first version of this queued it behind that call, lost it
        // again, and handed it there forever (the CI hang); now the grain takes it at once.
        using var cluster = await TestCluster.StartAsync();
        var dropsSecond = new Dictionary<string, string> { [ChunkFaults.Variable] = "2" };
        if (oneSlotOnly)
        {
            await cluster.StartWorkerAsync(slots: 1, environment: dropsSecond);
        }
        else
        {
            await Task.WhenAll(cluster.StartWorkerAsync(environment: dropsSecond), cluster.StartWorkerAsync());
        }
        var configPath = Path.Combine(_dir, "run.json");
        await File.WriteAllTextAsync(configPath, Config, TestContext.Current.CancellationToken);
        var (config, effective) = ConfigLoader.Load(configPath);
        var job = SweepJob.Prepare(new SweepJobSpec(effective.ToJsonString(), config.Strategy.BaseDirectory));
        var plan = SweepPlan.Build(null, Params, [], top: 0);
        var lost = new List<string>();
        var seen = new List<int>();
        SweepResult remote;
        int chunksLost;
        using var log = new CapturingLoggerProvider();
        await using (var executor = await ClusterSweepRunner.ConnectAsync(
            new ClusterSweepOptions
            {
                Cluster = cluster.Address,
                ChunkSize = 2,
                PollInterval = TimeSpan.FromSeconds(1),
                ChunkTimeout = TimeSpan.FromMinutes(30),
                MissedProbesLimit = 3,
                WorkerLost = (worker, reason) => lost.Add(worker + ": " + reason),
                WorkerWait = TimeSpan.FromMinutes(2),
                ChunkStarted = (worker, indexes) => output.WriteLine($"chunk [{string.Join(',', indexes)}] to {worker}"),
            },
            TestContext.Current.CancellationToken,
            log.Into))
        {
            remote = await RunBoundedAsync(executor, job, plan, seen, log, cluster);
            chunksLost = executor.ChunksLost;
        }

        Assert.Empty(lost); // both workers stayed alive
        Assert.True(chunksLost >= 1, "the lost chunk was never handed out again");
        Assert.NotEmpty(log.Named("cluster.chunk_lost"));
        Assert.Equal(plan.Combinations.Select(c => c.Index).Order(), seen.Order()); // every combination, once
        var local = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(2), Path.Combine(_dir, "local"), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(local.Folder, SweepOutput.CsvFileName), TestContext.Current.CancellationToken),
            await File.ReadAllTextAsync(Path.Combine(remote.Folder, SweepOutput.CsvFileName), TestContext.Current.CancellationToken));
    }

    /// <summary>
    /// Runs the sweep, bounded: one not finished in <paramref name="bound"/> (3 minutes unless said; a bound on a hang,
    /// not a timing assert, since the user's call timeout is 30 minutes) fails the test with the client's ledger (per
    /// worker: chunks handed out, answered, not held, failed; what each slot holds), its log, and the workers' output.
    /// </summary>
    private async Task<SweepResult> RunBoundedAsync(ClusterSweepRunner executor, SweepJob job, SweepPlan plan, List<int> seen, CapturingLoggerProvider log, TestCluster cluster, TimeSpan? bound = null)
    {
        var limit = bound ?? TimeSpan.FromMinutes(3);
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(limit);
        try
        {
            return await SweepRunner.RunAsync(job, plan, executor, Path.Combine(_dir, "cluster"), progress: row => seen.Add(row.Index), cancellationToken: guard.Token);
        }
        catch (Exception e) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            var what = e is OperationCanceledException ? $"did not finish in {limit.TotalMinutes:0} min" : "failed: " + e.Message;
            Assert.Fail($"the cluster sweep {what}.\nLedger: {executor.State}\nClient log:\n{string.Join('\n', log.Entries)}\n{cluster.WorkerOutput}\n{e}");
            throw;
        }
        finally
        {
            output.WriteLine("ledger: " + executor.State);
            foreach (var entry in log.Entries)
            {
                output.WriteLine(entry.ToString());
            }
        }
    }

    [Fact]
    public async Task SweepCommand_WithAClusterAddressThatIsNotRedis_SaysSo_AndLeavesNoFolder()
    {
        var configPath = Path.Combine(_dir, "run.json");
        await File.WriteAllTextAsync(configPath, Config, TestContext.Current.CancellationToken);
        var bad = await CliRunner.RunProcessAsync(["sweep", "--config", configPath, "--param", Params[0], "--cluster", "http://127.0.0.1:1", "--out", Path.Combine(_dir, "bad")]);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--cluster", bad.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")));
    }
}
