using System.Runtime.ExceptionServices;
using StrategyLab.Reporting.Html;

namespace StrategyLab.Reporting;

/// <summary>
/// The end of a buffered run (a backtest): the run folder completed and <c>report.html</c> built from what the
/// <see cref="ReportRecorder"/> holds, the two at the same time on two threads. Both only read the run's memory once
/// the engine is done; the folder's last files and the page are the bytes the sequential end writes.
/// </summary>
/// <remarks>
/// <para>
/// The engine's thread first finishes the rows and makes <c>daily.csv</c> and <c>summary.json</c> in memory
/// (<see cref="RunFolderWriter"/>); the page, which needs those, is then built from them on another thread into
/// <c>report.html.tmp</c> while this thread writes the rest of the folder and then those two files. The page is renamed
/// into place only once the folder is complete, as before: a folder whose completion failed never gets a report.
/// </para>
/// <para>
/// Nothing is lost when a side fails: the other side is waited for, then the failure is thrown as it was raised (a
/// failed folder removes the page's temporary file); when both fail, an <see cref="IOException"/> gives both messages
/// and holds both exceptions.
/// </para>
/// </remarks>
public static class RunCompletion
{
    /// <summary>
    /// Completes <paramref name="writer"/>'s folder with <paramref name="snapshot"/> (<see cref="RunFolderWriter.Complete"/>)
    /// and, when <paramref name="report"/> is given, writes <c>report.html</c> (<see cref="HtmlReport.Write(ReportRecorder)"/>)
    /// meanwhile on another thread.
    /// </summary>
    /// <exception cref="IOException">A file cannot be written (both messages when the folder and the page failed).</exception>
    /// <exception cref="Reading.RunFolderException">The summary has bad content for the page.</exception>
    public static void Complete(RunFolderWriter writer, RunSnapshot snapshot, ReportRecorder? report) =>
        Complete(writer, snapshot, report, inParallel: true);

    /// <summary><see cref="Complete(RunFolderWriter, RunSnapshot, ReportRecorder?)"/>, the page on this thread after the folder when <paramref name="inParallel"/> is false.</summary>
    internal static void Complete(RunFolderWriter writer, RunSnapshot snapshot, ReportRecorder? report, bool inParallel)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(snapshot);
        var ending = writer.BeginCompletion(snapshot);
        if (report is null)
        {
            writer.FinishCompletion(ending);
            return;
        }

        if (!inParallel)
        {
            writer.FinishCompletion(ending);
            PlacePage(report, HtmlReport.WriteTemporary(report, ending));
            return;
        }

        // A thread of its own: the pool's threads may all be busy (or being injected) right after a run.
        var page = Task.Factory.StartNew(
            () => HtmlReport.WriteTemporary(report, ending), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        ExceptionDispatchInfo? folderFailure = null;
        try
        {
            writer.FinishCompletion(ending);
        }
        catch (Exception e)
        {
            folderFailure = ExceptionDispatchInfo.Capture(e);
        }

        string? temporary = null;
        ExceptionDispatchInfo? pageFailure = null;
        try
        {
            temporary = page.GetAwaiter().GetResult(); // the page's own exception, not an AggregateException
        }
        catch (Exception e)
        {
            pageFailure = ExceptionDispatchInfo.Capture(e);
        }

        if (folderFailure is not null)
        {
            if (temporary is not null)
            {
                File.Delete(temporary); // a page only beside a complete folder
            }

            if (pageFailure is not null)
            {
                var (folderError, pageError) = (folderFailure.SourceException, pageFailure.SourceException);
                throw new IOException(
                    $"{folderError.Message} Also, {HtmlReport.FileName} could not be written: {pageError.Message}",
                    new AggregateException(folderError, pageError));
            }

            folderFailure.Throw();
        }

        pageFailure?.Throw();
        PlacePage(report, temporary);
    }

    /// <summary>Renames the page into place, or (null: the recorder's start equity was not the summary's) builds it from the completed folder's files.</summary>
    private static void PlacePage(ReportRecorder report, string? temporary)
    {
        if (temporary is null)
        {
            HtmlReport.Write(report.Folder);
        }
        else
        {
            HtmlReport.Commit(temporary);
        }
    }
}
