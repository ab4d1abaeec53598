using System.Text;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Reporting.Html;

/// <summary>
/// The tear sheet of a run: <c>report.html</c>, one self-contained page built from the run folder's files (statistics,
/// equity and drawdown, monthly and daily returns, a candlestick chart per symbol with the fills and the stop levels,
/// the sortable trade list, the configuration). It inlines its chart library and loads nothing: it opens offline.
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
/// millions of bars. Every fill keeps its marker.
/// </para>
/// </remarks>
public static class HtmlReport
{
    /// <summary>The report's file name in the run folder.</summary>
    public const string FileName = "report.html";

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

    /// <summary>Writes <c>report.html</c> into <paramref name="runFolder"/> (atomically: a temporary file renamed over it) and returns its path.</summary>
    /// <exception cref="RunFolderException">Not a run folder, or a file in it with bad content.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static string Write(string runFolder)
    {
        var html = Render(runFolder);
        var path = Path.Combine(Path.GetFullPath(runFolder), FileName);
        WriteAtomically(path, html);
        return path;
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no BOM) to a temporary file beside <paramref name="path"/>, then renames it over.</summary>
    internal static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text, Utf8);
        File.Move(temp, path, overwrite: true);
    }
}
