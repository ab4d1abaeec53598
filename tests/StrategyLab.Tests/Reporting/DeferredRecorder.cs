using StrategyLab.Core.Accounting;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;

namespace StrategyLab.Tests.Reporting;

/// <summary>Forwards to a recorder made after the run's writer.</summary>
internal sealed class DeferredRecorder : IRunRecorder
{
    public IRunRecorder? Target { get; set; }

    public void OnBar(in Bar bar) => Target?.OnBar(bar);

    public void OnOrderEvent(in OrderEvent orderEvent) => Target?.OnOrderEvent(orderEvent);

    public void OnRoundTrip(RoundTrip trip) => Target?.OnRoundTrip(trip);

    public void OnEquity(in EquityPoint point) => Target?.OnEquity(point);

    public void OnCorporateAction(AppliedCorporateAction applied) => Target?.OnCorporateAction(applied);

    public void OnPlot(in PlotPoint point) => Target?.OnPlot(point);
}
