namespace StrategyLab.Data.Synthetic;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: a small, fast generator whose output is fixed by its
/// seed on every platform and runtime, unlike <see cref="System.Random"/>, whose seeded sequence .NET does not promise to
/// keep. Only integer arithmetic here; the doubles derived from it use +, -, *, / and sqrt, which IEEE 754 rounds the
/// same way everywhere.
/// </summary>
internal struct Xoshiro256
{
    private const double TwoToMinus32 = 1.0 / 4294967296.0;
    private const double TwoToMinus21 = 1.0 / 2097152.0;

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Xoshiro256(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>Mixes a value into a well-distributed 64-bit value (SplitMix64's output function), e.g. to derive seeds.</summary>
    public static ulong Mix(ulong value)
    {
        var x = value;
        return SplitMix64(ref x);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive) => (int)((NextUInt64() >> 33) * (ulong)maxExclusive >> 31);

    /// <summary>Two uniform doubles in [0, 1) with 32 random bits each, from one draw.</summary>
    public void NextPair(out double first, out double second)
    {
        var x = NextUInt64();
        first = (x >> 32) * TwoToMinus32;
        second = (x & 0xFFFF_FFFFUL) * TwoToMinus32;
    }

    /// <summary>Three uniform doubles in [0, 1) with 21 random bits each, from one draw.</summary>
    public void NextTriple(out double first, out double second, out double third)
    {
        var x = NextUInt64();
        first = (x >> 43) * TwoToMinus21;
        second = ((x >> 22) & 0x1F_FFFFUL) * TwoToMinus21;
        third = ((x >> 1) & 0x1F_FFFFUL) * TwoToMinus21;
    }

    /// <summary>
    /// An approximately standard normal value: the Irwin–Hall sum of four 32-bit uniforms, centred and scaled to unit
    /// variance. Bounded by ±3.46, so callers add fat tails themselves; cheap and free of transcendental functions.
    /// </summary>
    public double NextGaussian()
    {
        NextPair(out var a, out var b);
        NextPair(out var c, out var d);
        return (a + b + c + d - 2.0) * 1.7320508075688772;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
