using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace StrategyLab.Runner;

/// <summary>
/// Where a command's time goes, stage by stage (<c>strategylab backtest --timings</c>): each <see cref="End"/> closes the
/// stage that ran since the previous one and records its wall time, the CPU time of the calling thread and of the whole
/// process, the collections, the bytes allocated and the methods the JIT compiled meanwhile.
/// </summary>
/// <remarks>
/// Off unless asked for: the runners take a null <see cref="StageTimings"/> by default and then record nothing. When on,
/// a mark costs a few microseconds (two clock reads, a <c>getrusage</c>), nothing per bar. The thread's CPU time is read on
/// Linux only (elsewhere it is shown as <c>-</c>).
/// </remarks>
public sealed class StageTimings
{
    private readonly Func<StageSnapshot> _probe;
    private readonly StageSnapshot _origin;
    private readonly List<(string Name, StageSnapshot At)> _marks = [];

    /// <summary>Starts timing from the moment <paramref name="originTimestamp"/> (a <see cref="Stopwatch.GetTimestamp"/>; 0 for now).</summary>
    /// <param name="originTimestamp">When the first stage began, e.g. the command's <c>Main</c>; its CPU, GC and JIT figures count from the process start.</param>
    public StageTimings(long originTimestamp = 0)
        : this(StageSnapshot.Take, originTimestamp)
    {
    }

    /// <summary>Timing with the measurements <paramref name="probe"/> gives (tests).</summary>
    internal StageTimings(Func<StageSnapshot> probe, long originTimestamp)
    {
        _probe = probe;
        var now = probe();
        // The counters before the origin are the process's (start-up); only the clock starts at the origin.
        _origin = originTimestamp > 0 ? now with { Timestamp = originTimestamp } : now;
        _origin = _origin with { ThreadCpu = now.ThreadCpu is null ? null : TimeSpan.Zero, ProcessCpu = TimeSpan.Zero, Gen0 = 0, Gen1 = 0, Gen2 = 0, AllocatedBytes = 0, JitMethods = 0, JitTime = TimeSpan.Zero, GcPause = TimeSpan.Zero };
    }

    /// <summary>How long the process ran before the origin (the runtime's own start), when known (Linux, ±10 ms).</summary>
    public TimeSpan? BeforeOrigin { get; set; }

    /// <summary>Closes the stage named <paramref name="stage"/>: it ran from the previous mark (or the origin) until now.</summary>
    public void End(string stage)
    {
        ArgumentException.ThrowIfNullOrEmpty(stage);
        _marks.Add((stage, _probe()));
    }

    /// <summary>The stages closed so far, in order.</summary>
    public IReadOnlyList<StageTiming> Stages => StageArray();

    // An array walked by index: the table is written once at the very end of a run, where every generic instantiation over
    // StageTiming (a list's enumerator, LINQ's Sum) was JIT-compiled for it, a dozen methods counted in the run's own table.
    private StageTiming[] StageArray()
    {
        var stages = new StageTiming[_marks.Count];
        var previous = _origin;
        for (var i = 0; i < _marks.Count; i++)
        {
            var (name, at) = _marks[i];
            stages[i] = new StageTiming(
                name,
                Stopwatch.GetElapsedTime(previous.Timestamp, at.Timestamp),
                Stopwatch.GetElapsedTime(_origin.Timestamp, at.Timestamp),
                at.ThreadCpu is { } t && previous.ThreadCpu is { } p && at.ThreadId == previous.ThreadId ? t - p : null,
                at.ProcessCpu - previous.ProcessCpu,
                at.Gen0 - previous.Gen0,
                at.Gen1 - previous.Gen1,
                at.Gen2 - previous.Gen2,
                at.AllocatedBytes - previous.AllocatedBytes,
                at.JitMethods - previous.JitMethods,
                at.JitTime - previous.JitTime,
                at.GcPause - previous.GcPause);
            previous = at;
        }

        return stages;
    }

    /// <summary>
    /// Writes the stages as a table, one line each and a total, to <paramref name="writer"/>. The first stage's CPU,
    /// collections, allocations and JIT count from the process start; its wall time from the origin.
    /// </summary>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var stages = StageArray();
        var c = CultureInfo.InvariantCulture;
        writer.WriteLine("timings: wall and CPU in ms (thread: the thread that ran the command; process: all threads), collections gen0/1/2 (their pause in ms), MB allocated, methods JIT-compiled (their JIT ms)");
        writer.WriteLine(string.Create(c, $"{"stage",-21} {"wall",8} {"at",8} {"thread",8} {"process",8} {"GCs (ms)",16} {"MB",8} {"JIT",12}"));
        if (BeforeOrigin is { } before)
        {
            writer.WriteLine(string.Create(c, $"{"runtime",-21} {Ms(before),8} {Ms(before),8} {"-",8} {"-",8} {"-",16} {"-",8} {"-",12}"));
        }

        var shift = BeforeOrigin ?? TimeSpan.Zero;
        foreach (var s in stages)
        {
            writer.WriteLine(Line(s, shift));
        }

