using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Store;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Issue 12 (session 32): a series' next large (yearly) partition is opened — its checksum read and checked, its
/// footer parsed — in the background while the one before is read, so that ten symbols' files are not all checked at
/// the same year's end while the engine waits. The bars, and an error and the bars before it, must be those of opening
/// each file when it is reached; a file opened ahead and never reached is closed and its error is not the read's.
/// </summary>
public sealed class StoreOpenAheadTests
{
    private static readonly Symbol[] Symbols = [Symbol.Equity("MSFT"), Symbol.Equity("AAPL"), Symbol.Crypto("BTC-USD")];

    /// <summary>A bar every five hours from mid-December 2021 into January 2024: four yearly files per symbol.</summary>
    private static List<Bar> Series(Symbol symbol, int seed)
    {
        var rng = new Random(seed);
        var bars = new List<Bar>();
        for (var t = new DateTime(2021, 12, 20, 14, 30, 0, DateTimeKind.Utc); t < new DateTime(2024, 1, 12, 0, 0, 0, DateTimeKind.Utc); t = t.AddHours(5))
        {
            var open = 100m + rng.Next(0, 1000) / 100m;
            var close = 100m + rng.Next(0, 1000) / 100m;
            bars.Add(new Bar(symbol, t, t.AddMinutes(1), open, Math.Max(open, close) + 0.01m, Math.Min(open, close) - 0.01m, close, rng.Next(1, 1000)));
        }

        return bars;
    }

    private static async Task<TempDir> WriteStore()
    {
        var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path) { RowGroupRows = 100 };
        for (var i = 0; i < Symbols.Length; i++)
        {
            await store.WriteAsync(Series(Symbols[i], i), Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        }

        return dir;
    }

    /// <summary>Every file is "large" (read from disk a row group at a time, and opened ahead when <paramref name="ahead"/>).</summary>
    private static ParquetBarStore Reader(string path, bool ahead) => new(path) { InMemoryFileBytes = 0, OpenAhead = ahead };

    private static (List<Bar> Bars, Exception? Error) Read(IEnumerable<Bar> bars, int? take = null)
    {
        var seen = new List<Bar>();
        try
        {
            foreach (var bar in bars)
            {
                seen.Add(bar);
                if (seen.Count == take)
                {
                    break;
                }
            }

            return (seen, null);
        }
        catch (Exception e)
        {
            return (seen, e);
        }
    }

    [Fact]
    public async Task OpenedAhead_TheSameBars_ForWholeSeriesRangesAndTheMerge()
    {
        using var dir = await WriteStore();
        Assert.Equal(4, Directory.GetFiles(dir.Path, "*.parquet", SearchOption.AllDirectories).Length / Symbols.Length);
        var (ahead, plain) = (Reader(dir.Path, true), Reader(dir.Path, false));
        foreach (var s in Symbols)
        {
            Assert.Equal(Series(s, Array.IndexOf(Symbols, s)), ahead.ReadBars(s, Timeframe.OneMinute).ToList());
            var (from, to) = (new DateTime(2022, 11, 3, 0, 0, 0, DateTimeKind.Utc), new DateTime(2023, 2, 7, 0, 0, 0, DateTimeKind.Utc));
            Assert.Equal(plain.ReadBars(s, Timeframe.OneMinute, from, to).ToList(), ahead.ReadBars(s, Timeframe.OneMinute, from, to).ToList());
        }

        Assert.Equal(
            SliceMerge.Merge(Symbols.Select(s => plain.ReadBars(s, Timeframe.OneMinute)).ToList()).ToList(),
            SliceMerge.Merge(Symbols.Select(s => ahead.ReadBars(s, Timeframe.OneMinute)).ToList()).ToList());

        // Left inside 2022, with 2023 opened ahead: that file is closed too.
        Assert.Equal(200, Read(ahead.ReadBars(Symbols[0], Timeframe.OneMinute), take: 200).Bars.Count);
        using (new FileStream(ahead.PartitionPath(Symbols[0], Timeframe.OneMinute, new DateOnly(2023, 6, 1)), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            // opening it exclusively proves no handle is left open
        }
    }

    [Fact]
    public async Task ADamagedLaterFile_FailsWithTheSameError_AfterTheSameBars_AndNotWhereItIsNeverReached()
    {
        using var dir = await WriteStore();
        var store = new ParquetBarStore(dir.Path);
        var damaged = store.PartitionPath(Symbols[1], Timeframe.OneMinute, new DateOnly(2023, 6, 1));
        var bytes = await File.ReadAllBytesAsync(damaged, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0xFF; // its checksum no longer matches
        await File.WriteAllBytesAsync(damaged, bytes, TestContext.Current.CancellationToken);

        var expected = Read(Reader(dir.Path, false).ReadBars(Symbols[1], Timeframe.OneMinute));
        var actual = Read(Reader(dir.Path, true).ReadBars(Symbols[1], Timeframe.OneMinute));
        Assert.IsType<DataFormatException>(expected.Error);
        Assert.Contains("2023.parquet", expected.Error.Message, StringComparison.Ordinal);
        Assert.Same(typeof(DataFormatException), actual.Error?.GetType());
        Assert.Equal(expected.Error.Message, actual.Error!.Message);
        Assert.Equal(expected.Bars, actual.Bars);
        Assert.Equal(Series(Symbols[1], 1).Take(actual.Bars.Count), actual.Bars); // 2021 and 2022 (exchange-local years)
        Assert.InRange(actual.Bars[^1].Start, new DateTime(2022, 12, 31, 0, 0, 0, DateTimeKind.Utc), new DateTime(2023, 1, 1, 5, 0, 0, DateTimeKind.Utc));

        var merged = Read(SliceMerge.Merge(Symbols.Select(s => Reader(dir.Path, true).ReadBars(s, Timeframe.OneMinute)).ToList()));
        var mergedPlain = Read(SliceMerge.Merge(Symbols.Select(s => Reader(dir.Path, false).ReadBars(s, Timeframe.OneMinute)).ToList()));
        Assert.Equal(mergedPlain.Error?.Message, merged.Error?.Message);
        Assert.Equal(mergedPlain.Bars, merged.Bars);

        // Left inside 2022, while 2023 was being opened ahead: no error, and the file is closed.
        var early = Read(Reader(dir.Path, true).ReadBars(Symbols[1], Timeframe.OneMinute), take: 200);
        Assert.Null(early.Error);
        Assert.Equal(200, early.Bars.Count);
        using (new FileStream(damaged, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            // opening it exclusively proves no handle is left open
        }

        // A range ending before the damaged year never opens it.
        var before = Read(Reader(dir.Path, true).ReadBars(Symbols[1], Timeframe.OneMinute, new DateTime(2022, 3, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2022, 12, 31, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Null(before.Error);
        Assert.NotEmpty(before.Bars);
    }
}
