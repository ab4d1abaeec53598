using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Risk;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Html;
using StrategyLab.Reporting.Reading;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Data;
using static StrategyLab.Tests.Reporting.ArtifactRun;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

public sealed class HtmlReportTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(string name) => Path.Combine(_dir.Path, name);

    [Fact]
    public void Escaping_TextFromTheFolder_NeverBreaksOutOfItsPlace()
    {
        var folder = Folder("evil");
        WriteHandMadeRun(folder);
        var html = HtmlReport.Render(folder);

        // Exactly the page's own script elements: the data block, the library, the page script.
        Assert.Equal(3, Regex.Matches(html, "<script", RegexOptions.IgnoreCase).Count);
        Assert.Equal(3, Regex.Matches(html, "</script", RegexOptions.IgnoreCase).Count);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<!--", html, StringComparison.Ordinal);

        // In HTML text (title, header, configuration) it is entity-encoded.
        Assert.Contains("orb&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&lt;!--&quot;&#39;&amp;amp;", html, StringComparison.Ordinal);
        Assert.Contains("data-symbol=\"X&quot;Y\"", html, StringComparison.Ordinal);

        // In the data block it round-trips exactly.
        var data = DataBlock(html);
        var symbol = data["symbols"]![0]!;
        Assert.Equal("X\"Y", symbol["symbol"]!.GetValue<string>());
        Assert.Equal(Evil, symbol["fills"]![1]![5]!.GetValue<string>());
        Assert.Equal(Evil, data["trades"]![0]![14]!.GetValue<string>());

        // The API key never reaches the page.
        Assert.DoesNotContain("sekret-123", html, StringComparison.Ordinal);
        Assert.Contains("&quot;api_key&quot;: &quot;***&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Contents_EveryStatisticAndCount_ReturnsByMonthAndDay_TradesAndLevels()
    {
        var folder = Folder("contents");
        WriteHandMadeRun(folder);
        var html = HtmlReport.Render(folder);

        // Every key of summary.json's statistics and counts has a row, unknown keys too.
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!;
        foreach (var group in new[] { "statistics", "counts" })
        {
            foreach (var (key, _) in summary[group]!.AsObject())
            {
                Assert.Contains($"<tr data-key=\"{key}\">", html, StringComparison.Ordinal);
            }
        }

        Assert.Equal("8.90 %", StatCell(html, "total_return"));
        Assert.Equal("-10.00 %", StatCell(html, "max_drawdown"));
        Assert.Equal("n/a", StatCell(html, "sharpe"));
        Assert.Equal("28 d 00:00:00", StatCell(html, "longest_drawdown"));
        Assert.Equal("no", StatCell(html, "longest_drawdown_recovered"));
        Assert.Equal("42", StatCell(html, "future_statistic"));
        Assert.Equal("1,089.00", StatCell(html, "final_equity"));

        // Monthly: Jan 1,100 / 1,000 − 1 = +10 %; Feb 990 / 1,100 − 1 = −10 %; Mar 1,089 / 990 − 1 = +10 %; year 1,089 / 1,000 − 1.
        Assert.Equal("+10.00", PeriodCell(html, "2024-01"));
        Assert.Equal("-10.00", PeriodCell(html, "2024-02"));
        Assert.Equal("+10.00", PeriodCell(html, "2024-03"));
        Assert.Equal("+8.90", PeriodCell(html, "2024"));

        // Daily (a short run): 01-31 +10 %, 02-15 1,050 / 1,100 − 1 = −4.545 %, 02-29 990 / 1,050 − 1 = −5.714 %, 03-28 +10 %.
        Assert.Equal("+10.00", PeriodCell(html, "2024-01-31"));
        Assert.Equal("-4.55", PeriodCell(html, "2024-02-15"));
        Assert.Equal("-5.71", PeriodCell(html, "2024-02-29"));
        Assert.Equal("+10.00", PeriodCell(html, "2024-03-28"));

        var data = DataBlock(html);

        // Equity with the drawdown from the running peak: 0, 0, −4.5455 %, −10 %, −1 % (1,089 / 1,100 − 1).
        var points = data["equity"]!["points"]!.AsArray();
        Assert.Equal([0m, -4.5455m, -10m, -1m], points.Select(p => p![2]!.GetValue<decimal>()));
        Assert.Equal([1100m, 1050m, 990m, 1089m], points.Select(p => p![1]!.GetValue<decimal>()));

        // Candles are the six bars (one candle each), times as local wall-clock seconds: 2024-01-31 09:30 read as UTC.
        var s = data["symbols"]![0]!;
        var candles = s["candles"]!.AsArray();
        Assert.Equal(6, candles.Count);
        Assert.Equal(new DateTimeOffset(2024, 1, 31, 9, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(), candles[0]![0]!.GetValue<long>());
        Assert.Equal([10m, 11m, 9m, 10.5m, 100m], candles[0]!.AsArray().Skip(1).Select(v => v!.GetValue<decimal>()));
        Assert.Equal(6, s["bars"]!.GetValue<long>());
        Assert.Equal("1m", s["step"]!.GetValue<string>());

        // One marker per fill, on the candle of its time, +1 buy / −1 sell.
        var fills = s["fills"]!.AsArray();
        Assert.Equal(2, fills.Count);
        Assert.Equal(candles[1]![0]!.GetValue<long>(), fills[0]![0]!.GetValue<long>());
        Assert.Equal(1, fills[0]![1]!.GetValue<int>());
        Assert.Equal(candles[4]![0]!.GetValue<long>(), fills[1]![0]!.GetValue<long>());
        Assert.Equal(-1, fills[1]![1]!.GetValue<int>());
        Assert.Equal("2024-01-31 09:34", fills[1]![6]!.GetValue<string>());

        // The stop loss spans its life 09:31 → 09:34 at 10.78; the market orders draw nothing.
        var lane = Assert.Single(s["levels"]!.AsArray())!.AsArray();
        var segment = Assert.Single(lane)!.AsArray();
        Assert.Equal(candles[1]![0]!.GetValue<long>(), segment[0]!.GetValue<long>());
        Assert.Equal(candles[4]![0]!.GetValue<long>(), segment[1]!.GetValue<long>());
        Assert.Equal(10.78m, segment[2]!.GetValue<decimal>());
        Assert.Equal("stop_loss", segment[3]!.GetValue<string>());

        // The trade: net = 10.5 − 2 = 8.5; return 8.5 / (11 × 3) = 25.7576 %; held 3 minutes.
        var trade = Assert.Single(data["trades"]!.AsArray())!;
        Assert.Equal(8.5m, trade[11]!.GetValue<decimal>());
        Assert.Equal(25.7576m, trade[12]!.GetValue<decimal>());
        Assert.Equal(180, trade[13]!.GetValue<long>());

        // The footer carries the library's NOTICE and the link its licence asks for.
        Assert.Contains("TradingView Lightweight Charts", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://www.tradingview.com/\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void NoNetwork_ThePageLoadsNothingButItself()
    {
        var folder = Folder("offline");
        WriteHandMadeRun(folder);
        var html = HtmlReport.Render(folder);

        // The only network addresses are the attribution links to tradingview.com the licence asks for (an anchor in the
        // footer, the library's logo anchor): a link the user may click, nothing the browser loads.
        var hits = NetworkReferences(html);
        Assert.All(hits, h => Assert.Matches("href\\s*=\\s*[\"'`]https://www\\.tradingview\\.com/", h));
        Assert.InRange(hits.Count, 1, 2);

        // And the page forbids every request in its content security policy.
        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';", html, StringComparison.Ordinal);
        Assert.Contains("connect-src 'none'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Deterministic_SameFolderSameBytes_AndTheSameRunElsewhereToo()
    {
        var a = Folder("a/run");
        var b = Folder("b/run");
        foreach (var f in new[] { a, b })
        {
            var strategy = new ScriptedStrategy()
                .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
                .At("2024-01-08 09:35", c => c.Exit(Aaa, "test_exit"));
            new ArtifactRun(f, strategy, [Aaa], new RiskSettings { StopLossPct = 2m, TakeProfitPct = 5m }).Run(Minutes(Aaa, "2024-01-08", "09:30", 10, 100m));
        }

        var first = HtmlReport.Render(a);
        Assert.Equal(first, HtmlReport.Render(a));
        Assert.Equal(first, HtmlReport.Render(b));
        var path = HtmlReport.Write(a);
        Assert.Equal(first, File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(a, "*.tmp"));
        Assert.DoesNotContain(_dir.Path, first, StringComparison.Ordinal); // no machine path
    }

    [Fact]
    public void BacktestFolder_UsesChartBars_WithStopAndTargetInTwoLanes()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:35", c => c.Exit(Aaa, "test_exit"));
        var run = new ArtifactRun(Folder("bt"), strategy, [Aaa], new RiskSettings { StopLossPct = 2m, TakeProfitPct = 5m })
            .Run(Minutes(Aaa, "2024-01-08", "09:30", 10, 100m));

        // The backtest wrote chart_bars.csv (no bars.csv): the ten bars, fewer than the limit, as they are.
        var chartBars = ParseCsv(run.Text("chart_bars.csv"));
        Assert.Equal(RunFolderWriter.BarsHeader, string.Join(',', chartBars[0]));
        Assert.Equal(11, chartBars.Count);
        Assert.Equal("AAA,2024-01-08T09:30:00-05:00,2024-01-08T09:31:00-05:00,100,100.05,99.95,100.02,1000,10", string.Join(',', chartBars[1]));

        var html = HtmlReport.Render(run.Folder);
        Assert.Contains("candles from chart_bars.csv", html, StringComparison.Ordinal);
        var s = DataBlock(html)["symbols"]![0]!;
        Assert.Equal(0, s["bars"]!.GetValue<long>()); // chart_bars rows are candles, not a bar count
        Assert.Equal(2, s["fills"]!.AsArray().Count);

        // Stop 98.09 and take-profit 105.11 live 09:31 → 09:35 together: two lanes.
        var lanes = s["levels"]!.AsArray();
        Assert.Equal(2, lanes.Count);
        Assert.Equal(["stop_loss", "take_profit"], lanes.Select(l => l![0]![3]!.GetValue<string>()));
        Assert.Equal([98.09m, 105.11m], lanes.Select(l => l![0]![2]!.GetValue<decimal>()));
    }

    [Fact]
    public void LongRun_ChartBarsStayBounded_AndMatchDirectFiveMinuteBuckets()
    {
        // 30 weekdays × 390 minute bars = 11,700 > 10,000: the writer's chart bars move up to 5-minute candles.
        var strategy = new ScriptedStrategy();
        var bars = new List<Bar>();
        var day = new DateOnly(2024, 1, 2);
        var sessions = 0;
        var seed = 1;
        while (sessions < 30)
        {
            if (day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                var open = StrategyLab.Tests.Support.Bars.Ny(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 09:30");
                for (var m = 0; m < 390; m++)
                {
                    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
                    var o = 100m + ((seed % 2000) / 100m);
                    bars.Add(new Bar(Aaa, open.AddMinutes(m), open.AddMinutes(m + 1), o, o + 0.3m, o - 0.2m, o + 0.1m, 100 + (seed % 50)));
                }

                sessions++;
            }

            day = day.AddDays(1);
        }

        var run = new ArtifactRun(Folder("long"), strategy, [Aaa]).Run(bars);
        var rows = ParseCsv(run.Text("chart_bars.csv")).Skip(1).ToList();

        // Direct: group the bars by 5-minute bucket of New York time (EST all along: January to mid-February).
        const long five = 5 * TimeSpan.TicksPerMinute;
        var expected = bars
            .GroupBy(b => b.Start.AddHours(-5).Ticks / five)
            .Select(g => (Open: g.First().Open, High: g.Max(b => b.High), Low: g.Min(b => b.Low), Close: g.Last().Close, Volume: g.Sum(b => b.Volume)))
            .ToList();
        Assert.Equal(11_700 / 5, rows.Count);
        Assert.Equal(expected, rows.Select(r => (Dec(r[3]), Dec(r[4]), Dec(r[5]), Dec(r[6]), Dec(r[7]))));
        Assert.Equal("2024-01-02T09:30:00-05:00", rows[0][1]);
        Assert.Equal("2024-01-02T09:35:00-05:00", rows[0][2]);

        var s = DataBlock(HtmlReport.Render(run.Folder))["symbols"]![0]!;
        Assert.Equal("5m", s["step"]!.GetValue<string>());
        Assert.Equal(2_340, s["candles"]!.AsArray().Count);
    }

    [Fact]
    public void GrowingFolder_WithoutSummary_AndAHalfWrittenLine_RendersWhatIsComplete()
    {
        var folder = Folder("live");
        WriteHandMadeRun(folder, withSummary: false);
        File.AppendAllText(Path.Combine(folder, "fills.csv"), "2024-01-31T09:35:00-05:00,4,\"X\"\"Y\",bu"); // a writer mid-line

        Assert.True(HtmlReport.IsRunFolder(folder));
        var html = HtmlReport.Render(folder);
        Assert.Contains("has not written its summary.json yet", html, StringComparison.Ordinal);
        Assert.Equal(2, DataBlock(html)["symbols"]![0]!["fills"]!.AsArray().Count);

        // Called again and again as the run goes on.
        File.AppendAllText(Path.Combine(folder, "fills.csv"), "y,1,10,0,late\n");
        HtmlReport.Write(folder);
        Assert.Equal(3, DataBlock(File.ReadAllText(Path.Combine(folder, "report.html")))["symbols"]![0]!["fills"]!.AsArray().Count);
    }

    [Fact]
    public void NotARunFolder_AndBadContent_NameTheFolder_FileLineAndField()
    {
        var empty = Folder("empty");
        Directory.CreateDirectory(empty);
        Assert.False(HtmlReport.IsRunFolder(empty));
        var e = Assert.Throws<RunFolderException>(() => HtmlReport.Render(empty));
        Assert.Contains("not a run folder", e.Message, StringComparison.Ordinal);
        Assert.Contains(empty, e.Message, StringComparison.Ordinal);

        var bad = Folder("bad");
        WriteHandMadeRun(bad);
        File.WriteAllText(Path.Combine(bad, "equity.csv"), "time,cash,positions_value,equity\n2024-01-31T16:00:00-05:00,1,0,1\n2024-02-01T16:00:00-05:00,1,0,abc\n");
        var b = Assert.Throws<RunFolderException>(() => HtmlReport.Render(bad));
        Assert.Equal(Path.Combine(bad, "equity.csv"), b.FilePath);
        Assert.Equal(3, b.Line);
        Assert.Equal("equity", b.Field);
        Assert.Contains("equity.csv:3, field 'equity': 'abc' is not a number.", b.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(bad, "equity.csv"), "time,cash\n");
        var c = Assert.Throws<RunFolderException>(() => HtmlReport.Render(bad));
        Assert.Contains("the header has no column 'equity'", c.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriterReusingAFolder_DeletesTheStaleReport()
    {
        var folder = Folder("reuse");
        WriteHandMadeRun(folder);
        HtmlReport.Write(folder);
        using (new RunFolderWriter(folder, new RunFolderOptions { Mode = RunMode.Backtest, Calendars = _ => StrategyLab.Tests.Support.WeekdayTestCalendar.Instance }))
        {
            Assert.False(File.Exists(Path.Combine(folder, HtmlReport.FileName)));
        }
    }
}
