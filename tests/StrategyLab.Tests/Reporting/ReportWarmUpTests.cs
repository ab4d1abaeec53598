using StrategyLab.Reporting.Html;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// The report's warm-up (<see cref="HtmlReport.WarmUp"/>): a made-up page that goes through the sections a backtest's
/// page fills, writes no file, and leaves the pages built beside it unchanged (<see cref="RunCompletionTests"/>).
/// </summary>
public sealed class ReportWarmUpTests
{
    [Fact]
    public void ThePage_FillsTheSectionsOfABacktestPage()
    {
        var page = new ReportPage(ReportWarmUp.Data()).Render();

        var data = DataBlock(page);
        Assert.Equal("WARM", (string?)data["symbols"]![0]!["symbol"]);
        Assert.Equal(8, data["symbols"]![0]!["candles"]!.AsArray().Count);
        Assert.Equal(2, data["symbols"]![0]!["fills"]!.AsArray().Count);
        Assert.Single(data["trades"]!.AsArray());
        Assert.NotEmpty(data["equity"]!["points"]!.AsArray());
        Assert.Contains("sma_crossover", page, StringComparison.Ordinal);
        Assert.Contains("spread (WARM)", page, StringComparison.Ordinal);
        Assert.Contains("sma_fast", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WritesTheWholePage_AndNoFile()
    {
        var expected = System.Text.Encoding.UTF8.GetByteCount(new ReportPage(ReportWarmUp.Data()).Render());

        Assert.Equal(expected, ReportWarmUp.Run());
        HtmlReport.WarmUp();
        Assert.False(Directory.Exists(ReportWarmUp.Data().Folder));
    }
}
