using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Statistics;
using StrategyLab.Core.Strategies;
using StrategyLab.Data.Store;
using StrategyLab.Strategies;

namespace StrategyLab.Benchmarks.Throughput;

/// <summary>
/// <c>throughput engine [bars]</c>: SMA crossover over synthetic 1-minute bars (10 symbols, regular NYSE sessions)
/// through the full orchestrator — exchange, portfolio, trade manager with a 2% stop-loss, statistics on every
/// equity mark — from memory and from the Parquet store, beside a bare loop that only computes the two SMAs.
/// Prints bars/s, the ratio to the bare loop, bytes allocated per bar in steady state, and the trading path's cost per
/// round trip: what the trading run spends beyond the never-trading one (time and bytes), over its round trips — the
/// strategy's own per-bar work included. <c>--no-report</c> runs the engine as a run without a report (or a sweep) does:
/// plots over the price chart are dropped (<see cref="EngineOptions.ChartOverlays"/> off).
/// </summary>
internal static class EngineThroughput
{
    private const int SymbolCount = 10;

    public static int Run(string[] args, TextWriter output)
    {
        Overlays = !args.Contains("--no-report");
        var total = args.Length > 0 && char.IsAsciiDigit(args[0][0]) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000;
        output.WriteLine($"Generating {total:N0} synthetic 1m bars ({SymbolCount} symbols, NYSE regular sessions)...");
        var bars = Generate(total);
        output.WriteLine($"  {bars.Length:N0} bars, {bars[0].Start:yyyy-MM-dd} .. {bars[^1].End:yyyy-MM-dd}");

        // Warm up the JIT on a slice, then measure the whole array.
        // Tiered compilation promotes hot methods after a short delay: run every measured path on a prefix first,
        // twice with a pause, so the timed runs see optimised code.
        var prefix = bars[..Math.Min(500_000, bars.Length)];
        for (var round = 0; round < 2; round++)
        {
            Bare(prefix);
            RunEngine(prefix, out _, out _, new NeverTrades());
            RunEngine(prefix, out _, out _);
            Thread.Sleep(300);
        }

        var sw = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var checksum = Bare(bars);
        var bare = sw.Elapsed;
        LastCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        Report(output, "bare SMA loop (no engine)", bars.Length, bare, null, null);
        GC.KeepAlive(checksum);

        var quiet = RunEngine(bars, out var quietAllocated, out _, new NeverTrades());
        var quietCpu = LastCpu;
        Report(output, "engine, strategy never trades", bars.Length, quiet, bare, quietAllocated);

        if (args.Contains("--quiet-only"))
        {
            return 0;
        }

        var elapsed = RunEngine(bars, out var allocated, out var engine);
        Report(output, "engine from memory", bars.Length, elapsed, bare, allocated);
        output.WriteLine($"    trades {engine.Portfolio.FillCount / 2:N0}, fills {engine.Portfolio.FillCount:N0}, final equity {engine.Portfolio.Equity:N2}, open orders at the end {OpenOrdersAtEnd:N0}");
        if (LastRoundTrips > 0)
        {
            var trips = (double)LastRoundTrips;
            output.WriteLine(
                $"    per round trip (beyond the never-trading run, strategy included): {(elapsed - quiet).TotalMicroseconds / trips:F2} µs wall, {(LastCpu - quietCpu).TotalMicroseconds / trips:F2} µs CPU, {(allocated - quietAllocated) / trips:F0} B; {LastRoundTrips:N0} round trips, {engine.Counters.OrdersSubmitted:N0} orders");
        }

        // --allocations: what the trading run allocates, by type (sampled), per round trip.
        if (args.Contains("--allocations"))
        {
            using var sampler = new AllocationSampler();
            sampler.Start();
            RunEngine(bars, out var sampledAllocated, out _);
            var perTrip = (sampledAllocated - quietAllocated) / (double)Math.Max(1, LastRoundTrips);
            output.WriteLine("    allocations by type (sampled every ~100 KB, one trading run), as bytes per round trip:");
            foreach (var (type, share) in sampler.Top(15))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {share * perTrip,8:F0} B  {share,6:P1}  {type}"));
            }
        }