        if (stages.Length > 0)
        {
            writer.WriteLine(Line(Total(stages, stages[^1].At + shift), TimeSpan.Zero, wallIsTotal: true));
        }
    }

    /// <summary>The sum of <paramref name="stages"/> (thread CPU only when every stage has it), at <paramref name="wall"/>.</summary>
    private static StageTiming Total(StageTiming[] stages, TimeSpan wall)
    {
        TimeSpan? thread = TimeSpan.Zero;
        TimeSpan process = TimeSpan.Zero, jit = TimeSpan.Zero, pause = TimeSpan.Zero;
        int gen0 = 0, gen1 = 0, gen2 = 0;
        long allocated = 0, methods = 0;
        for (var i = 0; i < stages.Length; i++)
        {
            var s = stages[i];
            thread = thread is { } sum && s.ThreadCpu is { } t ? sum + t : null;
            process += s.ProcessCpu;
            gen0 += s.Gen0;
            gen1 += s.Gen1;
            gen2 += s.Gen2;
            allocated += s.AllocatedBytes;
            methods += s.JitMethods;
            jit += s.JitTime;
            pause += s.GcPause;
        }

        return new StageTiming("total", wall, wall, thread, process, gen0, gen1, gen2, allocated, methods, jit, pause);
    }

    private static string Line(StageTiming s, TimeSpan shift, bool wallIsTotal = false)
    {
        var c = CultureInfo.InvariantCulture;
        var gcs = string.Create(c, $"{s.Gen0}/{s.Gen1}/{s.Gen2} ({s.GcPause.TotalMilliseconds:0.0})");
        var jit = string.Create(c, $"{s.JitMethods} ({s.JitTime.TotalMilliseconds:0})");
        var thread = s.ThreadCpu is { } t ? Ms(t) : "-";
        return string.Create(c, $"{s.Name,-21} {Ms(s.Wall),8} {Ms(wallIsTotal ? s.At : s.At + shift),8} {thread,8} {Ms(s.ProcessCpu),8} {gcs,16} {s.AllocatedBytes / 1048576.0,8:0.0} {jit,12}");
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>
    /// How long this process ran before now, from the kernel's record of its start (Linux: <c>/proc/self/stat</c> and
    /// <c>/proc/uptime</c>, 10 ms resolution); null elsewhere or when they cannot be read.
    /// </summary>
    public static TimeSpan? ProcessAge()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var uptime = File.ReadAllText("/proc/uptime");
            var stat = File.ReadAllText("/proc/self/stat");
            // Fields after the command name (which may hold spaces, so split after its closing parenthesis): the 22nd
            // field, the start time in clock ticks since boot, is the 20th after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var startTicks = long.Parse(fields[19], CultureInfo.InvariantCulture);
            var up = double.Parse(uptime.AsSpan(0, uptime.IndexOf(' ')), CultureInfo.InvariantCulture);
            var age = TimeSpan.FromSeconds(up) - TimeSpan.FromSeconds(startTicks / 100.0); // USER_HZ is 100 on Linux
            return age >= TimeSpan.Zero ? age : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}

/// <summary>One closed stage of a <see cref="StageTimings"/>.</summary>
/// <param name="Name">The stage (<c>config</c>, <c>engine_loop</c>…).</param>
/// <param name="Wall">Its wall time.</param>
/// <param name="At">Wall time from the origin to its end.</param>
/// <param name="ThreadCpu">CPU time of the thread that ran it; null where it cannot be read or the stage changed threads.</param>
/// <param name="ProcessCpu">CPU time of the whole process (every thread: read-ahead, JIT, GC) meanwhile.</param>
/// <param name="Gen0">Generation-0 collections meanwhile (each collection counts in its generation and the younger ones).</param>
/// <param name="Gen1">Generation-1 collections meanwhile.</param>
/// <param name="Gen2">Generation-2 collections meanwhile.</param>
/// <param name="AllocatedBytes">Bytes allocated by every thread meanwhile.</param>
/// <param name="JitMethods">Methods the JIT compiled meanwhile.</param>
/// <param name="JitTime">Time spent in the JIT meanwhile, on any thread.</param>
/// <param name="GcPause">Time the collector held the managed threads suspended meanwhile.</param>
public readonly record struct StageTiming(
    string Name, TimeSpan Wall, TimeSpan At, TimeSpan? ThreadCpu, TimeSpan ProcessCpu, int Gen0, int Gen1, int Gen2, long AllocatedBytes, long JitMethods, TimeSpan JitTime, TimeSpan GcPause);

/// <summary>The clocks and counters a <see cref="StageTimings"/> mark reads.</summary>
internal readonly record struct StageSnapshot(
    long Timestamp, int ThreadId, TimeSpan? ThreadCpu, TimeSpan ProcessCpu, int Gen0, int Gen1, int Gen2, long AllocatedBytes, long JitMethods, TimeSpan JitTime, TimeSpan GcPause)
{
    /// <summary>Reads them now.</summary>
    public static StageSnapshot Take() => new(
        Stopwatch.GetTimestamp(),
        Environment.CurrentManagedThreadId,
        ThreadCpuTime(),
        Environment.CpuUsage.TotalTime,
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        GC.GetTotalAllocatedBytes(precise: false),
        JitInfo.GetCompiledMethodCount(),
        JitInfo.GetCompilationTime(),
        GC.GetTotalPauseDuration());

    private static TimeSpan? ThreadCpuTime()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return NativeMethods.clock_gettime(NativeMethods.ClockThreadCpuTime, out var t) == 0 ? TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100) : null;
    }

    private static class NativeMethods
    {
        public const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

        [StructLayout(LayoutKind.Sequential)]
        public struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int clock_gettime(int clock, out Timespec time);
    }
}
