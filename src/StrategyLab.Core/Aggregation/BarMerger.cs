using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Aggregation;

/// <summary>
/// Merges per-symbol bar streams (each in time order) into one stream ordered by end time, then by symbol — the
/// order the engine's time slices need. Lazy, constant memory, O(log k) per bar for k streams.
/// </summary>
public static class BarMerger
{
    /// <summary>Merges <paramref name="streams"/>.</summary>
    /// <exception cref="InvalidOperationException">A stream is not in time order (named in the message).</exception>
    public static IEnumerable<Bar> Merge(IReadOnlyList<IEnumerable<Bar>> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        return streams.Count == 1 ? Ordered(streams[0]) : MergeMany(streams);
    }

    private static IEnumerable<Bar> Ordered(IEnumerable<Bar> stream)
    {
        var last = DateTime.MinValue;
        foreach (var bar in stream)
        {
            if (bar.End < last)
            {
                throw NotInTimeOrder(bar, last);
            }

            last = bar.End;
            yield return bar;
        }
    }

    /// <summary>The error for <paramref name="bar"/> of a stream whose previous bar ended at <paramref name="last"/>, later than it.</summary>
    internal static InvalidOperationException NotInTimeOrder(in Bar bar, DateTime last) =>
        new($"Bars of {bar.Symbol} are not in time order: {bar} follows a bar ending {last:O}.");

    private static IEnumerable<Bar> MergeMany(IReadOnlyList<IEnumerable<Bar>> streams)
    {
        var enumerators = new IEnumerator<Bar>[streams.Count];
        var queue = new PriorityQueue<int, (DateTime End, Symbol Symbol)>(streams.Count, Comparer<(DateTime End, Symbol Symbol)>.Create(
            static (a, b) => a.End != b.End ? a.End.CompareTo(b.End) : a.Symbol.CompareTo(b.Symbol)));
        try
        {
            for (var i = 0; i < streams.Count; i++)
            {
                enumerators[i] = Ordered(streams[i]).GetEnumerator();
                if (enumerators[i].MoveNext())
                {
                    queue.Enqueue(i, (enumerators[i].Current.End, enumerators[i].Current.Symbol));
                }
            }

            while (queue.TryDequeue(out var i, out _))
            {
                var e = enumerators[i];
                yield return e.Current;
                if (e.MoveNext())
                {
                    queue.Enqueue(i, (e.Current.End, e.Current.Symbol));
                }
            }
        }
        finally
        {
            foreach (var e in enumerators)
            {
                e?.Dispose();
            }
        }
    }
}