        // --repeat N: the trading run N more times (for a profiler attached to the process, and for medians).
        var repeatAt = Array.IndexOf(args, "--repeat");
        if (repeatAt >= 0 && repeatAt + 1 < args.Length)
        {
            var times = new List<double>();
            var cpus = new List<double>();
            for (var i = int.Parse(args[repeatAt + 1], CultureInfo.InvariantCulture); i > 0; i--)
            {
                var again = RunEngine(bars, out var againAllocated, out _);
                times.Add(again.TotalSeconds);
                cpus.Add(LastCpu.TotalSeconds);
                Report(output, "engine from memory, again", bars.Length, again, bare, againAllocated);
            }

            times.Sort();
            cpus.Sort();
            output.WriteLine($"    median of {times.Count}: {bars.Length / times[times.Count / 2] / 1e6:F2} M bars/s wall, {bars.Length / cpus[cpus.Count / 2] / 1e6:F2} M bars per CPU-second (CPU {cpus[cpus.Count / 2]:F3} s)");
        }

        if (args.Contains("--memory-only"))
        {
            return 0;
        }

        var storeDir = Path.Combine(Path.GetTempPath(), "sl-bench-store-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            output.WriteLine("Writing the bars to a Parquet store...");
            var store = new ParquetBarStore(storeDir);
            foreach (var group in bars.GroupBy(b => b.Symbol))
            {
                store.WriteAsync(group, Timeframe.OneMinute, "synthetic").GetAwaiter().GetResult();
            }

            var symbols = bars.Select(b => b.Symbol).Distinct().ToArray();
            var fromStore = SliceMerge.Merge(symbols.Select(s => store.ReadBars(s, Timeframe.OneMinute)).ToList());
            var storeElapsed = RunEngine(fromStore, out _, out var storeEngine);
            Report(output, "engine from the Parquet store", bars.Length, storeElapsed, bare, null);
            output.WriteLine($"    same result as from memory: {storeEngine.Portfolio.Equity == engine.Portfolio.Equity}");
        }
        finally
        {
            if (Directory.Exists(storeDir))
            {
                Directory.Delete(storeDir, recursive: true);
            }
        }

