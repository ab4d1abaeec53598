using StrategyLab.Core.Accounting;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Engine;

/// <summary>The events a recorder records (<see cref="ISelectiveRecorder"/>).</summary>
[Flags]
public enum RecorderEvents
{
    /// <summary>None of the frequent events.</summary>
    None = 0,

    /// <summary><see cref="IRunRecorder.OnBar"/>.</summary>
    Bars = 1,

    /// <summary><see cref="IRunRecorder.OnOrderEvent"/>.</summary>
    OrderEvents = 2,

    /// <summary><see cref="IRunRecorder.OnEquity"/>.</summary>
    Equity = 4,

    /// <summary><see cref="IRunRecorder.OnPlot"/>.</summary>
    Plots = 8,

    /// <summary>Every event.</summary>
    All = Bars | OrderEvents | Equity | Plots,
}

/// <summary>
/// A recorder that says which of the frequent events (per bar, order event, mark, plot point) it records, fixed for its
/// life: a <see cref="CompositeRecorder"/> does not call it for the others.
/// </summary>
public interface ISelectiveRecorder : IRunRecorder
{
    /// <summary>The events recorded; the others are not delivered.</summary>
    RecorderEvents Events { get; }
}

/// <summary>Forwards to several recorders, in order.</summary>
/// <remarks>
/// The frequent events (bars, equity marks, order events, plot points) go to the recorders that record them, each event
/// to the first three from call sites of their own: each site then sees one recorder type and dispatches with a type
/// check, where one loop over all of them was a polymorphic interface call per recorder and event (a hashed stub
/// lookup, ~3 % of a backtest's engine thread). A recorder records an event unless it leaves the interface's empty
/// method in place or, as an <see cref="ISelectiveRecorder"/>, leaves it out: a call that does nothing is not made
/// (three a bar in a backtest with a report).
/// </remarks>
public sealed class CompositeRecorder : ISelectiveRecorder
{
    private readonly IRunRecorder[] _recorders;
    private readonly Targets _bars;
    private readonly Targets _orderEvents;
    private readonly Targets _equity;
    private readonly Targets _plots;

    /// <summary>Creates a recorder that forwards to <paramref name="recorders"/>.</summary>
    public CompositeRecorder(params IRunRecorder[] recorders)
    {
        ArgumentNullException.ThrowIfNull(recorders);
        _recorders = recorders;
        _bars = Targets.Of(recorders, RecorderEvents.Bars, nameof(IRunRecorder.OnBar));
        _orderEvents = Targets.Of(recorders, RecorderEvents.OrderEvents, nameof(IRunRecorder.OnOrderEvent));
        _equity = Targets.Of(recorders, RecorderEvents.Equity, nameof(IRunRecorder.OnEquity));
        _plots = Targets.Of(recorders, RecorderEvents.Plots, nameof(IRunRecorder.OnPlot));
        Events = (_bars.Any ? RecorderEvents.Bars : 0)
            | (_orderEvents.Any ? RecorderEvents.OrderEvents : 0)
            | (_equity.Any ? RecorderEvents.Equity : 0)
            | (_plots.Any ? RecorderEvents.Plots : 0);
    }

    /// <summary>The frequent events at least one of the recorders records (a composite inside another is skipped for the rest).</summary>
    public RecorderEvents Events { get; }

    /// <summary>
    /// The frequent events <paramref name="recorder"/> records: all but those an <see cref="ISelectiveRecorder"/> leaves
    /// out or whose interface method it leaves empty. The engine asks once, so that, for example, a strategy does not
    /// compute the values it would plot when nothing records plot points.
    /// </summary>
    /// <param name="recorder">The recorder.</param>
    /// <returns>The events recorded.</returns>
    public static RecorderEvents EventsOf(IRunRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var events = RecorderEvents.None;
        IRunRecorder[] one = [recorder];
        foreach (var (flag, method) in new[]
        {
            (RecorderEvents.Bars, nameof(IRunRecorder.OnBar)),
            (RecorderEvents.OrderEvents, nameof(IRunRecorder.OnOrderEvent)),
            (RecorderEvents.Equity, nameof(IRunRecorder.OnEquity)),
            (RecorderEvents.Plots, nameof(IRunRecorder.OnPlot)),
        })
        {
            if (Targets.Of(one, flag, method).Any)
            {
                events |= flag;
            }
        }

        return events;
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar)
    {
        var t = _bars;
        t.First?.OnBar(bar);
        t.Second?.OnBar(bar);
        t.Third?.OnBar(bar);
        foreach (var r in t.Rest)
        {
            r.OnBar(bar);
        }
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        var t = _orderEvents;
        t.First?.OnOrderEvent(orderEvent);
        t.Second?.OnOrderEvent(orderEvent);
        t.Third?.OnOrderEvent(orderEvent);
        foreach (var r in t.Rest)
        {
            r.OnOrderEvent(orderEvent);
        }
    }

    /// <inheritdoc />
    public void OnRoundTrip(RoundTrip trip)
    {
        foreach (var r in _recorders)
        {
            r.OnRoundTrip(trip);
        }
    }

    /// <inheritdoc />
    public void OnEquity(in EquityPoint point)
    {
        var t = _equity;
        t.First?.OnEquity(point);
        t.Second?.OnEquity(point);
        t.Third?.OnEquity(point);
        foreach (var r in t.Rest)
        {
            r.OnEquity(point);
        }
    }

    /// <inheritdoc />
    public void OnCorporateAction(AppliedCorporateAction applied)
    {
        foreach (var r in _recorders)
        {
            r.OnCorporateAction(applied);
        }
    }

    /// <inheritdoc />
    public void OnPlot(in PlotPoint point)
    {
        var t = _plots;
        t.First?.OnPlot(point);
        t.Second?.OnPlot(point);
        t.Third?.OnPlot(point);
        foreach (var r in t.Rest)
        {
            r.OnPlot(point);
        }
    }

    /// <summary>The recorders of one event, in order: the first three in fields, the others in an array.</summary>
    private sealed class Targets
    {
        public IRunRecorder? First { get; private init; }

        public IRunRecorder? Second { get; private init; }

        public IRunRecorder? Third { get; private init; }

        public IRunRecorder[] Rest { get; private init; } = [];

        /// <summary>True when at least one recorder records the event.</summary>
        public bool Any => First is not null;

        public static Targets Of(IRunRecorder[] recorders, RecorderEvents recorded, string method)
        {
            var targets = recorders.Where(r => Records(r, recorded, method)).ToArray();
            return new Targets
            {
                First = targets.Length > 0 ? targets[0] : null,
                Second = targets.Length > 1 ? targets[1] : null,
                Third = targets.Length > 2 ? targets[2] : null,
                Rest = targets.Length > 3 ? targets[3..] : [],
            };
        }

        /// <summary>False when the recorder leaves the event out (<see cref="ISelectiveRecorder"/>) or keeps the interface's empty method.</summary>
        private static bool Records(IRunRecorder recorder, RecorderEvents recorded, string method)
        {
            if (recorder is ISelectiveRecorder selective && (selective.Events & recorded) == 0)
            {
                return false;
            }

            var map = recorder.GetType().GetInterfaceMap(typeof(IRunRecorder));
            var index = Array.FindIndex(map.InterfaceMethods, m => m.Name == method);
            return index < 0 || map.TargetMethods[index].DeclaringType != typeof(IRunRecorder);
        }
    }
}
