using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Accounting;

/// <summary>Long or short.</summary>
public enum TradeDirection
{
    /// <summary>Bought first, sold to close.</summary>
    Long,

    /// <summary>Sold first, bought to close.</summary>
    Short,
}

/// <summary>
/// One round trip: from flat to a position and back to flat (a flip closes one and opens the next).
/// </summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Direction">Long or short.</param>
/// <param name="Quantity">Total quantity entered.</param>
/// <param name="EntryTimeUtc">Time of the first entry fill.</param>
/// <param name="EntryPrice">Volume-weighted average entry price.</param>
/// <param name="ExitTimeUtc">Time of the fill that made the position flat.</param>
/// <param name="ExitPrice">Volume-weighted average exit price.</param>
/// <param name="Pnl">Realized PnL, gross of commissions.</param>
/// <param name="Commission">Commissions of every fill of the round trip.</param>
/// <param name="ExitReason">The tag of the order that closed it (<c>stop_loss</c>, <c>take_profit</c>, <c>signal</c>, <c>flatten</c>…).</param>
public sealed record RoundTrip(
    Symbol Symbol,
    TradeDirection Direction,
    decimal Quantity,
    DateTime EntryTimeUtc,
    decimal EntryPrice,
    DateTime ExitTimeUtc,
    decimal ExitPrice,
    decimal Pnl,
    decimal Commission,
    string ExitReason)
{
    /// <summary>PnL after commissions.</summary>
    public decimal NetPnl => Pnl - Commission;

    /// <summary>How long the position was held.</summary>
    public TimeSpan Duration => ExitTimeUtc - EntryTimeUtc;
}
