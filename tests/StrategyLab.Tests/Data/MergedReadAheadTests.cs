using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Store;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Issue 12 (session 32): several streams read ahead (multi-symbol CSV and LEAN) are merged by <see cref="SliceMerge"/>
/// from their read-ahead chunks on a thread of its own, and the engine takes the merged bars a chunk at a time, instead
/// of <see cref="BarMerger"/>'s priority queue and enumerators on the engine's thread. The bars, their order, and each
/// error after the same bars must be the merger's, however the chunks are cut and taken.
/// </summary>
public sealed class MergedReadAheadTests : IDisposable
{
    // Out of symbol order on purpose: equal end times are ordered by symbol, not by stream position.
    private static readonly Symbol[] Symbols = [Symbol.Crypto("XRP-USD"), Symbol.Crypto("BTC-USD"), Symbol.Crypto("ETH-USD"), Symbol.Crypto("ADA-USD")];
    private static readonly BarPrefetchOptions Tiny = new() { ChunkBars = 7, FirstChunkBars = 1, Depth = 1 };
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-merged-ahead-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Bar BarAt(Symbol symbol, int minute, int i)
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(minute);
        var close = 100m + (i % 37) - (i % 11) * 0.5m;
        return new Bar(symbol, start, start.AddMinutes(1), close, close + 1m, close - 1m, close, i + 1);
    }

    /// <summary>
    /// Bars of each symbol with gaps (so slices hold one to all symbols), one stream with a stretch of none, and
    /// <paramref name="backAt"/> (stream, bar) going back in time.
    /// </summary>
    private static List<List<Bar>> Streams(int minutes, (int Stream, int Bar)? backAt = null)
    {
        var result = new List<List<Bar>>();
        for (var k = 0; k < Symbols.Length; k++)
        {
            var bars = new List<Bar>();
            for (var m = 0; m < minutes; m++)
            {
                if ((m * 7 + k) % 5 == 0 || (k == 2 && m > minutes / 3 && m < minutes / 2))
                {
                    continue;
                }

                var back = backAt is { } b && b.Stream == k && b.Bar == bars.Count;
                bars.Add(BarAt(Symbols[k], back ? m - 3 : m, m));
            }

            result.Add(bars);
        }

        return result;
    }

    /// <summary>What the merger yields before it throws, and its error.</summary>
    private static (List<Bar> Bars, Exception? Error) Expected(IReadOnlyList<IEnumerable<Bar>> streams)
    {
        var seen = new List<Bar>();
        try
        {
            foreach (var bar in BarMerger.Merge(streams))
            {
                seen.Add(bar);
            }

            return (seen, null);
        }
        catch (Exception e)
        {
            return (seen, e);
        }
    }

    /// <summary>The merge of <paramref name="streams"/>, each read ahead, taken by chunks with a move every <paramref name="movesEvery"/>-th take.</summary>
    private static (List<Bar> Bars, Exception? Error) TakenAhead(IReadOnlyList<IEnumerable<Bar>> streams, BarPrefetchOptions options, int movesEvery)
    {
        var seen = new List<Bar>();
        var merged = SliceMerge.Merge(streams.Select(s => (IEnumerable<Bar>)new PrefetchedBars(s, options)).ToList());
        using var e = merged.GetEnumerator();
        Assert.IsAssignableFrom<IBarChunkReader>(e); // merged on a read-ahead thread: handed over by chunks
        try
        {
            ChunkTakes.Into(e, movesEvery, seen);
            return (seen, null);
        }
        catch (Exception x)
        {
            return (seen, x);
        }
    }

    [Theory]
    [InlineData(0, 7, 0)]
    [InlineData(1, 7, 0)]
    [InlineData(3_000, 1, 0)]
    [InlineData(3_000, 7, 0)]
    [InlineData(3_000, 7, 3)]
    [InlineData(3_000, 8192, 0)]
    public void StreamsReadAhead_MergeToTheMergersBars(int minutes, int chunkBars, int movesEvery)
    {
        var streams = Streams(minutes);
        var expected = Expected(streams);
        var actual = TakenAhead(streams, Tiny with { ChunkBars = chunkBars }, movesEvery);
        Assert.Null(expected.Error);
        Assert.Null(actual.Error);
        Assert.Equal(expected.Bars.Count, actual.Bars.Count);
        Assert.Equal(expected.Bars, actual.Bars);
    }

    [Theory]
    [InlineData(1, 1, 0)] // the second bar of a stream
    [InlineData(0, 500, 0)]
    [InlineData(3, 500, 2)]
    [InlineData(2, 1_900, 0)] // after its gap
    public void AStreamOutOfOrder_FailsWithTheMergersError_AfterTheSameBars(int stream, int bar, int movesEvery)
    {
        var streams = Streams(3_000, (stream, bar));
        var expected = Expected(streams);
        var actual = TakenAhead(streams, Tiny, movesEvery);
        Assert.IsType<InvalidOperationException>(expected.Error);
        Assert.IsType<InvalidOperationException>(actual.Error);
        Assert.Equal(expected.Error.Message, actual.Error!.Message);
        Assert.Equal(expected.Bars, actual.Bars);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(2, 1)]
    [InlineData(1, 700)]
    public void AStreamsOwnError_IsThrownAfterTheSameBars(int stream, int after)
    {
        var streams = Streams(3_000).Select((s, k) => k == stream ? Failing(s, after) : s).ToList();
        var expected = Expected(streams);
        var actual = TakenAhead(streams, Tiny, movesEvery: 0);
        Assert.IsType<DataFormatException>(expected.Error);
        Assert.Same(typeof(DataFormatException), actual.Error?.GetType());
        Assert.Equal(expected.Error.Message, actual.Error!.Message);
        Assert.Equal(expected.Bars, actual.Bars);

        static IEnumerable<Bar> Failing(List<Bar> bars, int after)
        {
            foreach (var bar in bars.Take(after))
            {
                yield return bar;
            }

            throw new DataFormatException("x.csv", after + 2, "open", "not a number");
        }
    }

    [Fact]
    public void LeftEarly_StopsEveryReadAhead()
    {
        var streams = Streams(3_000).Select(s => (IEnumerable<Bar>)new PrefetchedBars(s, Tiny)).ToList();
        var few = SliceMerge.Merge(streams).Take(10).ToList(); // disposing joins the merge's thread, which disposes the streams' readers
        Assert.Equal(Expected(Streams(3_000)).Bars.Take(10), few);
    }

    [Fact]
    public void AMultiSymbolCsvRead_Ahead_HandsOverMergedChunks_AndTheSameBarsAsReadDirectly()
    {
        var run = Resolve(Config("ok", WriteCsvs(2_000)));
        var direct = HistoricalDataFactory.Open(run, NullLoggerFactory.Instance).Bars.ToList();
        var ahead = HistoricalDataFactory.Open(run, NullLoggerFactory.Instance, Tiny).Bars;
        using (var e = ahead.GetEnumerator())
        {
            Assert.IsAssignableFrom<IBarChunkReader>(e);
        }

        Assert.Equal(Expected(Streams(2_000)).Bars, direct);
        Assert.Equal(direct, ahead.ToList());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1_503)] // a bad field in the second file
    [InlineData(-1_503)] // a row going back in time in the second file
    public void AMultiSymbolCsvBacktest_LeavesTheSameFolder_AndError_WithAndWithoutReadingAhead(int? badLine)
    {
        var config = Config("run", WriteCsvs(3_000, badLine));
        var direct = Run(config, "direct", prefetch: null);
        var ahead = Run(config, "ahead", Tiny with { ChunkBars = 97 });
        var aheadDefault = Run(config, "ahead-default", BarPrefetchOptions.Default);
        if (badLine is { } line)
        {
            var error = Assert.IsType<DataFormatException>(direct.Error);
            Assert.Contains(FormattableString.Invariant($"ETH-USD.csv:{Math.Abs(line)}:"), error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(direct.Error);
            Assert.True(File.Exists(Path.Combine(direct.Folder, "trades.csv")));
        }

        foreach (var other in new[] { ahead, aheadDefault })
        {
            Assert.Equal(direct.Error?.GetType(), other.Error?.GetType());
            Assert.Equal(direct.Error?.Message, other.Error?.Message);
            RunFolderAssert.Same(direct.Folder, other.Folder);
        }
    }

    private (string Folder, Exception? Error) Run(string config, string name, BarPrefetchOptions? prefetch)
    {
        var folder = Path.Combine(_dir, name);
        try
        {
            BacktestRunner.Run(Resolve(config), folder, NullLoggerFactory.Instance, prefetch);
            return (folder, null);
        }
        catch (DataFormatException e)
        {
            return (folder, e);
        }
    }

    private static ResolvedRun Resolve(string config)
    {
        var (c, effective) = ConfigLoader.Load(config);
        return ResolvedRun.Resolve(c, effective);
    }

    private string Config(string name, string folder)
    {
        var path = Path.Combine(_dir, name + ".json");
        var symbols = string.Join(",", Symbols.Select(s => $"\"{s.Ticker}\""));
        File.WriteAllText(path, $$"""
            { "data": { "provider": "csv", "path": {{System.Text.Json.JsonSerializer.Serialize(folder)}}, "symbols": [{{symbols}}], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 3, "slow": 8 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 1, "max_positions": 4 } }
            """);
        return path;
    }

    /// <summary>
    /// One CSV per symbol (<see cref="Streams"/>' bars); <paramref name="badLine"/> &gt; 0 spoils that line's open in the
    /// third symbol's file (ETH-USD), &lt; 0 moves that line's time back.
    /// </summary>
    private string WriteCsvs(int minutes, int? badLine = null)
    {
        var folder = Path.Combine(_dir, "csv");
        Directory.CreateDirectory(folder);
        var streams = Streams(minutes);
        for (var k = 0; k < Symbols.Length; k++)
        {
            var text = new StringBuilder("time,open,high,low,close,volume\n");
            for (var i = 0; i < streams[k].Count; i++)
            {
                var b = streams[k][i];
                var line = i + 2;
                var start = k == 2 && badLine == -line ? b.Start.AddMinutes(-5) : b.Start;
                var open = k == 2 && badLine == line ? "abc" : b.Open.ToString(CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture, $"{start:yyyy-MM-ddTHH:mm:ssZ},{open},{b.High},{b.Low},{b.Close},{b.Volume}\n");
            }

            File.WriteAllText(Path.Combine(folder, Symbols[k].Ticker + ".csv"), text.ToString());
        }

        return folder;
    }
}
