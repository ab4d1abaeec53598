using Microsoft.Extensions.Logging;
using StrategyLab.Core.Engine;
using StrategyLab.Reporting.Html;

namespace StrategyLab.Runner.Live;

/// <summary>
/// Keeps <c>report.html</c> of a live or replay run current: rebuilds it from the run folder at most once per
/// <see cref="Interval"/> of the run's clock (after an equity mark) and once more at the end. A report that cannot be
/// built is logged, never allowed to stop trading.
/// </summary>
internal sealed class ReportRefresher(string folder, TimeProvider time, ILogger logger) : IRunRecorder
{
    private static readonly EventId ReportFailed = new(5020, "report.failed");
    private DateTimeOffset _last = DateTimeOffset.MinValue;

    /// <summary>The shortest time between two rebuilds (default 30 s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    public void OnEquity(in EquityPoint point)
    {
        var now = time.GetUtcNow();
        if (now - _last >= Interval)
        {
            _last = now;
            Refresh();
        }
    }

    /// <summary>
    /// Runs before each rebuild (writes <c>strategy_state.json</c> of a stateful strategy). Its I/O errors are logged like
    /// the report's; a <see cref="Core.Strategies.StrategyException"/> stops the run.
    /// </summary>
    public Action? Refreshing { get; set; }

    /// <summary>Rebuilds the report now.</summary>
    public void Refresh()
    {
        try
        {
            Refreshing?.Invoke();
            HtmlReport.Write(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or InvalidOperationException)
        {
            logger.LogWarning(ReportFailed, "could not rebuild {Folder}/report.html: {Error}", folder, e.Message);
        }
    }
}
