using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Html;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Benchmarks;

/// <summary>
/// Building <c>report.html</c> for a 200,000-bar one-symbol crypto minute run (SMA 10/30, fixed quantity 1, zero
/// commission; ~3,900 round trips): from the run folder's files (<c>strategylab report</c>, what a backtest did before)
/// against from memory (what a backtest does now: a <see cref="ReportRecorder"/> fed the run's events, then the page).
/// Both render the same bytes; the memory side includes the recorder's work during the run.
/// </summary>
[MemoryDiagnoser]
public class ReportBenchmarks
{
    private const int BarCount = 200_000;

    private readonly List<Bar> _bars = [];
    private readonly List<OrderEvent> _orderEvents = [];
    private readonly List<RoundTrip> _trips = [];
    private readonly List<EquityPoint> _equity = [];
    private string _root = string.Empty;
    private string _filesFolder = string.Empty;
    private RunFolderWriter? _memoryWriter;
    private ReportRecorder? _filled;
    private decimal _initialCash;

    /// <summary>Runs the backtest once (no report) and records its events; a second folder holds the writer the recorder reads its candles from.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("sl-reportbench-").FullName;
        var csv = Path.Combine(_root, "bars.csv");
        WriteBars(csv);
        var config = Path.Combine(_root, "run.json");
        File.WriteAllText(config, $$"""
            {
              "data": { "provider": "csv", "path": "{{csv}}", "symbols": ["BTC-USD"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 10, "slow": 30 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 1 },
              "exchange": { "commission": { "model": "zero" } },
              "output": { "report": false }
            }
            """);
        var (runConfig, effective) = ConfigLoader.Load(config, []);
        var run = ResolvedRun.Resolve(runConfig, effective);
        _initialCash = run.Config.Exchange.InitialCash;
        _filesFolder = Path.Combine(_root, "files");
        BacktestRunner.Run(run, _filesFolder, NullLoggerFactory.Instance, new Capture(this));

        // The writer a backtest has anyway: it builds chart_bars' candles, which the recorder shares.
        _memoryWriter = new RunFolderWriter(Path.Combine(_root, "memory"), new RunFolderOptions
        {
            Mode = RunMode.Backtest,
            Calendars = run.CalendarOf,
            EquityCalendar = run.CalendarOf(run.Symbols[0]),
        });
        foreach (var bar in _bars)
        {
            _memoryWriter.OnBar(bar);
        }

        File.Copy(Path.Combine(_filesFolder, RunFolderWriter.SummaryFileName), Path.Combine(_memoryWriter.DirectoryPath, RunFolderWriter.SummaryFileName));
        _filled = Record();
        if (FromFiles() != FromMemory())
        {
            throw new InvalidOperationException("The report from memory differs from the report from the files.");
        }
    }

    /// <summary>Deletes the run folders.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _memoryWriter?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The page from the folder's files: summary.json, equity.csv, trades/fills/orders.csv, chart_bars.csv.</summary>
    [Benchmark(Baseline = true)]
    public string FromFiles() => HtmlReport.Render(_filesFolder);

    /// <summary>The page from memory: the run's events through a <see cref="ReportRecorder"/>, then the page (only summary.json is read).</summary>
    [Benchmark]
    public string FromMemory() => HtmlReport.Render(Record());

    /// <summary>The recorder's part alone: the run's events through a <see cref="ReportRecorder"/>, no page.</summary>
    [Benchmark]
    public ReportRecorder RecorderOnly() => Record();

    /// <summary>The page's part alone, from a recorder filled once.</summary>
    [Benchmark]
    public string PageOnly() => HtmlReport.Render(_filled!);

    private ReportRecorder Record()
    {
        var recorder = new ReportRecorder(_memoryWriter!, _initialCash);
        foreach (var bar in _bars)
        {
            recorder.OnBar(bar);
        }

        foreach (var e in _orderEvents)
        {
            recorder.OnOrderEvent(e);
        }

        foreach (var trip in _trips)
        {
            recorder.OnRoundTrip(trip);
        }

        foreach (var point in _equity)
        {
            recorder.OnEquity(point);
        }

        return recorder;
    }

    /// <summary>A random walk of one-minute BTC-USD bars from 2005-01-01, in the CSV provider's format.</summary>
    private static void WriteBars(string path)
    {
        var rng = new Random(20050101);
        var price = 42_000.0;
        var time = new DateTime(2005, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var text = new StringBuilder("time,open,high,low,close,volume\n", BarCount * 64);
        for (var i = 0; i < BarCount; i++)
        {
            var open = Math.Round(price, 2);
            var close = Math.Round(open * (1 + ((rng.NextDouble() - 0.5) * 0.002)), 2);
            var high = Math.Round(Math.Max(open, close) * (1 + (rng.NextDouble() * 0.0005)), 2);
            var low = Math.Round(Math.Min(open, close) * (1 - (rng.NextDouble() * 0.0005)), 2);
            text.Append(CultureInfo.InvariantCulture, $"{time:yyyy-MM-ddTHH:mm:ssZ},{open},{high},{low},{close},{rng.Next(1, 500_000) / 1000.0}\n");
            price = close;
            time = time.AddMinutes(1);
        }

        File.WriteAllText(path, text.ToString());
    }

    /// <summary>Keeps the run's events for the memory side to replay.</summary>
    private sealed class Capture(ReportBenchmarks owner) : IRunRecorder
    {
        public void OnBar(in Bar bar) => owner._bars.Add(bar);

        public void OnOrderEvent(in OrderEvent orderEvent) => owner._orderEvents.Add(orderEvent);

        public void OnRoundTrip(RoundTrip trip) => owner._trips.Add(trip);

        public void OnEquity(in EquityPoint point) => owner._equity.Add(point);
    }
}
