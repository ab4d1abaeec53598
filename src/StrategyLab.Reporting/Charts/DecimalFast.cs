using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StrategyLab.Reporting.Charts;

/// <summary>
/// Comparison and addition of decimals done on their 64-bit mantissas when both are non-negative and fit 64 bits (the
/// prices and volumes of bars): a candle merges a bar per bar with two comparisons and an addition, and the decimal
/// operators align scales in 96-bit arithmetic. The results are those of the operators exactly (the sum's mantissa and
/// scale included); any other value takes the operators.
/// </summary>
internal static class DecimalFast
{
    private static readonly ulong[] PowersOf10 =
    [
        1UL, 10UL, 100UL, 1_000UL, 10_000UL, 100_000UL, 1_000_000UL, 10_000_000UL, 100_000_000UL, 1_000_000_000UL,
        10_000_000_000UL, 100_000_000_000UL, 1_000_000_000_000UL, 10_000_000_000_000UL, 100_000_000_000_000UL,
        1_000_000_000_000_000UL, 10_000_000_000_000_000UL, 100_000_000_000_000_000UL, 1_000_000_000_000_000_000UL,
        10_000_000_000_000_000_000UL,
    ];

    // ulong.MaxValue / PowersOf10[k]: the largest mantissa that can be scaled up k places in 64 bits, looked up rather
    // than divided per call (a 64-bit division is tens of cycles; bars of a CSV differ in scale often).
    private static readonly ulong[] MaxScalable = [.. PowersOf10.Select(p => ulong.MaxValue / p)];

    // The runtime's decimal is { int flags; uint hi; ulong lo } (flags: scale in bits 16–23, sign in bit 31); checked
    // once against decimal.GetBits, and the operators are used when it is not.
    internal static readonly bool LayoutKnown = CheckLayout();

    /// <summary><c>a &lt; b</c>.</summary>
    public static bool Less(in decimal a, in decimal b)
    {
        if (LayoutKnown)
        {
            ref readonly var x = ref Bits(a);
            ref readonly var y = ref Bits(b);

            // Both non-negative (sign bit clear) with 64-bit mantissas: then flags is the scale << 16.
            if ((x.Flags | y.Flags) >= 0 && (x.Hi | y.Hi) == 0)
            {
                int sx = x.Flags >> 16, sy = y.Flags >> 16;
                if (sx == sy)
                {
                    return x.Lo < y.Lo;
                }

                if (sx < sy)
                {
                    if (sy - sx < PowersOf10.Length && x.Lo <= MaxScalable[sy - sx])
                    {
                        return x.Lo * PowersOf10[sy - sx] < y.Lo;
                    }
                }
                else if (sx - sy < PowersOf10.Length && y.Lo <= MaxScalable[sx - sy])
                {
                    return x.Lo < y.Lo * PowersOf10[sx - sy];
                }
            }
        }

        return a < b;
    }

    /// <summary><c>a + b</c>, the mantissa and scale the operator gives.</summary>
    public static decimal Add(in decimal a, in decimal b)
    {
        if (LayoutKnown)
        {
            ref readonly var x = ref Bits(a);
            ref readonly var y = ref Bits(b);
            if ((x.Flags | y.Flags) >= 0 && (x.Hi | y.Hi) == 0)
            {
                // The operator aligns to the larger scale and adds exactly while the sum fits: so does this, in 64 bits.
                int sx = x.Flags >> 16, sy = y.Flags >> 16;
                ulong lx = x.Lo, ly = y.Lo;
                var scale = sx;
                if (sx < sy)
                {
                    lx = sy - sx < PowersOf10.Length && lx <= MaxScalable[sy - sx] ? lx * PowersOf10[sy - sx] : ulong.MaxValue;
                    scale = sy;
                }
                else if (sy < sx)
                {
                    ly = sx - sy < PowersOf10.Length && ly <= MaxScalable[sx - sy] ? ly * PowersOf10[sx - sy] : ulong.MaxValue;
                }

                var sum = lx + ly;
                if (lx != ulong.MaxValue && ly != ulong.MaxValue && sum >= lx)
                {
                    return new decimal((int)(uint)sum, (int)(uint)(sum >> 32), 0, false, (byte)scale);
                }
            }
        }

        return a + b;
    }

    /// <summary>
    /// <c>a &lt; b</c>, inlined for the common case of a candle merging a bar: both non-negative with the same scale
    /// and 64-bit mantissas (equal flags), where it is one comparison of mantissas; anything else is <see cref="Less"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LessInline(in decimal a, in decimal b)
    {
        if (LayoutKnown)
        {
            ref readonly var x = ref Bits(a);
            ref readonly var y = ref Bits(b);
            if (x.Flags == y.Flags && x.Flags >= 0 && (x.Hi | y.Hi) == 0)
            {
                return x.Lo < y.Lo;
            }
        }

        return Less(a, b);
    }

    /// <summary>
    /// <c>sum += b</c> with the operator's result (mantissa and scale), inlined for the common case: both non-negative
    /// with the same scale and a sum that fits 64 bits, where only the low mantissa of <paramref name="sum"/> is
    /// written in place (the flags and the high bits stay: same scale, zero); anything else is <see cref="Add"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(ref decimal sum, in decimal b)
    {
        if (LayoutKnown)
        {
            ref var x = ref Unsafe.As<decimal, MutableLayout>(ref sum);
            ref readonly var y = ref Bits(b);
            if (x.Flags == y.Flags && x.Flags >= 0 && (x.Hi | y.Hi) == 0)
            {
                var total = x.Lo + y.Lo;
                if (total >= x.Lo)
                {
                    x.Lo = total;
                    return;
                }
            }
        }

        sum = Add(sum, b);
    }

    /// <summary>The decimal's fields read in place (only when <see cref="LayoutKnown"/>).</summary>
    internal static ref readonly Layout Bits(in decimal d) => ref Unsafe.As<decimal, Layout>(ref Unsafe.AsRef(in d));

    private static bool CheckLayout()
    {
        var d = new decimal(0x0A0B0C0D, 0x01020304, 0x05060708, true, 7);
        ref readonly var l = ref Bits(d);
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(d, bits);
        return Unsafe.SizeOf<Layout>() == sizeof(decimal)
            && l.Flags == bits[3] && l.Hi == (uint)bits[2] && l.Lo == (((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
    }

    /// <summary>The runtime's decimal fields: flags (scale in bits 16–23, sign in bit 31), high 32 and low 64 bits of the mantissa.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly struct Layout
    {
        public readonly int Flags;
        public readonly uint Hi;
        public readonly ulong Lo;
    }

    /// <summary><see cref="Layout"/> written in place by <see cref="AddTo"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct MutableLayout
    {
        public int Flags;
        public uint Hi;
        public ulong Lo;
    }
}
