using System.Globalization;
using Parquet;
using Parquet.Schema;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Store;
using StrategyLab.Data.Time;

namespace StrategyLab.Tests.Data;

/// <summary>
/// The store's own page reader (<see cref="StoreFileFooter"/>, <see cref="PlainInt64Pages"/>) gives every field of
/// every bar exactly as the Parquet.Net path does, on every file the store's writer makes in its shape; any other file
/// (or page) is read by Parquet.Net; a damaged file fails as it did.
/// </summary>
public sealed class StorePageReaderTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Every field of a bar, decimals with their scale (1.50 is not 1.5: the run folder would differ).</summary>
    private static string Fields(Bar b)
    {
        static string D(decimal d) => string.Join(':', decimal.GetBits(d));
        return string.Create(CultureInfo.InvariantCulture,
            $"{b.Symbol}|{b.Symbol.AssetClass}|{b.Start.Ticks}|{b.Start.Kind}|{b.End.Ticks}|{b.End.Kind}|{D(b.Open)}|{D(b.High)}|{D(b.Low)}|{D(b.Close)}|{D(b.Volume)}|{b.TradeCount}|{(b.Vwap is { } v ? D(v) : "-")}");
    }

    private static List<Bar> Minutes(Symbol symbol, DateTime from, int count, Func<int, (decimal Open, decimal High, decimal Low, decimal Close, decimal Volume)> values, int step = 1)
    {
        var bars = new List<Bar>(count);
        for (var i = 0; i < count; i++)
        {
            var t = from.AddMinutes(i * step);
            var (o, h, l, c, v) = values(i);
            bars.Add(new Bar(symbol, t, t.AddMinutes(1), o, h, l, c, v));
        }

        return bars;
    }

    public static TheoryData<string> Cases() => ["one bar", "row groups across months and years", "smallest and largest scaled prices", "largest unscaled prices and volumes", "zero volumes, whole prices"];

    private static List<Bar> Case(string name) => name switch
    {
        "one bar" => Minutes(Btc, new DateTime(2024, 3, 5, 10, 0, 0, DateTimeKind.Utc), 1, _ => (1.5m, 2.25m, 1.25m, 2m, 0.001m)),

        // 7-row groups: each month ends in a partial one; the year's end starts a second file.
        "row groups across months and years" => Minutes(Btc, new DateTime(2023, 12, 31, 23, 0, 0, DateTimeKind.Utc), 250,
            i => (100m + (i % 13 * 0.37m), 100.5m + (i % 13 * 0.37m), 99.75m + (i % 13 * 0.37m), 100.1m + (i % 13 * 0.37m), 1000 + (i * 7.25m)), step: 353),

        // Scale 18: one unit of 10^-18 and the largest DECIMAL(18, 18).
        "smallest and largest scaled prices" => Minutes(Btc, new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), 40,
            i => (0.5m, 0.999999999999999999m, 0.000000000000000001m, i % 2 == 0 ? 0.000000000000000001m : 0.999999999999999999m, 0.000000000000000001m * (i + 1))),

        // Scale 0: the largest DECIMAL(18, 0) as prices and volume.
        "largest unscaled prices and volumes" => Minutes(Spy, new DateTime(2024, 6, 3, 14, 30, 0, DateTimeKind.Utc), 30,
            i => (999_999_999_999_999_990m + i % 5, 999_999_999_999_999_999m, 999_999_999_999_999_990m, 999_999_999_999_999_990m + (i % 3), 999_999_999_999_999_999m - i)),

        "zero volumes, whole prices" => Minutes(Spy, new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc), 100, i => (470m + i, 480m + i, 460m + i, 475m + i, 0m)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private async Task<ParquetBarStore> WriteAsync(List<Bar> bars, int rowGroupRows = 7)
    {
        var store = new ParquetBarStore(Path.Combine(_dir.Path, "store")) { RowGroupRows = rowGroupRows };
        await store.WriteAsync(bars, Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        return store;
    }

    private static List<string> Read(ParquetBarStore store, Symbol symbol, bool own, bool fromDisk) =>
        new ParquetBarStore(store.Root) { OwnPageReader = own, InMemoryFileBytes = fromDisk ? 0 : 1 << 20 }
            .ReadBars(symbol, Timeframe.OneMinute).Select(Fields).ToList();

    private static string[] Partitions(ParquetBarStore store, Symbol symbol) =>
        Directory.GetFiles(store.SeriesFolder(symbol, Timeframe.OneMinute), "*.parquet").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Opens a partition and reads all its row groups; the reader's counts of groups read each way.</summary>
    private static (int ByStore, int ByParquetNet, List<Bar> Bars) ReadGroups(string path, Symbol symbol, bool own, bool fromDisk)
    {
        var clock = new ExchangeClock(MarketCalendars.For(symbol));
        using var reader = new PartitionReader(path, symbol, Timeframe.OneMinute, clock, streaming: fromDisk, ownPageReader: own);
        var bars = new List<Bar>();
        while (reader.NextGroup())
        {
            for (var i = 0; i < reader.Count; i++)
            {
                bars.Add(reader.BarAt(i));
            }
        }

        return (reader.RowGroupsReadByStore, reader.RowGroupsReadByParquetNet, bars);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EveryBarOfAStoreFile_ReadByTheOwnPageReader_IsParquetNetsBar_FieldByField(string name)
    {
        var bars = Case(name);
        var symbol = bars[0].Symbol;
        var store = await WriteAsync(bars);
        Assert.Equal(bars, store.ReadBars(symbol, Timeframe.OneMinute).ToList()); // the values written (decimals compared by value)
        foreach (var fromDisk in new[] { false, true })
        {
            var parquetNet = Read(store, symbol, own: false, fromDisk);
            Assert.Equal(bars.Count, parquetNet.Count);
            Assert.Equal(parquetNet, Read(store, symbol, own: true, fromDisk));
        }

        // The files really went through the own reader (and, switched off, through Parquet.Net), every row group.
        var groups = 0;
        foreach (var path in Partitions(store, symbol))
        {
            foreach (var fromDisk in new[] { false, true })
            {
                var own = ReadGroups(path, symbol, own: true, fromDisk);
                var net = ReadGroups(path, symbol, own: false, fromDisk);
                Assert.True(own.ByStore > 0 && own.ByParquetNet == 0, $"{path}: {own.ByStore} groups by the store, {own.ByParquetNet} by Parquet.Net");
                Assert.Equal((0, own.ByStore), (net.ByStore, net.ByParquetNet));
                Assert.Equal(net.Bars.Select(Fields), own.Bars.Select(Fields));
                groups = own.ByStore;
            }
        }

        Assert.True(name != "row groups across months and years" || groups > 3, "several row groups per file");
    }

    [Fact]
    public async Task AFileWithTradeCountsOrVwap_IsReadByParquetNet_WithTheSameBars()
    {
        var t0 = new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        var bars = Enumerable.Range(0, 20).Select(i => new Bar(Btc, t0.AddMinutes(i), t0.AddMinutes(i + 1), 10m, 11m, 9m, 10.5m, 3m, i % 3 == 0 ? null : i, i % 4 == 0 ? null : 10.25m)).ToList();
        var store = await WriteAsync(bars);
        var path = Assert.Single(Partitions(store, Btc));
        using (var file = ParquetFile.Open(path, ownPageReader: true))
        {
            Assert.Null(file.Footer);
        }

        var (byStore, byNet, read) = ReadGroups(path, Btc, own: true, fromDisk: false);
        Assert.Equal((0, 3), (byStore, byNet));
        Assert.Equal(bars, read);
    }

    /// <summary>A partition in the store's metadata written by Parquet.Net with other options than the store's writer uses.</summary>
    private async Task<(string Path, List<Bar> Bars)> WriteForeignAsync(ParquetOptions options, bool longStart)
    {
        var folder = Path.Combine(_dir.Path, "store", "1m", "BTC-USD");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "store", ParquetBarStore.MarkerFileName), "{}", TestContext.Current.CancellationToken);
        var path = Path.Combine(folder, "2024.parquet");
        var bars = Minutes(Btc, new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc), 50, i => (10m + i, 11m + i, 9m + i, 10.5m + i, i));
        DataField start = longStart ? new DataField<long>("start") : new DateTimeDataField("start", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Nanos);
        DataField end = new DateTimeDataField("end", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Nanos);
        var prices = new[] { "open", "high", "low", "close" }.Select(n => new DecimalDataField(n, 18, 1)).ToArray();
        var volume = new DecimalDataField("volume", 18, 0);
        await using (var stream = File.Create(path))
        {
            var fields = new List<Field> { start, end };
            fields.AddRange(prices);
            fields.Add(volume);
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, options, cancellationToken: TestContext.Current.CancellationToken);
            writer.CustomMetadata = new Dictionary<string, string>
            {
                [ParquetBarStore.FormatKey] = ParquetBarStore.FormatValue, [ParquetBarStore.SymbolKey] = "BTC-USD", [ParquetBarStore.AssetClassKey] = "Crypto",
                [ParquetBarStore.TimeframeKey] = "1m", [ParquetBarStore.YearKey] = "2024", [ParquetBarStore.RowGroupsKey] = "2024-02",
            };
            using var group = writer.CreateRowGroup();
            if (longStart)
            {
                await group.WriteAsync<long>(start, bars.Select(b => (b.Start.Ticks - DateTime.UnixEpoch.Ticks) * 100).ToArray(), cancellationToken: TestContext.Current.CancellationToken);
            }
            else
            {
                await group.WriteAsync<DateTime>(start, bars.Select(b => b.Start).ToArray(), cancellationToken: TestContext.Current.CancellationToken);
            }

            await group.WriteAsync<DateTime>(end, bars.Select(b => b.End).ToArray(), cancellationToken: TestContext.Current.CancellationToken);
            foreach (var (field, value) in prices.Zip(new Func<Bar, decimal>[] { b => b.Open, b => b.High, b => b.Low, b => b.Close }))
            {
                await group.WriteAsync<decimal>(field, bars.Select(value).ToArray(), cancellationToken: TestContext.Current.CancellationToken);
            }

            await group.WriteAsync<decimal>(volume, bars.Select(b => b.Volume).ToArray(), cancellationToken: TestContext.Current.CancellationToken);
        }

        return (path, bars);
    }

    [Fact]
    public async Task AFileWithACompressionCodec_IsReadByParquetNet_WithTheSameBars()
    {
        var (path, bars) = await WriteForeignAsync(new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, longStart: false);
        using (var file = ParquetFile.Open(path, ownPageReader: true))
        {
            Assert.Null(file.Footer);
        }

        var (byStore, byNet, read) = ReadGroups(path, Btc, own: true, fromDisk: true);
        Assert.Equal((0, 1), (byStore, byNet));
        Assert.Equal(bars, read);
    }

    [Fact]
    public async Task APageInAnotherEncoding_HasItsRowGroupReadByParquetNet_WithTheSameBars()
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.None };
        options.ColumnEncodingHints["start"] = EncodingHint.DeltaBinaryPacked;
        var (path, bars) = await WriteForeignAsync(options, longStart: true);
        using (var file = ParquetFile.Open(path, ownPageReader: true))
        {
            Assert.NotNull(file.Footer); // the footer is in the store's shape; the start column's page is not PLAIN
        }

        foreach (var fromDisk in new[] { false, true })
        {
            var (byStore, byNet, read) = ReadGroups(path, Btc, own: true, fromDisk);
            Assert.Equal((0, 1), (byStore, byNet));
            Assert.Equal(bars, read);
        }
    }

    [Fact]
    public async Task ADamagedFileWithAChecksum_FailsWithTheSameErrorNamingIt()
    {
        var store = await WriteAsync(Case("row groups across months and years"));
        var path = Partitions(store, Btc)[0];
        var original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        foreach (var position in new[] { 0, 200, original.Length / 2, original.Length - 20 })
        {
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0x5A;
            await File.WriteAllBytesAsync(path, damaged, TestContext.Current.CancellationToken);
            foreach (var fromDisk in new[] { false, true })
            {
                var own = Assert.Throws<DataFormatException>(() => Read(store, Btc, own: true, fromDisk));
                var net = Assert.Throws<DataFormatException>(() => Read(store, Btc, own: false, fromDisk));
                Assert.Equal(path, own.FilePath);
                Assert.Contains("SHA-256", own.Message, StringComparison.Ordinal);
                Assert.Equal(net.Message, own.Message);
            }
        }
    }

    [Fact]
    public async Task ADamagedPageHeaderWithoutAChecksum_ReadsAsParquetNetReadsIt_OrFails_NeverOtherBars()
    {
        var bars = Case("row groups across months and years").Skip(10).Take(20).ToList(); // all in 2024: one file
        var store = await WriteAsync(bars, rowGroupRows: 1000);
        var path = Assert.Single(Partitions(store, Btc));
        File.Delete(path + Checksum.Extension);
        var original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        string Outcome(bool own)
        {
            try
            {
                return string.Join('\n', Read(store, Btc, own, fromDisk: false));
            }
            catch (DataFormatException e)
            {
                Assert.Equal(path, e.FilePath);
                return "error: " + e.Message;
            }
        }

        // Every byte of each column's page header (the first ~70 bytes of each chunk), flipped two ways.
        var asWritten = Outcome(own: false);
        Assert.Equal(asWritten, Outcome(own: true));
        Assert.DoesNotContain("error", asWritten, StringComparison.Ordinal);
        var footer = StoreFileFooter.TryRead(new PartitionBytes(original, original.Length));
        Assert.NotNull(footer);
        var differences = new List<string>();
        foreach (var chunk in footer.RowGroups[0].Columns)
        {
            for (var at = chunk.Offset; at < chunk.Offset + 72; at++)
            {
                foreach (var mask in new byte[] { 0x01, 0x5A })
                {
                    var damaged = (byte[])original.Clone();
                    damaged[at] ^= mask;
                    await File.WriteAllBytesAsync(path, damaged, TestContext.Current.CancellationToken);
                    string own = Outcome(own: true), net = Outcome(own: false);

                    // Bars that Parquet.Net reads, the own reader reads the same. Where Parquet.Net fails, the own reader fails too
                    // (not always with the same row: Parquet.Net decodes a damaged page from a pooled buffer's leftovers) or, if
                    // the damage is in a field it does not use, reads the bars as written — never other bars.
                    var netFailed = net.StartsWith("error: ", StringComparison.Ordinal);
                    if (netFailed ? !(own.StartsWith("error: ", StringComparison.Ordinal) || own == asWritten) : own != net)
                    {
                        differences.Add($"byte {at} ^ {mask:X2}: own {own[..Math.Min(own.Length, 200)]} / Parquet.Net {net[..Math.Min(net.Length, 200)]}");
                    }
                }
            }
        }

        Assert.Empty(differences);
    }
}
