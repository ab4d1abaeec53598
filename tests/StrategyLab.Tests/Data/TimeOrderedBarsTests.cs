using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Runner.Data;
using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Issue 12 (session 31): a one-symbol source read ahead is checked for time order by <see cref="TimeOrderedBars"/>
/// instead of <see cref="BarMerger.Merge"/>'s iterator, so that the backtest can take its bars a chunk at a time. It
/// must give the same bars, and the same error after the same bars, whether taken bar by bar or chunk by chunk.
/// </summary>
public sealed class TimeOrderedBarsTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Create("BTC-USD", AssetClass.Crypto);
    private static readonly BarPrefetchOptions Tiny = new() { ChunkBars = 7, FirstChunkBars = 1, Depth = 1 };
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-ordered-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Bar BarAt(int minute, int i)
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(minute);
        var close = 100m + (i % 37) - (i % 11) * 0.5m;
        return new Bar(Btc, start, start.AddMinutes(1), close, close + 1m, close - 1m, close, i);
    }

    /// <summary><paramref name="count"/> bars a minute apart (two bars in one minute now and then), one going back in time at <paramref name="backAt"/>.</summary>
    private static List<Bar> Source(int count, int? backAt = null)
    {
        var bars = new List<Bar>(count);
        var minute = 0;
        for (var i = 0; i < count; i++)
        {
            minute += i % 5 == 3 ? 0 : 1; // equal ends are in order
            bars.Add(BarAt(i == backAt ? minute - 3 : minute, i));
        }

        return bars;
    }

    /// <summary>What BarMerger's single stream yields before it throws, and its error.</summary>
    private static (List<Bar> Bars, string? Error) Merged(List<Bar> source)
    {
        var seen = new List<Bar>();
        try
        {
            foreach (var bar in BarMerger.Merge([source]))
            {
                seen.Add(bar);
            }

            return (seen, null);
        }
        catch (InvalidOperationException e)
        {
            return (seen, e.Message);
        }
    }

    [Theory]
    [InlineData(0, null, 0)]
    [InlineData(1, null, 0)]
    [InlineData(1000, null, 0)]
    [InlineData(1000, null, 3)]
    [InlineData(1000, 0, 0)] // the first bar cannot be out of order: no error
    [InlineData(1000, 1, 0)] // in the first chunk, its first bar (the first chunk holds one bar)
    [InlineData(1000, 8, 0)] // the first bar of a chunk
    [InlineData(1000, 11, 0)] // inside a chunk
    [InlineData(1000, 11, 4)] // reached bar by bar
    [InlineData(1000, 999, 2)] // the last bar
    public void ChunksTaken_GiveBarMergersBars_AndItsErrorAfterTheSameBars(int count, int? backAt, int movesEvery)
    {
        var source = Source(count, backAt);
        var expected = Merged(source);
        var seen = new List<Bar>();
        string? error = null;
        using (var e = new TimeOrderedBars(new PrefetchedBars(source, Tiny)).GetEnumerator())
        {
            try
            {
                ChunkTakes.Into(e, movesEvery, seen);
            }
            catch (InvalidOperationException x)
            {
                error = x.Message;
            }
        }

        Assert.Equal(expected.Error, error);
        Assert.Equal(expected.Bars, seen);
        if (backAt is > 0)
        {
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void BarByBar_GivesBarMergersBars_AndItsError()
    {
        var source = Source(200, backAt: 50);
        var expected = Merged(source);
        var seen = new List<Bar>();
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var bar in new TimeOrderedBars(new PrefetchedBars(source, Tiny)))
            {
                seen.Add(bar);
            }
        });

        Assert.Equal(expected.Error, error.Message);
        Assert.Equal(expected.Bars, seen);
    }

    [Fact]
    public void AOneSymbolCsvRead_Ahead_HandsOverChunks_AndTheSameBarsAsReadDirectly()
    {
        var csv = Path.Combine(_dir, "BTC-USD.csv");
        File.WriteAllLines(csv, ["time,open,high,low,close,volume", .. Enumerable.Range(1, 500).Select(i => BarAt(i, i)).Select(b => FormattableString.Invariant($"{b.Start:yyyy-MM-ddTHH:mm:ssZ},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}"))]);
        var config = Path.Combine(_dir, "run.json");
        File.WriteAllText(config, $$"""
            { "data": { "provider": "csv", "path": {{System.Text.Json.JsonSerializer.Serialize(csv)}}, "symbols": ["BTC-USD"], "timeframe": "1m" } }
            """);
        var (c, effective) = ConfigLoader.Load(config);
        var run = ResolvedRun.Resolve(c, effective);

        var direct = HistoricalDataFactory.Open(run, NullLoggerFactory.Instance).Bars.ToList();
        var ahead = HistoricalDataFactory.Open(run, NullLoggerFactory.Instance, Tiny).Bars;
        using (var e = ahead.GetEnumerator())
        {
            Assert.IsAssignableFrom<IBarChunkReader>(e);
        }

        Assert.Equal(500, direct.Count);
        Assert.Equal(direct, ahead.ToList());
    }
}
