using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Store;

/// <summary>
/// Merges per-symbol bar streams into slice order — by end time, then by symbol — exactly as
/// <see cref="Core.Aggregation.BarMerger"/> does, but over batches: a stream read from the store hands over whole row
/// groups (no interface call per bar), and the k streams are merged with a binary heap of cursors keyed on
/// (end ticks, symbol rank), integers only. Any other stream is pulled a bar at a time, as the merger does.
/// </summary>
/// <remarks>
/// When every stream comes straight from the store (no transformation between the store and the merge), the reading,
/// decoding and merging run on a second thread a few blocks of bars ahead of the consumer (a bounded pipeline: the
/// engine runs on one core while the next bars are decoded on the other). The bars and their order are the same; an
/// error is raised after the bars before it, as without the pipeline. Streams that do more than read (resampling,
/// adjusting, tallying) are merged on the caller's thread, so their side effects happen exactly as the bars are taken.
/// </remarks>
public static class SliceMerge
{
    /// <summary>Merges <paramref name="streams"/> (one per symbol, each in time order).</summary>
    /// <exception cref="InvalidOperationException">A stream is not in time order (named in the message, as the merger does).</exception>
    public static IEnumerable<Bar> Merge(IReadOnlyList<IEnumerable<Bar>> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var merged = new Merged(streams);
        return Environment.ProcessorCount > 1 && streams.Count > 0 && streams.All(s => s is SegmentedBars)
            ? new Prefetched(merged)
            : merged;
    }

    /// <summary>Bars taken from a source on a second thread, handed over in blocks through a bounded queue.</summary>
    private sealed class Prefetched(IEnumerable<Bar> source) : IEnumerable<Bar>
    {
        public IEnumerator<Bar> GetEnumerator() => new PrefetchEnumerator(source);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class PrefetchEnumerator(IEnumerable<Bar> source) : IEnumerator<Bar>
    {
        // 4,096 bars of 128 bytes: 512 KB a block; at most Depth blocks wait, so memory stays a few MB for any run.
        private const int BlockSize = 4096;
        private const int Depth = 4;

        private readonly BlockingCollection<Block> _full = new(Depth);
        private readonly BlockingCollection<Bar[]> _free = new();
        private readonly CancellationTokenSource _stop = new();
        private Task? _producer;
        private Block _block = new([], 0, null, Last: false);
        private int _index = -1;

        public Bar Current => _block.Bars[_index];

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_producer is null)
            {
                for (var i = 0; i < Depth + 2; i++)
                {
                    _free.Add(new Bar[BlockSize]);
                }

                _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            while (++_index >= _block.Count)
            {
                if (_block.Last)
                {
                    _index = _block.Count;
                    _block.Error?.Throw();
                    return false;
                }

                if (_block.Bars.Length > 0)
                {
                    _free.Add(_block.Bars);
                }

                _block = _full.Take();
                _index = -1;
            }

            return true;
        }

        public void Reset() => throw new NotSupportedException("Read the bars again instead.");

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _producer?.Wait();
            }
            catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
            {
                // stopped while waiting for room: expected when the consumer leaves early
            }

