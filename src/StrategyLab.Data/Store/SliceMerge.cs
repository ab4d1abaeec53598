using System.Collections;
using System.Runtime.CompilerServices;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Store;

/// <summary>
/// Merges per-symbol bar streams into slice order — by end time, then by symbol — exactly as
/// <see cref="Core.Aggregation.BarMerger"/> does, but over batches: a stream read from the store hands over whole row
/// groups, a stream read ahead (<see cref="PrefetchedBars"/>: CSV, LEAN) its read-ahead chunks (no interface call per
/// bar), and the k streams are merged with a binary heap of cursors keyed on (end ticks, symbol rank), integers only.
/// Any other stream is pulled a bar at a time, as the merger does.
/// </summary>
/// <remarks>
/// When every stream comes straight from the store or is read ahead on its own thread (no transformation between the
/// reader and the merge on the caller's side), the merging (and for the store the reading and decoding) runs on a
/// second thread a few blocks of bars ahead of the consumer (a bounded pipeline: the engine runs on one core while the
/// next bars are decoded and merged on the other), and the consumer takes the merged bars a chunk at a time
/// (<see cref="IBarChunkReader"/>). The bars and their order are the same; an error is raised after the bars before
/// it, as without the pipeline. Streams that do more than read on the caller's side (resampling, adjusting, tallying)
/// are merged on the caller's thread, so their side effects happen exactly as the bars are taken.
/// </remarks>
public static class SliceMerge
{
    /// <summary>Merges <paramref name="streams"/> (one per symbol, each in time order).</summary>
    /// <exception cref="InvalidOperationException">A stream is not in time order (named in the message, as the merger does).</exception>
    public static IEnumerable<Bar> Merge(IReadOnlyList<IEnumerable<Bar>> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        return Environment.ProcessorCount > 1 && streams.Count > 0 && streams.All(s => s is SegmentedBars or PrefetchedBars)
            ? new PrefetchedBars(() => new Enumerator(streams), Ahead)
            : new Merged(streams);
    }

    /// <summary>
    /// The read-ahead of a merge from the store: 4,096-bar chunks (512 KB), four queued, so a few MB of bars wait
    /// however long the run; the first chunk is small so the engine starts soon.
    /// </summary>
    private static readonly BarPrefetchOptions Ahead = new() { ChunkBars = 4096, FirstChunkBars = 256, Depth = 4 };

    private sealed class Merged(IReadOnlyList<IEnumerable<Bar>> streams) : IEnumerable<Bar>
    {
        public IEnumerator<Bar> GetEnumerator() => new Enumerator(streams);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// One stream's position: the current bar is <c>Array[Index]</c>. It reads whole segments (the store's row groups),
    /// whole chunks (an enumerator that hands them over, <see cref="IBarChunkReader"/>) or single bars.
    /// </summary>
    private sealed class Cursor(IEnumerator<ArraySegment<Bar>>? segments, IEnumerator<Bar>? bars) : IDisposable
    {
        // A chunk is valid until the next take: the cursor takes the next one only once it has moved past this one.
        private readonly IBarChunkReader? _chunks = bars as IBarChunkReader;
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

            if (_chunks is not null)
            {
                while (_chunks.TryTakeChunk(out var chunk))
                {
                    if (chunk.Count > 0)
                    {
                        (Array, Index, _end) = (chunk.Array!, chunk.Offset, chunk.Offset + chunk.Count);
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

    private sealed class Enumerator : IEnumerator<Bar>, IBarChunkSource
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
                AdvanceTop(_current);
            }

            _current = _count > 0 ? _heap[0] : null;
            return _current is not null;
        }

        public void Reset() => throw new NotSupportedException("Read the bars again instead.");

        /// <summary>
        /// The merge written straight into a chunk (the read-ahead thread's loop): the same bars in the same order as
        /// <see cref="MoveNext"/>, one copy each, no interface call per bar. A stream moves on right after its bar is
        /// written, so an error reading it comes after that bar, as it would at the next <see cref="MoveNext"/>.
        /// </summary>
        public bool Fill(Bar[] destination, ref int count)
        {
            if (!_started)
            {
                _started = true;
                Start();
            }

            while (count < destination.Length)
            {
                if (_count == 0)
                {
                    return false;
                }

                var top = _heap[0];
                destination[count++] = top.Array[top.Index];
                AdvanceTop(top);
            }

            return _count > 0;
        }

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

        /// <summary>Moves the heap's top stream (<paramref name="top"/>) to its next bar, or drops it when it has none.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void AdvanceTop(Cursor top)
        {
            if (top.Next())
            {
                SiftDown(0);
                return;
            }

            _heap[0] = _heap[--_count];
            _heap[_count] = null!;
            if (_count > 0)
            {
                SiftDown(0);
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
