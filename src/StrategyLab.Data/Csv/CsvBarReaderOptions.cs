using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Csv;

/// <summary>How <see cref="CsvBarReader"/> reads a file.</summary>
public sealed record CsvBarReaderOptions
{
    /// <summary>The bar length of the file's rows. Required.</summary>
    public required Timeframe Timeframe { get; init; }

    /// <summary>
    /// The symbol of every row when the file has no <c>symbol</c> column. When the file has one, only rows of this symbol
    /// are read (others are counted in <see cref="CsvReadStatistics.OtherSymbolRows"/>); null reads every symbol.
    /// </summary>
    public Symbol? Symbol { get; init; }

    /// <summary>The asset class of tickers read from a <c>symbol</c> column (default: that of <see cref="Symbol"/>, else US equity).</summary>
    public AssetClass? AssetClass { get; init; }

    /// <summary>Which edge of the bar the time stamp marks.</summary>
    public TimeIs TimeIs { get; init; } = TimeIs.Start;

    /// <summary>Skip bad rows (logging each as <c>data.row.skipped</c> and counting them) instead of throwing.</summary>
    public bool SkipBadRows { get; init; }

    /// <summary>
    /// When set, a number needing more significant digits than this (integer digits plus decimal places, trailing zeros
    /// dropped) is an error naming its line; <c>data import</c> sets 18, what the Parquet store keeps, so the error names
    /// the CSV line rather than the <c>.parquet</c> file. Null (the default): any value <see cref="decimal"/> holds exactly.
    /// </summary>
    public int? MaxSignificantDigits { get; init; }

    /// <summary>Ignore columns the reader does not know; by default they are an error that names them.</summary>
    public bool IgnoreUnknownColumns { get; init; }

    /// <summary>The calendar of a symbol (exchange time zone, sessions); default <see cref="MarketCalendars.For(Symbol)"/>.</summary>
    public Func<Symbol, IMarketCalendar>? CalendarFor { get; init; }

    /// <summary>Where skipped rows are logged.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>Counts from one pass over a CSV file.</summary>
public sealed class CsvReadStatistics
{
    /// <summary>Data rows seen (blank lines excluded).</summary>
    public long Rows { get; internal set; }

    /// <summary>Bars produced.</summary>
    public long Bars { get; internal set; }

    /// <summary>Bad rows skipped (only with <see cref="CsvBarReaderOptions.SkipBadRows"/>).</summary>
    public long SkippedRows { get; internal set; }

    /// <summary>Rows of other symbols than <see cref="CsvBarReaderOptions.Symbol"/>, in a file with a <c>symbol</c> column.</summary>
    public long OtherSymbolRows { get; internal set; }

    internal void Reset()
    {
        Rows = Bars = SkippedRows = OtherSymbolRows = 0;
    }
}
