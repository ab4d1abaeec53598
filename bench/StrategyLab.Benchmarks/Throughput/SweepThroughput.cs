using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Benchmarks.Throughput;

/// <summary>
/// <c>throughput sweep [--lean PATH] [--runs N] [--jobs a,b]</c>: a 100-combination SMA crossover sweep (fast 2..20:2 ×
/// slow 25..70:5) over the LEAN minute bars of SPY, AIG, BAC and IBM, 2013-10-04..11, with the bars read and parsed
/// once (timed separately), then the 100 runs with each <c>--jobs</c> value, alternating, median of N. Prints wall and
/// process CPU time of each and the wall-time ratio of the first to the others. The machine's other load shows in the
/// CPU/wall figures: a ratio below the core count with CPU well under wall × jobs means the cores were not free.
/// </summary>
internal static class SweepThroughput
{
    public static int Run(string[] args, TextWriter output)
    {
        string? lean = null;
        var runs = 3;
        int[] jobs = [1, 2];
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--lean": lean = args[++i]; break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--jobs": jobs = [.. args[++i].Split(',').Select(j => int.Parse(j, CultureInfo.InvariantCulture))]; break;
                default:
                    output.WriteLine($"unknown option {args[i]}; usage: throughput sweep [--lean PATH] [--runs N] [--jobs 1,2]");
                    return 2;
            }
        }

        lean ??= FindLean();
        if (lean is null)
        {
            output.WriteLine("LEAN data not found: pass --lean PATH (the folder holding equity/usa), e.g. ../shared/data/lean.");
            return 2;
        }

        var dir = Path.Combine(Path.GetTempPath(), "strategylab-sweep-throughput-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            var config = Path.Combine(dir, "run.json");
            File.WriteAllText(config, JsonSerializer.Serialize(new
            {
                data = new { provider = "lean", path = lean, symbols = new[] { "SPY", "AIG", "BAC", "IBM" }, from = "2013-10-04", to = "2013-10-11" },
                strategy = new { name = "sma_crossover" },
                output = new { report = false },
            }));
            var (runConfig, effective) = ConfigLoader.Load(config);
            effective.Remove("sweep");
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var job = SweepJob.Prepare(new SweepJobSpec(effective.ToJsonString(), runConfig.Strategy.BaseDirectory));
            process.Refresh();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bars read and parsed once: {job.BarCount:N0} bars in {clock.Elapsed.TotalSeconds:0.00} s wall, {(process.TotalProcessorTime - cpu0).TotalSeconds:0.00} s CPU"));
            var plan = SweepPlan.Build(null, ["fast=2..20:2", "slow=25..70:5"], [], top: 0);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{plan.Combinations.Count} combinations; {Environment.ProcessorCount} cores; median of {runs} run(s), the --jobs values alternating"));

            // Warm-up (JIT) with the first jobs value, not measured.
            Sweep(job, plan, jobs[0]);
            var measured = jobs.ToDictionary(j => j, _ => new List<(double Wall, double Cpu)>());
            for (var r = 0; r < runs; r++)
            {
                foreach (var j in jobs)
                {
                    measured[j].Add(Sweep(job, plan, j));
                }
            }

            var baseline = Median(measured[jobs[0]].Select(m => m.Wall));
            foreach (var j in jobs)
            {
                var wall = Median(measured[j].Select(m => m.Wall));
                var cpu = Median(measured[j].Select(m => m.Cpu));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--jobs {j}: wall {wall:0.00} s, CPU {cpu:0.00} s (CPU/wall {cpu / wall:0.00}), {plan.Combinations.Count / wall:0.0} combinations/s, speed-up vs --jobs {jobs[0]}: {baseline / wall:0.00}x"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (double Wall, double Cpu) Sweep(SweepJob job, SweepPlan plan, int jobs)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var executor = new LocalSweepExecutor(jobs);
        var rows = 0;
        var task = Task.Run(async () =>
        {
            await foreach (var _ in executor.RunAsync(job, plan.Combinations, null, CancellationToken.None).ConfigureAwait(false))
            {
                rows++;
            }
        });
        task.GetAwaiter().GetResult();
        var wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return rows == plan.Combinations.Count ? (wall, (process.TotalProcessorTime - cpu0).TotalSeconds) : throw new InvalidOperationException("rows missing");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string? FindLean()
    {
        if (Environment.GetEnvironmentVariable("STRATEGYLAB_SHARED") is { Length: > 0 } shared)
        {
            return Path.Combine(shared, "data", "lean");
        }

        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "data", "lean");
            if (Directory.Exists(Path.Combine(candidate, "equity", "usa")))
            {
                return candidate;
            }
        }

        return null;
    }
}
