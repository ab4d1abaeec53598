using System.Runtime.CompilerServices;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Data;

namespace StrategyLab.Runner;

/// <summary>
/// Feeds the engine time slices cut straight out of the read-ahead's chunks: what <see cref="TradingEngine.Run(IEnumerable{Bar})"/>
/// does with an enumerator (group bars that end together, process each group), without its two interface calls and
/// two 128-byte copies per bar. A slice inside a chunk is handed over in place; only a slice that a chunk's end cuts
/// is copied, into a buffer of its own, and completed from the next chunk.
/// </summary>
internal static class SliceFeed
{
    /// <summary>
    /// Runs <paramref name="engine"/> over <paramref name="first"/> (the bar already read) and then every bar
    /// <paramref name="chunks"/> hands over, slice by slice, until the end or until <paramref name="token"/> is
    /// cancelled (checked between slices: a slice is processed whole or not at all).
    /// </summary>
    /// <remarks>
    /// Compiled fully optimised on its first call rather than run as precompiled code: this is the loop the whole run
    /// stays in, so a precompiled body would never be replaced by the tiered compiler's optimised one.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A bar ends before the previous one (the input is not time-ordered), worded as the engine's.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(TradingEngine engine, in Bar first, IBarChunkReader chunks, CancellationToken token)
    {
        // The slice a chunk's end cut: it may continue in the next chunk, whose array replaces this one's.
        var pending = new Bar[8];
        pending[0] = first;
        var pendingCount = 1;
        while (!token.IsCancellationRequested && chunks.TryTakeChunk(out var segment))
        {
            ReadOnlySpan<Bar> bars = segment;
            var start = 0;
            if (pendingCount > 0)
            {
                var end = pending[0].End;
                while (start < bars.Length && bars[start].End == end)
                {
                    if (pendingCount == pending.Length)
                    {
                        Array.Resize(ref pending, pending.Length * 2);
                    }

                    pending[pendingCount++] = bars[start++];
                }

                if (start == bars.Length)
                {
                    continue; // the slice may go on in the next chunk
                }

                CheckOrder(bars[start], end);
                engine.ProcessSlice(pending.AsSpan(0, pendingCount));
                pendingCount = 0;
                if (token.IsCancellationRequested)
                {
                    return;
                }
            }

            var sliceEnd = bars[start].End;
            for (var i = start + 1; i < bars.Length; i++)
            {
                var barEnd = bars[i].End;
                if (barEnd == sliceEnd)
                {
                    continue;
                }

                CheckOrder(bars[i], sliceEnd);
                engine.ProcessSlice(bars[start..i]);
                if (token.IsCancellationRequested)
                {
                    return;
                }

                start = i;
                sliceEnd = barEnd;
            }

            // The chunk's last slice: kept until the next chunk says whether it goes on.
            var tail = bars[start..];
            if (tail.Length > pending.Length)
            {
                pending = new Bar[tail.Length * 2];
            }

            tail.CopyTo(pending);
            pendingCount = tail.Length;
        }

        if (pendingCount > 0 && !token.IsCancellationRequested)
        {
            engine.ProcessSlice(pending.AsSpan(0, pendingCount));
        }
    }

    private static void CheckOrder(in Bar bar, DateTime sliceEnd)
    {
        if (bar.End < sliceEnd)
        {
            throw new InvalidOperationException($"Bars are not in time order: {bar} comes after a bar ending {sliceEnd:O}.");
        }
    }
}
