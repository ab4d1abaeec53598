using CsCheck;
using Parquet;
using Parquet.Schema;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Data.Store;

namespace StrategyLab.Tests.Data;

public class ParquetBarStoreTests
{
    private static readonly Symbol Btc = Symbol.Crypto("BTC-USD");
    private static readonly Symbol Spy = Symbol.Equity("SPY");

    private const string AwkwardCsv =
        "time,open,high,low,close,volume,trades,vwap\n" +
        "2024-01-31T23:58:00Z,0.00001234,0.00001240,0.00001230,0.00001235,0.00000001,3,0.00001236\n" +
        "2024-01-31T23:59:00Z,123456.789,123456.789,123456.789,123456.789,1e-8,,\n" +
        "2024-02-01T00:00:00Z,42000,42000.5,41999.99999999,42000.25,12.5,1,\n";

    private static List<Bar> ReadCsv(string csv, Symbol symbol, Timeframe tf) =>
        new CsvBarReader("t.csv", () => new StringReader(csv), new CsvBarReaderOptions { Timeframe = tf, Symbol = symbol })
            .ReadBars().ToList();

    [Fact]
    public async Task CsvToStoreToBars_IsExact()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        var bars = ReadCsv(AwkwardCsv, Btc, Timeframe.OneMinute);
        var result = await store.WriteAsync(bars, Timeframe.OneMinute, "csv:test", TestContext.Current.CancellationToken);
        Assert.Equal(3, result.BarsReceived);
        Assert.Equal(["2024-01", "2024-02"], result.Partitions.Select(p => p.Month.ToString("yyyy-MM", null)));

