using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Csv;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Issue 12: bars read ahead on another thread (<see cref="PrefetchedBars"/>) are the source's bars in its order, its
/// exception at the same point, a bounded buffer, and a closed file once disposed; a backtest leaves the same run
/// folder (or the same error) with and without.
/// </summary>
public sealed class PrefetchedBarsTests : IDisposable
{
    private static readonly Symbol Btc = Symbol.Create("BTC-USD", AssetClass.Crypto);
    private static readonly BarPrefetchOptions Tiny = new() { ChunkBars = 7, FirstChunkBars = 1, Depth = 1 };
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-prefetch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Bar BarAt(int i)
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i);
        var close = 100m + (i % 37) - (i % 11) * 0.5m;
        return new Bar(Btc, start, start.AddMinutes(1), close, close + 1m, close - 1m, close, i);
    }

    private static IEnumerable<Bar> Source(int count, Exception? thenThrow = null, Action? onDispose = null, Action? onPull = null)
    {
        try
        {
            for (var i = 0; i < count; i++)
            {
                onPull?.Invoke();
                yield return BarAt(i);
            }

            if (thenThrow is not null)
            {
                throw thenThrow;
            }
        }
        finally
        {
            onDispose?.Invoke();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void TheBarsAreTheSourcesInOrder_AcrossChunkBoundaries(int count)
    {
        Assert.Equal(Source(count).ToList(), new PrefetchedBars(Source(count), Tiny).ToList());
        Assert.Equal(Source(count).ToList(), new PrefetchedBars(Source(count)).ToList());
    }

    [Fact]
    public void TheSourcesException_ComesAfterEveryBarBeforeIt_TheSameObject()
    {
        var failure = new DataFormatException("x.csv", 1002, "open", "'abc' is not a number");
        var seen = new List<Bar>();
        using var e = new PrefetchedBars(Source(1000, failure), Tiny).GetEnumerator();
        var thrown = Assert.Throws<DataFormatException>(() =>
        {
            while (e.MoveNext())
            {
                seen.Add(e.Current);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal(Source(1000).ToList(), seen);
    }

    [Fact]
    public void DisposedEarly_TheProducerStops_TheSourceIsDisposed_AndItReadAtMostTheBoundedBuffer()
    {
        var pulled = 0;
        var disposed = false;
        var e = new PrefetchedBars(Source(1_000_000, onDispose: () => disposed = true, onPull: () => Interlocked.Increment(ref pulled)), Tiny).GetEnumerator();
        Assert.True(e.MoveNext());
        Thread.Sleep(200); // let the producer run until the queue is full
        Assert.InRange(Volatile.Read(ref pulled), 1, 7 * (Tiny.Depth + 2) + 1);
        e.Dispose();
        Assert.True(disposed); // Dispose waits for the producer, which disposes the source
    }

    [Theory]
    [InlineData(6, 3)]
    [InlineData(5, 2)]
    [InlineData(2, 1)]
    [InlineData(1, 0)]
    public void AProducerOnAFullQueue_IsWokenOnlyAtTheLowWaterMark_AndTheBarsAreUnchanged(int depth, int lowWater)
    {
        const int Chunk = 10;
        const int Count = 5_000; // 500 chunks: the producer fills the queue and sleeps many times
        var wakes = new List<int>(); // written by the consumer's thread only
        var sleeps = 0;
        var options = new BarPrefetchOptions
        {
            ChunkBars = Chunk, FirstChunkBars = Chunk, Depth = depth, OnProducerWake = wakes.Add, OnProducerSleep = () => Interlocked.Increment(ref sleeps),
        };
        var seen = new List<Bar>();
        using (var e = new PrefetchedBars(Source(Count), options).GetEnumerator())
        {
            Assert.True(e.MoveNext());
            seen.Add(e.Current);

            // Hold the consumer until the producer sleeps on a full queue, so at least one wake-up is certain (bounded,
            // not a timing assertion).
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref sleeps) > 0, TimeSpan.FromSeconds(30)));
            while (e.MoveNext())
            {
                seen.Add(e.Current);
            }
        }

        Assert.Equal(Source(Count).ToList(), seen);
        Assert.NotEmpty(wakes);
        Assert.All(wakes, queued => Assert.Equal(lowWater, queued)); // never woken while more than the mark is queued
        Assert.Equal(Volatile.Read(ref sleeps), wakes.Count); // every sleep ended by exactly one wake-up (the source ends before a sleep)
    }

    [Fact]
    public void DisposedEarly_TheCsvFileIsClosed()
    {
        var csv = WriteCsv("early.csv", 5000);
        var reader = new CsvBarReader(csv, new CsvBarReaderOptions { Timeframe = Timeframe.OneMinute, Symbol = Btc });
        using (var e = new PrefetchedBars(reader.ReadBars(), Tiny).GetEnumerator())
        {
            for (var i = 0; i < 10; i++)
            {
                Assert.True(e.MoveNext());
            }
        }

        using (new FileStream(csv, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            // opening it exclusively proves no handle is left open
        }

        File.Delete(csv);
    }

    [Fact]
    public void ABacktest_LeavesTheSameRunFolder_WithAndWithoutReadingAhead()
    {
        var config = Config("good", WriteCsv("BTC-USD.csv", 20_000));
        var direct = Run(config, "direct", prefetch: null);
        var ahead = Run(config, "ahead", Tiny with { ChunkBars = 97 });
        var aheadDefault = Run(config, "ahead-default", BarPrefetchOptions.Default);
        Assert.Null(direct.Error);
        RunFolderAssert.Same(direct.Folder, ahead.Folder);
        RunFolderAssert.Same(direct.Folder, aheadDefault.Folder);
    }

    [Fact]
    public void ABacktest_OnACsvWithABadRow_FailsWithTheSameError_AndLeavesTheSameFolder()
    {
        var config = Config("bad", WriteCsv("BTC-USD.csv", 20_000, badLine: 15_003));
        var direct = Run(config, "direct", prefetch: null);
        var ahead = Run(config, "ahead", Tiny with { ChunkBars = 97 });
        var aheadDefault = Run(config, "ahead-default", BarPrefetchOptions.Default);

        var error = Assert.IsType<DataFormatException>(direct.Error);
        Assert.Contains(":15003: field 'open'", error.Message, StringComparison.Ordinal);
        foreach (var other in new[] { ahead, aheadDefault })
        {
            Assert.IsType<DataFormatException>(other.Error);
            Assert.Equal(error.Message, other.Error!.Message);
            RunFolderAssert.Same(direct.Folder, other.Folder);
        }
    }

    private (string Folder, Exception? Error) Run(string config, string name, BarPrefetchOptions? prefetch)
    {
        var (c, effective) = ConfigLoader.Load(config);
        var folder = Path.Combine(_dir, name);
        try
        {
            BacktestRunner.Run(ResolvedRun.Resolve(c, effective), folder, NullLoggerFactory.Instance, prefetch);
            return (folder, null);
        }
        catch (DataFormatException e)
        {
            return (folder, e);
        }
    }

    private string Config(string name, string csv)
    {
        var path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, $$"""
            { "data": { "provider": "csv", "path": {{System.Text.Json.JsonSerializer.Serialize(csv)}}, "symbols": ["BTC-USD"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 3, "slow": 8 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 1 },
              "output": { "report": false } }
            """);
        return path;
    }

    private string WriteCsv(string name, int rows, int? badLine = null)
    {
        var text = new StringBuilder("time,open,high,low,close,volume\n");
        for (var i = 0; i < rows; i++)
        {
            var b = BarAt(i);
            var open = badLine == i + 2 ? "abc" : b.Open.ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{b.Start:yyyy-MM-ddTHH:mm:ssZ},{open},{b.High},{b.Low},{b.Close},{b.Volume}\n");
        }

        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(1000, 0)]
    [InlineData(1000, 1)]
    [InlineData(1000, 10)]
    public void ChunksTaken_MixedWithMoveNext_GiveEveryBarOnceInOrder(int count, int movesFirst)
    {
        var seen = new List<Bar>();
        using var e = new PrefetchedBars(Source(count), Tiny).GetEnumerator();
        for (var i = 0; i < movesFirst && e.MoveNext(); i++)
        {
            seen.Add(e.Current);
        }

        var reader = Assert.IsAssignableFrom<IBarChunkReader>(e);
        var takes = 0;
        while (reader.TryTakeChunk(out var chunk))
        {
            Assert.True(chunk.Count > 0);
            seen.AddRange(chunk);
            if (++takes % 3 == 0 && e.MoveNext())
            {
                seen.Add(e.Current); // back to one at a time now and then
            }
        }

        Assert.False(e.MoveNext());
        Assert.False(reader.TryTakeChunk(out _));
        Assert.Equal(Source(count).ToList(), seen);
    }

    [Fact]
    public void ChunksTaken_TheSourcesExceptionComesAfterEveryBarBeforeIt()
    {
        var failure = new DataFormatException("x.csv", 1002, "open", "'abc' is not a number");
        var seen = new List<Bar>();
        using var e = new PrefetchedBars(Source(1000, failure), Tiny).GetEnumerator();
        var reader = (IBarChunkReader)e;
        var thrown = Assert.Throws<DataFormatException>(() =>
        {
            while (reader.TryTakeChunk(out var chunk))
            {
                seen.AddRange(chunk);
            }
        });

        Assert.Same(failure, thrown);
        Assert.Equal(Source(1000).ToList(), seen);
    }
}
