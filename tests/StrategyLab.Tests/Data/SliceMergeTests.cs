using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Store;
using StrategyLab.Data.Time;

namespace StrategyLab.Tests.Data;

/// <summary>The store's batch merge hands out the same bars in the same order as <see cref="BarMerger"/>.</summary>
public class SliceMergeTests
{
    // Out of symbol order on purpose: the merge must order equal end times by symbol, not by stream position.
    private static readonly Symbol[] Symbols =
        [Symbol.Equity("MSFT"), Symbol.Crypto("BTC-USD"), Symbol.Equity("AAPL"), Symbol.Equity("A"), Symbol.Equity("AA"), Symbol.Equity("ZZ")];

    /// <summary>Minute bars of each symbol over a few days, with gaps, so many end times are shared by several symbols and some by one.</summary>
    private static List<List<Bar>> Generate(int seed, int minutes, DateTime? from = null)
    {
        var rng = new Random(seed);
        var start = from ?? new DateTime(2024, 1, 29, 14, 30, 0, DateTimeKind.Utc); // crosses a month end
        var result = new List<List<Bar>>();
        foreach (var symbol in Symbols)
        {
            var bars = new List<Bar>();
            for (var m = 0; m < minutes; m++)
            {
                if (rng.Next(4) == 0)
                {
                    continue; // a gap: this minute has no bar for this symbol
                }

                var t = start.AddMinutes(m);
                var open = 100m + rng.Next(0, 1000) / 100m;
                var close = 100m + rng.Next(0, 1000) / 100m;
                bars.Add(new Bar(symbol, t, t.AddMinutes(1), open, Math.Max(open, close) + 0.01m, Math.Min(open, close) - 0.01m, close, rng.Next(1, 1000)));
            }

            result.Add(bars);
        }

        return result;
    }

    [Theory]
    [InlineData(1, 2_000)]
    [InlineData(2, 9_000)]
    public void Merge_OfLists_EqualsBarMerger(int seed, int minutes)
    {
        var streams = Generate(seed, minutes);
        var expected = BarMerger.Merge(streams.Cast<IEnumerable<Bar>>().ToList()).ToList();
        var actual = SliceMerge.Merge(streams.Cast<IEnumerable<Bar>>().ToList()).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task Merge_OfStoreSeries_EqualsBarMerger_ForWholeSeriesAndARange()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path) { RowGroupRows = 700 }; // many row groups: batches end at different bars per symbol
        var streams = Generate(3, 9_000);
        foreach (var s in streams)
        {
            await store.WriteAsync(s, Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        }

        var expected = BarMerger.Merge(streams.Cast<IEnumerable<Bar>>().ToList()).ToList();
        var fromStore = SliceMerge.Merge(Symbols.Select(s => store.ReadBars(s, Timeframe.OneMinute)).ToList()).ToList();
        Assert.Equal(expected, fromStore);

        // Read a row group at a time from disk (as large yearly files are) instead of whole files: the same bars.
        var streamed = new ParquetBarStore(dir.Path) { InMemoryFileBytes = 0 };
        Assert.Equal(expected, SliceMerge.Merge(Symbols.Select(s => streamed.ReadBars(s, Timeframe.OneMinute)).ToList()).ToList());
        Assert.Equal(streams[0].Select(b => DateOnly.FromDateTime(new ExchangeClock(MarketCalendars.For(Symbols[0])).ToLocal(b.Start))).Distinct(), streamed.GetDates(Symbols[0], Timeframe.OneMinute));

        var (from, to) = (new DateTime(2024, 1, 31, 22, 0, 0, DateTimeKind.Utc), new DateTime(2024, 2, 3, 1, 7, 0, DateTimeKind.Utc));
        var range = SliceMerge.Merge(Symbols.Select(s => store.ReadBars(s, Timeframe.OneMinute, from, to)).ToList()).ToList();
        Assert.Equal(expected.Where(b => b.Start >= from && b.Start < to), range);

        // Store streams mixed with an in-memory one (no second thread then): still the merger's order.
        var mixed = Symbols.Select((s, i) => i == 2 ? streams[i] : store.ReadBars(s, Timeframe.OneMinute)).ToList();
        Assert.Equal(expected, SliceMerge.Merge(mixed).ToList());
    }

