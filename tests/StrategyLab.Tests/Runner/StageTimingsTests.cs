using System.Diagnostics;
using StrategyLab.Runner;

namespace StrategyLab.Tests.Runner;

/// <summary>The stage timings behind <c>backtest --timings</c>: each stage is the difference between two marks.</summary>
public sealed class StageTimingsTests
{
    /// <summary>Marks read from a script instead of the clocks: stage i ends at snapshot i + 1 (snapshot 0 is the origin).</summary>
    private static Func<StageSnapshot> Script(params StageSnapshot[] snapshots)
    {
        var next = 0;
        return () => snapshots[next++];
    }

    private static StageSnapshot At(long ms, int thread = 1, double? threadCpuMs = null, double processCpuMs = 0, int gen0 = 0, int gen1 = 0, int gen2 = 0, long bytes = 0, long jit = 0, double jitMs = 0, double gcMs = 0) =>
        new(ms * Stopwatch.Frequency / 1000, thread, threadCpuMs is { } t ? TimeSpan.FromMilliseconds(t) : null, TimeSpan.FromMilliseconds(processCpuMs), gen0, gen1, gen2, bytes, jit, TimeSpan.FromMilliseconds(jitMs), TimeSpan.FromMilliseconds(gcMs));

    [Fact]
    public void EachStage_IsTheDifferenceFromThePreviousMark_AndTheFirstCountsTheProcessFromItsStart()
    {
        var timings = new StageTimings(
            Script(
                At(100, threadCpuMs: 40, processCpuMs: 50, gen0: 1, bytes: 1000, jit: 10, jitMs: 5), // the origin: its counters are the start-up's
                At(130, threadCpuMs: 60, processCpuMs: 75, gen0: 2, bytes: 3000, jit: 25, jitMs: 8),
                At(200, threadCpuMs: 110, processCpuMs: 160, gen0: 5, gen1: 1, gen2: 1, bytes: 9000, jit: 30, jitMs: 9, gcMs: 2.5)),
            originTimestamp: 0);
        timings.End("config");
        timings.End("engine_loop");

        var stages = timings.Stages;
        Assert.Equal(["config", "engine_loop"], stages.Select(s => s.Name));
        var config = stages[0];
        Assert.Equal(30, config.Wall.TotalMilliseconds, 3);
        Assert.Equal(TimeSpan.FromMilliseconds(60), config.ThreadCpu); // from the thread's start, not from the origin
        Assert.Equal(TimeSpan.FromMilliseconds(75), config.ProcessCpu);
        Assert.Equal((2, 3000L, 25L), (config.Gen0, config.AllocatedBytes, config.JitMethods));
        var loop = stages[1];
        Assert.Equal(70, loop.Wall.TotalMilliseconds, 3);
        Assert.Equal(100, loop.At.TotalMilliseconds, 3);
        Assert.Equal(TimeSpan.FromMilliseconds(50), loop.ThreadCpu);
        Assert.Equal(TimeSpan.FromMilliseconds(85), loop.ProcessCpu);
        Assert.Equal((3, 1, 1, 6000L, 5L), (loop.Gen0, loop.Gen1, loop.Gen2, loop.AllocatedBytes, loop.JitMethods));
        Assert.Equal(TimeSpan.FromMilliseconds(1), loop.JitTime);
        Assert.Equal(TimeSpan.FromMilliseconds(2.5), loop.GcPause);
    }

    [Fact]
    public void TheOrigin_CanBeEarlierThanTheTimings()
    {
        var origin = 40 * Stopwatch.Frequency / 1000;
        var timings = new StageTimings(Script(At(100), At(130)), origin);
        timings.End("command_line");
        Assert.Equal(90, timings.Stages[0].Wall.TotalMilliseconds, 3);
    }

    [Fact]
    public void AStageThatChangedThreads_HasNoThreadCpu()
    {
        var timings = new StageTimings(Script(At(0, thread: 1, threadCpuMs: 5), At(10, thread: 1, threadCpuMs: 9), At(20, thread: 7, threadCpuMs: 2)), 0);
        timings.End("a");
        timings.End("b");
        Assert.Equal(TimeSpan.FromMilliseconds(9), timings.Stages[0].ThreadCpu);
        Assert.Null(timings.Stages[1].ThreadCpu);
    }

    [Fact]
    public void TheTable_HasALinePerStage_ThenTheTotals()
    {
        var timings = new StageTimings(Script(At(0, threadCpuMs: 0), At(10, threadCpuMs: 4, processCpuMs: 6, gen0: 1, bytes: 1 << 20, jit: 3), At(35, threadCpuMs: 24, processCpuMs: 30, gen0: 3, gen2: 1, bytes: 3 << 20, jit: 4, gcMs: 1.5)), 0)
        {
            BeforeOrigin = TimeSpan.FromMilliseconds(50),
        };
        timings.End("config");
        timings.End("report");
        using var text = new StringWriter();
        timings.WriteTo(text);

        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("timings:", lines[0], StringComparison.Ordinal);
        Assert.Equal(["runtime", "config", "report", "total"], lines.Skip(2).Select(l => l.Split(' ')[0]));
        Assert.Equal(["config", "10.0", "60.0", "4.0", "6.0", "1/0/0", "(0.0)", "1.0", "3", "(0)"], Fields(lines[3]));
        Assert.Equal(["report", "25.0", "85.0", "20.0", "24.0", "2/0/1", "(1.5)", "2.0", "1", "(0)"], Fields(lines[4]));
        Assert.Equal(["total", "85.0", "85.0", "24.0", "30.0", "3/0/1", "(1.5)", "3.0", "4", "(0)"], Fields(lines[5]));
    }

    [Fact]
    public void TheTotal_HasNoThreadCpu_WhenAStageChangedThreads_AndSumsTheRest()
    {
        var timings = new StageTimings(Script(At(0, threadCpuMs: 0), At(10, thread: 1, threadCpuMs: 4, processCpuMs: 6, jit: 3), At(30, thread: 7, threadCpuMs: 2, processCpuMs: 16, gen1: 2, jit: 5, jitMs: 2)), 0);
        timings.End("a");
        timings.End("b");
        using var text = new StringWriter();
        timings.WriteTo(text);

        var total = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.Equal(["total", "30.0", "30.0", "-", "16.0", "0/2/0", "(0.0)", "0.0", "5", "(2)"], Fields(total));
    }

    [Fact]
    public void RealClocks_GiveStagesThatAddUpToTheTotal()
    {
        var timings = new StageTimings();
        timings.End("a");
        timings.End("b");
        var stages = timings.Stages;
        Assert.All(stages, s => Assert.True(s.Wall >= TimeSpan.Zero && s.ProcessCpu >= TimeSpan.Zero, s.ToString()));
        // Each span is the stopwatch interval cut to whole 100 ns ticks, so a sum of two may differ from the total by a
        // tick; rounding both to 3 decimals (the old check) failed when they straddled a rounding boundary.
        Assert.Equal(stages[^1].At.TotalMilliseconds, (stages[0].Wall + stages[1].Wall).TotalMilliseconds, tolerance: 0.0005);
        if (OperatingSystem.IsLinux())
        {
            Assert.NotNull(stages[1].ThreadCpu);
            Assert.NotNull(StageTimings.ProcessAge());
        }
    }

    private static string[] Fields(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
