using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Html;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Reporting.ArtifactRun;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// Indicator overlays (issue 15, item 4): <c>context.Plot(symbol, series, value, pane)</c> → <c>plots.csv</c> (its
/// <c>pane</c> column) → the symbol's price chart in <c>report.html</c>; the built-in strategies plot the levels they
/// trade on through the same call; a run without a report records none of them.
/// </summary>
public sealed class OverlayTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A level over the price from 09:31 to 09:32, nothing at 09:33, again at 09:34; an oscillator under it.</summary>
    private static ScriptedStrategy Overlaying() => new ScriptedStrategy()
        .At("2024-01-08 09:31", c => { c.Plot(Aaa, "level", 101, PlotPane.Price); c.Plot(Aaa, "osc", 40, PlotPane.Indicator); })
        .At("2024-01-08 09:32", c => c.Plot(Aaa, "level", 101.5, PlotPane.Price))
        .At("2024-01-08 09:34", c => { c.Plot(Aaa, "level", 102, PlotPane.Price); c.Plot("run_wide", 1); });

    [Fact]
    public void PlotsCsv_NamesEachPointsPane()
    {
        var run = new ArtifactRun(Path.Combine(_dir.Path, "csv"), Overlaying(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 6, 100m));

        Assert.Equal(
            [
                "time,symbol,series,value,pane",
                "2024-01-08T09:31:00-05:00,AAA,level,101,price",
                "2024-01-08T09:31:00-05:00,AAA,osc,40,indicator",
                "2024-01-08T09:32:00-05:00,AAA,level,101.5,price",
                "2024-01-08T09:34:00-05:00,AAA,level,102,price",
                "2024-01-08T09:34:00-05:00,,run_wide,1,",
            ],
            run.Lines(RunFolderWriter.PlotsFileName));
    }

    [Fact]
    public void TheReport_DrawsOverlaysOnTheSymbolsChart_OnItsCandles_WithAGapWhereNoPointWas()
    {
        var run = new ArtifactRun(Path.Combine(_dir.Path, "page"), Overlaying(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 6, 100m));

        var data = DataBlock(HtmlReport.Render(run.Folder));

        var symbol = data["symbols"]![0]!;
        var candles = symbol["candles"]!.AsArray().Select(c => c![0]!.GetValue<long>()).ToList();
        var overlays = symbol["overlays"]!.AsArray();
        Assert.Equal(["level", "osc"], overlays.Select(o => o!["name"]!.GetValue<string>()));
        Assert.Equal(["price", "indicator"], overlays.Select(o => o!["pane"]!.GetValue<string>()));

        // Plotted at 09:31 (the end of the 09:30 bar), 09:32 and 09:34: on the candles of 09:30, 09:31 and 09:33;
        // no line from 09:31 to 09:33, where nothing was plotted.
        var level = overlays[0]!["points"]!.AsArray().Select(p => (p![0]!.GetValue<long>(), p[1]!.GetValue<decimal>(), p[2]!.GetValue<int>())).ToList();
        Assert.Equal([(candles[0], 101m, 0), (candles[1], 101.5m, 1), (candles[3], 102m, 0)], level);

        // Only the run-wide series is in the strategy plots chart.
        Assert.Equal(["run_wide"], data["plots"]!["series"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("orb", "range_high,range_low", "price")]
    [InlineData("sma_crossover", "sma_fast,sma_slow", "price")]
    [InlineData("rsi_reversion", "exit_level,oversold,rsi", "indicator")]
    public async Task TheBuiltInStrategies_PlotTheLevelsTheyTradeOn_AndNothingWithoutAReport(string strategy, string series, string pane)
    {
        var folder = Path.Combine(_dir.Path, strategy);
        var r = await CliRunner.RunInProcessAsync("backtest", "--out", folder, "--strategy", strategy, "--from", "2024-01-02", "--to", "2024-01-05", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        var overlays = DataBlock(await File.ReadAllTextAsync(Path.Combine(folder, HtmlReport.FileName), TestContext.Current.CancellationToken))["symbols"]![0]!["overlays"]!.AsArray();
        Assert.Equal(series.Split(','), overlays.Select(o => o!["name"]!.GetValue<string>()));
        Assert.All(overlays, o => Assert.Equal(pane, o!["pane"]!.GetValue<string>()));
        Assert.All(overlays, o => Assert.True(o!["points"]!.AsArray().Count > 10, o.ToJsonString()[..Math.Min(200, o.ToJsonString().Length)]));

        var config = Path.Combine(_dir.Path, strategy + "-noreport.json");
        await File.WriteAllTextAsync(config, """{ "output": { "report": false } }""", TestContext.Current.CancellationToken);
        var quiet = Path.Combine(_dir.Path, strategy + "-noreport");
        r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", quiet, "--strategy", strategy, "--from", "2024-01-02", "--to", "2024-01-05", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(File.Exists(Path.Combine(quiet, RunFolderWriter.PlotsFileName)), "a run without a report records no overlay");
    }
}
