using System.Collections;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data;

/// <summary>
/// One read-ahead stream checked to be in time order, as <see cref="BarMerger.Merge"/> checks a single stream (the same
/// bars, the same error at the same point), whose enumerator still hands over whole chunks
/// (<see cref="IBarChunkReader"/>): a one-symbol backtest then feeds the engine slices cut out of the chunks instead of
/// two enumerator layers, each two interface calls and a 128-byte copy per bar.
/// </summary>
public sealed class TimeOrderedBars : IEnumerable<Bar>
{
    private readonly PrefetchedBars _source;

    /// <summary>Checks the order of <paramref name="source"/>'s bars as they are taken.</summary>
    public TimeOrderedBars(PrefetchedBars source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <summary>An enumerator that also hands over chunks; each enumeration reads the source ahead anew.</summary>
    public IEnumerator<Bar> GetEnumerator() => new Enumerator(_source.GetEnumerator());

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Enumerator(IEnumerator<Bar> bars) : IEnumerator<Bar>, IBarChunkReader
    {
        private readonly IBarChunkReader _chunks = (IBarChunkReader)bars;
        private DateTime _last = DateTime.MinValue;

        // A chunk taken with a bar out of order is handed over up to that bar; the next move throws, as the
        // enumerator of BarMerger's stream throws when it reaches that bar, after every bar before it.
        private InvalidOperationException? _outOfOrder;

        public Bar Current => bars.Current;

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            ThrowIfOutOfOrder();
            if (!bars.MoveNext())
            {
                return false;
            }

            var end = bars.Current.End;
            if (end < _last)
            {
                throw BarMerger.NotInTimeOrder(bars.Current, _last);
            }

            _last = end;
            return true;
        }

        public bool TryTakeChunk(out ArraySegment<Bar> chunk)
        {
            ThrowIfOutOfOrder();
            if (!_chunks.TryTakeChunk(out chunk))
            {
                return false;
            }

            ReadOnlySpan<Bar> taken = chunk;
            var last = _last;
            for (var i = 0; i < taken.Length; i++)
            {
                var end = taken[i].End;
                if (end < last)
                {
                    var error = BarMerger.NotInTimeOrder(taken[i], last);
                    if (i == 0)
                    {
                        throw error;
                    }

                    _outOfOrder = error;
                    chunk = chunk[..i];
                    break;
                }

                last = end;
            }

            _last = last;
            return true;
        }

        public void Reset() => throw new NotSupportedException("A prefetched bar stream cannot be rewound; enumerate it again.");

        public void Dispose() => bars.Dispose();

        private void ThrowIfOutOfOrder()
        {
            if (_outOfOrder is { } error)
            {
                throw error;
            }
        }
    }
}
