using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

// Custom chart series: a strategy's Plot calls become PlotPoints handed to the recorder (plots.csv, report.html).
public sealed partial class TradingEngine
{
    private void Plot(Symbol? symbol, string series, double value, PlotPane pane)
    {
        if (pane != PlotPane.Strategy && !_options.ChartOverlays)
        {
            return; // no report to draw it on: the built-in strategies plot on every bar, so this stays the cheapest path
        }

        PlotPoint.Validate(series, value);
        if ((uint)pane > (uint)PlotPane.Indicator)
        {
            throw new ArgumentException($"{(int)pane} is not a plot pane.", nameof(pane));
        }

        if (symbol is not null && _states.Get(symbol) is null)
        {
            throw new ArgumentException($"{symbol} is not part of this run.", nameof(symbol));
        }

        if (_warmingUp || _now == default)
        {
            return; // warm-up (and Initialize) come before the run: nothing to chart yet
        }

        _recorder.OnPlot(new PlotPoint(_now, series, symbol, value, pane));
    }

    private sealed partial class Context
    {
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
