using StrategyLab.Core.Domain;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Store;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Yearly partition files and the monthly files of the layout before: a store written by the previous version
/// (the fixture <c>Data/Fixtures/legacy-store</c>, imported from <c>legacy-store.csv</c>: BTC-USD and ETH-USD,
/// 2023-12-31 23:50 .. 2024-02-01 00:09) reads the same, migrates without losing a bar, and mixes with yearly files.
/// </summary>
public class StoreLayoutTests
{
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private static readonly Symbol Eth = Symbol.Crypto("ETH-USD");
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures");

    /// <summary>A copy of the fixture store (tests write to it).</summary>
    private static string CopyLegacyStore(TempDir dir)
    {
        var root = Path.Combine(dir.Path, "store");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Fixtures, "legacy-store"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(Path.Combine(Fixtures, "legacy-store"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return root;
    }

    private static List<Bar> CsvBars(Symbol symbol) =>
        new CsvBarReader(Path.Combine(Fixtures, "legacy-store.csv"), new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = symbol })
            .ReadBars().ToList();

    private static string[] PartitionFileNames(string root, Symbol symbol) =>
        Directory.EnumerateFiles(Path.Combine(root, "1m", symbol.Ticker)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void AStoreOfMonthlyFiles_ReadsTheBarsItWasWrittenWith()
    {
        using var dir = new TempDir();
        var root = CopyLegacyStore(dir);
        Assert.Contains("2024-01.parquet", PartitionFileNames(root, Btc));
        var store = new ParquetBarStore(root);
        foreach (var symbol in new[] { Btc, Eth })
        {
            var expected = CsvBars(symbol);
            Assert.Equal(expected, store.ReadBars(symbol, Timeframe.OneMinute).ToList());
            var batches = store.ReadBatches(symbol, Timeframe.OneMinute, DateTime.MinValue, DateTime.MaxValue).SelectMany(b => b.ToArray()).ToList();
            Assert.Equal(expected, batches);
            Assert.Equal(["2023-12", "2024-01", "2024-02"], store.GetPartitions(symbol, Timeframe.OneMinute).Select(p => p.Month.ToString("yyyy-MM", null)));
        }
    }

    [Fact]
    public async Task Migrate_KeepsEveryBarAndMonth_WritesYearlyFilesWithChecksums_AndRemovesTheMonthlyOnes()
    {
        using var dir = new TempDir();
        var root = CopyLegacyStore(dir);
        var store = new ParquetBarStore(root);
        var before = store.ListSeries().Select(s => (s.Symbol, s.Timeframe, Months: s.Partitions.Select(p => (p.Month, p.Bars, p.Source)).ToList())).ToList();

        var result = await store.MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new StoreMigrationResult(6, 4, CsvBars(Btc).Count + CsvBars(Eth).Count), result);
        Assert.Equal(["2023.parquet", "2023.parquet.sha256", "2024.parquet", "2024.parquet.sha256"], PartitionFileNames(root, Btc));
        var after = store.ListSeries().Select(s => (s.Symbol, s.Timeframe, Months: s.Partitions.Select(p => (p.Month, p.Bars, p.Source)).ToList())).ToList();
        Assert.Equal(before.Count, after.Count);
        for (var i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i].Symbol, after[i].Symbol);
            Assert.Equal(before[i].Months, after[i].Months);
        }

        foreach (var symbol in new[] { Btc, Eth })
        {
            Assert.Equal(CsvBars(symbol), store.ReadBars(symbol, Timeframe.OneMinute).ToList()); // verifies each file's SHA-256 too
        }

