using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data.Store;

/// <content>Writing one year: a streaming merge of the stored partitions and the incoming runs.</content>
public sealed partial class ParquetBarStore
{
    /// <summary>
    /// Rewrites every series' monthly files (the layout before yearly files) as yearly files, keeping every bar, its
    /// values and the checksums' guarantee (each yearly file is written with its SHA-256, as any write). Reading never
    /// needs it — both layouts are read — but a migrated store opens fewer files; a write migrates the years it touches.
    /// </summary>
    /// <exception cref="StoreLockedException">Another writer is writing to the store.</exception>
    public async Task<StoreMigrationResult> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var result = new StoreMigrationResult(0, 0, 0);
        if (!IsStore(Root))
        {
            return result;
        }

        using var writerLock = StoreLock.Acquire(Root);
        foreach (var tfDir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            if (!Timeframe.TryParse(Path.GetFileName(tfDir), out var timeframe) || Path.GetFileName(tfDir) != timeframe.ToString())
            {
                continue;
            }

            foreach (var symbolDir in Directory.EnumerateDirectories(tfDir).Order(StringComparer.Ordinal))
            {
                foreach (var year in MonthlyFiles(symbolDir).GroupBy(f => f.FirstMonth.Year))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Symbol symbol;
                    string source;
                    using (var first = ParquetFile.Open(year.Last().Path, footerOnly: true))
                    {
                        (symbol, source) = (first.Symbol, first.Metadata.GetValueOrDefault(SourceKey) ?? "");
                    }

                    using var pending = new PendingMonth(symbol, new ExchangeClock(_calendarFor(symbol)), SpillRunSize) { Year = year.Key };
                    var (partitions, _) = await FlushAsync(symbol, timeframe, pending, source, cancellationToken).ConfigureAwait(false);
                    result = new StoreMigrationResult(result.MonthlyFiles + year.Count(), result.YearlyFiles + 1, result.Bars + partitions.Sum(p => p.Bars));
                }
            }
        }

        await File.WriteAllTextAsync(
            Path.Combine(Root, MarkerFileName),
            "{\"format\": \"strategylab-bars\", \"version\": 2, \"layout\": \"<timeframe>/<SYMBOL>/<yyyy>.parquet\"}\n",
            cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Writes a year: the stored partition (read from disk a row group at a time) — or, in a store of the layout before,
    /// the year's monthly files — and the year's incoming runs are merged in start order straight into the new file's row
    /// groups, so memory holds a row group per input, not the year. The monthly files it replaces are deleted after the
    /// yearly file is in place (a monthly file beside a yearly one is ignored when reading, so a stop in between counts
    /// no bar twice).
    /// </summary>
    /// <returns>The months that received bars (all the file's months when nothing was received: a migration).</returns>
    private async Task<(List<StorePartition> Partitions, long Replaced)> FlushAsync(
        Symbol symbol, Timeframe timeframe, PendingMonth pending, string source, CancellationToken cancellationToken)
    {
        var firstMonth = new DateOnly(pending.Year, 1, 1);
        var path = PartitionPath(symbol, timeframe, firstMonth);
        var yearTicks = (MonthTicks(pending.Clock, firstMonth).From, MonthTicks(pending.Clock, new DateOnly(pending.Year, 12, 1)).To);
        var sources = new List<IEnumerator<Bar>>();
        var stored = new List<PartitionReader>();
        var columns = (Price: pending.PriceScale, Volume: pending.VolumeScale, Trades: pending.HasTrades, Vwap: pending.HasVwap);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        var tempSum = path + Checksum.Extension + ".tmp";
        var monthly = MonthlyFiles(Path.GetDirectoryName(path)!).Where(f => f.FirstMonth.Year == pending.Year).ToList();
        long replaced = 0, count;
        SortedDictionary<DateOnly, long> monthCounts;
        try
        {
            // A yearly file holds the year (monthly files beside it are leftovers of a stopped migration); else the
            // monthly files of the layout before are the stored bars, in month order.
            foreach (var storedPath in File.Exists(path) ? [path] : monthly.Select(f => f.Path))
            {
                var reader = new PartitionReader(storedPath, symbol, timeframe, pending.Clock, streaming: true, ownPageReader: OwnPageReader);
                stored.Add(reader);
                var file = reader.File;
                columns = (Math.Max(columns.Price, file.PriceScale), Math.Max(columns.Volume, file.VolumeScale), columns.Trades || file.HasTrades, columns.Vwap || file.HasVwap);
            }

            // The stored bars are one source (files in month order), so the runs win a tie with any of them.
            if (stored.Count > 0)
            {
                sources.Add(stored.SelectMany(StoredBars).GetEnumerator());
            }

            sources.AddRange(pending.Runs());
            var rows = new PartitionRows(path, timeframe, yearTicks.Item1, yearTicks.Item2);
            await using (var writer = await PartitionWriter.CreateAsync(temp, path, symbol, timeframe, pending.Year, pending.Clock, source, rows, columns, RowGroupRows, cancellationToken).ConfigureAwait(false))
            {
                // Sources in write order (the stored file, then the runs in input order): of bars with the same start,
                // the one from the latest source is kept.
                var queue = new PriorityQueue<int, (long Start, int Source)>();
                for (var i = 0; i < sources.Count; i++)
                {
                    if (sources[i].MoveNext())
                    {
                        queue.Enqueue(i, (sources[i].Current.Start.Ticks, i));
                    }
                }

                Bar? held = null;
                while (queue.TryDequeue(out var i, out _))
                {
                    var bar = sources[i].Current;
                    if (sources[i].MoveNext())
                    {
                        queue.Enqueue(i, (sources[i].Current.Start.Ticks, i));
                    }

                    if (held is { } h)
                    {
                        if (h.Start == bar.Start)
                        {
                            replaced++;
                        }
                        else
                        {
                            await writer.AddAsync(h, cancellationToken).ConfigureAwait(false);
                        }
                    }

                    held = bar;
                }

                if (held is { } last)
                {
                    await writer.AddAsync(last, cancellationToken).ConfigureAwait(false);
                }

                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
                count = writer.Count;
                monthCounts = writer.MonthCounts;
            }

            replaced += pending.Replaced; // the input's own duplicates, counted as its runs were sorted

            foreach (var s in sources)
            {
                s.Dispose();
            }

            sources.Clear();
            stored.ForEach(r => r.Dispose());
            stored.Clear();
            await Checksum.WriteAsync(temp, tempSum, Path.GetFileName(path), cancellationToken).ConfigureAwait(false);

            // The partition first, then its checksum: a crash between the two leaves a checksum that does not match,
            // an error on read, never a partition read unverified. The monthly files it replaces go last.
            File.Move(temp, path, overwrite: true);
            File.Move(tempSum, path + Checksum.Extension, overwrite: true);
            foreach (var m in monthly)
            {
                File.Delete(m.Path);
                File.Delete(m.Path + Checksum.Extension);
            }
        }
        finally
        {
            foreach (var s in sources)
            {
                s.Dispose();
            }

            stored.ForEach(r => r.Dispose());
            File.Delete(temp); // gone after the move; a leftover of a failed write otherwise
            File.Delete(tempSum);
        }

        if (_logger is not null)
        {
            DataLogEvents.LogStoreWritten(_logger, path, $"{symbol} {timeframe}", checked((int)count), null);
        }

        var months = pending.Months.Count > 0 ? pending.Months.Where(monthCounts.ContainsKey) : monthCounts.Keys;
        return (months.Select(m => new StorePartition(symbol, timeframe, m, path, monthCounts[m], source)).ToList(), replaced);

        static IEnumerable<Bar> StoredBars(PartitionReader reader)
        {
            while (reader.NextGroup())
            {
                for (var i = 0; i < reader.Count; i++)
                {
                    yield return reader.BarAt(i);
                }
            }
        }
    }
}
