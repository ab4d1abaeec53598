using Spectre.Console;
using StrategyLab.Cli.Commands;
using StrategyLab.Reporting.Html;

namespace StrategyLab.Cli;

/// <summary>
/// Prepares, on a background thread while a backtest runs, the code its end needs: the report's page
/// (<see cref="HtmlReport.WarmUp"/>) and the plain summary table with the console's width (which reads the terminal
/// database when the output is not a terminal). The end builds the page on a second thread while the folder's last files are
/// written and then waits for it; on a small run that page was ~90 % one-time cost (type loads, the precompiled code's
/// fix-ups, the encoders' tables), paid while the engine thread waited.
/// </summary>
/// <remarks>
/// This moves work, it does not remove it: a bet on the second core being free while the configuration is resolved
/// and the engine runs, as <see cref="TimeZoneWarmUp"/> is at start. Nothing a run writes changes (the warm-up touches
/// no file, symbol or calendar); a run without a report starts none.
/// </remarks>
internal static class RunEndWarmUp
{
    /// <summary>
    /// Starts the warm-up when the run will build a report, unless <c>STRATEGYLAB_REPORT_WARM_UP=0</c>; returns whether
    /// it did. <paramref name="output"/> is where the summary will go.
    /// </summary>
    public static bool Start(bool report, TextWriter output)
    {
        if (!report || Environment.GetEnvironmentVariable("STRATEGYLAB_REPORT_WARM_UP") == "0")
        {
            return false;
        }

        TimeZoneWarmUp.Then(
            () =>
            {
                HtmlReport.WarmUp();
                WarmUpSummary(output);
            },
            "report warm-up"); // after the time zones, if they are still loading
        return true;
    }

    /// <summary>Renders a made-up plain summary at the width <see cref="RunConsole.WriteSummary"/> will ask for (the same value later: the console caches it).</summary>
    private static void WarmUpSummary(TextWriter output)
    {
        try
        {
            if (RunConsole.IsTerminal(output))
            {
                return; // Spectre draws the table there
            }

            var width = new AnsiConsoleOutput(output).Width;
            var table = new PlainSummaryTable("Strategy Lab — backtest summary");
            table.Add("Net profit", "-112.14", -1);
            table.Add("Cycles / bars", "390 / 390");
            _ = table.TryRender(width);
            _ = PlainSummaryTable.TryRenderParagraph(RunConsole.SyntheticNotice, width);
        }
        catch (Exception)
        {
            // Nothing to do: the summary asks again and reports what goes wrong there.
        }
    }
}
