using StrategyLab.Core.Accounting;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Statistics;

namespace StrategyLab.Reporting;

/// <summary>The state of a run when its summary is written: what the engine counted, the account, the statistics.</summary>
/// <param name="Counters">The engine's counters (<see cref="TradingEngine.Counters"/>).</param>
/// <param name="Portfolio">The account (<see cref="TradingEngine.Portfolio"/>).</param>
/// <param name="Statistics">The performance so far (<see cref="StatisticsRecorder.Compute"/>).</param>
/// <param name="Session">What a live or replay session adds (its own counters, why it stopped), written as <c>session</c>.</param>
/// <param name="OutsideSession">The bars left out as outside the sessions (<see cref="TradingEngine.OutsideSession"/>), written as <c>bars_outside_session</c>.</param>
/// <param name="Daily">The equity by date with the benchmark and the rolling Sharpe (<see cref="StatisticsRecorder.Daily"/>), written as <c>daily.csv</c>; none when null.</param>
public sealed record RunSnapshot(
    EngineCounters Counters,
    Portfolio Portfolio,
    PerformanceStatistics Statistics,
    System.Text.Json.Nodes.JsonObject? Session = null,
    OutsideSessionBars? OutsideSession = null,
    DailySeries? Daily = null)
{
    /// <summary>The snapshot of an engine and its statistics.</summary>
    public static RunSnapshot Of(TradingEngine engine, PerformanceStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return new RunSnapshot(engine.Counters, engine.Portfolio, statistics, OutsideSession: engine.OutsideSession);
    }
}
