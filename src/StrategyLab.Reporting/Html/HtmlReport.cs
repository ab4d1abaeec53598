using System.Text;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Reporting.Html;

/// <summary>
/// The tear sheet of a run: <c>report.html</c>, one self-contained page (statistics, equity and drawdown, monthly and
/// daily returns, a candlestick chart per symbol with the fills and the stop levels, the sortable trade list, the
/// configuration). It inlines its chart library and loads nothing: it opens offline. It is built either from the run
/// folder's files (<see cref="Write(string)"/>: <c>strategylab report</c>, replay and live) or, at the end of a
/// backtest, from what a <see cref="ReportRecorder"/> collected during the run (<see cref="Write(ReportRecorder)"/>):
/// the same run gives the same bytes either way.
/// </summary>
/// <remarks>
/// <para>
/// Deterministic: the same files give the same bytes, whatever the folder is called (no clock, no machine path unless
/// the configuration holds one, invariant formats). Safe to call again and again on the folder of a run in progress (it reads whole lines only and replaces
/// report.html atomically).
/// </para>
/// <para>
/// Candles come from <c>bars.csv</c> when the folder has it, else from <c>chart_bars.csv</c>. A chart shows at most
/// 10 000 candles a symbol (fewer when there are more than six symbols, 60 000 in all): longer series are merged into
/// longer candles (5m, 15m, … 1w), and the equity curve into at most 10 000 points, so the page stays fast with
/// millions of bars.
/// </para>
/// <para>
/// Size and build time are bounded for any run length: the trade table holds the first 5 000 round trips (the page
/// says so when there were more; all are in trades.csv and the statistics cover all); a symbol's chart marks its first
/// 10 000 fills and draws the levels of its first 5 000 resting orders (fewer each with more than two symbols: 20 000
/// markers and 10 000 orders in all, at least 1 000 and 500 a symbol), and says so beside the chart when it shows fewer.
/// Runs within these bounds show every trade, fill and order.
/// </para>
/// </remarks>
public static class HtmlReport
{
    /// <summary>The report's file name in the run folder.</summary>
    public const string FileName = "report.html";

    private const string TempSuffix = ".tmp";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// True when <paramref name="folder"/> is a run folder: it has <c>summary.json</c>, or (a live run before its first
    /// summary) <c>equity.csv</c>, <c>fills.csv</c>, <c>trades.csv</c> and <c>orders.csv</c>.
    /// </summary>
    public static bool IsRunFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return RunFolderData.IsRunFolder(Path.GetFullPath(folder));
    }

    /// <summary>The report page of <paramref name="runFolder"/>, as text.</summary>
    /// <exception cref="RunFolderException">Not a run folder, or a file in it with bad content (the message names file, line and field).</exception>
    public static string Render(string runFolder) => new ReportPage(RunFolderData.Load(runFolder)).Render();

    /// <summary>
    /// The report page of the run <paramref name="recorder"/> recorded, as text, built from memory: of the folder only
    /// <c>summary.json</c> is read. Call it after the writer completed the folder.
    /// </summary>
    /// <exception cref="RunFolderException">The folder's summary.json has bad content.</exception>
    public static string Render(ReportRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);

        // Null only when the recorder was given another start equity than the summary's: the files are then the truth.
        var data = recorder.Build();
        return data is null ? Render(recorder.Folder) : new ReportPage(data).Render();
    }

    /// <summary>Writes <c>report.html</c> built from memory (<see cref="Render(ReportRecorder)"/>) into the run's folder, atomically, and returns its path.</summary>
    /// <exception cref="RunFolderException">The folder's summary.json has bad content.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static string Write(ReportRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var data = recorder.Build();
        if (data is null)
        {
            return Write(recorder.Folder); // another start equity than the summary's: the files are the truth (see Render)
        }

        var path = Path.Combine(recorder.Folder, FileName);
        WriteAtomically(path, new ReportPage(data));
        return path;
    }

    /// <summary>
    /// Builds the page from memory (<see cref="ReportRecorder.Build(RunFolderEnding?)"/>, with the summary and daily
    /// rows of <paramref name="ending"/>) into the temporary file beside <c>report.html</c>, and returns that file's
    /// path; null (nothing written) when the recorder's start equity is not the summary's: the page is then built from
    /// the files once the folder is complete (<see cref="Write(string)"/>). <see cref="Commit"/> puts the file in place.
    /// </summary>
    /// <exception cref="RunFolderException">The summary has bad content.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    internal static string? WriteTemporary(ReportRecorder recorder, RunFolderEnding ending)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(ending);
        var data = recorder.Build(ending);
        if (data is null)
        {
            return null;
        }

        var temp = Path.Combine(recorder.Folder, FileName) + TempSuffix;
        WriteTo(temp, new ReportPage(data));
        return temp;
    }

    /// <summary>
    /// Builds a made-up page into nothing, so that the code, types and caches a report needs are ready before the run's
    /// end asks for its page: call it on a spare thread while a backtest runs. Writes no file and changes no page; a
    /// failure here is ignored (the real page reports its own).
    /// </summary>
    public static void WarmUp()
    {
        try
        {
            ReportWarmUp.Run();
        }
        catch (Exception)
        {
            // Nothing to do: the warm-up only moves one-time work earlier.
        }
    }

    /// <summary>Renames the page <see cref="WriteTemporary"/> wrote over <c>report.html</c>; returns its path.</summary>
    internal static string Commit(string temporary)
    {
        var path = temporary[..^TempSuffix.Length];
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>Writes <c>report.html</c> into <paramref name="runFolder"/> (atomically: a temporary file renamed over it) and returns its path.</summary>
    /// <exception cref="RunFolderException">Not a run folder, or a file in it with bad content.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static string Write(string runFolder)
    {
        var page = new ReportPage(RunFolderData.Load(runFolder));
        var path = Path.Combine(Path.GetFullPath(runFolder), FileName);
        WriteAtomically(path, page);
        return path;
    }

    /// <summary>Streams <paramref name="page"/> into a temporary file beside <paramref name="path"/>, then renames it over (the bytes of <see cref="Render(string)"/> as UTF-8).</summary>
    private static void WriteAtomically(string path, ReportPage page)
    {
        var temp = path + TempSuffix;
        WriteTo(temp, page);
        File.Move(temp, path, overwrite: true);
    }

    private static void WriteTo(string file, ReportPage page)
    {
        using var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        page.WriteTo(stream);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to a temporary file beside <paramref name="path"/>, then renames it over.</summary>
    internal static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text, Utf8);
        File.Move(temp, path, overwrite: true);
    }
}
