using BenchmarkDotNet.Attributes;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Benchmarks;

/// <summary>
/// Per-bar calendar queries: a forward minute walk (the engine's pattern: the remembered session span answers almost
/// every call) against instants in random order (every call misses the cache and converts time zones).
/// </summary>
[MemoryDiagnoser]
public class CalendarBenchmarks
{
    private const int Minutes = 7 * 24 * 60;
    private readonly NyseCalendar _nyse = NyseCalendar.Instance;
    private readonly DateTime _weekStart = new(2024, 3, 4, 0, 0, 0, DateTimeKind.Utc);
    private DateTime[] _shuffled = [];

    /// <summary>Prepares random instants spread over 1995–2030 and warms the year caches.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        var first = new DateTime(1995, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var span = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks - first;
        _shuffled = new DateTime[Minutes];
        for (var i = 0; i < _shuffled.Length; i++)
        {
            _shuffled[i] = new DateTime(first + (long)(rng.NextDouble() * span), DateTimeKind.Utc);
        }

        foreach (var t in _shuffled)
        {
            _nyse.IsOpen(t);
        }
    }

    /// <summary>IsOpen once per minute of a week (across the March DST change).</summary>
    [Benchmark(OperationsPerInvoke = Minutes)]
    public int IsOpen_ForwardMinuteWalk()
    {
        var open = 0;
        var t = _weekStart;
        for (var i = 0; i < Minutes; i++, t = t.AddMinutes(1))
        {
            open += _nyse.IsOpen(t) ? 1 : 0;
        }

        return open;
    }

    /// <summary>SessionAt with extended hours once per minute of a week.</summary>
    [Benchmark(OperationsPerInvoke = Minutes)]
    public int SessionAtExtended_ForwardMinuteWalk()
    {
        var open = 0;
        var t = _weekStart;
        for (var i = 0; i < Minutes; i++, t = t.AddMinutes(1))
        {
            open += _nyse.SessionAt(t, extendedHours: true) is null ? 0 : 1;
        }

        return open;
    }

    /// <summary>IsOpen at instants in random order: the cache misses every time.</summary>
    [Benchmark(OperationsPerInvoke = Minutes)]
    public int IsOpen_RandomInstants()
    {
        var open = 0;
        foreach (var t in _shuffled)
        {
            open += _nyse.IsOpen(t) ? 1 : 0;
        }

        return open;
    }

    /// <summary>ToExchangeTime once per minute of a week.</summary>
    [Benchmark(OperationsPerInvoke = Minutes)]
    public long ToExchangeTime_ForwardMinuteWalk()
    {
        var sum = 0L;
        var t = _weekStart;
        for (var i = 0; i < Minutes; i++, t = t.AddMinutes(1))
        {
            sum += _nyse.ToExchangeTime(t).Ticks;
        }

        return sum;
    }
}
