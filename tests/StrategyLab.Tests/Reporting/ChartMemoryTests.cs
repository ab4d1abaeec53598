using System.Text;
using CsCheck;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Html;
using StrategyLab.Reporting.Reading;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// What keeps the chart lists and the page's buffers off the large-object heap (issue 12, the store run's peak):
/// bounded lists that go straight to their bound, coarsened copies that reuse one list, JSON flushed as it goes; the
/// same candles and the same page bytes as before.
/// </summary>
public class ChartMemoryTests
{
    private static readonly TimeSpan Est = TimeSpan.FromHours(-5);

    [Fact]
    public void ALadderOfTenThousandCandles_DoublesWhileSmall_ThenGoesStraightToItsBound()
    {
        var ladder = new CandleLadder(10_000);
        var candles = (List<Candle>)ladder.Candles;
        var capacities = new List<int>();
        var t = new DateTimeOffset(2024, 1, 8, 0, 0, 0, Est);
        for (var i = 0; i < 30_000; i++)
        {
            ladder.Add(t.AddSeconds(i), t.AddSeconds(i + 1), 1, 1, 1, 1, 1, -1);
            if (capacities.Count == 0 || capacities[^1] != candles.Capacity)
            {
                capacities.Add(candles.Capacity);
            }
        }

        // 512 candles are 64 KB; 1,024 would be 128 KB, on the large-object heap, and so would every list after it
        // (2,048, 4,096, 8,192) on the way to 10,001: it goes to 10,001 at once.
        Assert.Equal([4, 8, 16, 32, 64, 128, 256, 512, 10_001], capacities);
        Assert.True(512 * 128 < BoundedListGrowth.LargeObjectBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), ladder.Step); // 30,000 seconds fit 10,000 candles at 5 s
    }

    [Fact]
    public void APointLadder_GoesStraightToItsBound_OnceDoublingWouldReachTheLargeObjectHeap()
    {
        var ladder = new PointLadder(10_000);
        var points = (List<LadderPoint>)ladder.Points;
        var capacities = new List<int>();
        var t = new DateTimeOffset(2024, 1, 8, 0, 0, 0, Est);
        for (var i = 0; i < 12_000; i++)
        {
            ladder.Add(t.AddSeconds(i), i);
            if (capacities.Count == 0 || capacities[^1] != points.Capacity)
            {
                capacities.Add(points.Capacity);
            }
        }

        Assert.Equal([4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 10_001], capacities); // 24-byte points: 4,096 would be 96 KB
    }

    [Theory]
    [InlineData(3, new[] { 4 })] // a bound below the first doubling: straight to limit + 1, as before
    [InlineData(10, new[] { 4, 8, 11 })]
    [InlineData(100, new[] { 4, 8, 16, 32, 64, 101 })]
    public void ASmallBound_IsReachedByDoublingThenStoppingAtLimitPlusOne(int limit, int[] expected)
    {
        var list = new List<long>();
        var capacities = new List<int>();
        for (var i = 0; i <= limit; i++)
        {
            BoundedListGrowth.BeforeAdd(list, limit);
            list.Add(i);
            if (capacities.Count == 0 || capacities[^1] != list.Capacity)
            {
                capacities.Add(list.Capacity);
            }
        }

        Assert.Equal(expected, capacities);
    }

    [Fact]
    public void ABoundFarPastAChartsSize_IsApproachedByDoubling()
    {
        // 1,000,001 longs are 8 MB: not allocated at once for a list that may stay small.
        var list = new List<long>(8192);
        list.AddRange(new long[8192]);
        BoundedListGrowth.BeforeAdd(list, 1_000_000);
        Assert.Equal(8192, list.Capacity); // left to List<T>'s own doubling
        list.Add(1);
        Assert.Equal(16_384, list.Capacity);

        // At the bound (a ladder at its last step may hold more): left to the list.
        var full = new List<long>(5);
        full.AddRange(new long[5]);
        BoundedListGrowth.BeforeAdd(full, 4);
        Assert.Equal(5, full.Capacity);
    }

    /// <summary>A coarsened copy made into a previous copy's ladder is the fresh copy: candles, level, span, bars added.</summary>
    [Fact]
    public void ACoarsenedCopyIntoAReusedLadder_EqualsAFreshCopy()
    {
        var series = Gen.Select(Gen.Int[1, 400], Gen.Int[1, 4000], Gen.Int[1, 20]).Array[1, 300];
        Gen.Select(series, series, Gen.Int[1, 40]).Sample((first, second, limit) =>
        {
            var a = LadderOf(first, 400);
            var b = LadderOf(second, 400);
            var reused = a.Coarsened(limit);
            var fresh = b.Coarsened(limit);
            var again = b.Coarsened(limit, ReferenceEquals(reused, a) ? null : reused);
            Assert.Equal(Header(fresh), Header(again));
            Assert.Equal(CandlesOf(fresh), CandlesOf(again));
            Assert.True(ReferenceEquals(again, b) || ReferenceEquals(reused, a) || ReferenceEquals(again, reused));
        }, iter: 200);

        // Not reused: the ladder itself, or a ladder of another limit.
        var ladder = LadderOf([(1, 100, 1), (1, 101, 1), (1, 102, 1)], 10);
        var other = new CandleLadder(5);
        Assert.NotSame(other, ladder.Coarsened(1, other));
        Assert.NotSame(ladder, ladder.Coarsened(1, ladder));
    }

    /// <summary>
    /// Eight symbols of 10,000 candles: each is coarsened to its share of the page (7,500), the copies reuse one ladder a
    /// thread, and the JSON is flushed as it grows; the page written ahead, on one thread and into a stream is the same.
    /// </summary>
    [Fact]
    public void ThePageOfManyCoarsenedSymbols_IsTheSameAheadOnOneThreadAndStreamed()
    {
        ReportData Data()
        {
            var data = new ReportData(Path.Combine(Path.GetTempPath(), "strategylab-chart-memory"), 100_000m);
            for (var s = 0; s < 8; s++)
            {
                var steps = Enumerable.Range(0, 10_000).Select(i => (1, 10_000 + (((i * 37) + (s * 11)) % 500), 1 + (i % 7))).ToArray();
                data.Bars.Add("S" + s, LadderOf(steps, ReportData.CandlesPerSymbol));
            }

            return data;
        }

        var oneThread = new ReportPage(Data(), symbolsAhead: false).Render();
        var ahead = new ReportPage(Data(), symbolsAhead: true).Render();
        Assert.Equal(oneThread, ahead);
        using var stream = new MemoryStream();
        new ReportPage(Data(), symbolsAhead: true).WriteTo(stream);
        Assert.Equal(oneThread, Encoding.UTF8.GetString(stream.ToArray()));

        var symbols = DataBlock(ahead)["symbols"]!.AsArray();
        Assert.Equal(8, symbols.Count);
        Assert.All(symbols, s => Assert.InRange(s!["candles"]!.AsArray().Count, 1, ReportPage.CandleBudget / 8));
        Assert.True(oneThread.Length > 8 * ReportPage.JsonFlushBytes); // long enough for the flushes to happen
    }

    private static CandleLadder LadderOf(IEnumerable<(int Gap, int Price, int Volume)> steps, int limit)
    {
        var ladder = new CandleLadder(limit);
        var t = new DateTimeOffset(2024, 3, 1, 0, 0, 0, Est);
        foreach (var (gap, price, volume) in steps)
        {
            t = t.AddMinutes(gap);
            var o = price / 100m;
            ladder.Add(t, t.AddMinutes(1), o, o + (volume / 100m), o - (volume / 200m), o + 0.01m, volume, volume);
        }

        return ladder;
    }

    private static (int Level, TimeSpan Span, long Bars, TimeSpan Longest) Header(CandleLadder l) => (l.Level, l.CandleSpan, l.BarsAdded, l.LongestInput);

    private static List<(long, decimal, decimal, decimal, decimal, decimal, long, DateTimeOffset, DateTimeOffset)> CandlesOf(CandleLadder l) =>
        [.. l.Candles.Select(c => (c.Key, c.Open, c.High, c.Low, c.Close, c.Volume, c.Trades, c.Start, c.End))];
}
