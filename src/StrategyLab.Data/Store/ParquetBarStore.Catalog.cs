using System.Buffers;
using System.Globalization;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Store;

/// <content>The catalogue: the series, partitions and dates the store holds, from its files' names and footers, without reading bars.</content>
public sealed partial class ParquetBarStore
{
    /// <summary>Every series in the store (symbol and timeframe) with its partitions, ordered by timeframe then symbol.</summary>
    public IReadOnlyList<StoreSeries> ListSeries()
    {
        var result = new List<StoreSeries>();
        if (!Directory.Exists(Root))
        {
            return result;
        }

        foreach (var tfDir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            if (!Timeframe.TryParse(Path.GetFileName(tfDir), out var timeframe) || Path.GetFileName(tfDir) != timeframe.ToString())
            {
                continue;
            }

            foreach (var symbolDir in Directory.EnumerateDirectories(tfDir).Order(StringComparer.Ordinal))
            {
                var partitions = ReadPartitions(symbolDir, timeframe, expected: null);
                if (partitions.Count > 0)
                {
                    result.Add(new StoreSeries(partitions[0].Symbol, timeframe, partitions));
                }
            }
        }

        return result.OrderBy(s => s.Timeframe).ThenBy(s => s.Symbol).ToList();
    }

    /// <summary>
    /// The timeframes the store holds bars of <paramref name="symbol"/> in, shortest first: the series of
    /// <see cref="ListSeries"/> for that symbol, found by opening one partition per series instead of every partition
    /// of the store (each partition is still checked when its bars are read).
    /// </summary>
    /// <exception cref="DataFormatException">A series' first partition is unreadable or holds another timeframe.</exception>
    public IReadOnlyList<Timeframe> TimeframesOf(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var result = new List<Timeframe>();
        if (!Directory.Exists(Root))
        {
            return result;
        }

        foreach (var tfDir in Directory.EnumerateDirectories(Root))
        {
            if (!Timeframe.TryParse(Path.GetFileName(tfDir), out var timeframe) || Path.GetFileName(tfDir) != timeframe.ToString())
            {
                continue;
            }

            var files = PartitionFiles(symbol, timeframe);
            if (files.Count == 0)
            {
                continue;
            }

            using var file = ParquetFile.Open(files[0].Path, footerOnly: true);
            var tf = file.Metadata.GetValueOrDefault(TimeframeKey);
            if (tf != timeframe.ToString())
            {
                throw new DataFormatException(files[0].Path, null, TimeframeKey, $"the partition holds '{tf}' bars, not {timeframe}");
            }

            if (file.Symbol == symbol)
            {
                result.Add(timeframe);
            }
        }

        result.Sort();
        return result;
    }

