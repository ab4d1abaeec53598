using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Store;
using StrategyLab.Data.Time;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// A damaged or misplaced store partition is an error naming the file (exit 2), never a crash inside Parquet.Net and
/// never different bars with exit 0 (issue 10 #4, #10, #11).
/// </summary>
public sealed class StoreIntegrityTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private static readonly DateTime T0 = new(2024, 1, 10, 0, 0, 0, DateTimeKind.Utc);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<Bar> Bars(int count, DateTime? from = null)
    {
        var start = from ?? T0;
        var bars = new List<Bar>(count);
        for (var i = 0; i < count; i++)
        {
            var o = 42000m + (i % 17) * 1.25m;
            bars.Add(new Bar(Btc, start.AddMinutes(i), start.AddMinutes(i + 1), o, o + 3.5m, o - 2.25m, o + 0.75m, 1.5m + i, i % 5 == 0 ? null : i, null));
        }

        return bars;
    }

    private async Task<(string Store, string Partition, List<Bar> Bars)> SmallStoreAsync()
    {
        var root = Path.Combine(_dir.Path, "store");
        var bars = Bars(300);
        await new ParquetBarStore(root).WriteAsync(bars, Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        return (root, Path.Combine(root, "1m", "BTC-USD", "2024.parquet"), bars);
    }

    [Fact]
    public async Task FlippedFooterBytes_AreACorruptPartition_ExitTwo_InDataInfoAndBacktest()
    {
        var (store, partition, _) = await SmallStoreAsync();
        var bytes = File.ReadAllBytes(partition);

        // The footer (Thrift file metadata) sits just before the trailing length and "PAR1"; flip a run of its bytes.
        for (var i = bytes.Length - 40; i < bytes.Length - 8; i++)
        {
            bytes[i] ^= 0xFF;
        }

        File.WriteAllBytes(partition, bytes);

        var info = await CliRunner.RunInProcessAsync("data", "info", store);
        Assert.True(info.ExitCode == 2, info.ToString());
        Assert.Contains(partition, info.StdErr, StringComparison.Ordinal);
        Assert.Contains("corrupt partition", info.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", info.StdErr, StringComparison.Ordinal);

        var backtest = await BacktestAsync(store, "2024-01-01", "2024-01-31");
        Assert.True(backtest.ExitCode == 2, backtest.ToString());
        Assert.Contains(partition, backtest.StdErr, StringComparison.Ordinal);
        Assert.Contains("corrupt partition", backtest.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", backtest.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryFlippedByte_EitherFailsNamingThePartition_OrReadsTheOriginalBars()
    {
        var (store, partition, bars) = await SmallStoreAsync();
        var original = File.ReadAllBytes(partition);
        var positions = Enumerable.Range(0, original.Length).Where(i => i % 97 == 0 || i >= original.Length - 300 && i % 7 == 0).ToList();
        Assert.True(positions.Count >= 50, $"only {positions.Count} positions in a {original.Length}-byte file");
        var silentlyDifferent = new List<string>();
        foreach (var position in positions)
        {
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0x5A;
            File.WriteAllBytes(partition, damaged);
            try
            {
                var back = new ParquetBarStore(store).ReadBars(Btc, Timeframe.OneMinute).ToList();
                if (!back.SequenceEqual(bars))
                {
                    silentlyDifferent.Add($"byte {position}: {back.Count} bars, first difference at {FirstDifference(back, bars)}");
                }
            }
            catch (DataFormatException e)
            {
                Assert.Equal(partition, e.FilePath);
            }
        }

        Assert.Empty(silentlyDifferent);
    }

    [Fact]
    public async Task AFlippedByte_InAPartitionReadFromDisk_FailsItsChecksum_NamingIt()
    {
        // Partitions larger than InMemoryFileBytes are verified from disk (positional reads) before Parquet sees them.
        var (store, partition, bars) = await SmallStoreAsync();
        var original = File.ReadAllBytes(partition);
        Assert.Equal(bars, new ParquetBarStore(store) { InMemoryFileBytes = 0 }.ReadBars(Btc, Timeframe.OneMinute).ToList());
        foreach (var position in new[] { 0, original.Length / 2, original.Length - 1 })
        {
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0x5A;
            File.WriteAllBytes(partition, damaged);
            var e = Assert.Throws<DataFormatException>(() => new ParquetBarStore(store) { InMemoryFileBytes = 0 }.ReadBars(Btc, Timeframe.OneMinute).ToList());
            Assert.Equal(partition, e.FilePath);
            Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APartitionWrittenWithoutAChecksum_IsStillRead_ButItsRowsAreChecked()
    {
        var (store, partition, bars) = await SmallStoreAsync();
        var sidecar = partition + ".sha256";
        Assert.True(File.Exists(sidecar), "a partition is written with its SHA-256 beside it");
        File.Delete(sidecar);
        Assert.Equal(bars, new ParquetBarStore(store).ReadBars(Btc, Timeframe.OneMinute).ToList());
    }

    [Theory]
    [InlineData(30, "not on the 1m grid")] // 00:00:30 in a 1m partition
    [InlineData(60 * 60 * 24 * 400, "row-group months")] // 400 days later: 2025, in the 2024 file
    public async Task APartitionWithoutAChecksum_WhoseRowsBreakTheInvariants_IsAnErrorNamingIt(int offsetSeconds, string expected)
    {
        // A legacy partition (no .sha256) holding a bad row, written below the store's own checks.
        var root = Path.Combine(_dir.Path, "store");
        var ct = TestContext.Current.CancellationToken;
        await new ParquetBarStore(root).WriteAsync(Bars(1), Timeframe.OneMinute, "test", ct);
        var path = Path.Combine(root, "1m", "BTC-USD", "2024.parquet");
        File.Delete(path + ".sha256");
        var start = T0.AddSeconds(offsetSeconds);
        var anything = new PartitionRows(path, Timeframe.OneSecond, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
        await using (var writer = await PartitionWriter.CreateAsync(
            path, path, Btc, Timeframe.OneMinute, 2024, new ExchangeClock(MarketCalendars.For(Btc)), "test", anything, (2, 1, false, false), 10, ct))
        {
            await writer.AddAsync(new Bar(Btc, start, start.AddMinutes(1), 1m, 1m, 1m, 1m, 1m), ct);
            await writer.CompleteAsync(ct);
        }

        var e = Assert.Throws<DataFormatException>(() => new ParquetBarStore(root).ReadBars(Btc, Timeframe.OneMinute).ToList());
        Assert.Equal(path, e.FilePath);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BarsOffTheTimeframeGrid_OrWithNonPositivePrices_AreRejectedWhenWritten()
    {
        var root = Path.Combine(_dir.Path, "store");
        var offGrid = new Bar(Btc, T0.AddSeconds(30), T0.AddSeconds(90), 1m, 1m, 1m, 1m, 1m);
        var e = await Assert.ThrowsAsync<DataFormatException>(() => new ParquetBarStore(root).WriteAsync([offGrid], Timeframe.OneMinute, "t", TestContext.Current.CancellationToken));
        Assert.Contains("1m grid", e.Message, StringComparison.Ordinal);

        var zero = new Bar(Btc, T0, T0.AddMinutes(1), 0m, 0m, 0m, 0m, 1m);
        e = await Assert.ThrowsAsync<DataFormatException>(() => new ParquetBarStore(root).WriteAsync([zero], Timeframe.OneMinute, "t", TestContext.Current.CancellationToken));
        Assert.Contains("not positive", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APartitionRenamedToAnotherYear_IsAnErrorNamingIt()
    {
        var (store, partition, _) = await SmallStoreAsync();
        var renamed = Path.Combine(Path.GetDirectoryName(partition)!, "2025.parquet");
        File.Move(partition, renamed);
        File.Move(partition + ".sha256", renamed + ".sha256");

        var e = Assert.Throws<DataFormatException>(() => new ParquetBarStore(store).ReadBars(Btc, Timeframe.OneMinute).ToList());
        Assert.Equal(renamed, e.FilePath);
        Assert.Contains("holds the bars of 2024", e.Message, StringComparison.Ordinal);

        var info = await CliRunner.RunInProcessAsync("data", "info", store);
        Assert.True(info.ExitCode == 2, info.ToString());
        Assert.Contains(renamed, info.StdErr, StringComparison.Ordinal);

        var backtest = await BacktestAsync(store, "2025-03-01", "2025-03-31");
        Assert.True(backtest.ExitCode == 2, backtest.ToString());
        Assert.Contains(renamed, backtest.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoreRangeWithNoData_FailsTheRun_WithNoBars()
    {
        var (store, _, _) = await SmallStoreAsync();
        var backtest = await BacktestAsync(store, "2023-06-01", "2023-06-30");
        Assert.True(backtest.ExitCode == 2, backtest.ToString());
        Assert.Contains("no bars", backtest.StdErr, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<CliResult> BacktestAsync(string store, string from, string to)
    {
        var output = Path.Combine(_dir.Path, "run-" + Guid.NewGuid().ToString("N")).Replace('\\', '/');
        var config = _dir.File("config-" + Guid.NewGuid().ToString("N") + ".json", $$"""
            { "data": { "provider": "store", "path": "{{store.Replace('\\', '/')}}", "symbols": ["BTC-USD"], "asset_class": "crypto",
                        "timeframe": "1m", "from": "{{from}}", "to": "{{to}}" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 3, "slow": 6 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 1 },
              "exchange": { "commission": { "model": "zero" } },
              "output": { "dir": "{{output}}", "report": false } }
            """);
        return await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
    }

    private static string FirstDifference(List<Bar> actual, List<Bar> expected)
    {
        for (var i = 0; i < Math.Min(actual.Count, expected.Count); i++)
        {
            if (actual[i] != expected[i])
            {
                return $"{i}: {actual[i]} instead of {expected[i]}";
            }
        }

        return "the end";
    }
}

/// <summary>
/// <c>data import</c> in bounded memory (issue 10 #16): incoming bars are held a run at a time (out-of-order runs spilled
/// sorted to disk) and merged with the stored month row group by row group; the result is what an in-memory merge gives.
/// </summary>
public sealed class StoreStreamingWriteTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private static readonly DateTime T0 = new(2024, 1, 10, 0, 0, 0, DateTimeKind.Utc);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Bar B(int minute, decimal close, int? trades = null) =>
        new(Btc, T0.AddMinutes(minute), T0.AddMinutes(minute + 1), close, close, close, close, 1m, trades, null);

    [Fact]
    public async Task ShuffledInputWithDuplicates_AcrossSpilledRuns_MergesIntoAStoredMonth_AsAnInMemoryMergeWould()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new ParquetBarStore(_dir.Path) { SpillRunSize = 7, RowGroupRows = 10 };
        var model = new SortedDictionary<DateTime, Bar>();

        // Stored: every even minute of 0..99, scale 1.
        var stored = Enumerable.Range(0, 50).Select(i => B(2 * i, 100.5m)).ToList();
        var first = await store.WriteAsync(stored, Timeframe.OneMinute, "stored", ct);
        Assert.Equal(0, first.ReplacedBars);
        foreach (var b in stored)
        {
            model[b.Start] = b;
        }

        // Incoming: minutes 50..149 shuffled, a third of them twice (the later copy differs and must win), scale 3.
        var random = new Random(7);
        var incoming = new List<Bar>();
        foreach (var m in Enumerable.Range(50, 100).OrderBy(_ => random.Next()))
        {
            incoming.Add(B(m, 200m + m));
            if (m % 3 == 0)
            {
                incoming.Insert(random.Next(incoming.Count), B(m, 1m)); // an earlier copy, placed before the later one
            }
        }

        // The earlier copy must come before the later one in the input for "last wins" to be well defined.
        incoming = incoming.Where(b => b.Close == 1m).Concat(incoming.Where(b => b.Close != 1m)).ToList();
        foreach (var b in incoming)
        {
            model[b.Start] = b;
        }

        var second = await store.WriteAsync(incoming, Timeframe.OneMinute, "incoming", ct);
        var expectedReplaced = 25 + incoming.Count(b => b.Close == 1m); // stored even minutes 50..98, and each earlier copy
        Assert.Equal(expectedReplaced, second.ReplacedBars);
        Assert.Equal(model.Values, store.ReadBars(Btc, Timeframe.OneMinute).ToList());
        Assert.Equal(model.Count, second.Partitions.Single().Bars);

        // Row groups of the fixed size, the last one the rest; nothing left behind.
        var partition = second.Partitions.Single().Path;
        await using var stream = File.OpenRead(partition);
        await using var reader = await Parquet.ParquetReader.CreateAsync(stream, cancellationToken: ct);
        var sizes = Enumerable.Range(0, reader.RowGroupCount).Select(g => { using var group = reader.OpenRowGroupReader(g); return group.RowCount; }).ToList();
        Assert.Equal(Enumerable.Repeat(10L, model.Count / 10).Append(model.Count % 10).Where(n => n > 0), sizes);
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task SortedInput_IsNeverSpilled_AndAFreshMonthIsWrittenInRowGroups()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new ParquetBarStore(_dir.Path) { SpillRunSize = 4, RowGroupRows = 3 };
        var bars = Enumerable.Range(0, 11).Select(i => B(i, 10m + i, i)).ToList();
        var result = await store.WriteAsync(bars, Timeframe.OneMinute, "fresh", ct);
        Assert.Equal(0, result.ReplacedBars);
        Assert.Equal(bars, store.ReadBars(Btc, Timeframe.OneMinute).ToList());
        await using var stream = File.OpenRead(result.Partitions.Single().Path);
        await using var reader = await Parquet.ParquetReader.CreateAsync(stream, cancellationToken: ct);
        Assert.Equal(4, reader.RowGroupCount);
    }
}
