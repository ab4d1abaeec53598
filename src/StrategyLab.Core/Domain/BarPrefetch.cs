using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace StrategyLab.Core.Domain;

/// <summary>
/// Asks the processor to bring bars into its cache ahead of their use (a hint: no effect on results, nothing where the
/// processor has no prefetch instruction). The engine reads its input one 128-byte bar at a time with enough work
/// between two bars that the processor's own prefetch did not keep ahead: the first touch of a bar waited on memory.
/// </summary>
internal static class BarPrefetch
{
    private const int CacheLine = 64;

    /// <summary>Prefetches <paramref name="count"/> bars from <paramref name="first"/> (which must be an element of an array or span holding them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Bars(ref readonly Bar first, int count)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // The address is only a hint to the processor: the GC may move the array afterwards, which makes the hint
        // useless, never wrong.
        var address = (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in first));
        var bytes = count * Unsafe.SizeOf<Bar>();
        for (var offset = 0; offset < bytes; offset += CacheLine)
        {
            Sse.Prefetch0(address + offset);
        }
    }
}