    /// <summary>The monthly partitions of one series, oldest first (empty when absent).</summary>
    public IReadOnlyList<StorePartition> GetPartitions(Symbol symbol, Timeframe timeframe)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var dir = SeriesFolder(symbol, timeframe);
        return Directory.Exists(dir) ? ReadPartitions(dir, timeframe, symbol) : [];
    }

    /// <summary>The exchange-local dates that have at least one bar, in order (reads only the start column).</summary>
    public IReadOnlyList<DateOnly> GetDates(Symbol symbol, Timeframe timeframe)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var clock = new ExchangeClock(_calendarFor(symbol));
        var dates = new List<DateOnly>();
        foreach (var entry in PartitionFiles(symbol, timeframe))
        {
            using var file = ParquetFile.Open(entry.Path, streaming: new FileInfo(entry.Path).Length > InMemoryFileBytes);
            if (file.Symbol != symbol)
            {
                throw new DataFormatException(entry.Path, null, SymbolKey, $"the partition holds {file.Symbol} ({file.Symbol.AssetClass}), not {symbol} ({symbol.AssetClass})");
            }

            if (file.Metadata.GetValueOrDefault(TimeframeKey) is var tf && tf != timeframe.ToString())
            {
                throw new DataFormatException(entry.Path, null, TimeframeKey, $"the partition holds '{tf}' bars, not {timeframe}");
            }

            for (var g = 0; g < file.Reader.RowGroupCount; g++)
            {
                var (monthFrom, monthTo) = MonthTicks(clock, file.GroupMonths[g]);
                var starts = ArrayPool<long>.Shared.Rent(1);
                try
                {
                    int n;
                    try
                    {
                        using var group = file.Reader.OpenRowGroupReader(g);
                        n = checked((int)group.RowCount);
                        ArrayPool<long>.Shared.Return(starts);
                        starts = ArrayPool<long>.Shared.Rent(n);
                        Sync(group.ReadAsync<long>(file.Raw.Start, starts.AsMemory(0, n)));
                    }
                    catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                    {
                        throw ParquetFile.Corrupt(entry.Path, e);
                    }

                    for (var i = 0; i < n; i++)
                    {
                        var ticks = FromNanosTicks(starts[i]);
                        if (ticks < monthFrom || ticks >= monthTo)
                        {
                            throw new DataFormatException(entry.Path, null, null, string.Create(
                                CultureInfo.InvariantCulture, $"row {i} of row group {g}: bar start is outside the partition's month"));
                        }

                        var date = clock.LocalDate(new DateTime(ticks, DateTimeKind.Utc));
                        if (dates.Count == 0 || dates[^1] != date)
                        {
                            dates.Add(date);
                        }
                    }
                }
                finally
                {
                    ArrayPool<long>.Shared.Return(starts);
                }
            }
        }

        return dates;
    }

    /// <summary>
    /// The partition files of a series by name alone, oldest first; contents are checked when opened. Yearly files
    /// (<c>yyyy.parquet</c>) and monthly files of the layout before (<c>yyyy-MM.parquet</c>) are both read; a monthly file
    /// of a year that has a yearly file is a leftover of a migration stopped before it deleted it (the yearly file holds its
    /// bars), so it is ignored: no bar is counted twice.
    /// </summary>
    private List<SeriesFile> PartitionFiles(Symbol symbol, Timeframe timeframe)
    {
        var dir = SeriesFolder(symbol, timeframe);
        return Directory.Exists(dir) ? PartitionFiles(dir) : [];
    }

    private static List<SeriesFile> PartitionFiles(string symbolDir)
    {
        var years = new SortedDictionary<int, string>();
        var months = new List<SeriesFile>();
        foreach (var path in Directory.EnumerateFiles(symbolDir, "*.parquet"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name.Length == 4 && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year >= 1)
            {
                years[year] = path;
            }
            else if (DateOnly.TryParseExact(name + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
            {
                months.Add(new SeriesFile(path, month, month, Yearly: false));
            }
        }

        var result = new List<SeriesFile>(years.Count + months.Count);
        result.AddRange(months.Where(m => !years.ContainsKey(m.FirstMonth.Year)));
        result.AddRange(years.Select(y => new SeriesFile(y.Value, new DateOnly(y.Key, 1, 1), new DateOnly(y.Key, 12, 1), Yearly: true)));
        result.Sort((a, b) => a.FirstMonth.CompareTo(b.FirstMonth));
        return result;
    }

    /// <summary>The monthly files of a series (the layout before yearly files), oldest first, including leftovers beside a yearly file.</summary>
    private static List<SeriesFile> MonthlyFiles(string symbolDir) =>
        Directory.Exists(symbolDir)
            ? Directory.EnumerateFiles(symbolDir, "*.parquet")
                .Select(p => DateOnly.TryParseExact(Path.GetFileNameWithoutExtension(p) + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m)
                    ? new SeriesFile(p, m, m, Yearly: false)
                    : null)
                .OfType<SeriesFile>()
                .OrderBy(f => f.FirstMonth)
                .ToList()
            : [];

    /// <summary>A partition file: a year (months January..December) or, in the layout before, one month.</summary>
    private sealed record SeriesFile(string Path, DateOnly FirstMonth, DateOnly LastMonth, bool Yearly);

    private List<StorePartition> ReadPartitions(string symbolDir, Timeframe timeframe, Symbol? expected)
    {
        var result = new List<StorePartition>();
        foreach (var entry in PartitionFiles(symbolDir))
        {
            var path = entry.Path;
            using var file = ParquetFile.Open(path, footerOnly: true);
            var symbol = file.Symbol;
            if (expected is not null && symbol != expected)
            {
                throw new DataFormatException(path, null, SymbolKey, $"the partition holds {symbol} ({symbol.AssetClass}), not {expected} ({expected.AssetClass})");
            }

            var tf = file.Metadata.GetValueOrDefault(TimeframeKey);
            if (tf != timeframe.ToString())
            {
                throw new DataFormatException(path, null, TimeframeKey, $"the partition holds '{tf}' bars, not {timeframe}");
            }

            // One entry per month: a yearly file's months are its row groups (a month of many rows spans several).
            var source = file.Metadata.GetValueOrDefault(SourceKey) ?? "";
            try
            {
                var start = result.Count;
                for (var g = 0; g < file.Reader.RowGroupCount; g++)
                {
                    using var group = file.Reader.OpenRowGroupReader(g);
                    var month = file.GroupMonths[g];
                    if (result.Count > start && result[^1].Month == month)
                    {
                        result[^1] = result[^1] with { Bars = result[^1].Bars + group.RowCount };
                    }
                    else
                    {
                        result.Add(new StorePartition(symbol, timeframe, month, path, group.RowCount, source));
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                throw ParquetFile.Corrupt(path, e);
            }
        }

        return result;
    }
}
