using BenchmarkDotNet.Attributes;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Reporting;

namespace StrategyLab.Benchmarks;

/// <summary>
/// The run folder writer on its own: <see cref="Marks"/> equity marks (one a minute, crypto-like cash and positions
/// with 2–8 decimals, NYSE offsets) or round trips through <see cref="RunFolderWriter"/> into a temporary folder,
/// files created and closed in every invocation (<see cref="OpenAndClose"/> is that fixed part). Reported per row;
/// row size / (time − fixed part) gives MB/s (an equity row of these marks is ~60 bytes, a trades row ~120).
/// </summary>
[MemoryDiagnoser]
public class ArtifactWriterBenchmarks
{
    private const int Marks = 100_000;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "strategylab-bench-writer-" + Environment.ProcessId);
    private EquityPoint[] _marks = [];
    private RoundTrip[] _trips = [];
    private Bar[] _bars = [];

    /// <summary>Builds the marks and the round trips.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        var start = new DateTime(2020, 3, 2, 14, 31, 0, DateTimeKind.Utc);
        var symbol = Symbol.Equity("SPY");
        _marks = new EquityPoint[Marks];
        _trips = new RoundTrip[Marks];
        _bars = new Bar[Marks];
        var cash = 100_000m;
        for (var i = 0; i < Marks; i++)
        {
            var price = Math.Round(300m + (decimal)(rng.NextDouble() * 50), 2);
            var qty = rng.Next(0, 3) * 10;
            cash -= Math.Round((decimal)rng.NextDouble(), 8);
            var t = start.AddMinutes(i);
            _marks[i] = new EquityPoint(t, cash, qty * price, cash + (qty * price), qty == 0 ? 0 : 1);
            var exit = Math.Round(price + (decimal)(rng.NextDouble() - 0.5), 2);
            _trips[i] = new RoundTrip(symbol, TradeDirection.Long, 10, t, price, t.AddMinutes(5), exit, (exit - price) * 10, 2m, "signal");
            _bars[i] = new Bar(symbol, t, t.AddMinutes(1), price, Math.Max(price, exit), Math.Min(price, exit), exit, rng.Next(100, 50_000));
        }
    }

    /// <summary>Removes the temporary folder.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// The fixed cost the row benchmarks include (create the folder's files with their 1 MB buffers, close them), spread
    /// over the same <see cref="Marks"/>: subtract it from the others for the cost of a row.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Marks)]
    public long OpenAndClose()
    {
        using var writer = new RunFolderWriter(_folder, Options(EquityResolution.Cycle));
        return writer.EquityMarks;
    }

    /// <summary>Every mark a row (<c>output.equity: "cycle"</c>).</summary>
    [Benchmark(OperationsPerInvoke = Marks)]
    public long EquityMarks_Cycle() => WriteMarks(EquityResolution.Cycle);

    /// <summary>One row per date (<c>output.equity: "session"</c>): the cost of the marks not written.</summary>
    [Benchmark(OperationsPerInvoke = Marks)]
    public long EquityMarks_Session() => WriteMarks(EquityResolution.Session);

    /// <summary>trades.csv rows (symbol, side, two times, five numbers, the exit reason).</summary>
    [Benchmark(OperationsPerInvoke = Marks)]
    public int RoundTrips()
    {
        using var writer = new RunFolderWriter(_folder, Options(EquityResolution.Cycle));
        foreach (var trip in _trips)
        {
            writer.OnRoundTrip(trip);
        }

        return writer.RoundTrips;
    }

    /// <summary>
    /// Bars into the chart candles of <c>chart_bars.csv</c> (downsampled as they come, written at the close): the
    /// per-bar cost a run folder adds to every backtest.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Marks)]
    public int ChartBars()
    {
        using var writer = new RunFolderWriter(_folder, Options(EquityResolution.Cycle) with { WriteChartBars = true });
        foreach (ref readonly var bar in _bars.AsSpan())
        {
            writer.OnBar(bar);
        }

        return writer.ChartBars!.Count;
    }

    /// <summary>
    /// Two plot series of one symbol at every bar into the buffered points of <c>plots.csv</c> (as the SMA crossover plots
    /// its averages; bucketed past 10,000 points a series, written at the close): per point, so two a bar. The close
    /// writes the kept points (20,000 rows, shortest round-trip doubles), which this includes and
    /// <see cref="OpenAndClose"/> does not: compare builds with it, not the per-point cost of a long run.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 2 * Marks)]
    public long PlotPoints()
    {
        using var writer = new RunFolderWriter(_folder, Options(EquityResolution.Cycle));
        var symbol = _bars[0].Symbol;
        foreach (ref readonly var bar in _bars.AsSpan())
        {
            writer.OnPlot(new PlotPoint(bar.End, FastSeries, symbol, (double)bar.Close, PlotPane.Price));
            writer.OnPlot(new PlotPoint(bar.End, SlowSeries, symbol, (double)bar.Open, PlotPane.Price));
        }

        return writer.EquityMarks;
    }

    private const string FastSeries = "sma_fast";
    private const string SlowSeries = "sma_slow";

    private long WriteMarks(EquityResolution resolution)
    {
        using var writer = new RunFolderWriter(_folder, Options(resolution));
        foreach (ref readonly var mark in _marks.AsSpan())
        {
            writer.OnEquity(mark);
        }

        return writer.EquityMarks;
    }

    private static RunFolderOptions Options(EquityResolution resolution) => new()
    {
        Mode = RunMode.Backtest,
        Calendars = _ => NyseCalendar.Instance,
        EquityCalendar = NyseCalendar.Instance,
        Equity = resolution,
        WriteChartBars = false,
    };
}
