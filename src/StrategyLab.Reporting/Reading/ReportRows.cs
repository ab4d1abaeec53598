namespace StrategyLab.Reporting.Reading;

/// <summary>One row of <c>fills.csv</c>.</summary>
internal sealed record FillRow(DateTimeOffset Time, long OrderId, string Symbol, string Side, decimal Quantity, decimal Price, decimal Commission, string Tag);

/// <summary>One row of <c>trades.csv</c>; <paramref name="Mae"/> and <paramref name="Mfe"/> are empty in a run folder written before they existed.</summary>
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
    string ExitReason,
    decimal? Mae = null,
    decimal? Mfe = null);

/// <summary>One row of <c>daily.csv</c>.</summary>
internal sealed record DailyRow(DateTimeOffset Time, decimal Equity, decimal? Benchmark, decimal? RollingSharpe);

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
