using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Html;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Data;
using static StrategyLab.Tests.Reporting.ArtifactRun;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

/// <summary>Custom chart series: <c>context.Plot</c> → <c>plots.csv</c> → the report's plots chart.</summary>
public sealed class PlotsTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(string name) => Path.Combine(_dir.Path, name);

    /// <summary>Plots a run-wide series at 09:31 and 09:32 and a per-symbol one with an awkward name at 09:32.</summary>
    internal static ScriptedStrategy Plotting() => new ScriptedStrategy()
        .At("2024-01-08 09:31", c => c.Plot("spread", 1.0 / 3))
        .At("2024-01-08 09:32", c =>
        {
            c.Plot("spread", -2.5e-7);
            c.Plot(Aaa, "ema, \"fast\"", 100.25);
        });

    [Fact]
    public void PlotsCsv_HoldsEveryPoint_InOrder_WithRoundTripValues_AndTheSymbolOfASymbolsSeries()
    {
        var run = new ArtifactRun(Folder("plots"), Plotting(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 5, 100m));

        Assert.Equal(
            [
                "time,symbol,series,value,pane",
                "2024-01-08T09:31:00-05:00,,spread,0.3333333333333333,",
                "2024-01-08T09:32:00-05:00,,spread,-2.5E-07,",
                "2024-01-08T09:32:00-05:00,AAA,\"ema, \"\"fast\"\"\",100.25,",
            ],
            run.Lines(RunFolderWriter.PlotsFileName));
    }

    [Fact]
    public void ARunThatPlotsNothing_HasNoPlotsCsv_AndNoPlotsSection()
    {
        var run = new ArtifactRun(Folder("none"), new ScriptedStrategy(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 5, 100m));

        Assert.False(File.Exists(Path.Combine(run.Folder, RunFolderWriter.PlotsFileName)));
        var html = HtmlReport.Render(run.Folder);
        Assert.DoesNotContain("id=\"plots\"", html, StringComparison.Ordinal);
        Assert.Null(DataBlock(html)["plots"]);
    }

    [Fact]
    public void TheReport_DrawsEachSeries_UnderThePriceCharts()
    {
        var run = new ArtifactRun(Folder("report"), Plotting(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 5, 100m));

        var html = HtmlReport.Render(run.Folder);

        Assert.True(html.IndexOf("id=\"plots-chart\"", StringComparison.Ordinal) > html.IndexOf("id=\"charts\"", StringComparison.Ordinal));
        var series = DataBlock(html)["plots"]!["series"]!.AsArray();
        Assert.Equal(["ema, \"fast\" (AAA)", "spread"], series.Select(s => s!["name"]!.GetValue<string>()));
        var spread = series[1]!["points"]!.AsArray();
        Assert.Equal(2, spread.Count);
        Assert.Equal(-2.5e-7, spread[1]![1]!.GetValue<double>(), 12);
        Assert.Equal(60, spread[1]![0]!.GetValue<long>() - spread[0]![0]!.GetValue<long>()); // chart seconds, a minute apart
    }

    [Fact]
    public void ManyPoints_AreDownsampledSoThePageStaysBounded()
    {
        var strategy = new EveryBarPlotter();
        var bars = Enumerable.Range(0, 5).SelectMany(d => Minutes(Aaa, $"2024-01-{8 + d:00}", "09:30", 390, 100m)).ToList();
        var run = new ArtifactRun(Folder("many"), strategy, [Aaa]).Run(bars);

        Assert.Equal(1 + (2 * bars.Count), run.Lines(RunFolderWriter.PlotsFileName).Length); // the file keeps every point
        var series = DataBlock(HtmlReport.Render(run.Folder))["plots"]!["series"]!.AsArray();
        Assert.Equal(2, series.Count);
        Assert.All(series, s => Assert.InRange(s!["points"]!.AsArray().Count, 2, ReportPage.PlotPointBudget / 2));
    }

    [Theory]
    [InlineData("", 1.0)]
    [InlineData("a\nb", 1.0)]
    [InlineData("ok", double.NaN)]
    [InlineData("ok", double.PositiveInfinity)]
    public void AnInvalidNameOrValue_IsAnArgumentException_NamingTheProblem(string series, double value)
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.Plot(series, value));
        var h = new EngineHarness(strategy, [Aaa]);

        // User code's misuse stops the run as a strategy error naming the callback, with the ArgumentException inside.
        var e = Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 3, 100m))).InnerException);

        Assert.Contains(double.IsFinite(value) ? "series" : "finite", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PlotPoint.Validate(new string('x', PlotPoint.MaxSeriesNameLength + 1), 1));
    }

    [Fact]
    public void PlottingASymbolOutsideTheRun_IsAnArgumentException()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.Plot(Bbb, "x", 1));
        var h = new EngineHarness(strategy, [Aaa]);

        // User code's misuse stops the run as a strategy error naming the callback, with the ArgumentException inside.
        var e = Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 3, 100m))).InnerException);

        Assert.Contains("BBB", e.Message, StringComparison.Ordinal);
    }

    private sealed class EveryBarPlotter : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
            context.Plot("close", (double)bar.Close);
            context.Plot(bar.Symbol, "range", (double)(bar.High - bar.Low));
        }
    }
}
