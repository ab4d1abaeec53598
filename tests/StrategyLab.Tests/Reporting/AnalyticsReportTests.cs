using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Reporting.ArtifactRun;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// A 4-symbol backtest over the shared LEAN minutes (SPY, AIG, BAC, IBM, 2013-10-04..11) with <c>benchmark: "SPY"</c>:
/// the benchmark statistics recomputed here from <c>equity.csv</c> and SPY's bars in <c>bars.csv</c> (not with the
/// engine's code), the attribution from <c>trades.csv</c>, MAE/MFE bounded by the bars each trade was held through,
/// an untraded benchmark read from the source giving the same series, and the report drawing it all in Chromium.
/// </summary>
public sealed class AnalyticsReportTests : IDisposable
{
    private static readonly string[] Symbols = ["SPY", "AIG", "BAC", "IBM"];
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task FourSymbolRun_BenchmarkAttributionAndExcursions_MatchAnIndependentComputation_AndTheReportDrawsThem()
    {
        _ = TestPaths.RequireLean();
        var folder = await Run("four", Symbols);
        var summary = JsonNode.Parse(ReadShared(Path.Combine(folder, "summary.json")))!;
        var stats = summary["statistics"]!;

        // --- Benchmark: E_d = the last equity.csv row of each date, B_d = SPY's last close of each date in bars.csv.
        var startEquity = stats["start_equity"]!.GetValue<decimal>();
        var equity = ParseCsv(ReadShared(Path.Combine(folder, "equity.csv"))).Skip(1)
            .GroupBy(r => DateOnly.FromDateTime(DateTimeOffset.Parse(r[0], CultureInfo.InvariantCulture).DateTime))
            .Select(g => Dec(g.Last()[3])).ToList();
        var spy = ParseCsv(ReadShared(Path.Combine(folder, "bars.csv"))).Skip(1).Where(r => r[0] == "SPY").ToList();
        var firstOpen = Dec(spy[0][3]);
        var closes = spy.GroupBy(r => DateOnly.FromDateTime(DateTimeOffset.Parse(r[2], CultureInfo.InvariantCulture).DateTime))
            .Select(g => Dec(g.Last()[6])).ToList();
        Assert.Equal(equity.Count, closes.Count);
        Assert.True(equity.Count >= 5, "the run covers the week");

        var r = Returns(startEquity, equity);
        var b = Returns(firstOpen, closes);
        var n = r.Length;
        var mr = r.Average();
        var mb = b.Average();
        var cov = r.Zip(b, (x, y) => (x - mr) * (y - mb)).Sum() / (n - 1);
        var vr = r.Sum(x => (x - mr) * (x - mr)) / (n - 1);
        var vb = b.Sum(y => (y - mb) * (y - mb)) / (n - 1);
        var active = r.Zip(b, (x, y) => x - y).ToArray();
        var ma = active.Average();
        var sa = Math.Sqrt(active.Sum(a => (a - ma) * (a - ma)) / (n - 1));
        Assert.Equal("SPY", stats["benchmark"]!.GetValue<string>());
        Near(cov / vb, stats["beta"]);
        Near(cov / Math.Sqrt(vr * vb), stats["correlation"]);
        Near(252 * (mr - (cov / vb * mb)), stats["alpha"]);
        Near(sa * Math.Sqrt(252), stats["tracking_error"]);
        Near(ma / sa * Math.Sqrt(252), stats["information_ratio"]);
        Near((double)((closes[^1] - firstOpen) / firstOpen), stats["benchmark_return"]);

        // --- Attribution against trades.csv and the totals.
        var trades = ParseCsv(ReadShared(Path.Combine(folder, "trades.csv"))).Skip(1).ToList();
        Assert.NotEmpty(trades);
        var rows = summary["attribution"]!.AsArray().Select(x => x!).ToList();
        Assert.Equal(["AIG", "BAC", "IBM", "SPY"], rows.Select(x => x["symbol"]!.GetValue<string>()));
        foreach (var row in rows)
        {
            var mine = trades.Where(t => t[0] == row["symbol"]!.GetValue<string>()).ToList();
            Assert.Equal(mine.Count, row["trade_count"]!.GetValue<int>());
            Assert.Equal(mine.Count(t => Dec(t[7]) - Dec(t[8]) > 0), row["winning_trades"]!.GetValue<int>());
            Assert.Equal(mine.Sum(t => Dec(t[7]) - Dec(t[8])), row["net_pnl"]!.GetValue<decimal>());
            Assert.InRange(row["exposure"]!.GetValue<double>(), 0, 1);
        }

        Assert.Equal(stats["total_fees"]!.GetValue<decimal>(), rows.Sum(x => x["fees"]!.GetValue<decimal>()));

        // --- MAE/MFE: the exit is within them, and they lie between the ranges of the bars strictly inside the trade
        // and of the bars up to its exit time (the bar an intrabar exit filled on may or may not count as held).
        var bars = ParseCsv(ReadShared(Path.Combine(folder, "bars.csv"))).Skip(1).ToList();
        foreach (var t in trades)
        {
            decimal qty = Dec(t[2]), entry = Dec(t[4]), exit = Dec(t[6]), pnl = Dec(t[7]), mae = Dec(t[10]), mfe = Dec(t[11]);
            var isLong = t[1] == "long";
            Assert.InRange(pnl, mae, mfe);
            var entryTime = DateTimeOffset.Parse(t[3], CultureInfo.InvariantCulture);
            var exitTime = DateTimeOffset.Parse(t[5], CultureInfo.InvariantCulture);
            var held = bars.Where(x => x[0] == t[0] && DateTimeOffset.Parse(x[1], CultureInfo.InvariantCulture) >= entryTime).ToList();
            var inside = held.Where(x => DateTimeOffset.Parse(x[2], CultureInfo.InvariantCulture) < exitTime).ToList();
            var upTo = held.Where(x => DateTimeOffset.Parse(x[2], CultureInfo.InvariantCulture) <= exitTime).ToList();
            var (narrowMae, narrowMfe) = Excursion(isLong, qty, entry, exit, inside);
            var (wideMae, wideMfe) = Excursion(isLong, qty, entry, exit, upTo);
            Assert.InRange(mae, wideMae, narrowMae);
            Assert.InRange(mfe, narrowMfe, wideMfe);
        }

        // --- The same benchmark, not traded: read from the source, the same daily series.
        var untraded = await Run("untraded", ["AIG", "BAC", "IBM"]);
        Assert.Equal(
            ParseCsv(ReadShared(Path.Combine(folder, "daily.csv"))).Skip(1).Select(x => x[2]),
            ParseCsv(ReadShared(Path.Combine(untraded, "daily.csv"))).Skip(1).Select(x => x[2]));

        // --- The page: the benchmark line and rolling Sharpe pane, the attribution table, the MAE/MFE scatter, the overlays.
        ReportBrowserTests.RequireChromium();
        await using var session = await ReportBrowserTests.BrowserSession.Open(_dir.Path);
        var page = session.Page;
        await page.GotoAsync(new Uri(Path.Combine(folder, "report.html")).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-report-ready='1']");
        await page.WaitForSelectorAsync("#equity-chart[data-ready='1']");
        Assert.Equal(equity.Count.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#equity-chart", "data-benchmark-points"));
        Assert.Equal((equity.Count - 2).ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#equity-chart", "data-rolling-sharpe-points"));
        Assert.Contains("SPY buy-and-hold", await page.InnerTextAsync("#equity .legend-row"), StringComparison.Ordinal);
        Assert.Equal(4, (await page.QuerySelectorAllAsync("#attribution-table tbody tr")).Count);
        Assert.Contains("Beta", await page.InnerTextAsync("#statistics"), StringComparison.Ordinal);
        await page.Locator("#excursion-scatter").ScrollIntoViewIfNeededAsync();
        Assert.Equal(trades.Count.ToString(CultureInfo.InvariantCulture), await page.GetAttributeAsync("#excursion-scatter[data-ready='1']", "data-points"));
        Assert.True(await ReportBrowserTests.NonBlankPixels(page, ".scatter-wrap") > 500, "the MAE/MFE scatter is blank");
        Assert.Equal(8, (await page.QuerySelectorAllAsync("#holding-times tbody tr")).Count);

        // ORB's opening range drawn over the first symbol's candles (the overlays of issue 15 item 4, on this run too).
        var chart = (await page.QuerySelectorAsync(".candle-chart[data-index='0']"))!;
        await chart.ScrollIntoViewIfNeededAsync();
        await page.WaitForSelectorAsync(".candle-chart[data-index='0'][data-ready='1']");
        Assert.Equal("2", await chart.GetAttributeAsync("data-overlay-count"));
        Assert.Empty(session.Errors);
    }

    private async Task<string> Run(string name, string[] symbols)
    {
        var folder = Path.Combine(_dir.Path, name);
        var config = Path.Combine(_dir.Path, name + ".json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            data = new { provider = "lean", path = TestPaths.LeanDir, symbols, from = "2013-10-04", to = "2013-10-11" },
            strategy = new { name = "orb" },
            trade_manager = new { max_positions = 4 },
            benchmark = "SPY",
            rolling_sharpe_days = 3,
            output = new { bars_csv = true },
        }), TestContext.Current.CancellationToken);
        var run = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", folder, "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());
        return folder;
    }

    private static double[] Returns(decimal start, List<decimal> values)
    {
        var previous = start;
        var returns = new double[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            returns[i] = (double)((values[i] - previous) / previous);
            previous = values[i];
        }

        return returns;
    }

    private static (decimal Mae, decimal Mfe) Excursion(bool isLong, decimal qty, decimal entry, decimal exit, List<string[]> bars)
    {
        var high = Math.Max(entry, exit);
        var low = Math.Min(entry, exit);
        foreach (var x in bars)
        {
            high = Math.Max(high, Dec(x[4]));
            low = Math.Min(low, Dec(x[5]));
        }

        return isLong
            ? (Math.Min(0, (low - entry) * qty), Math.Max(0, (high - entry) * qty))
            : (Math.Min(0, (entry - high) * qty), Math.Max(0, (entry - low) * qty));
    }

    private static void Near(double expected, JsonNode? actual)
    {
        Assert.NotNull(actual);
        var value = actual.GetValue<double>();
        Assert.True(Math.Abs(expected - value) <= 1e-7 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, summary has {value}");
    }
}
