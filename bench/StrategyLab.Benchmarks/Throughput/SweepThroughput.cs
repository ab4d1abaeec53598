using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Benchmarks.Throughput;

/// <summary>
/// <c>throughput sweep [--lean PATH] [--runs N] [--warmup N] [--jobs a,b] [--allocations]</c>: a 100-combination SMA crossover sweep (fast 2..20:2 ×
/// slow 25..70:5) over the LEAN minute bars of SPY, AIG, BAC and IBM, 2013-10-04..11, with the bars read and parsed
/// once (timed separately), then at least N warm-up rounds (default 20) of a sweep with each <c>--jobs</c> value, more
/// until three rounds in a row compile no method (JIT tiering done: instrumented tier-0 code, whose shared profile counters the
/// workers fight over, must not be measured), then the 100 runs with each value, alternating, median of N. Prints, per
/// value: wall and process CPU time (the kernel's nanosecond clock, not <see cref="Process.TotalProcessorTime"/>'s
/// 10 ms ticks), the GCs per sweep (gen0/1/2), the GC pause time and the bytes allocated per sweep, the wall and CPU
/// ratios of the first value to the others (ratio of the medians, and the median of the ratios of each alternated pair,
/// steadier when the machine's load drifts), and the load average before and after (Linux). The machine's other load
/// shows in the CPU/wall figures: a wall ratio below the core count with CPU well under wall × jobs means the cores were
/// not free; the CPU ratio (jobs 1 CPU / jobs N CPU, ~1 when the workers add no overhead) depends little on the load.
/// </summary>
internal static class SweepThroughput
{
    private const int MaxWarmUpRounds = 60;
    private const int ClockProcessCpuTime = 2; // CLOCK_PROCESS_CPUTIME_ID

