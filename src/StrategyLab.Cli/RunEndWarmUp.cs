using StrategyLab.Reporting.Html;

namespace StrategyLab.Cli;

/// <summary>
/// Prepares, on a background thread while a backtest runs, the code its end needs: the report's page
/// (<see cref="HtmlReport.WarmUp"/>). The end builds the page on a second thread while the folder's last files are
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
    /// <summary>Starts the warm-up when the run will build a report, unless <c>STRATEGYLAB_REPORT_WARM_UP=0</c>; returns whether it did.</summary>
    public static bool Start(bool report)
    {
        if (!report || Environment.GetEnvironmentVariable("STRATEGYLAB_REPORT_WARM_UP") == "0")
        {
            return false;
        }

        TimeZoneWarmUp.Then(HtmlReport.WarmUp, "report warm-up"); // after the time zones, if they are still loading
        return true;
    }
}
