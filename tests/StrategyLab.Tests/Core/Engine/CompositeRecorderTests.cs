using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;

namespace StrategyLab.Tests.Core.Engine;

public class CompositeRecorderTests
{
    private static readonly EquityPoint Mark = new(new DateTime(2024, 1, 2, 15, 0, 0, DateTimeKind.Utc), 100m, 0m, 100m, 0);

    [Fact]
    public void EveryRecorder_GetsEveryEvent_InOrder()
    {
        var log = new List<string>();
        var recorders = Enumerable.Range(0, 5).Select(i => new Logging(log, i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray<IRunRecorder>();
        var composite = new CompositeRecorder(recorders);
        composite.OnEquity(Mark);
        composite.OnPlot(new PlotPoint(Mark.TimeUtc, "s", null, 1));
        Assert.Equal(["equity 0", "equity 1", "equity 2", "equity 3", "equity 4", "plot 0", "plot 1", "plot 2", "plot 3", "plot 4"], log);
    }

    [Fact]
    public void EventsOf_SaysWhatARecorderRecords_ByItsMethodsAndItsSelection()
    {
        var log = new List<string>();
        Assert.Equal(RecorderEvents.All, CompositeRecorder.EventsOf(new Logging(log, "all")));
        Assert.Equal(RecorderEvents.Equity, CompositeRecorder.EventsOf(new EquityOnly()));
        Assert.Equal(RecorderEvents.Plots | RecorderEvents.Bars, CompositeRecorder.EventsOf(new Selective(log, "s", RecorderEvents.Plots | RecorderEvents.Bars)));

        // A composite records what any of its recorders records, nested ones included.
        var inner = new CompositeRecorder(new EquityOnly(), new Selective(log, "p", RecorderEvents.Plots));
        Assert.Equal(RecorderEvents.Equity | RecorderEvents.Plots, inner.Events);
        Assert.Equal(RecorderEvents.Equity | RecorderEvents.Plots, CompositeRecorder.EventsOf(new CompositeRecorder(inner, new EquityOnly())));
        Assert.Equal(RecorderEvents.None, CompositeRecorder.EventsOf(new CompositeRecorder()));
    }

    [Fact]
    public void ANestedComposite_WithoutPlotRecorders_IsNotCalledForPlots()
    {
        var log = new List<string>();
        var composite = new CompositeRecorder(new CompositeRecorder(new EquityOnly()), new Logging(log, "x"));
        composite.OnPlot(new PlotPoint(Mark.TimeUtc, "s", null, 1));
        Assert.Equal(["plot x"], log);
    }

    [Fact]
    public void ASelectiveRecorder_IsNotCalled_ForTheEventsItLeavesOut()
    {
        var log = new List<string>();
        var composite = new CompositeRecorder(new Logging(log, "all"), new Selective(log, "equity-only", RecorderEvents.Equity), new Logging(log, "last"));
        composite.OnEquity(Mark);
        composite.OnPlot(new PlotPoint(Mark.TimeUtc, "s", null, 1));
        composite.OnRoundTrip(null!); // not a frequent event: every recorder gets it
        Assert.Equal(["equity all", "equity equity-only", "equity last", "plot all", "plot last", "trip all", "trip equity-only", "trip last"], log);
    }

    [Fact]
    public void ARecorderKeepingTheInterfacesEmptyMethods_LeavesTheOthersCalledInOrder()
    {
        var log = new List<string>();
        var composite = new CompositeRecorder(new EquityOnly(), new Logging(log, "x"));
        composite.OnPlot(new PlotPoint(Mark.TimeUtc, "s", null, 1));
        composite.OnEquity(Mark);
        Assert.Equal(["plot x", "equity x"], log);
    }

    private class Logging(List<string> log, string name) : IRunRecorder
    {
        public void OnEquity(in EquityPoint point) => log.Add("equity " + name);

        public void OnPlot(in PlotPoint point) => log.Add("plot " + name);

        public void OnRoundTrip(RoundTrip trip) => log.Add("trip " + name);

        public void OnBar(in Bar bar) => log.Add("bar " + name);

        public void OnOrderEvent(in OrderEvent orderEvent) => log.Add("order " + name);
    }

    private sealed class Selective(List<string> log, string name, RecorderEvents events) : Logging(log, name), ISelectiveRecorder
    {
        public RecorderEvents Events => events;
    }

    private sealed class EquityOnly : IRunRecorder
    {
        public void OnEquity(in EquityPoint point)
        {
        }
    }
}
