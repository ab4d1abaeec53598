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

/// <summary>Forwards to several recorders, in order.</summary>
/// <remarks>
/// The per-bar events (bars, equity marks, order events) go to the first three recorders from call sites of their own:
/// each site then sees one recorder type and dispatches with a type check, where one loop over all of them was a
/// polymorphic interface call per recorder and event (a hashed stub lookup, ~3 % of a backtest's engine thread).
/// </remarks>
public sealed class CompositeRecorder : IRunRecorder
{
    private readonly IRunRecorder[] _recorders;
    private readonly IRunRecorder? _first;
    private readonly IRunRecorder? _second;
    private readonly IRunRecorder? _third;
    private readonly IRunRecorder[] _rest;

    /// <summary>Creates a recorder that forwards to <paramref name="recorders"/>.</summary>
    public CompositeRecorder(params IRunRecorder[] recorders)
    {
        ArgumentNullException.ThrowIfNull(recorders);
        _recorders = recorders;
        _first = recorders.Length > 0 ? recorders[0] : null;
        _second = recorders.Length > 1 ? recorders[1] : null;
        _third = recorders.Length > 2 ? recorders[2] : null;
        _rest = recorders.Length > 3 ? recorders[3..] : [];
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar)
    {
        _first?.OnBar(bar);
        _second?.OnBar(bar);
        _third?.OnBar(bar);
        foreach (var r in _rest)
        {
            r.OnBar(bar);
        }
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        _first?.OnOrderEvent(orderEvent);
        _second?.OnOrderEvent(orderEvent);
        _third?.OnOrderEvent(orderEvent);
        foreach (var r in _rest)
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
        _first?.OnEquity(point);
        _second?.OnEquity(point);
        _third?.OnEquity(point);
        foreach (var r in _rest)
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
        foreach (var r in _recorders)
        {
            r.OnPlot(point);
        }
    }
}
