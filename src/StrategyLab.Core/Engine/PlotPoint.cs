using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

/// <summary>One point of a custom chart series a strategy plotted.</summary>
/// <param name="TimeUtc">When it was plotted: the decision time (the end of the bar being handled).</param>
/// <param name="Series">The series name (1 to <see cref="MaxSeriesNameLength"/> characters, no control characters).</param>
/// <param name="Symbol">The symbol the series belongs to, or null for a run-wide series.</param>
/// <param name="Value">The value, finite.</param>
/// <param name="Pane">Where the report draws the series (<see cref="PlotPane.Price"/> and <see cref="PlotPane.Indicator"/> need a symbol).</param>
public readonly record struct PlotPoint(DateTime TimeUtc, string Series, Symbol? Symbol, double Value, PlotPane Pane = PlotPane.Strategy)
{
    /// <summary>The longest series name accepted.</summary>
    public const int MaxSeriesNameLength = 64;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="series"/> or <paramref name="value"/> cannot be plotted.</summary>
    /// <exception cref="ArgumentException">The name is null, empty, too long or has a control character; or the value is not finite.</exception>
    public static void Validate(string series, double value)
    {
        if (string.IsNullOrEmpty(series))
        {
            throw new ArgumentException("A plot series needs a name; got an empty one.", nameof(series));
        }

        if (series.Length > MaxSeriesNameLength)
        {
            throw new ArgumentException(
                $"Plot series name '{series[..MaxSeriesNameLength]}…' is {series.Length} characters long; the most is {MaxSeriesNameLength}.",
                nameof(series));
        }

        foreach (var c in series)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"Plot series name '{series.ReplaceLineEndings(" ")}' has a control character (U+{(int)c:X4}).", nameof(series));
            }
        }

        if (!double.IsFinite(value))
        {
            throw new ArgumentException($"Plot series '{series}' got {value}; a plotted value must be a finite number.", nameof(value));
        }
    }
}
