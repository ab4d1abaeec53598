using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Store;

/// <summary>One month of a series in the store (its bars are the month's row groups of the year's file, or a monthly file of the layout before).</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Timeframe">The bar length.</param>
/// <param name="Month">The first day of the exchange-local month the partition holds.</param>
/// <param name="Path">The partition file that holds the month (its year's file).</param>
/// <param name="Bars">Bars in the file.</param>
/// <param name="Source">Where the bars came from (as given when written).</param>
public sealed record StorePartition(Symbol Symbol, Timeframe Timeframe, DateOnly Month, string Path, long Bars, string Source);

/// <summary>A symbol and timeframe present in the store, with its monthly partitions in order.</summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="Timeframe">The bar length.</param>
/// <param name="Partitions">The monthly partitions, oldest first.</param>
public sealed record StoreSeries(Symbol Symbol, Timeframe Timeframe, IReadOnlyList<StorePartition> Partitions)
{
    /// <summary>Total bars over all partitions.</summary>
    public long Bars => Partitions.Sum(p => p.Bars);

    /// <summary>The months present (first day of each), oldest first.</summary>
    public IEnumerable<DateOnly> Months => Partitions.Select(p => p.Month);
}

/// <summary>What one <see cref="ParquetBarStore.WriteAsync"/> did.</summary>
/// <param name="BarsReceived">Bars handed to the writer.</param>
/// <param name="Partitions">Each partition written, with its bar count after merging.</param>
/// <param name="ReplacedBars">Bars that replaced one with the same start (already in the store, or earlier in the input).</param>
public sealed record StoreWriteResult(long BarsReceived, IReadOnlyList<StorePartition> Partitions, long ReplacedBars);

/// <summary>What <see cref="ParquetBarStore.MigrateAsync"/> did.</summary>
/// <param name="MonthlyFiles">Monthly files (the layout before) replaced.</param>
/// <param name="YearlyFiles">Yearly files written.</param>
/// <param name="Bars">Bars in the yearly files written.</param>
public sealed record StoreMigrationResult(int MonthlyFiles, int YearlyFiles, long Bars);
