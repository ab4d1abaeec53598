using StrategyLab.Core.Accounting;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Engine;

/// <summary>One equity mark: the account after a time slice.</summary>
/// <param name="TimeUtc">The slice time (bar end).</param>
/// <param name="Cash">Cash.</param>
/// <param name="PositionsValue">Σ quantity × last price.</param>
/// <param name="Equity">Cash + positions value.</param>
/// <param name="OpenPositions">Number of open positions.</param>
public readonly record struct EquityPoint(DateTime TimeUtc, decimal Cash, decimal PositionsValue, decimal Equity, int OpenPositions);

/// <summary>
/// Receives what happens in a run, as it happens: the bars acted on, order events, closed round trips and
/// equity marks. Run artifacts, statistics and live status are recorders. Every method has an empty default.
/// </summary>
public interface IRunRecorder
{
    /// <summary>A bar the engine acted on (after the hours filter).</summary>
    void OnBar(in Bar bar)
    {
    }

    /// <summary>An order event (fills included).</summary>
    void OnOrderEvent(in OrderEvent orderEvent)
    {
    }

    /// <summary>A round trip closed.</summary>
    void OnRoundTrip(RoundTrip trip)
    {
    }

    /// <summary>The account after a time slice.</summary>
    void OnEquity(in EquityPoint point)
    {
    }

    /// <summary>A split or dividend the engine applied (raw prices), before the bar it took effect on.</summary>
    void OnCorporateAction(AppliedCorporateAction applied)
    {
    }

    /// <summary>A point of a custom chart series the strategy plotted (<see cref="Strategies.IStrategyContext.Plot(string, double)"/>).</summary>
    void OnPlot(in PlotPoint point)
    {
    }
}