        var back = store.ReadBars(Btc, Timeframe.OneMinute).ToList();
        Assert.Equal(bars, back);
        Assert.Equal(0.00001234m, back[0].Open);
        Assert.Equal(0.00001236m, back[0].Vwap);
        Assert.Equal(3, back[0].TradeCount);
        Assert.Equal(123456.789m, back[1].High);
        Assert.Equal(0.00000001m, back[1].Volume);
        Assert.Null(back[1].TradeCount);
        Assert.Null(back[1].Vwap);
        Assert.Equal(41999.99999999m, back[2].Low);
        Assert.Equal(12.5m, back[2].Volume);
    }

    [Fact]
    public async Task Partition_IsInt64Decimal_WithTheSmallestScale_AndMetadata()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        await store.WriteAsync(ReadCsv(AwkwardCsv, Btc, Timeframe.OneMinute), Timeframe.OneMinute, "csv:test", TestContext.Current.CancellationToken);
        Assert.True(ParquetBarStore.IsStore(dir.Path));
        var year = Path.Combine(dir.Path, "1m", "BTC-USD", "2024.parquet");
        Assert.True(File.Exists(year));

        // Read with Parquet.Net's own decimal conversion, independently of the store's reader.
        await using var stream = File.OpenRead(year);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        var fields = reader.Schema.DataFields.ToDictionary(f => f.Name);
        // One file for the year (January's bars have a VWAP, so the file has the column).
        Assert.Equal(["start", "end", "open", "high", "low", "close", "volume", "trades", "vwap"], reader.Schema.DataFields.Select(f => f.Name));
        var open = Assert.IsType<DecimalDataField>(fields["open"]);
        Assert.Equal((18, 8), (open.Precision, open.Scale)); // 41999.99999999 needs 8 places
        Assert.Equal(8, Assert.IsType<DecimalDataField>(fields["volume"]).Scale); // 1e-8
        Assert.Equal("bars/1", reader.CustomMetadata["strategylab.format"]);
        Assert.Equal("BTC-USD", reader.CustomMetadata["strategylab.symbol"]);
        Assert.Equal("Crypto", reader.CustomMetadata["strategylab.asset_class"]);
        Assert.Equal("1m", reader.CustomMetadata["strategylab.timeframe"]);
        Assert.Equal("2024", reader.CustomMetadata["strategylab.year"]);
        Assert.Equal("2024-01,2024-02", reader.CustomMetadata["strategylab.row_groups"]); // a row group per month
        Assert.Equal("csv:test", reader.CustomMetadata["strategylab.source"]);
        using var group = reader.OpenRowGroupReader(1);
        var lows = new decimal[1];
        await group.ReadAsync<decimal>(fields["low"], lows, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(41999.99999999m, lows[0]);
        var starts = new DateTime[1];
        await group.ReadAsync<DateTime>(fields["start"], starts, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Utc.At(2024, 2, 1), starts[0]);
    }

    [Fact]
    public void RandomBars_RoundTripExactly()
    {
        var genBar = Gen.Select(Gen.Long[1, 999_999_999L], Gen.Int[0, 8], Gen.Long[0, 9_999_999_999L], Gen.Int[0, 8], Gen.Int[0, 3])
            .Select((units, scale, volUnits, volScale, spread) => (units, scale, volUnits, volScale, spread));
        Gen.Select(genBar.List[1, 40], Gen.Int[0, 10_000]).Sample((rows, startMinute) =>
        {
            using var dir = new TempDir();
            var store = new ParquetBarStore(dir.Path);
            var t0 = Utc.At(2024, 3, 30).AddMinutes(startMinute);
            var bars = rows.Select((r, i) =>
            {
                var price = r.units / Pow10(r.scale);
                var tick = 1m / Pow10(r.scale);
                var high = price + (r.spread * tick);
                var start = t0.AddMinutes(i * 97); // crosses into April for larger lists
                return new Bar(Btc, start, start.AddMinutes(1), price, high, price, high, r.volUnits / Pow10(r.volScale),
                    r.spread == 0 ? null : r.spread, r.spread == 1 ? price : null);
            }).ToList();
            // CSV text (invariant decimals, ISO UTC times) → CsvBarReader → store → bars: every step exact.
            var csv = new System.Text.StringBuilder("time,open,high,low,close,volume,trades,vwap\n");
            foreach (var b in bars)
            {
                csv.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"{b.Start:yyyy-MM-ddTHH:mm:ssZ},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume},{b.TradeCount},{b.Vwap}\n");
            }

            var parsed = ReadCsv(csv.ToString(), Btc, Timeframe.OneMinute);
            store.WriteAsync(parsed, Timeframe.OneMinute, "property").GetAwaiter().GetResult();
            var back = store.ReadBars(Btc, Timeframe.OneMinute).ToList();
            return parsed.SequenceEqual(bars) && back.SequenceEqual(bars);
        }, iter: 40);
    }

    [Fact]
    public async Task WritingAnExistingMonth_Merges_NewBarsWin()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        var ct = TestContext.Current.CancellationToken;
        var t = Utc.At(2024, 5, 10, 12, 0);
        await store.WriteAsync([B(t, 1), B(t.AddMinutes(1), 2), B(t.AddMinutes(2), 3)], Timeframe.OneMinute, "first", ct);
        var result = await store.WriteAsync([B(t.AddMinutes(1), 20), B(t.AddMinutes(3), 4)], Timeframe.OneMinute, "second", ct);
        Assert.Equal(1, result.ReplacedBars);
        var back = store.ReadBars(Btc, Timeframe.OneMinute).ToList();
        Assert.Equal([1m, 20m, 3m, 4m], back.Select(b => b.Close));
        Assert.Equal(4, Assert.Single(result.Partitions).Bars);

        // Duplicates inside one input: the later one wins, deterministically.
        var again = await store.WriteAsync([B(t, 7), B(t, 8)], Timeframe.OneMinute, "third", ct);
        Assert.Equal(2, again.ReplacedBars);
        Assert.Equal([8m, 20m, 3m, 4m], store.ReadBars(Btc, Timeframe.OneMinute).Select(b => b.Close));
        Assert.Equal("third", store.GetPartitions(Btc, Timeframe.OneMinute).Single().Source);
    }

    [Fact]
    public async Task Months_AreExchangeLocal()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        // 2024-01-31 19:59 New York is 2024-02-01T00:59Z: it belongs to January.
        var lateJan = new Bar(Spy, Utc.At(2024, 2, 1, 0, 59), Utc.At(2024, 2, 1, 1, 0), 1, 1, 1, 1, 1);
        var febOpen = new Bar(Spy, Utc.At(2024, 2, 1, 14, 30), Utc.At(2024, 2, 1, 14, 31), 2, 2, 2, 2, 2);
        await store.WriteAsync([lateJan, febOpen], Timeframe.OneMinute, "t", TestContext.Current.CancellationToken);
        var partitions = store.GetPartitions(Spy, Timeframe.OneMinute);
        Assert.Equal([new DateOnly(2024, 1, 1), new DateOnly(2024, 2, 1)], partitions.Select(p => p.Month));
        Assert.Equal([1L, 1L], partitions.Select(p => p.Bars));
        Assert.Equal([new DateOnly(2024, 1, 31), new DateOnly(2024, 2, 1)], store.GetDates(Spy, Timeframe.OneMinute));
        // Date reads use exchange dates; instant reads use [from, to).
        Assert.Equal([lateJan], store.ReadBars(Spy, Timeframe.OneMinute, new DateOnly(2024, 1, 31), new DateOnly(2024, 1, 31)));
        Assert.Equal([febOpen], store.ReadBars(Spy, Timeframe.OneMinute, new DateOnly(2024, 2, 1), new DateOnly(2024, 2, 29)));
        Assert.Equal([lateJan], store.ReadBars(Spy, Timeframe.OneMinute, Utc.At(2024, 2, 1), Utc.At(2024, 2, 1, 14, 30)));
        Assert.Equal([febOpen], store.ReadBars(Spy, Timeframe.OneMinute, Utc.At(2024, 2, 1, 14, 30), Utc.At(2024, 2, 1, 14, 31)));
        Assert.Empty(store.ReadBars(Spy, Timeframe.OneMinute, Utc.At(2024, 2, 1, 14, 31), Utc.At(2024, 3, 1)));
    }

    [Fact]
    public async Task RangeReads_AcrossManyRowGroupsAndMonths()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        var t0 = Utc.At(2024, 1, 1);
        const int n = 200_000; // two row groups in January, the rest in February... (1-minute bars: 44,640 in January)
        var bars = Enumerable.Range(0, n).Select(i => B(t0.AddMinutes(i), 1 + (i % 1000 * 0.01m))).ToList();
        await store.WriteAsync(bars, Timeframe.OneMinute, "t", TestContext.Current.CancellationToken);
        Assert.Equal(n, store.ReadBars(Btc, Timeframe.OneMinute).Count());
        var from = t0.AddMinutes(150_000);
        var to = t0.AddMinutes(150_010);
        Assert.Equal(bars.GetRange(150_000, 10), store.ReadBars(Btc, Timeframe.OneMinute, from, to));
        var batched = store.ReadBatches(Btc, Timeframe.OneMinute, from, t0.AddMinutes(199_990)).SelectMany(b => b.ToArray()).ToList();
        Assert.Equal(bars.GetRange(150_000, 49_990), batched);
        var series = Assert.Single(store.ListSeries());
        Assert.Equal((Btc, Timeframe.OneMinute, (long)n), (series.Symbol, series.Timeframe, series.Bars));
        Assert.Equal(5, series.Partitions.Count); // 200,000 minutes from 2024-01-01 run into May
    }

    [Fact]
    public async Task Reads_ReuseColumnsAcrossYearlyFiles_AndHandOutSmallSegments()
    {
        // One series, two yearly files read with one set of column arrays: a short month then a longer one (the arrays
        // grow), then a year whose file has no trade-count or VWAP column (none may leak from the year before), then a
        // longer month again. Every bar comes back exactly, in segments of at most SegmentBars.
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        var bars = new List<Bar>();
        void Month(DateTime start, int count, bool counts)
        {
            for (var i = 0; i < count; i++)
            {
                var close = 100 + (i % 97 * 0.25m);
                var t = start.AddMinutes(i);
                bars.Add(counts ? new Bar(Btc, t, t.AddMinutes(1), close, close, close, close, 2m, i % 5, close) : B(t, close));
            }
        }

        Month(Utc.At(2023, 11, 1), 300, counts: true);
        Month(Utc.At(2023, 12, 1), 1_700, counts: true);
        Month(Utc.At(2024, 1, 1), 1_100, counts: false);
        Month(Utc.At(2024, 2, 1), 2_500, counts: false);
        await store.WriteAsync(bars, Timeframe.OneMinute, "t", TestContext.Current.CancellationToken);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(dir.Path, "1m", "BTC-USD"), "*.parquet").Length);

        Assert.Equal(bars, store.ReadBars(Btc, Timeframe.OneMinute).ToList());
        var segments = store.ReadBatches(Btc, Timeframe.OneMinute, DateTime.MinValue, DateTime.MaxValue).Select(b => b.ToArray()).ToList();
        Assert.Equal(bars, segments.SelectMany(b => b).ToList());
        Assert.All(segments, s => Assert.InRange(s.Length, 1, ParquetBarStore.SegmentBars));
        Assert.Null(store.ReadBars(Btc, Timeframe.OneMinute).Last().TradeCount);
    }

    [Fact]
    public async Task ValueTooWideForDecimal18_IsAnError()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        var bar = new Bar(Btc, Utc.At(2024, 1, 1), Utc.At(2024, 1, 1, 0, 1), 1, 1, 1, 1, 12345678901234.123456m);
        var e = await Assert.ThrowsAsync<DataFormatException>(() => store.WriteAsync([bar], Timeframe.OneMinute, "t", TestContext.Current.CancellationToken));
        Assert.Equal("volume", e.Field);
        Assert.Contains("needs more than 18 digits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadingWithTheWrongAssetClass_IsAnError()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        await store.WriteAsync([B(Utc.At(2024, 1, 2, 15), 1)], Timeframe.OneMinute, "t", TestContext.Current.CancellationToken);
        var e = Assert.Throws<DataFormatException>(() => store.ReadBars(Symbol.Equity("BTC-USD"), Timeframe.OneMinute).ToList());
        Assert.Contains("holds BTC-USD (Crypto), not BTC-USD (UsEquity)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TickerFolders_ArePercentEncoded()
    {
        Assert.Equal("BINANCE%3ABTCUSDT", ParquetBarStore.EncodeTicker("BINANCE:BTCUSDT"));
        Assert.Equal("BTC%2FUSD", ParquetBarStore.EncodeTicker("BTC/USD"));
        Assert.Equal("BRK.B", ParquetBarStore.EncodeTicker("BRK.B"));
        var store = new ParquetBarStore("/tmp/s");
        Assert.EndsWith(Path.Combine("1h", "X%3ABTCUSD", "2024.parquet"), store.PartitionPath(Symbol.Parse("X:BTCUSD"), Timeframe.OneHour, new DateOnly(2024, 3, 1)), StringComparison.Ordinal);
    }

    private static Bar B(DateTime start, decimal close) =>
        new(Btc, start, start.AddMinutes(1), close, close, close, close, 1m);

    private static decimal Pow10(int n)
    {
        var p = 1m;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }
}
