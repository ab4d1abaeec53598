using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Strategies;
using static StrategyLab.Tests.Reporting.ArtifactRun;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>
/// A run whose recorders take no plot points tells the strategy so (<see cref="IStrategyContext.RecordsOverlayPlots"/>
/// false: the SMA strategy then skips its plotted averages' divisions) and makes no points; a run with a recorder that
/// takes them is unchanged.
/// </summary>
public sealed class PlotRecordingTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, false)]
    public void OverlayPlots_AreRecorded_OnlyWhenTheOptionsKeepThemAndARecorderTakesPlots(bool overlays, bool recorderTakesPlots, bool expected)
    {
        bool? seen = null;
        var strategy = new ScriptedStrategy().At("2024-01-08 09:32", c =>
        {
            seen = c.RecordsOverlayPlots;
            c.Plot(Aaa, "line", 1.5, PlotPane.Price);
            c.Plot("own", 2.5);
        });
        var plots = new PlotTaker();
        var h = new EngineHarness(strategy, [Aaa], options: new EngineOptions { ChartOverlays = overlays }, recorder: recorderTakesPlots ? plots : null);

        h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 4, 100m));

        Assert.Equal(expected, seen);
        var names = plots.Points.Select(p => p.Series).ToArray();
        if (recorderTakesPlots)
        {
            Assert.Equal(overlays ? ["line", "own"] : ["own"], names);
        }
        else
        {
            Assert.Empty(names);
        }
    }

    [Fact]
    public void AStrategyPanePlot_IsStillChecked_WhenNoRecorderTakesPlots()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:32", c => c.Plot("bad", double.NaN));
        var h = new EngineHarness(strategy, [Aaa]); // its recorder keeps the interface's empty OnPlot

        var e = Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 4, 100m))).InnerException);
        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
    }

    private sealed class PlotTaker : IRunRecorder
    {
        public List<PlotPoint> Points { get; } = [];

        public void OnPlot(in PlotPoint point) => Points.Add(point);
    }
}
