using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data;

/// <summary>
/// A bar stream read ahead on its own thread: while the consumer (the engine) works through one chunk of bars, a
/// background thread enumerates the source (parsing, decompressing) into the next, so a run uses the second core.
/// </summary>
/// <remarks>
/// <para>The consumer sees exactly the source's bars in the source's order, then its end or its exception: an
/// exception thrown by the source (a <see cref="DataFormatException"/> naming a line) is rethrown, the same object with
/// its original stack, when the consumer reaches the point of the stream where it happened, after every bar before it.</para>
/// <para>Memory is bounded: at most <see cref="BarPrefetchOptions.Depth"/> filled chunks wait in the queue, one is
/// filled and one is read; their arrays are recycled. Each side signals the other only when it sleeps, and a producer
/// that sleeps on a full queue is woken at a low-water mark (half the depth), not at every chunk taken. The first chunks are small and grow to
/// <see cref="BarPrefetchOptions.ChunkBars"/>, so the first bar arrives soon and a tiny source costs a tiny buffer.</para>
/// <para>The source is enumerated (and its file opened) on the first <c>MoveNext</c>, as without prefetch. Disposing
/// the enumerator early stops the thread and waits for it, so the source's file is closed when <c>Dispose</c>
/// returns. Anything the source touches while it runs (its own counters, a logger) is touched from that thread and
/// ahead of the consumer; shared state must not be mutated by the source.</para>
/// </remarks>
public sealed class PrefetchedBars : IEnumerable<Bar>
{
    private readonly IEnumerable<Bar>? _source;
    private readonly Func<IBarChunkSource>? _chunks;
    private readonly BarPrefetchOptions _options;

    /// <summary>Reads <paramref name="source"/> ahead as <paramref name="options"/> say (defaults when null).</summary>
    public PrefetchedBars(IEnumerable<Bar> source, BarPrefetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source is IChunkedBars chunked)
        {
            _chunks = chunked.OpenChunks; // a reader that fills chunks itself (the CSV reader)
        }
        else
        {
            _source = source;
        }

