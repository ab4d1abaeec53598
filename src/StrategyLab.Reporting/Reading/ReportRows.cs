namespace StrategyLab.Reporting.Reading;

/// <summary>One row of <c>fills.csv</c>.</summary>
internal sealed record FillRow(DateTimeOffset Time, long OrderId, string Symbol, string Side, decimal Quantity, decimal Price, decimal Commission, string Tag);

/// <summary>One row of <c>trades.csv</c>.</summary>
internal sealed record TradeRow(
    string Symbol,
    string Side,
    decimal Quantity,
    DateTimeOffset EntryTime,
    decimal EntryPrice,
    DateTimeOffset ExitTime,
    decimal ExitPrice,
    decimal Pnl,
    decimal Commission,
    string ExitReason);

/// <summary>One row of <c>orders.csv</c> (the columns the report uses).</summary>
internal sealed record OrderRow(
    long Id,
    DateTimeOffset Created,
    string Symbol,
    string Side,
    string Type,
    decimal Quantity,
    decimal? LimitPrice,
    decimal? StopPrice,
    string Tag,
    string Status,
    DateTimeOffset Updated);