        // A damaged yearly file is caught by its checksum, as a monthly one was.
        var path = Path.Combine(root, "1m", "BTC-USD", "2024.parquet");
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 3] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        var e = Assert.Throws<StrategyLab.Data.DataFormatException>(() => store.ReadBars(Btc, Timeframe.OneMinute).ToList());
        Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal);

        Assert.Equal(new StoreMigrationResult(0, 0, 0), await store.MigrateAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AWrite_MigratesTheYearItTouches_AndARangeAcrossBothLayouts_ReadsEachBarOnce()
    {
        using var dir = new TempDir();
        var root = CopyLegacyStore(dir);
        var store = new ParquetBarStore(root);

        // New bars in 2024 (one replaces a stored bar): 2024 becomes a yearly file; December 2023 stays a monthly file.
        var t = new DateTime(2024, 1, 15, 12, 0, 0, DateTimeKind.Utc);
        var stored = CsvBars(Btc);
        var replacedStart = stored.First(b => b.Start.Year == 2024).Start;
        Bar[] added =
        [
            new(Btc, replacedStart, replacedStart.AddMinutes(1), 7m, 8m, 6m, 7.5m, 1m),
            new(Btc, t, t.AddMinutes(1), 5m, 6m, 4m, 5.5m, 2m),
        ];
        var result = await store.WriteAsync(added, Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        Assert.Equal(1, result.ReplacedBars);
        Assert.Equal(["2024-01"], result.Partitions.Select(p => p.Month.ToString("yyyy-MM", null)));
        Assert.Equal(["2023-12.parquet", "2023-12.parquet.sha256", "2024.parquet", "2024.parquet.sha256"], PartitionFileNames(root, Btc));

        var expected = stored.Where(b => b.Start != replacedStart).Append(added[0]).Append(added[1]).OrderBy(b => b.Start).ToList();
        Assert.Equal(expected, store.ReadBars(Btc, Timeframe.OneMinute).ToList());
        var (from, to) = (new DateTime(2023, 12, 31, 23, 55, 0, DateTimeKind.Utc), new DateTime(2024, 2, 1, 0, 5, 0, DateTimeKind.Utc));
        Assert.Equal(expected.Where(b => b.Start >= from && b.Start < to), store.ReadBars(Btc, Timeframe.OneMinute, from, to).ToList());
        Assert.Equal(expected.Count, store.GetPartitions(Btc, Timeframe.OneMinute).Sum(p => p.Bars));

        // A monthly file left beside its year's file (a migration stopped before deleting it) is not read twice.
        foreach (var name in new[] { "2024-01.parquet", "2024-01.parquet.sha256" })
        {
            File.Copy(Path.Combine(Fixtures, "legacy-store", "1m", "BTC-USD", name), Path.Combine(root, "1m", "BTC-USD", name));
        }

        Assert.Equal(expected, store.ReadBars(Btc, Timeframe.OneMinute).ToList());
        Assert.Equal(expected.Count, store.GetPartitions(Btc, Timeframe.OneMinute).Sum(p => p.Bars));
        Assert.Equal(expected.Select(b => DateOnly.FromDateTime(b.Start)).Distinct(), store.GetDates(Btc, Timeframe.OneMinute));

        // The next write of 2024 removes the leftover.
        await store.WriteAsync([new Bar(Btc, t.AddDays(1), t.AddDays(1).AddMinutes(1), 5m, 6m, 4m, 5.5m, 2m)], Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        Assert.DoesNotContain("2024-01.parquet", PartitionFileNames(root, Btc));
        Assert.Equal(expected.Count + 1, store.ReadBars(Btc, Timeframe.OneMinute).Count());
    }

    [Fact]
    public async Task DataMigrate_OnTheCommandLine_MigratesAndSaysWhat()
    {
        using var dir = new TempDir();
        var root = CopyLegacyStore(dir);

        var r = await CliRunner.RunInProcessAsync("data", "migrate", root);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("migrated 6 monthly file(s) into 4 yearly file(s)", r.StdOut, StringComparison.Ordinal);

        r = await CliRunner.RunInProcessAsync("data", "migrate", root);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("nothing to migrate", r.StdOut, StringComparison.Ordinal);

        var info = await CliRunner.RunInProcessAsync("data", "info", root, "--symbol", "ETH-USD");
        Assert.True(info.ExitCode == 0, info.ToString());

        r = await CliRunner.RunInProcessAsync("data", "migrate", dir.Path);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("not a bar store", r.StdErr, StringComparison.Ordinal);
    }
}
