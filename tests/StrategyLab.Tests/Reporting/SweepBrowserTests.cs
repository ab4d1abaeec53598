using Microsoft.Playwright;
using StrategyLab.Runner.Sweeps;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Runner.Sweeps;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// Opens sweep.html in Debian's headless Chromium, offline: the heatmap draws one cell per (x, y) pair, switches to
/// another statistic, the equity overlay and the walk-forward table are there, the table sorts, and no request leaves
/// the page's own file.
/// </summary>
public sealed class SweepBrowserTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task SweepPage_DrawsTheHeatmap_Offline()
    {
        if (!File.Exists(ReportBrowserTests.ChromiumPath))
        {
            Assert.Skip($"Chromium not found at {ReportBrowserTests.ChromiumPath}: install it with 'apt-get install -y chromium' (.ci/run does) to run the browser tests.");
        }

        var job = SweepRunnerTests.Prepare(SweepRunnerTests.SyntheticConfig, _dir.Path);
        var plan = SweepPlan.Build(null, ["fast=2..8:3", "slow=10,20,30"], [], top: 2, walkForward: "train=20d,test=10d");
        var result = await SweepRunner.RunAsync(job, plan, new LocalSweepExecutor(2), Path.Combine(_dir.Path, "sweep"), cancellationToken: TestContext.Current.CancellationToken);
        var url = new Uri(Path.Combine(result.Folder, SweepHtml.FileName)).AbsoluteUri;

        using var playwright = await Playwright.CreateAsync();
        var context = await playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(_dir.Path, "profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ReportBrowserTests.ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Offline = true,
        });
        try
        {
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            var requests = new List<string>();
            var errors = new List<string>();
            page.Request += (_, r) => requests.Add(r.Url);
            page.Console += (_, m) =>
            {
                if (m.Type == "error")
                {
                    errors.Add(m.Text);
                }
            };
            page.PageError += (_, e) => errors.Add(e);
            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("body[data-sweep-ready='1']");
            await page.WaitForSelectorAsync("#heatmap[data-ready='1']");

            // 3 fast × 3 slow cells, coloured: many pixels differ from the white background.
            Assert.Equal("9", await page.GetAttributeAsync("#heatmap", "data-cells"));
            Assert.True(await ColouredPixels(page, "#heatmap canvas") > 10_000, "the heatmap is blank");

            // Another statistic redraws it.
            await page.SelectOptionAsync("#hs", "max_drawdown");
            Assert.Equal("max_drawdown", await page.GetAttributeAsync("#heatmap", "data-statistic"));
            Assert.True(await ColouredPixels(page, "#heatmap canvas") > 10_000, "the max_drawdown heatmap is blank");

            Assert.Equal("2", await page.GetAttributeAsync("#equity-chart", "data-lines"));
            Assert.True(await ColouredPixels(page, "#equity-chart canvas") > 200, "the equity overlay is blank");
            Assert.Equal(result.WalkForward!.Windows.Count, await page.EvalOnSelectorAllAsync<int>("#wf-table tbody tr", "trs => trs.length"));

            // The table holds every row and sorts by sharpe (column: #, 2 parameters, then the statistics).
            Assert.Equal("9", await page.GetAttributeAsync("#sweep-table", "data-rows"));
            var sharpeColumn = 3 + await page.EvaluateAsync<int>("() => JSON.parse(document.getElementById('sweep-data').textContent).columns.indexOf('sharpe')");
            await page.ClickAsync($"#sweep-table th[data-col='{sharpeColumn}']");
            var shown = await page.EvalOnSelectorAllAsync<string[]>($"#sweep-table tbody tr td:nth-child({sharpeColumn + 1})", "tds => tds.map(td => td.textContent)");
            var numbers = shown.Where(s => s.Length > 0).Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(numbers.Order(), numbers);

            Assert.Empty(errors);
            Assert.Equal([url], requests);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Pixels of the canvas that are not white.</summary>
    private static Task<int> ColouredPixels(IPage page, string selector) =>
        page.EvalOnSelectorAsync<int>(selector, """
            canvas => {
              const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let n = 0;
              for (let i = 0; i < d.length; i += 4) if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) n++;
              return n;
            }
            """);
}
