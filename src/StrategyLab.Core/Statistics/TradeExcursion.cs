namespace StrategyLab.Core.Statistics;

/// <summary>
/// The worst and best unrealised P&amp;L a round trip showed while it was open (gross of commissions): maximum adverse
/// excursion (MAE, ≤ 0) and maximum favourable excursion (MFE, ≥ 0).
/// </summary>
/// <remarks>
/// Measured from the average entry price over the trip's quantity, on the prices the position was held through: the
/// entry and exit fill prices and the high and low of every bar that started at or after the first entry fill and
/// before the fill that closed it. A long trip: <c>MAE = min(0, (low − entry) · qty)</c>,
/// <c>MFE = max(0, (high − entry) · qty)</c>; a short one: <c>MAE = min(0, (entry − high) · qty)</c>,
/// <c>MFE = max(0, (entry − low) · qty)</c>.
/// </remarks>
/// <param name="Mae">Maximum adverse excursion, zero or negative money.</param>
/// <param name="Mfe">Maximum favourable excursion, zero or positive money.</param>
public readonly record struct TradeExcursion(decimal Mae, decimal Mfe);

/// <summary>Gives the excursion of a round trip a recorder saw (the writer asks when it writes the trip's row).</summary>
public interface ITradeExcursions
{
    /// <summary>The excursion of <paramref name="trip"/>, or null when it was not seen.</summary>
    TradeExcursion? ExcursionOf(Accounting.RoundTrip trip);
}

/// <summary>What one symbol contributed to a run (the per-symbol attribution).</summary>
/// <param name="Symbol">The ticker.</param>
/// <param name="Trades">Closed round trips.</param>
/// <param name="WinningTrades">Round trips with net P&amp;L &gt; 0.</param>
/// <param name="WinRate"><c>WinningTrades / Trades</c>; null without trades.</param>
/// <param name="NetPnl">Σ net P&amp;L of the closed round trips (after their commissions).</param>
/// <param name="Fees">Σ commission of every fill of the symbol, those of a position still open included.</param>
/// <param name="Exposure">Fraction of the run's equity marks at which the symbol had an open position.</param>
public sealed record SymbolAttribution(string Symbol, int Trades, int WinningTrades, double? WinRate, decimal NetPnl, decimal Fees, double Exposure);

/// <summary>How many round trips were held for a span in [<paramref name="From"/>, <paramref name="To"/>).</summary>
/// <param name="Label">A short label (<c>5–30 min</c>).</param>
/// <param name="From">Lower bound, inclusive.</param>
/// <param name="To">Upper bound, exclusive; null for the last bucket.</param>
/// <param name="Trades">Round trips held that long.</param>
public sealed record HoldingTimeBucket(string Label, TimeSpan From, TimeSpan? To, int Trades);
