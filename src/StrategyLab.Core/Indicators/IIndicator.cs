using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// An incremental technical indicator: fed one value (or bar) at a time, O(1) per update and allocation-free.
/// Indicators compute in <see cref="double"/>: they drive signals, not accounting. Each documents its precision;
/// <see cref="ExactSma"/> keeps exact decimal sums so that crossovers can be decided without rounding.
/// </summary>
/// <remarks>
/// <see cref="Value"/> is <see cref="double.NaN"/> until <see cref="IsReady"/>, so a comparison against a value that is
/// not ready yet is false rather than silently wrong. Inputs must be finite numbers; anything else is an
/// <see cref="ArgumentOutOfRangeException"/> (a NaN would otherwise poison every later value).
/// </remarks>
public interface IIndicator
{
    /// <summary>True once enough updates have been seen for <see cref="Value"/> to mean what it says.</summary>
    bool IsReady { get; }

    /// <summary>The current value; <see cref="double.NaN"/> until <see cref="IsReady"/>.</summary>
    double Value { get; }

    /// <summary>Number of updates since construction or the last <see cref="Reset"/>.</summary>
    long Count { get; }

    /// <summary>Number of updates needed before <see cref="IsReady"/> becomes true.</summary>
    int WarmUpPeriod { get; }

    /// <summary>Feeds a completed bar (each indicator documents which of its prices it uses).</summary>
    void Update(in Bar bar);

    /// <summary>Forgets every update, as if newly constructed.</summary>
    void Reset();
}
