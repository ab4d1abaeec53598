using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Benchmarks.Throughput;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Scripting;
using StrategyLab.Strategies;

namespace StrategyLab.Benchmarks;

/// <summary>
/// A user strategy file against the same logic built in: the built-in SMA crossover's own source file compiled as a
/// user's file (Roslyn, as <c>strategy.source</c> does), run through the engine over the same 200,000 bars. The first
/// compile is measured once in the setup and printed, apart from the per-bar figures.
/// </summary>
[MemoryDiagnoser]
public class UserStrategyBenchmarks
{
    private Bar[] _bars = [];
    private IStrategyFactory _user = null!;
    private StrategyParameters _parameters = null!;

    /// <summary>Generates the bars and compiles the source once (into a fresh cache, so it really compiles).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _bars = EngineThroughput.Generate(200_000);
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "StrategyLab.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("The repository root (StrategyLab.slnx) was not found above the benchmark.");
        }

        var cache = Directory.CreateTempSubdirectory("sl-bench-cache-").FullName;
        var watch = Stopwatch.StartNew();
        var sources = StrategySources.Resolve(Path.Combine(root, "src", "StrategyLab.Strategies", "SmaCrossoverStrategy.cs"), root);
        var assembly = UserStrategyLoader.FromSource(sources, cache, NullLogger.Instance);
        _user = DeclaredStrategyFactory.For(assembly.Select("sma_crossover"));
        Console.WriteLine($"// first compile of the user file: {watch.Elapsed.TotalMilliseconds:F0} ms");
        _parameters = StrategyParameters.Bind(_user.Name, _user.Parameters, new Dictionary<string, object?> { ["fast"] = 10, ["slow"] = 30 });
    }

    /// <summary>The built-in SMA crossover 10/30.</summary>
    [Benchmark(Baseline = true)]
    public long SmaCrossover_BuiltIn()
    {
        EngineThroughput.RunEngine(_bars, out _, out var engine, new SmaCrossoverStrategy { Fast = 10, Slow = 30 }, settleHeap: false);
        return engine.Counters.Fills;
    }

    /// <summary>The same source compiled as a user's file.</summary>
    [Benchmark]
    public long SmaCrossover_UserFile()
    {
        EngineThroughput.RunEngine(_bars, out _, out var engine, _user.Create(_parameters), settleHeap: false);
        return engine.Counters.Fills;
    }
}
