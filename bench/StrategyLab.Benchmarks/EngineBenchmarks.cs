using BenchmarkDotNet.Attributes;
using StrategyLab.Benchmarks.Throughput;
using StrategyLab.Core.Domain;

namespace StrategyLab.Benchmarks;

/// <summary>
/// The full orchestrator (exchange, portfolio, trade manager, statistics) over 200,000 synthetic one-minute bars of ten
/// symbols, with a strategy that never trades (the engine's own cost) and with SMA crossover. Divide by 200,000 for the
/// time per bar; <c>throughput engine</c> runs the 10-million-bar version.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    private Bar[] _bars = [];

    /// <summary>Generates the bars once.</summary>
    [GlobalSetup]
    public void Setup() => _bars = EngineThroughput.Generate(200_000);

    /// <summary>The engine with a strategy that never trades.</summary>
    [Benchmark(Baseline = true)]
    public long Engine_NoTrades()
    {
        EngineThroughput.RunEngine(_bars, out _, out var engine, new EngineThroughput.NeverTrades(), settleHeap: false);
        return engine.Counters.Bars;
    }

    /// <summary>The engine with SMA crossover 10/30 and the default 2 % stop-loss.</summary>
    [Benchmark]
    public long Engine_SmaCrossover()
    {
        EngineThroughput.RunEngine(_bars, out _, out var engine, settleHeap: false);
        return engine.Counters.Fills;
    }
}
