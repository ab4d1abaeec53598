namespace StrategyLab.Reporting;

/// <summary>What data a run used, as the caller describes it; echoed in <c>summary.json</c> under <c>data</c>.</summary>
/// <param name="Source">Where the data came from (e.g. <c>lean</c>, <c>finnhub</c>, a file name). Pass a machine path only if you want it in the artifacts.</param>
/// <param name="Synthetic">True when the data was generated rather than recorded from a market.</param>
/// <param name="Label">A human description, e.g. the generator and seed of synthetic data.</param>
/// <param name="Adjustment">How prices were presented (<c>raw</c>, <c>split_adjusted</c>, <c>adjusted</c>, <c>as_given</c>); null when not known.</param>
public sealed record DataDescription(string? Source = null, bool Synthetic = false, string? Label = null, string? Adjustment = null);
