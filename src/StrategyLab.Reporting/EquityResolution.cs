namespace StrategyLab.Reporting;

/// <summary>Which equity marks <c>equity.csv</c> holds (config key <c>output.equity</c>).</summary>
public enum EquityResolution
{
    /// <summary>Every mark: one row per engine cycle (<c>"cycle"</c>).</summary>
    Cycle,

    /// <summary>
    /// One row per session (<c>"session"</c>): the last mark of each exchange-local date of the equity calendar (the marks
    /// the daily statistics use) and the run's first mark.
    /// </summary>
    Session,
}