        _options = (options ?? BarPrefetchOptions.Default).Validated();
    }

    /// <summary>
    /// Reads ahead from a source that fills whole chunks (<see cref="IBarChunkSource"/>): no interface call and no
    /// extra copy per bar on the reading thread. <paramref name="open"/> runs on that thread, once per enumeration.
    /// </summary>
    internal PrefetchedBars(Func<IBarChunkSource> open, BarPrefetchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        _chunks = open;
        _options = (options ?? BarPrefetchOptions.Default).Validated();
    }

    /// <summary>Starts reading ahead at the first <c>MoveNext</c>; each enumeration has its own thread.</summary>
    public IEnumerator<Bar> GetEnumerator() => new Enumerator(_source, _chunks, _options);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One handoff from the producer: bars, or the source's exception (then no bars), never both.</summary>
    private readonly record struct Chunk(Bar[]? Bars, int Count, ExceptionDispatchInfo? Error);

    private sealed class Enumerator(IEnumerable<Bar>? source, Func<IBarChunkSource>? chunks, BarPrefetchOptions options) : IEnumerator<Bar>, IBarChunkReader
    {
        // A bounded queue under one lock, waited on with Monitor.Wait: a side that must wait sleeps at once. (A
        // BlockingCollection's SemaphoreSlim spins first; with the consumer busy on the other core, the producer burnt
        // about a fifth of its thread's time spinning for room on a 2 M-bar run.) One lock round per chunk, not per bar.
        private readonly object _gate = new();
        private readonly Queue<Chunk> _filled = new(options.Depth);
        private readonly ConcurrentQueue<Bar[]> _free = new();
        private Thread? _thread;
        private Bar[] _bars = [];
        private int _count;
        private int _index = -1;
        private bool _done;
        private bool _disposed;
        private bool _completed; // under _gate: the producer added its last chunk
        private bool _stopping; // under _gate: the consumer disposed early
        private bool _producerWaiting; // under _gate: the producer sleeps for room (so a dequeue may need to wake it)
        private bool _consumerWaiting; // under _gate: the consumer sleeps for a chunk (so an enqueue must wake it)

        // A producer that found the queue full sleeps until the consumer has taken it down to this mark, then refills
        // it in one go: one wake-up per (Depth - LowWater) chunks instead of one per chunk.
        private readonly int _lowWater = options.Depth / 2;

        public Bar Current => _bars[_index];

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ++_index < _count || NextChunk();
        }

        public bool TryTakeChunk(out ArraySegment<Bar> bars)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var from = _index + 1;
            if (from >= _count)
            {
                if (!NextChunk())
                {
                    bars = default;
                    return false;
                }

                from = 0; // a new chunk: all of it comes after the bar taken last
            }

            bars = new ArraySegment<Bar>(_bars, from, _count - from);
            _index = _count - 1; // the enumeration goes on after them
            return true;
        }

        public void Reset() => throw new NotSupportedException("A prefetched bar stream cannot be rewound; enumerate it again.");

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            lock (_gate)
            {
                _stopping = true; // a producer waiting for room wakes, stops and disposes the source (closes its file)
                Monitor.PulseAll(_gate);
            }

            _thread?.Join();
        }

        private bool NextChunk()
        {
            if (_done)
            {
                _index = _count; // stays past the end
                return false;
            }

            if (_thread is null)
            {
                _thread = new Thread(Produce) { IsBackground = true, Name = "StrategyLab bar prefetch" };
                _thread.Start();
            }
            else if (_bars.Length > 0)
            {
                _free.Enqueue(_bars); // read to the end: the producer may refill it
            }

            _bars = [];
            _count = 0;
            _index = -1;
            Chunk chunk;
            lock (_gate)
            {
                while (_filled.Count == 0 && !_completed)
                {
                    _consumerWaiting = true; // cleared by the side that wakes it
                    Monitor.Wait(_gate);
                }

                if (_filled.Count == 0)
                {
                    _done = true; // the producer completed: the source's end
                    return false;
                }

                chunk = _filled.Dequeue();
                if (_producerWaiting && _filled.Count <= _lowWater)
                {
                    _producerWaiting = false; // one signal: the next dequeue (before the producer runs) must not signal again
                    options.OnProducerWake?.Invoke(_filled.Count);
                    Monitor.Pulse(_gate); // the producer sleeps on a full queue: wake it only at the low-water mark
                }
            }

            if (chunk.Error is { } error)
            {
                _done = true;
                error.Throw(); // the source's own exception, after every bar it gave before it
            }

            (_bars, _count, _index) = (chunk.Bars!, chunk.Count, 0);
            return true;
        }

        /// <summary>Queues <paramref name="chunk"/>, waiting for room; false when the consumer stopped (drop it and end).</summary>
        private bool Add(Chunk chunk)
        {
            lock (_gate)
            {
                while (_filled.Count >= options.Depth && !_stopping)
                {
                    _producerWaiting = true; // cleared by the side that wakes it
                    options.OnProducerSleep?.Invoke();
                    Monitor.Wait(_gate);
                }

                if (_stopping)
                {
                    return false;
                }

                _filled.Enqueue(chunk);
                if (_consumerWaiting)
                {
                    _consumerWaiting = false;
                    Monitor.Pulse(_gate); // wakes a consumer waiting on an empty queue (a busy consumer needs no signal)
                }

                return true;
            }
        }

        private void Produce()
        {
            var size = Math.Min(options.FirstChunkBars, options.ChunkBars);
            var bars = Rent(size);
            var count = 0;
            try
            {
                if (chunks is not null)
                {
                    ProduceChunks(chunks, ref bars, ref count, ref size);
                    return;
                }

                using var e = source!.GetEnumerator();
                while (e.MoveNext())
                {
                    bars[count++] = e.Current;
                    if (count == bars.Length)
                    {
                        if (!Add(new Chunk(bars, count, null)))
                        {
                            return; // the consumer stopped early; the using disposes the source
                        }

                        size = Math.Min(size * 2, options.ChunkBars);
                        bars = Rent(size);
                        count = 0;
                    }
                }
            }
            catch (Exception e)
            {
                if ((count == 0 || Add(new Chunk(bars, count, null))) && Add(new Chunk(null, 0, ExceptionDispatchInfo.Capture(e))))
                {
                    Complete();
                }

                return;
            }

            if (count == 0 || Add(new Chunk(bars, count, null)))
            {
                Complete();
            }
        }

        /// <summary>
        /// The producer's loop over a chunk source: it fills the chunk in place. An exception leaves
        /// <paramref name="count"/> at the bars written before it, which <see cref="Produce"/> hands over first.
        /// </summary>
        private void ProduceChunks(Func<IBarChunkSource> open, ref Bar[] bars, ref int count, ref int size)
        {
            using var reader = open();
            while (true)
            {
                var more = reader.Fill(bars, ref count);
                if (count == bars.Length || (!more && count > 0))
                {
                    if (!Add(new Chunk(bars, count, null)))
                    {
                        return; // the consumer stopped early; the using disposes the source
                    }

                    size = Math.Min(size * 2, options.ChunkBars);
                    bars = Rent(size);
                    count = 0;
                }

                if (!more)
                {
                    Complete();
                    return;
                }
            }
        }

        private void Complete()
        {
            lock (_gate)
            {
                _completed = true;
                Monitor.Pulse(_gate);
            }
        }

        private Bar[] Rent(int size)
        {
            while (_free.TryDequeue(out var bars))
            {
                if (bars.Length >= size)
                {
                    return bars;
                }
            }

            return new Bar[size];
        }
    }
}

