using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using StrategyLab.Reporting.Html;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Cli.Commands;

/// <summary><c>strategylab report &lt;run-folder&gt; [--open]</c>: (re)builds a run's <c>report.html</c> from its files.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("run-folder") { Description = "The run folder (holds summary.json, equity.csv, trades.csv, …)." };
        var open = new Option<bool>("--open") { Description = "Open the report in the default browser afterwards." };
        var command = new Command("report", "Build report.html in a run folder: statistics, equity and drawdown, returns, candles with fills and stops, trades. One file, opens offline.")
        {
            folder, open,
        };
        command.SetAction(async (parse, token) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(folder)!;
            if (!HtmlReport.IsRunFolder(path))
            {
                await stderr.WriteLineAsync(
                    $"error: {Path.GetFullPath(path)} is not a run folder (no summary.json, nor the equity/fills/trades/orders CSV files of a run in progress).")
                    .ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }

            string report;
            try
            {
                report = HtmlReport.Write(path);
            }
            catch (RunFolderException e)
            {
                await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.ExitBadInput;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
                return CliApp.ExitFailure;
            }

            await stdout.WriteLineAsync(report).ConfigureAwait(false);
            if (parse.GetValue(open))
            {
                OpenInBrowser(report, stderr);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Hands the file to the desktop's default handler (xdg-open, open, start); a machine without one gets a warning, not a failure.</summary>
    internal static void OpenInBrowser(string path, TextWriter stderr)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path) { UseShellExecute = true });
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            stderr.WriteLine($"warning: could not open a browser ({e.Message}); open {path} yourself.");
        }
    }
}