        return 0;
    }

    private static void Report(TextWriter output, string name, long count, TimeSpan elapsed, TimeSpan? bare, long? allocated)
    {
        var rate = count / elapsed.TotalSeconds;
        var line = $"  {name,-32} {rate / 1e6,8:F2} M bars/s  ({elapsed.TotalSeconds:F2} s, CPU {LastCpu.TotalSeconds:F2} s)";
        if (bare is { } b)
        {
            line += $"  {elapsed / b,6:F1}x the bare loop";
        }

        if (allocated is { } a)
        {
            line += $"  {(double)a / count:F3} B/bar allocated, GCs {LastGcCounts.Gen0}/{LastGcCounts.Gen1}/{LastGcCounts.Gen2} pausing {LastGcPause.TotalSeconds:F2} s";
        }

        output.WriteLine(line);
    }

    private static double Bare(ReadOnlySpan<Bar> bars)
    {
        // The strategy's arithmetic alone: two rolling sums per symbol and a crossover test.
        var fast = new double[SymbolCount * 10];
        var slow = new double[SymbolCount * 30];
        var sumF = new double[SymbolCount];
        var sumS = new double[SymbolCount];
        var n = new int[SymbolCount];
        var above = new bool[SymbolCount];
        var crosses = 0.0;
        foreach (ref readonly var bar in bars)
        {
            var i = bar.Symbol.Ticker[^1] - '0';
            var c = (double)bar.Close;
            var k = n[i]++;
            sumF[i] += c - fast[(i * 10) + (k % 10)];
            fast[(i * 10) + (k % 10)] = c;
            sumS[i] += c - slow[(i * 30) + (k % 30)];
            slow[(i * 30) + (k % 30)] = c;
            if (k >= 30)
            {
                var now = sumF[i] / 10 > sumS[i] / 30;
                if (now != above[i])
                {
                    crosses++;
                }

                above[i] = now;
            }
        }

        return crosses;
    }

    private static (int Gen0, int Gen1, int Gen2) LastGcCounts { get; set; }

    private static TimeSpan LastGcPause { get; set; }

    // The process's CPU time over the last measured run (all threads: the engine's, and the GC's and JIT's beside it);
    // the steadier figure on a shared machine, where wall time includes waiting for a core.
    private static TimeSpan LastCpu { get; set; }

    private static int OpenOrdersAtEnd { get; set; }

    // False with --no-report: the engine drops plots over the price chart, as in a run without a report.
    private static bool Overlays { get; set; } = true;

    private static int LastRoundTrips { get; set; }

    internal static TimeSpan RunEngine(IEnumerable<Bar> bars, out long allocated, out TradingEngine engine, IStrategy? strategy = null, bool settleHeap = true)
    {
        var symbols = Enumerable.Range(0, SymbolCount).Select(i => Symbol.Equity($"SYN{i}")).ToArray();
        var portfolio = new Portfolio(1_000_000m);
        var exchange = new SimulatedExchange(new ExchangeSettings(), portfolio, MarketCalendars.For, symbols);
        var tradeManager = new TradeManager(new TradeManagerSettings { PositionSizePct = 5m, MaxPositions = 10 }, new RiskSettings(), exchange, portfolio, NullLogger.Instance);
        var statistics = new StatisticsRecorder(portfolio.InitialCash, NyseCalendar.Instance);
        engine = new TradingEngine(
            strategy ?? new SmaCrossoverStrategy { Fast = 10, Slow = 30 },
            exchange,
            portfolio,
            tradeManager,
            symbols,
            MarketCalendars.For,
            statistics,
            NullLogger.Instance,
            new EngineOptions { Timeframe = Timeframe.OneMinute, ChartOverlays = Overlays });
        exchange.Listener = engine;
        // Start from a settled heap: the generator just filled a large array, and its garbage is not the engine's.
        if (settleHeap)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var pauseBefore = GC.GetTotalPauseDuration();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        engine.Run(bars);
        var elapsed = sw.Elapsed;
        LastCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        LastGcCounts = (GC.CollectionCount(0) - gcBefore.Item1, GC.CollectionCount(1) - gcBefore.Item2, GC.CollectionCount(2) - gcBefore.Item3);
        LastGcPause = GC.GetTotalPauseDuration() - pauseBefore;
        _ = statistics.Compute();
        OpenOrdersAtEnd = exchange.OpenOrders.Count;
        LastRoundTrips = statistics.RoundTripCount;

        return elapsed;
    }

    /// <summary>Sees every bar and never trades: the engine's own cost per bar.</summary>
    internal sealed class NeverTrades : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    /// <summary>Random-walk minute bars of the regular session, merged across symbols in slice order.</summary>
    internal static Bar[] Generate(int total)
    {
        var symbols = Enumerable.Range(0, SymbolCount).Select(i => Symbol.Equity($"SYN{i}")).ToArray();
        var prices = Enumerable.Repeat(100.0, SymbolCount).ToArray(); // always whole cents
        var bars = new Bar[total];
        var rng = new Random(20240101);
        var n = 0;
        foreach (var session in NyseCalendar.Instance.GetSessions(new DateOnly(2000, 1, 3), new DateOnly(2099, 12, 31)))
        {
            for (var t = session.RegularOpen; t < session.RegularClose && n < total; t = t.AddMinutes(1))
            {
                for (var s = 0; s < SymbolCount && n < total; s++)
                {
                    var open = (decimal)prices[s];
                    var close = Math.Round(Math.Max(1m, open * (1 + (decimal)((rng.NextDouble() - 0.5) * 0.004))), 2);
                    var high = Math.Max(Math.Round(Math.Max(open, close) * (1 + (decimal)(rng.NextDouble() * 0.001)), 2), Math.Max(open, close));
                    var low = Math.Min(Math.Round(Math.Min(open, close) * (1 - (decimal)(rng.NextDouble() * 0.001)), 2), Math.Min(open, close));
                    bars[n++] = new Bar(symbols[s], t, t.AddMinutes(1), open, high, low, close, rng.Next(100, 50_000));
                    prices[s] = (double)close;
                }
            }

            if (n >= total)
            {
                break;
            }
        }

        return n == total ? bars : bars[..n];
    }
}
