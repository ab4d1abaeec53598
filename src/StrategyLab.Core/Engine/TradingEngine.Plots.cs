using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

// Custom chart series: a strategy's Plot calls become PlotPoints handed to the recorder (plots.csv, report.html).
public sealed partial class TradingEngine
{
    private readonly string?[] _checkedSeriesNames = new string?[8];
    private int _nextCheckedSeriesName;

    // False when no recorder records plot points (a run that only computes statistics, a benchmark): the strategies'
    // overlay lines are then not even computed (Context.RecordsOverlayPlots), and no point is made for the rest.
    private readonly bool _recordsPlots;

    /// <summary>True when a plot over the price chart reaches a recorder: the options keep overlays and a recorder takes plot points.</summary>
    private bool RecordsOverlayPlots => _options.ChartOverlays && _recordsPlots;

    private void Plot(Symbol? symbol, string series, double value, PlotPane pane)
    {
        if (pane != PlotPane.Strategy && !RecordsOverlayPlots)
        {
            return; // no report to draw it on: the built-in strategies plot on every bar, so this stays the cheapest path
        }

        if (!double.IsFinite(value) || !IsCheckedSeriesName(series))
        {
            PlotPoint.Validate(series, value); // throws, or passes a name not seen before
            RememberSeriesName(series);
        }

        if ((uint)pane > (uint)PlotPane.Indicator)
        {
            throw new ArgumentException($"{(int)pane} is not a plot pane.", nameof(pane));
        }

        if (symbol is not null && _states.Get(symbol) is null)
        {
            throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol));
        }

        if (_warmingUp || _now == default || !_recordsPlots)
        {
            return; // warm-up (and Initialize) come before the run: nothing to chart yet; or nothing records the point
        }

        _recorder.OnPlot(new PlotPoint(_now, series, symbol, value, pane));
    }

    // Strategies plot the same few series on every bar, through the same string instances (constants or fields): a name
    // checked once is not checked again while its reference is remembered. Strings are immutable, so the same
    // reference is the same text.
    private bool IsCheckedSeriesName(string series)
    {
        foreach (var name in _checkedSeriesNames)
        {
            if (ReferenceEquals(name, series))
            {
                return true;
            }
        }

        return false;
    }

    private void RememberSeriesName(string series)
    {
        _checkedSeriesNames[_nextCheckedSeriesName] = series;
        _nextCheckedSeriesName = (_nextCheckedSeriesName + 1) % _checkedSeriesNames.Length;
    }

    private sealed partial class Context
    {
        public bool RecordsOverlayPlots => engine.RecordsOverlayPlots;

        public void Plot(string series, double value) => engine.Plot(null, series, value, PlotPane.Strategy);

        public void Plot(Symbol symbol, string series, double value)
        {
            ArgumentNullException.ThrowIfNull(symbol);
            engine.Plot(symbol, series, value, PlotPane.Strategy);
        }

        public void Plot(Symbol symbol, string series, double value, PlotPane pane)
        {
            ArgumentNullException.ThrowIfNull(symbol);
            engine.Plot(symbol, series, value, pane);
        }
    }
}
