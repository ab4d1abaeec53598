using System.Diagnostics;
using System.Globalization;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Store;

namespace StrategyLab.Benchmarks.Throughput;

/// <summary>
/// <c>throughput data [--bars N] [--dir PATH] [--keep] [--only csv|prefetched|store|multi] [--chunk BARS] [--parquet-net]</c>: writes N one-minute bars as a CSV file and as a Parquet store
/// in a temporary folder, then streams through each once and prints bars/s, bytes allocated and peak working set.
/// <c>--only multi</c> writes (or, when <c>--dir</c> holds one, reuses) a store of 10 equity symbols' regular-session
/// minutes (10 M bars ≈ 10 years each) and reads the 10 series merged in slice order, as a backtest does.
/// </summary>
public static class DataThroughput
{
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");

    public static int Run(string[] args, TextWriter output)
    {
        var bars = 10_000_000;
        string? dir = null;
        var keep = false;
        string? only = null;
        BarPrefetchOptions? prefetch = null;
        var ownPageReader = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--bars": bars = int.Parse(args[++i], NumberStyles.AllowThousands, CultureInfo.InvariantCulture); break;
                case "--dir": dir = args[++i]; break;
                case "--keep": keep = true; break;
                case "--only": only = args[++i]; break;
                case "--chunk": prefetch = new BarPrefetchOptions { ChunkBars = int.Parse(args[++i], CultureInfo.InvariantCulture) }; break;
                case "--parquet-net": ownPageReader = false; break; // the store's partitions decoded by Parquet.Net, as before session 31
                default:
                    output.WriteLine($"unknown option {args[i]}; usage: throughput data [--bars N] [--dir PATH] [--keep] [--only csv|prefetched|store|multi] [--chunk BARS] [--parquet-net]");
                    return 2;
            }
        }

        dir ??= Path.Combine(Path.GetTempPath(), "strategylab-throughput-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var csv = Path.Combine(dir, "bars.csv");
        var storeDir = Path.Combine(dir, "store");
        try
        {
            if (only == "multi")
            {
                return MultiSymbol(output, Path.Combine(dir, "store10"), bars, ownPageReader);
            }

            var store = new ParquetBarStore(storeDir) { OwnPageReader = ownPageReader };
            output.WriteLine($"generating {bars:N0} one-minute bars in {dir} …");
            var sw = Stopwatch.StartNew();
            if (only != "store")
            {
                WriteCsv(csv, bars);
                output.WriteLine($"  CSV   {new FileInfo(csv).Length / 1e6:N0} MB in {sw.Elapsed.TotalSeconds:N1} s");
            }

            if (only is not "csv" and not "prefetched")
            {
                sw.Restart();
                store.WriteAsync(Generate(bars), Timeframe.OneMinute, "throughput").GetAwaiter().GetResult();
                var storeBytes = Directory.EnumerateFiles(storeDir, "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                output.WriteLine($"  store {storeBytes / 1e6:N0} MB in {sw.Elapsed.TotalSeconds:N1} s");
            }

            if (only is not "store" and not "prefetched")
            {
                var reader = new CsvBarReader(csv, new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Btc });
                Measure(output, "CSV read (CsvBarReader)", bars, () => Sum(reader.ReadBars()));
            }

            if (only != "store")
            {
                // The consumer's view of the CSV parsed on another thread (as a backtest reads it); with --only
                // prefetched its first pass is a cold process's, as in a backtest.
                var reader = new CsvBarReader(csv, new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Btc });
                Measure(output, "CSV read, prefetched (PrefetchedBars)", bars, () => Sum(new PrefetchedBars(reader.ReadBars(), prefetch)));
            }

            if (only is not "csv" and not "prefetched")
            {
                Measure(output, "store read (ReadBars)", bars, () => Sum(store.ReadBars(Btc, Timeframe.OneMinute)));
                Measure(output, "store read (ReadBatches)", bars, () => Sum(store.ReadBatches(Btc, Timeframe.OneMinute, DateTime.MinValue, DateTime.MaxValue)));
            }
            return 0;
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>A 10-symbol store (written unless <paramref name="storeDir"/> holds one), read merged across symbols.</summary>
    private static int MultiSymbol(TextWriter output, string storeDir, int bars, bool ownPageReader)
    {
        var store = new ParquetBarStore(storeDir) { OwnPageReader = ownPageReader };
        if (!ParquetBarStore.IsStore(storeDir))
        {
            output.WriteLine($"writing {bars:N0} bars of 10 symbols to {storeDir} …");
            var sw = Stopwatch.StartNew();
            foreach (var group in EngineThroughput.Generate(bars).GroupBy(b => b.Symbol))
            {
                store.WriteAsync(group, Timeframe.OneMinute, "throughput").GetAwaiter().GetResult();
            }

            output.WriteLine($"  store written in {sw.Elapsed.TotalSeconds:N1} s");
        }

        var listing = Stopwatch.StartNew();
        var series = store.ListSeries();
        output.WriteLine($"  listing the store (ListSeries) took {listing.Elapsed.TotalSeconds:N2} s");
        var files = Directory.EnumerateFiles(storeDir, "*.parquet", SearchOption.AllDirectories).Count();
        var total = (int)series.Sum(s => s.Bars);
        output.WriteLine($"  {series.Count} series, {files:N0} partition files, {total:N0} bars");
        var symbols = series.Select(s => s.Symbol).ToList();
        Measure(output, "store read 10 series one after another", total, () => Sum(symbols.SelectMany(s => store.ReadBatches(s, Timeframe.OneMinute, DateTime.MinValue, DateTime.MaxValue))));
        Measure(output, "store read merged (BarMerger)", total, () => Sum(BarMerger.Merge(symbols.Select(s => store.ReadBars(s, Timeframe.OneMinute)).ToList())));
        Measure(output, "store read merged (SliceMerge)", total, () => Sum(SliceMerge.Merge(symbols.Select(s => store.ReadBars(s, Timeframe.OneMinute)).ToList())));
        return 0;
    }

    private static (long Count, decimal Checksum) Sum(IEnumerable<Bar> bars)
    {
        long count = 0;
        decimal checksum = 0;
        foreach (var bar in bars)
        {
            count++;
            checksum += bar.Close;
        }

        return (count, checksum);
    }

    private static (long Count, decimal Checksum) Sum(IEnumerable<ReadOnlyMemory<Bar>> batches)
    {
        long count = 0;
        decimal checksum = 0;
        foreach (var batch in batches)
        {
            foreach (ref readonly var bar in batch.Span)
            {
                count++;
                checksum += bar.Close;
            }
        }

        return (count, checksum);
    }

    /// <summary>Two passes: the first includes JIT tiering (methods start unoptimized), the second is steady state.</summary>
    private static void Measure(TextWriter output, string name, int expected, Func<(long Count, decimal Checksum)> read)
    {
        MeasureOnce(output, name + ", 1st pass", expected, read);
        MeasureOnce(output, name + ", 2nd pass", expected, read);
    }

    private static void MeasureOnce(TextWriter output, string name, int expected, Func<(long Count, decimal Checksum)> read)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseline = process.WorkingSet64;
        long peak = baseline;
        using var sampler = new Timer(_ =>
        {
            var ws = Environment.WorkingSet;
            if (ws > Interlocked.Read(ref peak))
            {
                Interlocked.Exchange(ref peak, ws);
            }
        }, null, 0, 20);

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var gen0 = GC.CollectionCount(0);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var (count, checksum) = read();
        sw.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (count != expected)
        {
            throw new InvalidOperationException($"{name}: read {count} bars, expected {expected}.");
        }

        output.WriteLine(
            $"{name,-40} {count:N0} bars in {sw.Elapsed.TotalSeconds:N2} s = {count / sw.Elapsed.TotalSeconds / 1e6:N2} M bars/s " +
            $"(CPU {cpu:N2} s = {count / cpu / 1e6:N2} M bars per CPU-second); " +
            $"allocated {allocated / 1e6:N1} MB ({(double)allocated / count:N1} B/bar), gen0 GCs {GC.CollectionCount(0) - gen0}; " +
            $"working set {baseline / 1e6:N0} MB → peak {Interlocked.Read(ref peak) / 1e6:N0} MB; checksum {checksum}");
    }

    /// <summary>Deterministic bars: a random walk in cents with varied decimals, volumes with up to 4 decimals.</summary>
    internal static IEnumerable<Bar> Generate(int count)
    {
        var rng = new Random(42);
        var t = new DateTime(2005, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var price = 4_200_000L; // cents/100: 42000.00
        for (var i = 0; i < count; i++)
        {
            var open = price;
            var close = Math.Max(100, open + rng.Next(-500, 501));
            var high = Math.Max(open, close) + rng.Next(0, 300);
            var low = Math.Min(open, close) - rng.Next(0, 300);
            var volume = rng.Next(0, 5_000_000) / 10_000m;
            yield return new Bar(Btc, t, t.AddMinutes(1), open / 100m, high / 100m, low / 100m, close / 100m, volume);
            price = close;
            t = t.AddMinutes(1);
        }
    }

    internal static void WriteCsv(string path, int count)
    {
        using var writer = new StreamWriter(path, append: false, System.Text.Encoding.ASCII, 1 << 20);
        writer.Write("time,open,high,low,close,volume\n");
        Span<char> buffer = stackalloc char[128];
        foreach (var b in Generate(count))
        {
            if (!buffer.TryWrite(CultureInfo.InvariantCulture, $"{b.Start:yyyy-MM-ddTHH:mm:ssZ},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}\n", out var written))
            {
                throw new InvalidOperationException("CSV line longer than the buffer.");
            }

            writer.Write(buffer[..written]);
        }
    }
}
