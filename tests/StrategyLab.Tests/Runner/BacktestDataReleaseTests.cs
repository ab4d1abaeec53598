using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Data;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// A backtest lets go of its data (the read-ahead's thread, chunks and the reader's buffers) as soon as the engine's loop
/// ends, before the run is finished and its folder and report are written (the store run's peak is at that end), whether
/// the engine took the bars one by one or slice by slice out of the read-ahead's chunks (session 30).
/// </summary>
public sealed class BacktestDataReleaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-btrelease-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheReadAheadIsDisposed_BeforeTheRunIsFinished()
    {
        var (config, effective) = ConfigLoader.Load(null, []);
        config.Engine.ClosePositionsAtEnd = true; // Finish then marks the equity once more: the observer sees the run's end
        var run = ResolvedRun.Resolve(config, effective);
        var synthetic = HistoricalDataFactory.Open(run, NullLoggerFactory.Instance);
        var disposed = false;
        var data = synthetic with { Bars = new Tracked(new PrefetchedBars(synthetic.Bars, new BarPrefetchOptions { ChunkBars = 64, FirstChunkBars = 8 }), () => disposed = true) };
        var marks = new MarksSeeing(() => disposed);

        BacktestRunner.Run(run, Path.Combine(_dir, "run"), NullLoggerFactory.Instance, data, marks, TestContext.Current.CancellationToken);

        Assert.True(disposed);
        Assert.True(marks.Seen.Count > 1);
        Assert.False(marks.Seen[0]); // the loop ran on the data
        Assert.True(marks.Seen[^1]); // the run's closing mark (Finish) came after the data was let go of
    }

    /// <summary>The read-ahead's bars, noting when the engine's side disposes their enumerator (chunks handed over as the read-ahead's are).</summary>
    private sealed class Tracked(PrefetchedBars bars, Action onDispose) : IEnumerable<Bar>
    {
        public IEnumerator<Bar> GetEnumerator() => new Enumerator(bars.GetEnumerator(), onDispose);

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private sealed class Enumerator(IEnumerator<Bar> inner, Action onDispose) : IEnumerator<Bar>, IBarChunkReader
        {
            public Bar Current => inner.Current;

            object System.Collections.IEnumerator.Current => Current;

            public bool MoveNext() => inner.MoveNext();

            public bool TryTakeChunk(out ArraySegment<Bar> chunk) => ((IBarChunkReader)inner).TryTakeChunk(out chunk);

            public void Reset() => inner.Reset();

            public void Dispose()
            {
                onDispose();
                inner.Dispose();
            }
        }
    }

    /// <summary>Notes, at each equity mark, whether the data was disposed by then.</summary>
    private sealed class MarksSeeing(Func<bool> disposed) : IRunRecorder
    {
        public List<bool> Seen { get; } = [];

        public void OnEquity(in EquityPoint point) => Seen.Add(disposed());
    }
}
