namespace StrategyLab.Core.Statistics;

/// <summary>
/// The drawdowns of an equity curve, measured on every equity mark (not only daily closes).
/// </summary>
/// <param name="MaxDepth">
/// The largest fall from a running peak, as a fraction of that peak: <c>max over marks of (peak − equity) / peak</c>,
/// where the peak starts at the initial equity. 0 when equity never fell below a previous peak.
/// </param>
/// <param name="LongestDuration">
/// The longest span from a peak mark to the first later mark at or above that peak (recovery), or to the last mark
/// when the drawdown had not recovered by then. <see cref="TimeSpan.Zero"/> when there was no drawdown.
/// </param>
/// <param name="LongestTradingDays">
/// The same drawdown counted in trading days: index of the recovery (or last) date minus index of the peak's date in
/// the daily equity series, where the first date has index 1 and the initial equity index 0.
/// </param>
/// <param name="LongestRecovered">False when the longest drawdown was still open at the last mark.</param>
public readonly record struct DrawdownSummary(decimal MaxDepth, TimeSpan LongestDuration, int LongestTradingDays, bool LongestRecovered)
{
    /// <summary>A curve that never fell below its peak.</summary>
    public static DrawdownSummary None => new(0m, TimeSpan.Zero, 0, true);
}
