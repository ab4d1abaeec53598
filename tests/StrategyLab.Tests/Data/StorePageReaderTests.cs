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

    /// <summary>The bars of <paramref name="bars"/> with a trade count and a VWAP (null where the functions give null).</summary>
    private static List<Bar> WithTradesAndVwap(List<Bar> bars, Func<int, int?> trades, Func<int, decimal?> vwap) =>
        bars.Select((b, i) => new Bar(b.Symbol, b.Start, b.End, b.Open, b.High, b.Low, b.Close, b.Volume, trades(i), vwap(i))).ToList();

    public static TheoryData<string> Cases() =>
    [
        "one bar", "row groups across months and years", "smallest and largest scaled prices", "largest unscaled prices and volumes", "zero volumes, whole prices",
        "trades and vwap, some null, across months and years", "trades and vwap: groups with no nulls, all null, some null", "trades only", "vwap only",
        "trades and vwap, all null", "largest trade counts, smallest and largest scaled vwap", "largest unscaled vwap", "one bar with trades and vwap",
    ];

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

        // Nulls in irregular runs (RLE runs of 1 and longer), 7-row groups each month ending in a partial one, two files;
        // VWAPs with trailing zeros keep the price scale (100.10 is not 100.1).
        "trades and vwap, some null, across months and years" => WithTradesAndVwap(Case("row groups across months and years"),
            i => i % 3 == 0 || i % 7 == 1 ? null : i * 11, i => i % 4 == 0 || i % 5 == 2 ? null : 100.1m + (i % 9 * 0.05m)),

        // 7-row groups: the first without nulls, the second all null, the third mixed, the last partial.
        "trades and vwap: groups with no nulls, all null, some null" => WithTradesAndVwap(Case("zero volumes, whole prices").Take(26).ToList(),
            i => i < 7 ? i : i < 14 ? null : i % 2 == 0 ? null : 1000 + i, i => i < 7 ? 470m : i < 14 ? null : i % 3 == 0 ? 470.5m + i : null),
        "trades only" => WithTradesAndVwap(Case("zero volumes, whole prices").Take(30).ToList(), i => i % 4 == 3 ? null : i, _ => null),
        "vwap only" => WithTradesAndVwap(Case("zero volumes, whole prices").Take(30).ToList(), _ => null, i => i % 4 == 3 ? null : 470m + i),

        // Both columns written (some bar of the file had each), every value of these bars null: levels only, no values.
        "trades and vwap, all null" => [.. WithTradesAndVwap(Case("zero volumes, whole prices").Take(15).ToList(), _ => null, _ => null),
            .. WithTradesAndVwap(Case("zero volumes, whole prices").Skip(15).Take(1).ToList(), _ => 1, _ => 480m)],

        // Scale 18 (from the prices and the VWAP): one unit of 10^-18 and the largest DECIMAL(18, 18); trade counts 0 and int.MaxValue.
        "largest trade counts, smallest and largest scaled vwap" => WithTradesAndVwap(Case("smallest and largest scaled prices"),
            i => i % 3 == 0 ? int.MaxValue : i % 3 == 1 ? 0 : null, i => i % 3 == 0 ? 0.000000000000000001m : i % 3 == 1 ? 0.999999999999999999m : null),
        "largest unscaled vwap" => WithTradesAndVwap(Case("largest unscaled prices and volumes"), i => i, i => i % 2 == 0 ? 999_999_999_999_999_999m : 999_999_999_999_999_990m),
        "one bar with trades and vwap" => WithTradesAndVwap(Case("one bar"), _ => 7, _ => 1.75m),
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

    [Theory]
    [InlineData("trades and vwap, some null, across months and years", 7, 8)]
    [InlineData("trades only", 7, -1)]
    [InlineData("vwap only", -1, 7)]
    [InlineData("zero volumes, whole prices", -1, -1)]
    public async Task TheFooter_NamesTheOptionalColumns_AndTheVwapScale(string name, int trades, int vwap)
    {
        var bars = Case(name);
        var store = await WriteAsync(bars);
        var path = Partitions(store, bars[0].Symbol)[^1]; // the 2023 file of the first case has one bar, with neither
        using var file = ParquetFile.Open(path, ownPageReader: true);
        var footer = file.Footer;
        Assert.NotNull(footer);
        Assert.Equal((trades, vwap), (footer.TradesColumn, footer.VwapColumn));
        Assert.Equal((trades >= 0, vwap >= 0), (file.HasTrades, file.HasVwap));
        Assert.Equal(vwap >= 0 ? footer.PriceScale : 0, footer.VwapScale);
        Assert.All(footer.RowGroups, g => Assert.Equal(7 + (trades >= 0 ? 1 : 0) + (vwap >= 0 ? 1 : 0), g.Columns.Length));
    }

    /// <summary>A partition in the store's metadata written by Parquet.Net with other options than the store's writer uses.</summary>
    /// <remarks>With <paramref name="trades"/> a trade-count column of that field follows the seven (null every third bar if it is nullable).</remarks>
    private async Task<(string Path, List<Bar> Bars)> WriteForeignAsync(ParquetOptions options, bool longStart, DataField? trades = null)
    {
        var folder = Path.Combine(_dir.Path, "store", "1m", "BTC-USD");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(_dir.Path, "store", ParquetBarStore.MarkerFileName), "{}", TestContext.Current.CancellationToken);
        var path = Path.Combine(folder, "2024.parquet");
        var bars = Minutes(Btc, new DateTime(2024, 2, 1, 0, 0, 0, DateTimeKind.Utc), 50, i => (10m + i, 11m + i, 9m + i, 10.5m + i, i));
        if (trades is not null)
        {
            bars = WithTradesAndVwap(bars, i => trades.IsNullable && i % 3 == 0 ? null : i * 1000, _ => null);
        }

        DataField start = longStart ? new DataField<long>("start") : new DateTimeDataField("start", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Nanos);
        DataField end = new DateTimeDataField("end", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Nanos);
        var prices = new[] { "open", "high", "low", "close" }.Select(n => new DecimalDataField(n, 18, 1)).ToArray();
        var volume = new DecimalDataField("volume", 18, 0);
        await using (var stream = File.Create(path))
        {
            var fields = new List<Field> { start, end };
            fields.AddRange(prices);
            fields.Add(volume);
            if (trades is not null)
            {
                fields.Add(trades);
            }

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
            if (trades is { IsNullable: true })
            {
                await group.WriteAsync<int>(trades, bars.Select(b => b.TradeCount).ToArray(), cancellationToken: TestContext.Current.CancellationToken);
            }
            else if (trades is not null)
            {
                await group.WriteAsync<int>(trades, bars.Select(b => b.TradeCount!.Value).ToArray(), cancellationToken: TestContext.Current.CancellationToken);
            }
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
    public async Task ATradesPageInAnotherEncoding_HasItsRowGroupReadByParquetNet_WithTheSameBars()
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.None };
        options.ColumnEncodingHints["trades"] = EncodingHint.DeltaBinaryPacked;
        var (path, bars) = await WriteForeignAsync(options, longStart: false, new DataField<int?>("trades"));
        using (var file = ParquetFile.Open(path, ownPageReader: true))
        {
            Assert.NotNull(file.Footer); // the footer is in the store's shape; the trades column's page is not PLAIN
            Assert.Equal(7, file.Footer.TradesColumn);
        }

        foreach (var fromDisk in new[] { false, true })
        {
            var (byStore, byNet, read) = ReadGroups(path, Btc, own: true, fromDisk);
            Assert.Equal((0, 1), (byStore, byNet));
            Assert.Equal(bars, read);
        }
    }

    [Fact]
    public async Task ARequiredTradesColumn_IsNotTheStoresShape_AndIsReadByParquetNet_WithTheSameBars()
    {
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.None };
        var (path, bars) = await WriteForeignAsync(options, longStart: false, new DataField<int>("trades"));
        using (var file = ParquetFile.Open(path, ownPageReader: true))
        {
            Assert.Null(file.Footer);
            Assert.True(file.HasTrades);
        }

        var (byStore, byNet, read) = ReadGroups(path, Btc, own: true, fromDisk: false);
        Assert.Equal((0, 1), (byStore, byNet));
        Assert.Equal(bars, read);
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADamagedPageHeaderWithoutAChecksum_ReadsAsParquetNetReadsIt_OrFails_NeverOtherBars(bool tradesAndVwap)
    {
        var bars = Case(tradesAndVwap ? "trades and vwap, some null, across months and years" : "row groups across months and years").Skip(10).Take(20).ToList(); // all in 2024: one file
        var store = await WriteAsync(bars, rowGroupRows: 1000);
        var path = Assert.Single(Partitions(store, Btc));
        File.Delete(path + Checksum.Extension);
        var original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        // The bars (or the error) of the file, and whether the own reader decoded its row group (else Parquet.Net did).
        (string Text, bool DecodedByStore) Outcome(bool own)
        {
            PartitionReader? reader = null;
            try
            {
                reader = new PartitionReader(path, Btc, Timeframe.OneMinute, new ExchangeClock(MarketCalendars.For(Btc)), ownPageReader: own);
                var read = new List<string>();
                while (reader.NextGroup())
                {
                    for (var i = 0; i < reader.Count; i++)
                    {
                        read.Add(Fields(reader.BarAt(i)));
                    }
                }

                return (string.Join('\n', read), reader.RowGroupsReadByStore > 0);
            }
            catch (DataFormatException e)
            {
                Assert.Equal(path, e.FilePath);
                return ("error: " + e.Message, reader?.RowGroupsReadByStore > 0);
            }
            finally
            {
                reader?.Dispose();
            }
        }

        // Every byte of each column's page header (the first ~70 bytes of each chunk), and of the optional columns' whole
        // chunks (header, definition levels, values), flipped two ways.
        var asWritten = Outcome(own: false).Text;
        Assert.Equal((asWritten, true), Outcome(own: true));
        Assert.DoesNotContain("error", asWritten, StringComparison.Ordinal);
        var footer = StoreFileFooter.TryRead(new PartitionBytes(original, original.Length));
        Assert.NotNull(footer);
        var differences = new List<string>();
        Assert.Equal(tradesAndVwap ? 9 : 7, footer.RowGroups[0].Columns.Length);
        var decodedDamaged = new int[footer.RowGroups[0].Columns.Length];
        foreach (var (chunk, column) in footer.RowGroups[0].Columns.Select((c, i) => (c, i)))
        {
            for (var at = chunk.Offset; at < chunk.Offset + (column < 7 ? 72 : chunk.Length); at++)
            {
                foreach (var mask in new byte[] { 0x01, 0x5A })
                {
                    var damaged = (byte[])original.Clone();
                    damaged[at] ^= mask;
                    await File.WriteAllBytesAsync(path, damaged, TestContext.Current.CancellationToken);
                    var (own, decoded) = Outcome(own: true);
                    var net = Outcome(own: false).Text;

                    // Bars the own reader decodes are those Parquet.Net reads. Where Parquet.Net fails, the own reader fails too
                    // (not always with the same row: Parquet.Net decodes a damaged page from a pooled buffer's leftovers) or, if
                    // the damage is in a field it does not use, reads the bars as written — never other bars. Where it gives the
                    // page up, Parquet.Net reads the file (and may read a damaged page differently from one read to the next).
                    var netFailed = net.StartsWith("error: ", StringComparison.Ordinal);
                    decodedDamaged[column] += decoded ? 1 : 0;
                    if (decoded && (netFailed ? !(own.StartsWith("error: ", StringComparison.Ordinal) || own == asWritten) : own != net))
                    {
                        differences.Add($"byte {at} (column {column}) ^ {mask:X2}: own {own[..Math.Min(own.Length, 200)]} / Parquet.Net {net[..Math.Min(net.Length, 200)]}");
                    }
                }
            }
        }

        Assert.Empty(differences);

        // Damage the own reader decodes anyway (statistics, values) was met in every column.
        Assert.All(decodedDamaged, count => Assert.True(count > 0));
    }
}
