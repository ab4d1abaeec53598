using System.Text.Json;
using Microsoft.Playwright;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Reporting.ArtifactRun;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// Opens real pages in Debian's headless Chromium (driven by Playwright, which never downloads a browser here): the
/// report of an ORB backtest over the shared LEAN SPY minute data 2013-10-07..11, and a compare page. Checks that every
/// chart draws (non-blank canvas pixels), that there is one marker per fill of fills.csv, that the trade table sorts,
/// that nothing is logged as an error and that no request leaves the page's own file:// URL.
/// </summary>
/// <remarks>
/// With <c>STRATEGYLAB_WRITE_SCREENSHOT=1</c> the report test also writes <c>docs/images/report.png</c> (1280×900, the
/// top of the page) for the README.
/// </remarks>
public sealed class ReportBrowserTests : IDisposable
{
    /// <summary>Where Debian puts chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static void RequireChromium()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Skip($"Chromium not found at {ChromiumPath}: install it with 'apt-get install -y chromium' (.ci/run does) to run the browser tests.");
        }
    }

    [Fact]
    public async Task Report_OfARealRun_DrawsEveryChart_OneMarkerPerFill_NoErrors_NoNetwork()
    {
        var lean = TestPaths.RequireLean();
        RequireChromium();
        var folder = Path.Combine(_dir.Path, "spy-orb");
        var config = Path.Combine(_dir.Path, "spy.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            data = new { provider = "lean", path = lean, symbols = new[] { "SPY" }, from = "2013-10-07", to = "2013-10-11" },
            strategy = new { name = "orb" },
            trade_manager = new { position_size_pct = 50 }, // half the account per position: P&L a reader can see
        }), TestContext.Current.CancellationToken);
        var run = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", folder, "--quiet");
        Assert.True(run.ExitCode == 0, run.ToString());

        // What the page must show, read from the files directly.
        var fills = ParseCsv(ReadShared(Path.Combine(folder, "fills.csv"))).Skip(1).ToList();
        var trades = ParseCsv(ReadShared(Path.Combine(folder, "trades.csv"))).Skip(1).ToList();
        Assert.NotEmpty(fills);

        await using var session = await BrowserSession.Open(_dir.Path);
        var page = session.Page;
        var url = new Uri(Path.Combine(folder, "report.html")).AbsoluteUri;
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync("body[data-report-ready='1']");

        // The equity chart and every candle chart (built when scrolled near) draw something.
        await page.WaitForSelectorAsync("#equity-chart[data-ready='1']");
        Assert.True(await NonBlankPixels(page, "#equity-chart") > 2_000, "the equity chart is blank");
        var charts = await page.QuerySelectorAllAsync(".candle-chart");
        Assert.Single(charts); // SPY
        var markers = 0;
        foreach (var chart in charts)
        {
            await chart.ScrollIntoViewIfNeededAsync();
            var index = await chart.GetAttributeAsync("data-index");
            var selector = $".candle-chart[data-index='{index}']";
            await page.WaitForSelectorAsync(selector + "[data-ready='1']");
            Assert.True(await NonBlankPixels(page, selector) > 2_000, $"candle chart {index} is blank");
            var symbol = await chart.GetAttributeAsync("data-symbol");
            var count = int.Parse((await chart.GetAttributeAsync("data-marker-count"))!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(fills.Count(f => f[2] == symbol), count);
            markers += count;
        }

        Assert.Equal(fills.Count, markers);

        // Hovering the first fill's marker shows its tooltip: side, quantity, price and reason (the tag in fills.csv).
        var first = fills[0];
        var chartBox = (await charts[0].BoundingBoxAsync())!;
        var at = await charts[0].EvaluateAsync<double[]>("""
            el => {
              const r = el.reportChart, f = r.fills[0];
              return [r.chart.timeScale().timeToCoordinate(f[0]), r.candles.priceToCoordinate(f[2]), f[1]];
            }
            """);
        var tooltip = string.Empty;
        foreach (var dy in new[] { 6, 9, 12, 3, 15 }) // the arrow hangs under a buy's price, over a sell's
        {
            await page.Mouse.MoveAsync((float)(chartBox.X + at[0]), (float)(chartBox.Y + at[1] + (at[2] > 0 ? dy : -dy)));
            tooltip = await charts[0].EvaluateAsync<string>("el => { const t = el.querySelector('.tooltip'); return t.style.display === 'block' ? t.textContent : ''; }");
            if (tooltip.Length > 0)
            {
                break;
            }
        }

        Assert.Contains(first[3] == "buy" ? "BUY" : "SELL", tooltip, StringComparison.Ordinal);
        Assert.Contains($"Reason: {first[7]}", tooltip, StringComparison.Ordinal);
        Assert.Contains($"Order: #{first[1]}", tooltip, StringComparison.Ordinal);
        await page.Mouse.MoveAsync(0, 0);

        // The trade table holds every trade and sorts on a click (Net P&L, column 10, ascending).
        Assert.Equal(trades.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetAttributeAsync("#trades-table", "data-rows"));
        await page.ClickAsync("#trades-table th[data-col='10']");
        var shown = await page.EvalOnSelectorAllAsync<string[]>("#trades-table tbody tr td:nth-child(11)", "tds => tds.map(td => td.textContent)");
        var expected = trades.Select(t => Dec(t[7]) - Dec(t[8])).Order().Select(v => v.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, shown);

        Assert.Empty(session.Errors);
        Assert.All(session.Requests, r => Assert.Equal(url, r));
        Assert.Single(session.Requests);

        if (Environment.GetEnvironmentVariable("STRATEGYLAB_WRITE_SCREENSHOT") == "1")
        {
            await WriteScreenshot(session, url);
        }
    }

    [Fact]
    public async Task Report_WithPlots_DrawsThePlotsPaneUnderThePriceChart()
    {
        RequireChromium();
        var aaa = StrategyLab.Core.Domain.Symbol.Equity("AAA");
        var bars = Enumerable.Range(0, 3).SelectMany(d => Minutes(aaa, $"2024-01-{8 + d:00}", "09:30", 390, 100m)).ToList();
        var run = new ArtifactRun(Path.Combine(_dir.Path, "plots"), new PlotEveryBar(), [aaa]).Run(bars);
        var report = StrategyLab.Reporting.Html.HtmlReport.Write(run.Folder);

        await using var session = await BrowserSession.Open(_dir.Path);
        await session.Page.GotoAsync(new Uri(report).AbsoluteUri);
        await session.Page.WaitForSelectorAsync("body[data-report-ready='1']");
        await session.Page.WaitForSelectorAsync("#plots-chart[data-ready='1']");

        Assert.True(await NonBlankPixels(session.Page, "#plots-chart") > 500, "the plots chart is blank");
        Assert.Empty(session.Errors);
    }

    [Theory]
    [InlineData("orb", 2, 1)]
    [InlineData("sma_crossover", 2, 1)]
    [InlineData("rsi_reversion", 3, 2)]
    public async Task Report_DrawsTheStrategysLevels_OnItsPriceChart(string strategy, int overlays, int panes)
    {
        RequireChromium();
        var folder = Path.Combine(_dir.Path, strategy);
        var r = await CliRunner.RunInProcessAsync("backtest", "--out", folder, "--strategy", strategy, "--from", "2024-01-02", "--to", "2024-01-05", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        await using var session = await BrowserSession.Open(_dir.Path);
        await session.Page.GotoAsync(new Uri(Path.Combine(folder, "report.html")).AbsoluteUri);
        await session.Page.WaitForSelectorAsync("body[data-report-ready='1']");
        var chart = (await session.Page.QuerySelectorAsync(".candle-chart[data-index='0']"))!;
        await chart.ScrollIntoViewIfNeededAsync();
        await session.Page.WaitForSelectorAsync(".candle-chart[data-index='0'][data-ready='1']");

        Assert.Equal(overlays.ToString(System.Globalization.CultureInfo.InvariantCulture), await chart.GetAttributeAsync("data-overlay-count"));

        // Each line has points, the RSI has its own pane, and the first line's colour is on the canvas (antialiasing
        // aside: within a few levels per channel), so it was drawn, not only given data.
        var drawn = await chart.EvaluateAsync<int[]>("""
            el => {
              const r = el.reportChart;
              const points = Math.min(...r.overlays.map(o => o.series.data().length));
              const hex = r.overlays[0].color, want = [1, 3, 5].map(i => parseInt(hex.substring(i, i + 2), 16));
              let coloured = 0;
              for (const canvas of el.querySelectorAll('canvas')) {
                if (!canvas.width || !canvas.height) continue;
                const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                for (let i = 0; i < d.length; i += 4) {
                  if (d[i + 3] > 200 && Math.abs(d[i] - want[0]) < 24 && Math.abs(d[i + 1] - want[1]) < 24 && Math.abs(d[i + 2] - want[2]) < 24) coloured++;
                }
              }
              return [points, r.chart.panes().length, coloured];
            }
            """);
        Assert.True(drawn[0] > 10, $"an overlay has {drawn[0]} points");
        Assert.Equal(panes, drawn[1]);
        Assert.True(drawn[2] > 100, $"the first overlay's colour covers {drawn[2]} pixels");
        Assert.NotNull(await session.Page.QuerySelectorAsync(".overlay-legend"));

        // Each P&L cell of the trade table (gross, net, return) is coloured by its own sign, not by the net's.
        var miscoloured = await session.Page.EvalOnSelectorAllAsync<int>("#trades-table tbody tr", """
            rows => rows.filter(tr => [8, 10, 11].some(c => {
              const td = tr.cells[c], v = parseFloat(td.textContent.replace(/[,+ %]/g, ''));
              return td.className !== (v > 0 ? 'pos' : v < 0 ? 'neg' : '');
            })).length
            """);
        Assert.Equal(0, miscoloured);
        Assert.Empty(session.Errors);
    }

    [Fact]
    public async Task ComparePage_DrawsTheCurves_AndSwitchesToAbsolute()
    {
        RequireChromium();
        var a = Path.Combine(_dir.Path, "a");
        var b = Path.Combine(_dir.Path, "b");
        foreach (var (folder, strategy) in new[] { (a, "orb"), (b, "sma_crossover") })
        {
            var r = await CliRunner.RunInProcessAsync("backtest", "--out", folder, "--strategy", strategy, "--from", "2024-01-02", "--to", "2024-01-12", "--quiet");
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        var html = Path.Combine(_dir.Path, "compare.html");
        var c = await CliRunner.RunInProcessAsync("compare", a, b, "--out", html);
        Assert.True(c.ExitCode == 0, c.ToString());

        await using var session = await BrowserSession.Open(_dir.Path);
        var url = new Uri(html).AbsoluteUri;
        await session.Page.GotoAsync(url);
        await session.Page.WaitForSelectorAsync("#compare-chart[data-ready='1']");
        Assert.Equal("2", await session.Page.GetAttributeAsync("#compare-chart", "data-lines"));
        Assert.True(await NonBlankPixels(session.Page, "#compare-chart") > 2_000, "the compare chart is blank");
        await session.Page.ClickAsync("#scale-toggle button[data-scale='absolute']");
        Assert.Equal("absolute", await session.Page.GetAttributeAsync("#compare-chart", "data-scale"));
        Assert.Empty(session.Errors);
        Assert.Equal([url], session.Requests);
    }

    /// <summary>
    /// Pixels of the chart's canvases that differ from each canvas's most common colour (its background), counted in
    /// the page: the best canvas's count. A blank chart has none.
    /// </summary>
    internal static Task<int> NonBlankPixels(IPage page, string selector) =>
        page.EvalOnSelectorAsync<int>(selector, """
            el => {
              let best = 0;
              for (const canvas of el.querySelectorAll('canvas')) {
                if (!canvas.width || !canvas.height) continue;
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                const counts = new Map();
                for (let i = 0; i < data.length; i += 4) {
                  const key = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3];
                  counts.set(key, (counts.get(key) || 0) + 1);
                }
                const background = Math.max(...counts.values());
                best = Math.max(best, data.length / 4 - background);
              }
              return best;
            }
            """);

    private static async Task WriteScreenshot(BrowserSession session, string url)
    {
        var path = Path.Combine(TestPaths.RepoRoot, "docs", "images", "report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await session.Page.SetViewportSizeAsync(1280, 900);
        await session.Page.GotoAsync(url);
        await session.Page.WaitForSelectorAsync("#equity-chart[data-ready='1']");
        await session.Page.WaitForTimeoutAsync(300); // let the charts' resize settle after the viewport change
        await session.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
    }

    private sealed class PlotEveryBar : StrategyLab.Core.Strategies.IStrategy
    {
        public void OnBar(in StrategyLab.Core.Domain.Bar bar, StrategyLab.Core.Strategies.IStrategyContext context) =>
            context.Plot("close", (double)bar.Close);
    }

    /// <summary>A headless Chromium with a fresh profile; records every request and every console error of the page.</summary>
    internal sealed class BrowserSession : IAsyncDisposable
    {
        private readonly IPlaywright _playwright;
        private readonly IBrowserContext _context;

        private BrowserSession(IPlaywright playwright, IBrowserContext context, IPage page)
        {
            _playwright = playwright;
            _context = context;
            Page = page;
            page.Request += (_, request) => Requests.Add(request.Url);
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    Errors.Add("console: " + message.Text);
                }
            };
            page.PageError += (_, error) => Errors.Add("page: " + error);
            page.RequestFailed += (_, request) => Errors.Add("request failed: " + request.Url);
        }

        public IPage Page { get; }

        public List<string> Requests { get; } = [];

        public List<string> Errors { get; } = [];

        public static async Task<BrowserSession> Open(string workDir)
        {
            var playwright = await Playwright.CreateAsync();
            var profile = Path.Combine(workDir, "chromium-profile-" + Guid.NewGuid().ToString("N"));
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ChromiumArgs,
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
                Offline = true,
            });
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            return new BrowserSession(playwright, context, page);
        }

        public async ValueTask DisposeAsync()
        {
            await _context.CloseAsync();
            _playwright.Dispose();
        }
    }
}
