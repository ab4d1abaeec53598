using BenchmarkDotNet.Attributes;
using StrategyLab.Core.Domain;

namespace StrategyLab.Benchmarks;

/// <summary>The floor under every bar reader: building validated <see cref="Bar"/> values from decoded columns.</summary>
public class BarConstructionBenchmarks
{
    private const int N = 10_000;
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private readonly long[] _units = new long[N];
    private readonly long[] _ticks = new long[N];
    private readonly Bar[] _bars = new Bar[N];

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < N; i++)
        {
            _units[i] = 4_200_000_000L + (i % 977);
            _ticks[i] = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i).Ticks;
        }
    }

    /// <summary>Decimal from scaled INT64 plus the Bar constructor, per bar.</summary>
    [Benchmark(OperationsPerInvoke = N)]
    public void BuildBars()
    {
        var bars = _bars;
        for (var i = 0; i < N; i++)
        {
            var u = _units[i];
            var d = new decimal((int)u, (int)(u >> 32), 0, false, 4);
            bars[i] = new Bar(Btc, new DateTime(_ticks[i], DateTimeKind.Utc), new DateTime(_ticks[i] + TimeSpan.TicksPerMinute, DateTimeKind.Utc), d, d, d, d, d);
        }
    }
}
