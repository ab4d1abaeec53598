using System.Text.Json.Nodes;
using StrategyLab.Cluster;

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

/// <summary>Issue 14, item 6: a sweep on an Orleans cluster of worker processes, with one worker killed mid-sweep.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterSweepTests(ITestOutputHelper output)
{
    // Ten days of the synthetic market: each backtest takes a fraction of a second, the sweep a few seconds.
    private const string Config = """
        {
          "data": { "provider": "synthetic", "from": "2024-01-02", "to": "2024-01-12" },
          "strategy": { "name": "sma_crossover" },
          "risk": { "stop_loss_pct": null }
        }
        """;

    [Fact]
    public async Task Sweep_WithOneWorkerKilledMidSweep_HasEveryCombinationOnce_AndEqualsTheLocalRuns()
    {
        using var cluster = await TestCluster.StartAsync();
        var workers = await Task.WhenAll(cluster.StartWorkerAsync(), cluster.StartWorkerAsync());
        var items = Combinations();

        var received = new List<WorkResult>();
        var handed = new Dictionary<string, int>();
        string? victim = null;
        int reassigned;
        await using (var executor = await ClusterSweepExecutor.ConnectAsync(
            new ClusterSweepOptions
            {
                Cluster = cluster.Address,
                ChunkSize = 2, // 6 chunks for 4 slots: the first worker to finish a chunk is handed a third
                PollInterval = TimeSpan.FromSeconds(1),
                ChunkTimeout = TimeSpan.FromMinutes(3),
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
            cancellationToken: TestContext.Current.CancellationToken))
        {
            await foreach (var result in executor.RunAsync(items, TestContext.Current.CancellationToken))
            {
                received.Add(result);
                output.WriteLine($"#{result.Index} from {result.Worker} in {result.Seconds:0.00} s");
            }

            reassigned = executor.Reassigned;
        }

        Assert.NotNull(victim);
        output.WriteLine($"{reassigned} combination(s) handed to the other worker");
        Assert.Equal(items.Select(i => i.Index).Order(), received.Select(r => r.Index).Order()); // every combination, once
        Assert.All(received, r => Assert.Null(r.Error));
        Assert.True(reassigned > 0, "the killed worker's chunks were never handed out again");

        // The same handler in this process gives the same rows: where a combination ran does not change its result.
        var local = new BacktestWorkHandler();
        foreach (var result in received)
        {
            var expected = local.Run(items[result.Index].Payload, TestContext.Current.CancellationToken);
            Assert.Equal(expected, result.Result);
        }
    }

    private static List<WorkItem> Combinations()
    {
        var items = new List<WorkItem>();
        foreach (var fast in new[] { 3, 5, 8 })
        {
            foreach (var slow in new[] { 15, 20, 30, 45 })
            {
                var overrides = new Dictionary<string, JsonNode?>
                {
                    ["strategy.params.fast"] = fast,
                    ["strategy.params.slow"] = slow,
                };
                items.Add(new WorkItem(items.Count, new BacktestPayload(Config, overrides).ToJson()));
            }
        }

        return items;
    }
}
