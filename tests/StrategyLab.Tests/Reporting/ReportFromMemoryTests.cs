using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Html;
using StrategyLab.Reporting.Reading;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// The report a backtest builds from memory (<see cref="ReportRecorder"/>) is, byte for byte, the one built from the
/// run folder's files (<see cref="HtmlReport.Render(string)"/>), within the page's bounds and beyond them.
/// </summary>
public sealed class ReportFromMemoryTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SyntheticDefault_FromMemory_EqualsFromFiles() => AssertSameAsFromFiles("""{ "output": { "equity": "cycle" } }""", "synthetic");

    [Fact]
    public void LeanMinute_WithStopsAndTakeProfits_FromMemory_EqualsFromFiles()
    {
        var lean = TestPaths.RequireLean();
        AssertSameAsFromFiles(
            $$"""
              {
                "data": { "provider": "lean", "path": "{{lean}}", "symbols": ["SPY","AIG","BAC","IBM"], "timeframe": "1m", "from": "2013-10-07", "to": "2013-10-11" },
                "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } },
                "risk": { "stop_loss_pct": 0.5, "take_profit_pct": 1.0 },
                "trade_manager": { "max_positions": 3 },
                "output": { "equity": "cycle" }
              }
              """,
            "lean-minute");
    }

    [Fact]
    public void LeanMinute_WithBarsCsv_FromMemory_EqualsFromFiles()
    {
        var lean = TestPaths.RequireLean();
        AssertSameAsFromFiles(
            $$"""
              {
                "data": { "provider": "lean", "path": "{{lean}}", "symbols": ["SPY","GOOG"], "timeframe": "1m", "from": "2013-10-07", "to": "2013-10-08" },
                "strategy": { "name": "orb" },
                "output": { "bars_csv": true, "equity": "cycle" }
              }
              """,
            "lean-bars");
    }

    [Fact]
    public void LeanDaily_Adjusted_FromMemory_EqualsFromFiles()
    {
        var lean = TestPaths.RequireLean();
        AssertSameAsFromFiles(
            $$"""
              {
                "data": { "provider": "lean", "path": "{{lean}}", "symbols": ["SPY","AAPL","IBM"], "timeframe": "1d", "from": "2000-01-01", "to": "2020-12-31" },
                "strategy": { "name": "sma_crossover", "params": { "fast": 10, "slow": 50 } },
                "trade_manager": { "sizing": "percent_equity", "position_size_pct": 30, "max_positions": 3 },
                "exchange": { "initial_cash": 100000 },
                "output": { "equity": "cycle" }
              }
              """,
            "lean-daily");
    }

    [Fact]
    public void BeyondTheBounds_TheTableFillsAndLevelsAreCapped_SaidSo_AndStillEqualFromFiles()
    {
        // 32 weekdays × 390 bars, in and out every bar with a stop: 6,240 round trips, 12,480 fills, 6,240 stop orders.
        var bars = new List<Bar>();
        var day = new DateOnly(2024, 1, 2);
        var sessions = 0;
        var seed = 7;
        while (sessions < 32)
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                var open = Bars.Ny(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 09:30");
                for (var m = 0; m < 390; m++)
                {
                    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
                    var o = 100m + ((seed % 2000) / 1000m);
                    bars.Add(new Bar(Aaa, open.AddMinutes(m), open.AddMinutes(m + 1), o, o + 0.3m, o - 0.2m, o + 0.1m, 100 + (seed % 50)));
                }

                sessions++;
            }

            day = day.AddDays(1);
        }

        var deferred = new DeferredRecorder();
        var run = new ArtifactRun(Path.Combine(_dir.Path, "big"), new InAndOut(Aaa), [Aaa], new RiskSettings { StopLossPct = 5m }, probe: deferred);
        var recorder = new ReportRecorder(run.Writer, ArtifactRun.InitialCash);
        deferred.Target = recorder;
        run.Run(bars);

        Assert.NotNull(recorder.Build()); // from memory, not the fallback to the files
        var fromMemory = HtmlReport.Render(recorder);
        var fromFiles = HtmlReport.Render(run.Folder);
        Assert.Equal(fromFiles, fromMemory);

        var trips = run.Lines("trades.csv").Length - 1;
        var fills = run.Lines("fills.csv").Length - 1;
        Assert.True(trips > ReportData.MaxTrades, $"{trips} round trips");
        Assert.True(fills > ReportData.MaxFillsPerSymbol, $"{fills} fills");
        var data = DataBlock(fromMemory);
        Assert.Equal(ReportData.MaxTrades, data["trades"]!.AsArray().Count);
        Assert.Contains(
            $"{trips:N0} round trips · the table holds the first {ReportData.MaxTrades:N0} (all are in trades.csv; the statistics cover all)",
            fromMemory,
            StringComparison.Ordinal);
        var symbol = data["symbols"]![0]!;
        Assert.Equal(ReportData.MaxFillsPerSymbol, symbol["fills"]!.AsArray().Count);
        Assert.Contains($"markers for the first {ReportData.MaxFillsPerSymbol:N0} of {fills:N0} fills", fromMemory, StringComparison.Ordinal);
        Assert.Contains($"level lines for the first {ReportData.MaxLevelOrdersPerSymbol:N0} resting orders", fromMemory, StringComparison.Ordinal);

        // The first trades are the ones kept: the first row is trades.csv's first.
        var first = run.Lines("trades.csv")[1].Split(',');
        Assert.Equal(decimal.Parse(first[4], CultureInfo.InvariantCulture), data["trades"]![0]![5]!.GetValue<decimal>());
    }

    [Fact]
    public void SymbolsJoiningLater_ShrinkTheKeptFillsAndLevels_ToThePagesShare_AndStillEqualFromFiles()
    {
        // AAA trades in and out every bar with a stop from the first session; BBB joins at session 16 and CCC at session
        // 24, when AAA already has more fills and resting orders than its share of the page for three symbols: the
        // recorder lets those go (the page draws the first ones of each symbol) and the page is still the one from files.
        var bbb = Symbol.Equity("BBB");
        var ccc = Symbol.Equity("CCC");
        var bars = new List<Bar>();
        var day = new DateOnly(2024, 1, 2);
        var sessions = 0;
        while (sessions < 32)
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                var open = Bars.Ny(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 09:30");
                for (var m = 0; m < 390; m++)
                {
                    var o = 100m + (((sessions * 390) + m) % 17 / 10m);
                    foreach (var symbol in sessions >= 24 ? [Aaa, bbb, ccc] : sessions >= 16 ? new[] { Aaa, bbb } : [Aaa])
                    {
                        bars.Add(new Bar(symbol, open.AddMinutes(m), open.AddMinutes(m + 1), o, o + 0.3m, o - 0.2m, o + 0.1m, 100));
                    }
                }

                sessions++;
            }

            day = day.AddDays(1);
        }

        var deferred = new DeferredRecorder();
        var run = new ArtifactRun(Path.Combine(_dir.Path, "joining"), new InAndOutEach(), [Aaa, bbb, ccc], new RiskSettings { StopLossPct = 5m }, probe: deferred);
        var recorder = new ReportRecorder(run.Writer, ArtifactRun.InitialCash);
        deferred.Target = recorder;
        run.Run(bars);

        var data = recorder.Build();
        Assert.NotNull(data);
        Assert.Equal(HtmlReport.Render(run.Folder), HtmlReport.Render(recorder));

        // What memory held: AAA's share for three charted symbols, not the bound for one.
        var aaaFills = run.Lines("fills.csv").Count(l => l.Contains(",AAA,", StringComparison.Ordinal));
        Assert.True(aaaFills > ReportData.MaxFillsPerSymbol, $"{aaaFills} fills of AAA");
        Assert.Equal(ReportData.FillShare(3), data.FillsOf("AAA").Count);
        Assert.Equal(aaaFills, data.FillCountOf("AAA"));
        Assert.Equal(ReportData.LevelShare(3), data.LevelOrdersOf("AAA").Count);
        Assert.True(data.HasMoreLevelOrders("AAA"));
        Assert.Contains($"markers for the first {ReportData.FillShare(3):N0} of {aaaFills:N0} fills", HtmlReport.Render(recorder), StringComparison.Ordinal);
    }

    [Fact]
    public void ALongPlottingRun_DrawsTheBoundedPlotsCsv_TheSameFromMemoryAsFromFiles()
    {
        var deferred = new DeferredRecorder();
        var run = new ArtifactRun(Path.Combine(_dir.Path, "plots"), new PlotsTests.EveryBarPlotter(), [Aaa], probe: deferred);
        var recorder = new ReportRecorder(run.Writer, ArtifactRun.InitialCash);
        deferred.Target = recorder;
        run.Run(PlotsTests.Sessions(32)); // 12,480 points a series: plots.csv keeps the last of each 5 minutes

        Assert.NotNull(recorder.Build());
        Assert.True(run.Lines(RunFolderWriter.PlotsFileName).Length < 12_480);
        Assert.Equal(HtmlReport.Render(run.Folder), HtmlReport.Render(recorder));
    }

    [Fact]
    public void ArtifactValue_IsWhatParsingTheArtifactTextGives()
    {
        decimal[] samples =
        [
            0m, -0m, 0.00m, 1m, 1.50m, -1.50m, 100000.0000m, 123.45678901234m, 123.45678901235m, -123.45678901235m, 0.00000000004m,
            -0.00000000004m, -0.00000000005m, 0.00000000005m, 1m / 3m, -2m / 3m, 79228162514264337593543950335m, -79228162514264337593543950335m,
            7922816251426433759354395033.5m, 0.1000000000000000000000000000m, 12345678901234567.8900000000m, 41963.60m,
        ];
        var random = new Random(12);
        var all = samples.Concat(Enumerable.Range(0, 5_000).Select(_ =>
            new decimal(random.Next(), random.Next(), random.Next(4), random.Next(2) == 0, (byte)random.Next(29))));
        foreach (var value in all)
        {
            var parsed = decimal.Parse(ArtifactFormat.ToText(value), NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.Equal(decimal.GetBits(parsed), decimal.GetBits(ArtifactValue.Of(value)));
        }
    }

    [Theory]
    [InlineData(500, 1)]
    [InlineData(30_000, 2)]
    [InlineData(120_000, 3)]
    public void EquitySeries_MergingMarksPerBucket_GivesWhatAddingEachMarkToTheLaddersGave(int marks, int seed)
    {
        // The reference: every mark into both ladders, the drawdown divided per mark (the series before it merged).
        var random = new Random(seed);
        var series = new EquitySeries(100_000m, ReportData.EquityPoints);
        var equityLadder = new CandleLadder(ReportData.EquityPoints);
        var drawdownLadder = new CandleLadder(ReportData.EquityPoints);
        decimal peak = 100_000m, maxDrawdown = 0m, equity = 100_000m;
        var time = new DateTimeOffset(2024, 3, 8, 0, 0, 0, TimeSpan.FromHours(-5));
        for (var i = 0; i < marks; i++)
        {
            equity = Math.Max(1m, equity + Math.Round((decimal)(random.NextDouble() - 0.49) * 300m, 2));
            time = time.AddMinutes(random.Next(1, 4));
            series.Add(time, equity);
            if (equity >= peak)
            {
                peak = equity;
            }

            var drawdown = (equity - peak) / peak;
            maxDrawdown = Math.Max(maxDrawdown, -drawdown);
            equityLadder.Add(time, time, equity, equity, equity, equity, 0, -1);
            drawdownLadder.Add(time, time, drawdown, drawdown, drawdown, drawdown, 0, -1);
        }

        Assert.Equal(equityLadder.Level, series.Equity.Level);
        Assert.Equal(equityLadder.Candles.Select(c => (c.Key, c.Open, c.High, c.Low, c.Close)), series.Equity.Candles.Select(c => (c.Key, c.Open, c.High, c.Low, c.Close)));
        Assert.Equal(drawdownLadder.Candles.Select(c => (c.Key, c.Low)), series.Drawdown.Candles.Select(c => (c.Key, c.Low)));
        Assert.Equal(maxDrawdown, series.MaxDrawdown);
    }

    /// <summary>Runs <paramref name="json"/> (null: the built-in default; the cases write equity.csv per mark, <c>output.equity: cycle</c>, since the report read from a per-session file draws a coarser curve) as the CLI does and compares its report.html with the one built from its files.</summary>
    private void AssertSameAsFromFiles(string? json, string name)
    {
        string? path = null;
        if (json is not null)
        {
            path = Path.Combine(_dir.Path, name + ".json");
            File.WriteAllText(path, json);
        }

        var (config, effective) = ConfigLoader.Load(path, []);
        var folder = Path.Combine(_dir.Path, name);
        BacktestRunner.Run(ResolvedRun.Resolve(config, effective), folder, NullLoggerFactory.Instance, cancellationToken: TestContext.Current.CancellationToken);
        var report = Path.Combine(folder, HtmlReport.FileName);
        var fromMemory = File.ReadAllBytes(report); // streamed to the file at the end of the run
        var rendered = HtmlReport.Render(folder); // as text: the page as it was written before it streamed (one string, UTF-8)
        Assert.Equal(rendered, Encoding.UTF8.GetString(fromMemory));
        Assert.True(new UTF8Encoding(false).GetBytes(rendered).AsSpan().SequenceEqual(fromMemory), "the streamed report's bytes differ from the rendered text's");

        HtmlReport.Write(folder); // streamed from the folder's files
        Assert.True(fromMemory.AsSpan().SequenceEqual(File.ReadAllBytes(report)), "the report streamed from the files differs from the one streamed from memory");
    }

    /// <summary>Long at one bar, flat at the next, and so on.</summary>
    private sealed class InAndOut(Symbol symbol) : IStrategy
    {
        private bool _long;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (_long)
            {
                context.Exit(symbol, "out");
            }
            else
            {
                context.EnterLong(symbol, "in");
            }

            _long = !_long;
        }
    }

    /// <summary>Long at one bar of a symbol, flat at its next, and so on, for every symbol.</summary>
    private sealed class InAndOutEach : IStrategy
    {
        private readonly HashSet<Symbol> _long = [];

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (_long.Remove(bar.Symbol))
            {
                context.Exit(bar.Symbol, "out");
            }
            else
            {
                context.EnterLong(bar.Symbol, "in");
                _long.Add(bar.Symbol);
            }
        }
    }
}