    [Fact]
    public void Merge_StreamOutOfOrder_FailsAsTheMergerDoes()
    {
        var a = Symbol.Equity("A");
        var t = new DateTime(2024, 1, 2, 15, 0, 0, DateTimeKind.Utc);
        var good = new[] { Bar(a, t), Bar(a, t.AddMinutes(1)) };
        var bad = new[] { Bar(Symbols[0], t.AddMinutes(5)), Bar(Symbols[0], t) };
        var expected = Assert.Throws<InvalidOperationException>(() => BarMerger.Merge([good, bad]).ToList());
        var actual = Assert.Throws<InvalidOperationException>(() => SliceMerge.Merge([good, bad]).ToList());
        Assert.Equal(expected.Message, actual.Message);

        static Bar Bar(Symbol s, DateTime start) => new(s, start, start.AddMinutes(1), 1, 1, 1, 1, 1);
    }

    [Fact]
    public async Task Merge_FromTheStore_LeftEarly_StopsItsReader_AndADamagedPartitionFailsAfterTheBarsBeforeIt()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path) { RowGroupRows = 500 };
        var streams = Generate(4, 20_000, new DateTime(2023, 12, 25, 14, 30, 0, DateTimeKind.Utc)); // crosses a year end
        foreach (var s in streams)
        {
            await store.WriteAsync(s, Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        }

        // Taking a few bars and leaving disposes the second thread's reader (this returns, the store's files close).
        var few = SliceMerge.Merge(Symbols.Select(s => store.ReadBars(s, Timeframe.OneMinute)).ToList()).Take(10).ToList();
        Assert.Equal(10, few.Count);

        // Damage 2024 of one symbol (its checksum no longer matches): 2023's bars come first, then the error.
        var feb = store.PartitionPath(Symbols[3], Timeframe.OneMinute, new DateOnly(2024, 2, 1));
        var bytes = await File.ReadAllBytesAsync(feb, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(feb, bytes, TestContext.Current.CancellationToken);
        var seen = new List<Bar>();
        var e = Assert.Throws<DataFormatException>(() =>
        {
            foreach (var bar in SliceMerge.Merge(Symbols.Select(s => store.ReadBars(s, Timeframe.OneMinute)).ToList()))
            {
                seen.Add(bar);
            }
        });
        Assert.Contains("2024.parquet", e.Message, StringComparison.Ordinal);
        Assert.NotEmpty(seen);
        Assert.Equal(BarMerger.Merge(streams.Cast<IEnumerable<Bar>>().ToList()).Take(seen.Count), seen);
    }

    [Fact]
    public async Task TimeframesOf_IsWhatListSeriesSays()
    {
        using var dir = new TempDir();
        var store = new ParquetBarStore(dir.Path);
        var spy = Symbol.Equity("SPY");
        var t = new DateTime(2024, 1, 2, 15, 0, 0, DateTimeKind.Utc);
        await store.WriteAsync([new Bar(spy, t, t.AddMinutes(5), 1, 1, 1, 1, 1)], Timeframe.Parse("5m"), "test", TestContext.Current.CancellationToken);
        await store.WriteAsync([new Bar(spy, t, t.AddMinutes(1), 1, 1, 1, 1, 1)], Timeframe.OneMinute, "test", TestContext.Current.CancellationToken);
        await store.WriteAsync([new Bar(Symbol.Crypto("SPY"), t, t.AddHours(1), 1, 1, 1, 1, 1)], Timeframe.OneHour, "test", TestContext.Current.CancellationToken);

        foreach (var symbol in new[] { spy, Symbol.Crypto("SPY"), Symbol.Equity("QQQ") })
        {
            Assert.Equal(store.ListSeries().Where(s => s.Symbol == symbol).Select(s => s.Timeframe), store.TimeframesOf(symbol));
        }
    }
}