/// <summary>
/// An enumerator of bars that can also hand over the bars it holds a chunk at a time (<see cref="PrefetchedBars"/>'s):
/// a consumer takes a whole chunk per call instead of two interface calls and a copy per bar.
/// </summary>
public interface IBarChunkReader
{
    /// <summary>
    /// Takes the bars after the current one (all of them before the first <c>MoveNext</c>) up to the end of the chunk
    /// the enumerator holds, or the next chunk when none is left in it (waiting for it), and moves the enumerator onto
    /// the last bar taken: <c>MoveNext</c> and this method can be mixed, each bar seen once. False at the end. The
    /// array belongs to the enumerator: valid until the next call, <c>MoveNext</c> or <c>Dispose</c>. The source's
    /// exception is thrown where it happened, after every bar before it, as by <c>MoveNext</c>.
    /// </summary>
    bool TryTakeChunk(out ArraySegment<Bar> bars);
}

/// <summary>A bar source that fills a chunk at a time (see <see cref="PrefetchedBars"/>).</summary>
internal interface IBarChunkSource : IDisposable
{
    /// <summary>
    /// Writes bars to <paramref name="destination"/> from index <paramref name="count"/> on, advancing it, until the
    /// array is full or the source ends; false at the end. When it throws, <paramref name="count"/> already counts
    /// every bar written before the error.
    /// </summary>
    bool Fill(Bar[] destination, ref int count);
}

/// <summary>A bar stream that can also be read a chunk at a time (<see cref="PrefetchedBars"/> then does).</summary>
internal interface IChunkedBars
{
    /// <summary>Starts a pass over the bars, a chunk at a time (as enumerating does: the same bars, then the same end or error).</summary>
    IBarChunkSource OpenChunks();
}

/// <summary>How <see cref="PrefetchedBars"/> reads ahead.</summary>
public sealed record BarPrefetchOptions
{
    /// <summary>8,192-bar chunks (about 1 MB), six queued.</summary>
    public static BarPrefetchOptions Default { get; } = new();

    /// <summary>Bars per chunk once it has grown: the unit handed to the consumer (one queue operation per chunk).</summary>
    public int ChunkBars { get; init; } = 8192;

    /// <summary>Bars in the first chunk (doubling up to <see cref="ChunkBars"/>): the consumer waits for it to fill.</summary>
    public int FirstChunkBars { get; init; } = 256;

    /// <summary>
    /// Filled chunks that may wait for the consumer; the producer blocks when they are all full and is woken when the
    /// consumer has taken the queue down to half of them (<c>Depth / 2</c>, rounded down), so it refills several chunks
    /// per wake-up.
    /// </summary>
    public int Depth { get; init; } = 6;

    /// <summary>
    /// Test hook: called (under the queue's lock, on the consumer's thread) each time the consumer wakes a producer
    /// that sleeps on a full queue, with the number of chunks still queued.
    /// </summary>
    internal Action<int>? OnProducerWake { get; init; }

    /// <summary>Test hook: called (under the queue's lock, on the producer's thread) each time the producer goes to sleep on a full queue.</summary>
    internal Action? OnProducerSleep { get; init; }

    internal BarPrefetchOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkBars, 1, nameof(ChunkBars));
        ArgumentOutOfRangeException.ThrowIfLessThan(FirstChunkBars, 1, nameof(FirstChunkBars));
        ArgumentOutOfRangeException.ThrowIfLessThan(Depth, 1, nameof(Depth));
        return this;
    }
}