    public static int Run(string[] args, TextWriter output)
    {
        string? lean = null;
        var runs = 3;
        int[] jobs = [1, 2];
        var allocations = false;
        // At least 20 rounds: a method called once per sweep reaches the runtime's 30 calls only after 15 rounds of two
        // sweeps, and was then recompiled while measuring (518 methods after 3 rounds), on the second core for free
        // beside one worker but not beside two.
        var warmUp = 20;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--lean": lean = args[++i]; break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--allocations": allocations = true; break;
                case "--warmup": warmUp = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--jobs": jobs = [.. args[++i].Split(',').Select(j => int.Parse(j, CultureInfo.InvariantCulture))]; break;
                default:
                    output.WriteLine($"unknown option {args[i]}; usage: throughput sweep [--lean PATH] [--runs N] [--warmup N] [--jobs 1,2] [--allocations]");
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

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GC: server {System.Runtime.GCSettings.IsServerGC}, concurrent {System.Runtime.GCSettings.LatencyMode != System.Runtime.GCLatencyMode.Batch} (latency {System.Runtime.GCSettings.LatencyMode}); load average {LoadAverage()}"));

            // Warm-up (JIT, tiering) with every jobs value, not measured: a method rejitted at tier 1 on the background
            // thread mid-measure would be counted to whichever --jobs value ran then, and code still in an instrumented
            // tier counts calls in counters both workers write (the counters' cache lines bounce between the cores).
            // So: at least warmUp rounds, then more until three whole rounds in a row compile nothing (the background
            // compiler waits 100 ms after the last new method, so one quiet round proves little; at most MaxWarmUpRounds).
            var rounds = 0;
            var quiet = 0;
            for (; rounds < MaxWarmUpRounds && (rounds < warmUp || quiet < 3); rounds++)
            {
                var before = System.Runtime.JitInfo.GetCompiledMethodCount();
                foreach (var j in jobs)
                {
                    Sweep(job, plan, j);
                }

                quiet = System.Runtime.JitInfo.GetCompiledMethodCount() == before ? quiet + 1 : 0;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: {rounds} round(s), the last {quiet} of them compiling no method"));
            var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();

            if (allocations)
            {
                using var sampler = new AllocationSampler();
                sampler.Start();
                for (var r = 0; r < runs; r++)
                {
                    Sweep(job, plan, 1);
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocations by type (sampled every ~100 KB, {runs} --jobs 1 sweep(s)):"));
                foreach (var (type, share) in sampler.Top(25))
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {share,6:P1}  {type}"));
                }

                return 0;
            }

            var measured = jobs.ToDictionary(j => j, _ => new List<Measure>());
            for (var r = 0; r < runs; r++)
            {
                foreach (var j in jobs)
                {
                    measured[j].Add(Sweep(job, plan, j));
                }
            }

            var first = measured[jobs[0]];
            var baseline = Median(first.Select(m => m.Wall));
            var baselineCpu = Median(first.Select(m => m.Cpu));
            foreach (var j in jobs)
            {
                var m = measured[j];
                var wall = Median(m.Select(x => x.Wall));
                var cpu = Median(m.Select(x => x.Cpu));

                // Each run's pair (the first value's sweep and this value's right after it) saw about the same load.
                var pairWall = Median(m.Select((x, r) => first[r].Wall / x.Wall));
                var pairCpu = Median(m.Select((x, r) => first[r].Cpu / x.Cpu));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--jobs {j}: wall {wall:0.000} s, CPU {cpu:0.000} s (CPU/wall {cpu / wall:0.00}), {plan.Combinations.Count / wall:0.0} combinations/s; per sweep GCs {Median(m.Select(x => (double)x.Gen0)):0}/{Median(m.Select(x => (double)x.Gen1)):0}/{Median(m.Select(x => (double)x.Gen2)):0} (gen0/1/2), GC pause {Median(m.Select(x => x.PauseMs)):0.0} ms, workers outside runs {Median(m.Select(x => x.OutsideRunsMs)):0.0} ms, allocated {Median(m.Select(x => x.AllocatedMb)):0.0} MB; vs --jobs {jobs[0]}: wall speed-up {baseline / wall:0.00}x (pairwise median {pairWall:0.00}x), CPU ratio {baselineCpu / cpu:0.00} (pairwise {pairCpu:0.00})"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"methods compiled while measuring: {System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore}"));

            output.WriteLine("load average after: " + LoadAverage());

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static Measure Sweep(SweepJob job, SweepPlan plan, int jobs)
    {
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var pause = GC.GetTotalPauseDuration();
        var cpu0 = ProcessCpuSeconds();
        var clock = Stopwatch.StartNew();
        var executor = new LocalSweepExecutor(jobs);
        var rows = 0;
        var inRuns = 0.0;
        var task = Task.Run(async () =>
        {
            await foreach (var row in executor.RunAsync(job, plan.Combinations, null, CancellationToken.None).ConfigureAwait(false))
            {
                rows++;
                inRuns += row.Elapsed.TotalSeconds;
            }
        });
        task.GetAwaiter().GetResult();
        var wall = clock.Elapsed.TotalSeconds;
        var cpu = ProcessCpuSeconds() - cpu0;
        return rows == plan.Combinations.Count
            ? new Measure(
                wall,
                cpu,
                GC.CollectionCount(0) - gen0,
                GC.CollectionCount(1) - gen1,
                GC.CollectionCount(2) - gen2,
                (GC.GetTotalPauseDuration() - pause).TotalMilliseconds,
                ((jobs * wall) - inRuns) * 1000,
                (GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1e6)
            : throw new InvalidOperationException("rows missing");
    }

    /// <summary>The CPU time of the whole process: the kernel's per-process clock on Linux (nanoseconds), else the runtime's.</summary>
    private static double ProcessCpuSeconds() =>
        OperatingSystem.IsLinux() && clock_gettime(ClockProcessCpuTime, out var t) == 0
            ? t.Seconds + (t.Nanoseconds / 1e9)
            : Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>The 1, 5 and 15 minute load averages (Linux), or "n/a".</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

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

    /// <summary>
    /// One sweep: wall and CPU seconds, collections per generation (a gen2 counts in gen1 and gen0 too), GC pause ms,
    /// worker time outside runs (jobs × wall − Σ run times, ms: thread start, hand-out, rows, the tail), MB allocated.
    /// </summary>
    private readonly record struct Measure(double Wall, double Cpu, int Gen0, int Gen1, int Gen2, double PauseMs, double OutsideRunsMs, double AllocatedMb);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int clock_gettime(int clock, out Timespec time);
}
