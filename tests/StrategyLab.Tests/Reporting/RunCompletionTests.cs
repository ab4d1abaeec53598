using StrategyLab.Core.Domain;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Html;
using StrategyLab.Reporting.Reading;
using StrategyLab.Tests.Data;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// The end of a backtest with the folder's last files and <c>report.html</c> written on two threads
/// (<see cref="RunCompletion"/>): the same folder, byte for byte, as one after the other, and a failure on either side
/// surfaces.
/// </summary>
public sealed class RunCompletionTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void InParallel_TheFolderAndReport_AreByteIdenticalToTheSequentialEnd()
    {
        var sequential = Run("sequential", ArtifactRun.InitialCash, out var sequentialReport, out var sequentialSnapshot);
        sequential.Writer.Complete(sequentialSnapshot);
        HtmlReport.Write(sequentialReport); // the end before: the folder, then the page read from it and memory

        var parallel = Run("parallel", ArtifactRun.InitialCash, out var parallelReport, out var parallelSnapshot);
        RunCompletion.Complete(parallel.Writer, parallelSnapshot, parallelReport, inParallel: true);

        var files = FilesOf(sequential.Folder);
        Assert.Equal(files, FilesOf(parallel.Folder));
        Assert.Contains(HtmlReport.FileName, files);
        Assert.Contains(RunFolderWriter.SummaryFileName, files);
        Assert.Contains(RunFolderWriter.DailyFileName, files);
        Assert.Contains(RunFolderWriter.PlotsFileName, files);
        Assert.Contains(RunFolderWriter.ChartBarsFileName, files);
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        foreach (var file in files)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(sequential.Folder, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(parallel.Folder, file))),
                $"{file} differs");
        }

        // And the page is the one built from the files alone.
        Assert.Equal(HtmlReport.Render(parallel.Folder), File.ReadAllText(Path.Combine(parallel.Folder, HtmlReport.FileName)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void ThePage_WithTheNextSymbolRenderedAhead_IsTheOneWrittenOnOneThread(int symbols)
    {
        var tickers = new[] { "AAA", "BBB", "CCC", "DDD" }[..symbols].Select(Symbol.Equity).ToArray();
        var bars = PlotsTests.Sessions(2).SelectMany(b => tickers.Select((s, i) => new Bar(s, b.Start, b.End, b.Open + i, b.High + i, b.Low + i, b.Close + i, b.Volume)));
        var run = new ArtifactRun(Path.Combine(_dir.Path, "symbols-" + symbols), new InAndOutPlotting(), tickers, new RiskSettings { StopLossPct = 5m }).Run([.. bars]);
        var data = RunFolderData.Load(run.Folder);

        var ahead = new ReportPage(data, symbolsAhead: true).Render();
        Assert.Equal(new ReportPage(RunFolderData.Load(run.Folder), symbolsAhead: false).Render(), ahead);
        Assert.Equal(symbols, DataBlock(ahead)["symbols"]!.AsArray().Count);
    }

    [Fact]
    public async Task APageBuiltWhileReportWarmUpsRun_IsThePageOfItsFiles()
    {
        var run = Run("beside-warm-up", ArtifactRun.InitialCash, out var report, out var snapshot);

        var warmUps = Enumerable.Range(0, 4).Select(_ => Task.Run(HtmlReport.WarmUp, TestContext.Current.CancellationToken)).ToArray();
        RunCompletion.Complete(run.Writer, snapshot, report, inParallel: true);
        await Task.WhenAll(warmUps);

        Assert.Equal(HtmlReport.Render(run.Folder), File.ReadAllText(Path.Combine(run.Folder, HtmlReport.FileName)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ARecorderWithAnotherStartEquity_GetsThePageBuiltFromTheCompletedFiles(bool inParallel)
    {
        var run = Run("mismatch-" + inParallel, ArtifactRun.InitialCash + 1m, out var report, out var snapshot);
        RunCompletion.Complete(run.Writer, snapshot, report, inParallel);

        Assert.Equal(HtmlReport.Render(run.Folder), File.ReadAllText(Path.Combine(run.Folder, HtmlReport.FileName)));
    }

    [Fact]
    public void APageThatCannotBeWritten_Surfaces_AndTheFolderIsStillComplete()
    {
        var run = Run("page-fails", ArtifactRun.InitialCash, out var report, out var snapshot);
        Directory.CreateDirectory(Path.Combine(run.Folder, HtmlReport.FileName + ".tmp")); // the page's temporary file cannot be created

        var e = Assert.ThrowsAny<Exception>(() => RunCompletion.Complete(run.Writer, snapshot, report, inParallel: true));

        Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        Assert.Contains(HtmlReport.FileName + ".tmp", e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run.Folder, RunFolderWriter.SummaryFileName)));
        Assert.False(File.Exists(Path.Combine(run.Folder, HtmlReport.FileName)));
    }

    [Fact]
    public void AFolderThatCannotBeCompleted_Surfaces_AndNoPageIsLeft()
    {
        var run = Run("folder-fails", ArtifactRun.InitialCash, out var report, out var snapshot);
        Directory.CreateDirectory(Path.Combine(run.Folder, RunFolderWriter.SummaryFileName + ".tmp")); // summary.json cannot be written

        var e = Assert.ThrowsAny<Exception>(() => RunCompletion.Complete(run.Writer, snapshot, report, inParallel: true));

        Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        Assert.Contains(RunFolderWriter.SummaryFileName + ".tmp", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run.Folder, RunFolderWriter.SummaryFileName)));
        Assert.False(File.Exists(Path.Combine(run.Folder, HtmlReport.FileName)), "a page beside an incomplete folder");
        Assert.False(File.Exists(Path.Combine(run.Folder, HtmlReport.FileName + ".tmp")), "the page's temporary file is left");
    }

    [Fact]
    public void BothSidesFailing_SurfaceTogether()
    {
        var run = Run("both-fail", ArtifactRun.InitialCash, out var report, out var snapshot);
        Directory.CreateDirectory(Path.Combine(run.Folder, RunFolderWriter.SummaryFileName + ".tmp"));
        Directory.CreateDirectory(Path.Combine(run.Folder, HtmlReport.FileName + ".tmp"));

        var e = Assert.Throws<IOException>(() => RunCompletion.Complete(run.Writer, snapshot, report, inParallel: true));

        Assert.Contains(RunFolderWriter.SummaryFileName + ".tmp", e.Message, StringComparison.Ordinal);
        Assert.Contains(HtmlReport.FileName + ".tmp", e.Message, StringComparison.Ordinal);
        var both = Assert.IsType<AggregateException>(e.InnerException);
        Assert.Equal(2, both.InnerExceptions.Count);
    }

    /// <summary>Four sessions of minutes, in and out every bar with a stop and two plotted series, up to the folder's completion.</summary>
    private ArtifactRun Run(string name, decimal reportStartEquity, out ReportRecorder report, out RunSnapshot snapshot)
    {
        var deferred = new DeferredRecorder();
        var run = new ArtifactRun(Path.Combine(_dir.Path, name), new InAndOutPlotting(), [Symbol.Equity("AAA")], new RiskSettings { StopLossPct = 5m }, probe: deferred);
        report = new ReportRecorder(run.Writer, reportStartEquity);
        deferred.Target = report;
        snapshot = run.RunEngine(PlotsTests.Sessions(4));
        return run;
    }

    private static List<string> FilesOf(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Long at one bar, flat at the next, plotting the close and the range at each.</summary>
    private sealed class InAndOutPlotting : IStrategy
    {
        private bool _long;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            context.Plot("close", (double)bar.Close);
            context.Plot(bar.Symbol, "range", (double)(bar.High - bar.Low));
            if (_long)
            {
                context.Exit(bar.Symbol, "out");
            }
            else
            {
                context.EnterLong(bar.Symbol, "in");
            }

            _long = !_long;
        }
    }
}
