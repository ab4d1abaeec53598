using StrategyLab.Core.Engine;

namespace StrategyLab.Reporting;

// The end of a run, in two steps so that the report can be built while the folder's last files are written: the
// first (on the engine's thread) finishes every row and makes the bytes of daily.csv and summary.json in memory; the
// second writes the rest of the folder and then those bytes. Only the second step runs alongside the report, and it
// only reads the run's memory (candles, plot points) and writes files: no calendar, no recorder state.
public sealed partial class RunFolderWriter
{
    /// <summary>
    /// Brings every file up to date and (re)writes <c>summary.json</c> atomically; the run can go on. Use it for an
    /// on-demand summary in a live run.
    /// </summary>
    public void WriteSummary(RunSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ThrowIfClosed();
        WriteFolder(Summarize(snapshot));
    }

    /// <summary>
    /// Ends the run: writes every pending line, the final <c>orders.csv</c> and <c>summary.json</c>, and closes the
    /// files. Call it after <see cref="TradingEngine.Finish"/>.
    /// </summary>
    public void Complete(RunSnapshot snapshot) => FinishCompletion(BeginCompletion(snapshot));

    /// <summary>
    /// The first step of <see cref="Complete"/>, on the engine's thread: the last rows (the last date's equity mark,
    /// the orders still open) and the bytes of <c>daily.csv</c> and <c>summary.json</c>, not yet written. The report
    /// can be built from these (<see cref="Html.HtmlReport.WriteTemporary"/>) while <see cref="FinishCompletion"/> runs.
    /// </summary>
    internal RunFolderEnding BeginCompletion(RunSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ThrowIfClosed();
        WriteFinalRows();
        return Summarize(snapshot);
    }

    /// <summary>
    /// The second step of <see cref="Complete"/>: every pending line, <c>chart_bars.csv</c>, <c>plots.csv</c>, then the
    /// bytes of <paramref name="ending"/> as <c>daily.csv</c> and <c>summary.json</c> (each atomically); closes the files.
    /// Touches no calendar and of what the report reads only the candles and plot points, which it only reads: safe
    /// beside the report's build on another thread. When a write fails the files stay open (<see cref="Dispose"/>
    /// still commits what it can), as with <see cref="Complete"/>.
    /// </summary>
    internal void FinishCompletion(RunFolderEnding ending)
    {
        ArgumentNullException.ThrowIfNull(ending);
        ThrowIfClosed();
        WriteFolder(ending);
        Close();
    }

    /// <summary>The bytes of <c>daily.csv</c> (when the snapshot has a daily series) and <c>summary.json</c> as they are now.</summary>
    private RunFolderEnding Summarize(RunSnapshot snapshot)
    {
        var daily = snapshot.Daily is { } series ? DailyCsv.Bytes(series, _equityClock) : null;
        var summary = new MemoryStream();
        SummaryJson.Write(summary, this, snapshot);
        return new RunFolderEnding(DirectoryPath, daily, summary.ToArray());
    }

    private void WriteFolder(RunFolderEnding ending)
    {
        CommitAll();
        if (_ordersChanged)
        {
            WriteOrders();
        }

        if (_chartBars is not null)
        {
            WriteChartBars();
        }

        WriteBufferedPlots();
        if (ending.Daily is { } daily)
        {
            WriteAtomically(DailyFileName, stream => stream.Write(daily));
        }

        WriteAtomically(SummaryFileName, stream => stream.Write(ending.Summary));
    }
}

/// <summary>What a run's end writes last, made in memory first: the report reads these rather than the files.</summary>
/// <param name="Folder">The run folder (full path).</param>
/// <param name="Daily">The bytes of <c>daily.csv</c>; null when the run writes none.</param>
/// <param name="Summary">The bytes of <c>summary.json</c>.</param>
internal sealed record RunFolderEnding(string Folder, byte[]? Daily, byte[] Summary);
