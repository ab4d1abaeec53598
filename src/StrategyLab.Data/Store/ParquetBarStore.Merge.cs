using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Store;

/// <content>Writing one month: a streaming merge of the stored partition and the incoming runs.</content>
public sealed partial class ParquetBarStore
{
    /// <summary>
    /// Writes a month: the stored partition (read from disk a row group at a time) and the month's incoming runs are
    /// merged in start order straight into the new file's row groups, so memory holds a row group per input, not the month.
    /// </summary>
    private async Task<(StorePartition Partition, long Replaced)> FlushAsync(
        Symbol symbol, Timeframe timeframe, PendingMonth month, string source, CancellationToken cancellationToken)
    {
        var path = PartitionPath(symbol, timeframe, month.Month);
        var monthTicks = MonthTicks(month.Clock, month.Month);
        var sources = new List<IEnumerator<Bar>>();
        PartitionReader? stored = null;
        var columns = (Price: month.PriceScale, Volume: month.VolumeScale, Trades: month.HasTrades, Vwap: month.HasVwap);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        var tempSum = path + Checksum.Extension + ".tmp";
        long replaced = 0, count;
        try
        {
            if (File.Exists(path))
            {
                stored = new PartitionReader(path, symbol, timeframe, monthTicks, streaming: true);
                var file = stored.File;
                columns = (Math.Max(columns.Price, file.PriceScale), Math.Max(columns.Volume, file.VolumeScale), columns.Trades || file.Trades is not null, columns.Vwap || file.Vwap is not null);
                sources.Add(StoredBars(stored).GetEnumerator());
            }

            sources.AddRange(month.Runs());
            var rows = new PartitionRows(path, timeframe, monthTicks.From, monthTicks.To);
            await using (var writer = await PartitionWriter.CreateAsync(temp, path, symbol, timeframe, month.Month, source, rows, columns, RowGroupRows, cancellationToken).ConfigureAwait(false))
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
            }

            replaced += month.Replaced; // the input's own duplicates, counted as its runs were sorted

            foreach (var s in sources)
            {
                s.Dispose();
            }

            sources.Clear();
            stored?.Dispose();
            stored = null;
            await Checksum.WriteAsync(temp, tempSum, Path.GetFileName(path), cancellationToken).ConfigureAwait(false);

            // The partition first, then its checksum: a crash between the two leaves a checksum that does not match,
            // an error on read, never a partition read unverified.
            File.Move(temp, path, overwrite: true);
            File.Move(tempSum, path + Checksum.Extension, overwrite: true);
        }
        finally
        {
            foreach (var s in sources)
            {
                s.Dispose();
            }

            stored?.Dispose();
            File.Delete(temp); // gone after the move; a leftover of a failed write otherwise
            File.Delete(tempSum);
        }

        if (_logger is not null)
        {
            DataLogEvents.LogStoreWritten(_logger, path, $"{symbol} {timeframe}", checked((int)count), null);
        }

        return (new StorePartition(symbol, timeframe, month.Month, path, count, source), replaced);

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
