using System.Globalization;

namespace StrategyLab.Core.Aggregation;

/// <summary>
/// The half-open interval [<see cref="Start"/>, <see cref="End"/>) in UTC that one bar covers.
/// A window is shorter than its timeframe when its session segment ends first (an early close).
/// </summary>
/// <param name="Start">First instant of the window (inclusive), UTC.</param>
/// <param name="End">End of the window (exclusive), UTC; the instant a bar of this window becomes known.</param>
public readonly record struct BarWindow(DateTime Start, DateTime End)
{
    /// <summary>The window's length.</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>True when <paramref name="utc"/> lies in [<see cref="Start"/>, <see cref="End"/>).</summary>
    public bool Contains(DateTime utc) => utc >= Start && utc < End;

    /// <summary>The window as <c>[start, end)</c> in ISO 8601 UTC.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"[{Start:yyyy-MM-ddTHH:mm:ss.FFFFFFFZ}, {End:yyyy-MM-ddTHH:mm:ss.FFFFFFFZ})");
}
