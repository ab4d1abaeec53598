using System.Text.Json.Nodes;
using StrategyLab.Reporting.Html;
using StrategyLab.Reporting.Reading;
using StrategyLab.Tests.Data;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

public sealed class CompareReportTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Two hand-made runs under a/run and b/run; b's total return and drawdown are changed to 0.2 and 0.05.</summary>
    private (string A, string B) TwoRuns()
    {
        var a = Path.Combine(_dir.Path, "a", "run");
        var b = Path.Combine(_dir.Path, "b", "run");
        WriteHandMadeRun(a);
        WriteHandMadeRun(b);
        var path = Path.Combine(b, "summary.json");
        var summary = JsonNode.Parse(File.ReadAllText(path))!;
        summary["statistics"]!["total_return"] = 0.2;
        summary["statistics"]!["max_drawdown"] = 0.05;
        File.WriteAllText(path, summary.ToJsonString());
        return (a, b);
    }

    [Fact]
    public void Page_HasEveryRowAndRun_MarksTheBest_AndCarriesTheCurves()
    {
        var (a, b) = TwoRuns();
        var html = CompareReport.Render([a, b]);

        // Names told apart by their parent folder.
        Assert.Contains(">a/run<span class=\"sub\">", html, StringComparison.Ordinal);
        Assert.Contains(">b/run<span class=\"sub\">", html, StringComparison.Ordinal);

        // total_return: b is better (20 % > 8.9 %); max_drawdown: b is better (5 % < 10 %); start equity: no preference.
        Assert.Contains("<tr data-key=\"total_return\"><th>Total return</th><td>8.90 %</td><td class=\"best\">20.00 %</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-key=\"max_drawdown\"><th>Max drawdown</th><td>-10.00 %</td><td class=\"best\">-5.00 %</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-key=\"start_equity\"><th>Start equity</th><td>1,000.00</td><td>1,000.00</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr data-key=\"cycles\">", html, StringComparison.Ordinal);

        var runs = DataBlock(html, "compare-data")["runs"]!.AsArray();
        Assert.Equal(2, runs.Count);
        Assert.Equal(1000m, runs[0]!["start"]!.GetValue<decimal>());
        Assert.Equal([1100m, 1050m, 990m, 1089m], runs[1]!["points"]!.AsArray().Select(p => p![1]!.GetValue<decimal>()));

        Assert.All(NetworkReferences(html), h => Assert.Matches("href\\s*=\\s*[\"'`]https://www\\.tradingview\\.com/", h));
        Assert.Equal(html, CompareReport.Render([a, b])); // deterministic
    }

    [Fact]
    public void Rows_LineUpKeys_AndLeaveMissingOnesAsNa()
    {
        var (a, b) = TwoRuns();
        var path = Path.Combine(b, "summary.json");
        var summary = JsonNode.Parse(File.ReadAllText(path))!;
        summary["statistics"]!.AsObject().Remove("win_rate");
        File.WriteAllText(path, summary.ToJsonString());

        var rows = RunComparison.Rows([RunSummary.Read(a), RunSummary.Read(b)]);
        var winRate = Assert.Single(rows, r => r.Key == "win_rate");
        Assert.Equal(["100.00 %", "n/a"], winRate.Texts);
        Assert.Empty(winRate.Best); // only one run has a number
        Assert.Equal("statistics", winRate.Group);
        Assert.Equal("counts", rows[^1].Group);
    }

    [Fact]
    public void AFolderWithoutSummary_IsRefused()
    {
        var (a, _) = TwoRuns();
        var unfinished = Path.Combine(_dir.Path, "live");
        WriteHandMadeRun(unfinished, withSummary: false);
        var e = Assert.Throws<RunFolderException>(() => CompareReport.Render([a, unfinished]));
        Assert.Contains("no summary.json", e.Message, StringComparison.Ordinal);
    }
}
