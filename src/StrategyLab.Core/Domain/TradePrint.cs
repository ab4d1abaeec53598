namespace StrategyLab.Core.Domain;

/// <summary>One trade as printed by a venue or a data provider.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Time">When the trade happened, UTC.</param>
/// <param name="Price">Trade price.</param>
/// <param name="Size">Trade size; 0 marks a price-only update from a venue that reports no trades.</param>
/// <param name="Id">The provider's trade id when it has one; prints with the same id are one trade.</param>
/// <param name="Conditions">Condition codes as the provider sends them (may be empty).</param>
public readonly record struct TradePrint(
    Symbol Symbol,
    DateTime Time,
    decimal Price,
    decimal Size,
    string? Id = null,
    IReadOnlyList<string>? Conditions = null);