            _full.Dispose();
            _free.Dispose();
            _stop.Dispose();
        }

        private void Produce()
        {
            var ct = _stop.Token;
            var bars = _free.Take(ct);
            var n = 0;
            try
            {
                using var e = source.GetEnumerator();
                while (e.MoveNext())
                {
                    bars[n++] = e.Current;
                    if (n == BlockSize)
                    {
                        _full.Add(new Block(bars, n, null, Last: false), ct);
                        bars = _free.Take(ct);
                        n = 0;
                    }
                }

                _full.Add(new Block(bars, n, null, Last: true), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // the consumer left
            }
            catch (Exception e)
            {
                // Handed over after the bars read before it, so the consumer sees the same bars, then the same error.
                _full.Add(new Block(bars, n, ExceptionDispatchInfo.Capture(e), Last: true), ct);
            }
        }

        private sealed record Block(Bar[] Bars, int Count, ExceptionDispatchInfo? Error, bool Last);
    }

    private sealed class Merged(IReadOnlyList<IEnumerable<Bar>> streams) : IEnumerable<Bar>
    {
        public IEnumerator<Bar> GetEnumerator() => new Enumerator(streams);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>One stream's position: the current bar is <c>Array[Index]</c>.</summary>
    private sealed class Cursor(IEnumerator<ArraySegment<Bar>>? segments, IEnumerator<Bar>? bars) : IDisposable
    {
        private readonly Bar[] _single = new Bar[1];
        private int _end;
        private long _lastEnd = long.MinValue;

        public Bar[] Array { get; private set; } = [];

        public int Index { get; private set; }

        /// <summary>The current bar's end, in ticks (the first key).</summary>
        public long EndTicks { get; private set; }

        /// <summary>The symbol's place in symbol order (the second key; the stream's position breaks a tie of equal symbols).</summary>
        public int Rank { get; set; }

        /// <summary>Moves to the next bar; false at the end of the stream.</summary>
        public bool Next()
        {
            if (++Index >= _end && !Refill())
            {
                return false;
            }

            var end = Array[Index].End.Ticks;
            if (end < _lastEnd)
            {
                var bar = Array[Index];
                throw new InvalidOperationException($"Bars of {bar.Symbol} are not in time order: {bar} follows a bar ending {new DateTime(_lastEnd, DateTimeKind.Utc):O}.");
            }

            _lastEnd = end;
            EndTicks = end;
            return true;
        }

        public void Dispose()
        {
            segments?.Dispose();
            bars?.Dispose();
        }

        private bool Refill()
        {
            if (segments is not null)
            {
                while (segments.MoveNext())
                {
                    var s = segments.Current;
                    if (s.Count > 0)
                    {
                        (Array, Index, _end) = (s.Array!, s.Offset, s.Offset + s.Count);
                        return true;
                    }
                }

                return false;
            }

            if (!bars!.MoveNext())
            {
                return false;
            }

            _single[0] = bars.Current;
            (Array, Index, _end) = (_single, 0, 1);
            return true;
        }
    }

    private sealed class Enumerator : IEnumerator<Bar>
    {
        private readonly Cursor[] _all;
        private readonly Cursor[] _heap;
        private int _count;
        private Cursor? _current;
        private bool _started;

        public Enumerator(IReadOnlyList<IEnumerable<Bar>> streams)
        {
            _all = new Cursor[streams.Count];
            _heap = new Cursor[streams.Count];
            try
            {
                for (var i = 0; i < streams.Count; i++)
                {
                    _all[i] = streams[i] is SegmentedBars segmented
                        ? new Cursor(segmented.Segments.GetEnumerator(), null)
                        : new Cursor(null, streams[i].GetEnumerator());
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public Bar Current => _current!.Array[_current.Index];

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (!_started)
            {
                _started = true;
                Start();
            }
            else if (_current is not null)
            {
                // The stream of the bar just handed out moves on only now, as the merger's iterator does.
                if (_current.Next())
                {
                    SiftDown(0);
                }
                else
                {
                    _heap[0] = _heap[--_count];
                    _heap[_count] = null!;
                    if (_count > 0)
                    {
                        SiftDown(0);
                    }
                }
            }

            _current = _count > 0 ? _heap[0] : null;
            return _current is not null;
        }

        public void Reset() => throw new NotSupportedException("Read the bars again instead.");

        public void Dispose()
        {
            foreach (var c in _all)
            {
                c?.Dispose();
            }
        }

        /// <summary>Reads each stream's first bar (in stream order, as the merger does), then ranks the symbols.</summary>
        private void Start()
        {
            var firsts = new List<(Cursor Cursor, Symbol Symbol, int Stream)>(_all.Length);
            for (var i = 0; i < _all.Length; i++)
            {
                if (_all[i].Next())
                {
                    firsts.Add((_all[i], _all[i].Array[_all[i].Index].Symbol, i));
                }
            }

            // Rank = the symbol's place in symbol order, so (end, rank) orders as (end, symbol) does. Every bar of a
            // stream has the stream's symbol (one stream per symbol), so its first bar names it.
            firsts.Sort((a, b) => a.Symbol.CompareTo(b.Symbol) is var c && c != 0 ? c : a.Stream.CompareTo(b.Stream));
            for (var r = 0; r < firsts.Count; r++)
            {
                firsts[r].Cursor.Rank = r;
            }

            _count = 0;
            foreach (var (cursor, _, _) in firsts)
            {
                _heap[_count++] = cursor;
            }

            for (var i = (_count / 2) - 1; i >= 0; i--)
            {
                SiftDown(i);
            }
        }

        private void SiftDown(int i)
        {
            var item = _heap[i];
            while (true)
            {
                var child = (2 * i) + 1;
                if (child >= _count)
                {
                    break;
                }

                if (child + 1 < _count && Less(_heap[child + 1], _heap[child]))
                {
                    child++;
                }

                if (!Less(_heap[child], item))
                {
                    break;
                }

                _heap[i] = _heap[child];
                i = child;
            }

            _heap[i] = item;
        }

        private static bool Less(Cursor a, Cursor b) => a.EndTicks != b.EndTicks ? a.EndTicks < b.EndTicks : a.Rank < b.Rank;
    }
}
