using System.Globalization;
using BenchmarkDotNet.Attributes;
using StrategyLab.Benchmarks.Throughput;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Store;
using StrategyLab.Data.Text;

namespace StrategyLab.Benchmarks;

/// <summary>Reading 100,000 one-minute bars from a CSV file and from the Parquet store; exact decimal parsing.</summary>
[MemoryDiagnoser]
public class DataBenchmarks
{
    private const int Bars = 100_000;
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");

    private string _dir = "";
    private string _csv = "";
    private ParquetBarStore _store = null!;
    private string[] _numbers = [];
    private string[] _times = [];

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "strategylab-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        _csv = Path.Combine(_dir, "bars.csv");
        DataThroughput.WriteCsv(_csv, Bars);
        _store = new ParquetBarStore(Path.Combine(_dir, "store"));
        _store.WriteAsync(DataThroughput.Generate(Bars), Timeframe.OneMinute, "bench").GetAwaiter().GetResult();
        _numbers = DataThroughput.Generate(1000).Select(b => b.Close.ToString(CultureInfo.InvariantCulture)).ToArray();
        _times = DataThroughput.Generate(1000).Select(b => b.Start.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark(OperationsPerInvoke = Bars)]
    public decimal CsvRead()
    {
        var reader = new CsvBarReader(_csv, new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Btc });
        decimal sum = 0;
        foreach (var bar in reader.ReadBars())
        {
            sum += bar.Close;
        }

        return sum;
    }

    /// <summary>The same file read ahead on a second thread, as a backtest reads it: the handoff's cost per bar.</summary>
    [Benchmark(OperationsPerInvoke = Bars)]
    public decimal CsvReadPrefetched()
    {
        var reader = new CsvBarReader(_csv, new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Btc });
        decimal sum = 0;
        foreach (var bar in new PrefetchedBars(reader.ReadBars()))
        {
            sum += bar.Close;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Bars)]
    public decimal StoreRead()
    {
        decimal sum = 0;
        foreach (var bar in _store.ReadBars(Btc, Timeframe.OneMinute))
        {
            sum += bar.Close;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 1000)]
    public decimal DecimalTextParse()
    {
        decimal sum = 0;
        foreach (var s in _numbers)
        {
            DecimalText.TryParse(s, out var d);
            sum += d;
        }

        return sum;
    }

    /// <summary>ISO-8601 UTC stamps as the CSV reader sees them (one field per row).</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public long TimeTextParse()
    {
        long sum = 0;
        foreach (var s in _times)
        {
            TimeText.TryParse(s, out var t, out _);
            sum += t.Utc.Ticks;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 1000, Baseline = true)]
    public decimal DecimalParseBcl()
    {
        decimal sum = 0;
        foreach (var s in _numbers)
        {
            sum += decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
