namespace StrategyLab.Reporting;

/// <summary>How a run is driven, as recorded in <c>summary.json</c> (<c>backtest</c>, <c>replay</c>, <c>live</c>).</summary>
public enum RunMode
{
    /// <summary>Historical bars as fast as possible.</summary>
    Backtest,

    /// <summary>Historical bars paced like a live feed.</summary>
    Replay,

    /// <summary>A live feed.</summary>
    Live,
}
