using System.Runtime.CompilerServices;

namespace StrategyLab.Reporting.Charts;

/// <summary>
/// How a downsampling list (chart candles, plot points) grows toward its bound: by doubling while its array is small,
/// then straight to the bound (limit + 1) instead of through the large-object heap's sizes in between.
/// </summary>
/// <remarks>
/// A list that doubles from 1,024 candles to 8,192 on its way to 10,001 leaves 1.9 MB of discarded arrays on the
/// large-object heap; a run of ten symbols fills its ladders in its first second (12 candle ladders, 20 plot series):
/// ~31 MB of garbage that only a full collection frees and whose room the large-object heap keeps committed (free
/// space it does not reuse: nothing else that large is allocated while the engine runs) for the rest of the run. A
/// list that stays under the threshold (a few hundred bars a symbol) keeps growing by doubling, as small as before.
/// </remarks>
internal static class BoundedListGrowth
{
    /// <summary>The runtime's threshold: an array of this many bytes or more goes to the large-object heap.</summary>
    internal const int LargeObjectBytes = 85_000;

    /// <summary>Past this many bytes the bound is approached by doubling after all (a bound that large is not a chart's).</summary>
    internal const int MostBytesAtOnce = 4 * 1024 * 1024;

    /// <summary>
    /// Called before adding to a full <paramref name="list"/> that never holds more than <paramref name="limit"/> + 1
    /// items (one past the limit is coarsened at once): sets the capacity that the add would otherwise double to.
    /// </summary>
    public static void BeforeAdd<T>(List<T> list, int limit)
    {
        var capacity = list.Capacity;
        if (list.Count != capacity || capacity > limit)
        {
            return; // room left, or already at the bound (a list past it, at the ladder's last step, doubles as a list does)
        }

        var bound = limit + 1L;
        var doubled = Math.Max(4L, capacity * 2L);
        var itemBytes = (long)Unsafe.SizeOf<T>();
        if (doubled > bound || (doubled * itemBytes >= LargeObjectBytes && bound * itemBytes <= MostBytesAtOnce))
        {
            list.Capacity = (int)bound;
        }
    }
}
