namespace StrategyLab.Core.Engine;

/// <summary>Where <c>report.html</c> draws a plotted series.</summary>
public enum PlotPane
{
    /// <summary>The "Strategy plots" chart under the price charts, one line per series (the default).</summary>
    Strategy = 0,

    /// <summary>Over the symbol's candles, on their price scale: levels and averages the strategy trades on.</summary>
    Price = 1,

    /// <summary>In a pane under the symbol's candles, on its own scale: oscillators such as an RSI.</summary>
    Indicator = 2,
}
