using System.Collections;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Store;

/// <summary>A range of rows [<see cref="First"/>, <see cref="End"/>) of the current row group of <see cref="Reader"/>.</summary>
internal readonly record struct RowRange(PartitionReader Reader, int First, int End);

/// <summary>
/// Bars handed out one by one from array segments (row groups). A hand-written enumerator: <c>Current</c> reads
/// the array slot directly instead of copying each 128-byte bar into an iterator field first.
/// </summary>
internal sealed class SegmentedBars(IEnumerable<RowRange> ranges) : IEnumerable<Bar>
{
    /// <summary>The bars as array segments (for <see cref="SliceMerge"/>, which merges batches).</summary>
    public IEnumerable<ArraySegment<Bar>> Segments => ParquetBarStore.ReadSegments(ranges);

    public IEnumerator<Bar> GetEnumerator() => new Enumerator(Segments.GetEnumerator());

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Enumerator(IEnumerator<ArraySegment<Bar>> source) : IEnumerator<Bar>
    {
        private Bar[] _array = [];
        private int _index = -1;
        private int _end;

        public Bar Current => _array[_index];

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (++_index < _end)
            {
                return true;
            }

            while (source.MoveNext())
            {
                var segment = source.Current;
                if (segment.Count > 0)
                {
                    _array = segment.Array!;
                    _index = segment.Offset;
                    _end = segment.Offset + segment.Count;
                    return true;
                }
            }

            (_array, _index, _end) = ([], 0, 0);
            return false;
        }

        public void Reset() => throw new NotSupportedException("Read the store again instead.");

        public void Dispose() => source.Dispose();
    }
}
