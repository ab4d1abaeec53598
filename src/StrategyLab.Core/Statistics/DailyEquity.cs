namespace StrategyLab.Core.Statistics;

/// <summary>The account at the end of one exchange-local trading date: the last equity mark of that date.</summary>
/// <param name="Date">The exchange-local date.</param>
/// <param name="LastMarkUtc">The time of the date's last mark.</param>
/// <param name="Equity">Equity at that mark.</param>
public readonly record struct DailyEquity(DateOnly Date, DateTime LastMarkUtc, decimal Equity);
