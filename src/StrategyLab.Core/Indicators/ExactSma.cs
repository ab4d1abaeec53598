using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// Simple moving average of the last <see cref="Period"/> <see cref="decimal"/> values whose window sum is kept
/// exactly, so that two averages can be compared without rounding (<see cref="CompareMeanTo"/>): equal means compare
/// equal. The bar overload uses the close as read (no conversion to <see cref="double"/>).
/// </summary>
/// <remarks>
/// <para>The window is held as integers scaled by <c>10^Scale</c>, where <see cref="Scale"/> is the largest number of
/// decimals seen so far (2 for cent prices, 4 for sub-dollar stocks, 8 for crypto); the sum is a 128-bit integer,
/// so adding the new value and subtracting the leaving one is exact and cheap, and nothing drifts. A value with more
/// decimals than any before rescales the window once (O(n), at most 28 times in a life). Means are compared by
/// cross-multiplication (<c>sumA · periodB</c> vs <c>sumB · periodA</c>), again in 128 bits: with scaled
/// values below 2^63 and periods below 2^31 every product stays below 2^125, so no division and no rounding.</para>
/// <para>A value that does not fit a 64-bit integer at the window's scale (e.g. 10^11 with 8 decimals) switches the
/// instance to <see cref="decimal"/> sums for good (one allocation). Decimal sums and products are exact as long as
/// they need at most 28 significant digits, which any real price series satisfies; beyond that decimal rounds.</para>
/// <para><see cref="Value"/> is the mean as a <see cref="double"/> (for display and for double-based consumers); decide
/// with <see cref="CompareMeanTo"/> or <see cref="Sum"/>, not with <see cref="Value"/>. O(1) per update and
/// allocation-free apart from the rare cases above. Ready after <see cref="Period"/> updates.</para>
/// </remarks>
public sealed class ExactSma : IIndicator
{
    private const int MaxLongPowerOfTen = 18;

    private static readonly long[] PowersOfTen = BuildPowersOfTen();

    // 10^0..10^22 are exact doubles, so these are the bits Math.Pow(10, n) gives.
    private static readonly double[] ExactDoublePowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    private readonly long[] _scaled;
    private decimal[]? _decimals; // set once a value did not fit the scaled integers; from then on the only window

    // The window's sum, a 128-bit two's-complement integer, as two 64-bit halves rather than an Int128 field: a class
    // with an Int128 field has no version-resilient layout, so crossgen2 leaves out of the ReadyToRun images every
    // method that inlines one of its members (the strategies' OnBar, which inline CompareMeanTo and Value), and a short
    // run executed them as unoptimized tier-0 code. The Int128 arithmetic is kept for the rare paths (WideSum).
    private ulong _sumLow;
    private long _sumHigh;
    private decimal _decimalSum;
    private int _scale;

    // 10^_scale as a double (the bits DoublePowerOfTen gives), set when the scale changes: Value divides by it on every
    // plotted bar without a table read (a static field's class-initialisation check in precompiled code).
    private double _doublePowerOfScale = 1d;
    private int _next;
    private long _count;

    /// <summary>Creates an SMA over <paramref name="period"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is below 1.</exception>
    public ExactSma(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _scaled = new long[period];
    }

    /// <summary>The window length.</summary>
    public int Period { get; }

    /// <inheritdoc />
    public int WarmUpPeriod => Period;

    /// <inheritdoc />
    public bool IsReady => _count >= Period;

    /// <inheritdoc />
    public long Count => _count;

    /// <summary>Decimals of the scaled integers (the most decimals of any value seen); 0 in decimal mode.</summary>
    public int Scale => _decimals is null ? _scale : 0;

    /// <summary>The exact sum of the window (of the values seen so far while warming up).</summary>
    public decimal Sum => _decimals is null ? ToDecimal(WideSum, _scale) : _decimalSum;

    /// <summary>The mean as a <see cref="double"/> (rounded); NaN until ready. Not for decisions: use <see cref="CompareMeanTo"/>.</summary>
    /// <remarks>
    /// Plots read it on every bar: the usual case (a ready window of non-negative scaled integers whose sum fits 64
    /// bits) is small enough to inline, and converts the sum from a <see cref="long"/>, which rounds as the
    /// <see cref="Int128"/> conversion does (both are correctly rounded); the rest is <see cref="SlowValue"/>.
    /// </remarks>
    public double Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var low = (long)_sumLow;
            return _count >= Period && _decimals is null && low >= 0 && _sumHigh == 0
                ? (double)low / Period / _doublePowerOfScale
                : SlowValue();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private double SlowValue()
    {
        if (_count < Period)
        {
            return double.NaN;
        }

        return _decimals is null
            ? (double)WideSum / Period / _doublePowerOfScale
            : (double)(_decimalSum / Period);
    }

    /// <summary>Adds a value (exactly).</summary>
    /// <remarks>
    /// Strategies update on every bar: the usual case (scaled integers, a value with the window's number of decimals and
    /// a mantissa below 2^63, read in place) is small enough to inline and needs no rescaling; the rest is
    /// <see cref="UpdateOther"/>, which handles every value as before.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(decimal value)
    {
        if (DecimalParts.InPlace && _decimals is null)
        {
            ref readonly var parts = ref DecimalParts.Of(in value);
            if (parts.High == 0 && parts.Low <= long.MaxValue && ((parts.Flags >> 16) & 0xFF) == _scale)
            {
                var mantissa = (long)parts.Low;
                AddScaled(parts.Flags < 0 ? -mantissa : mantissa);
                return;
            }
        }

        UpdateOther(value);
    }

    /// <summary>Adds a value of any scale and size: rescales the window, or leaves the scaled integers for decimals.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UpdateOther(decimal value)
    {
        if (_decimals is null && TryToScaled(value, out var scaled))
        {
            AddScaled(scaled);
            return;
        }

        UpdateDecimal(value);
        _count++;
        if (++_next == Period)
        {
            _next = 0;
            if (_count >= Period)
            {
                ResumDecimals(); // bounds any rounding of sums beyond 28 digits to one window, as Sma does
            }
        }
    }

    /// <summary>Adds a value already scaled to the window's scale (scaled-integer mode).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddScaled(long scaled)
    {
        if (_count >= Period)
        {
            SubtractFromSum(_scaled[_next]);
        }

        _scaled[_next] = scaled;
        AddToSum(scaled);
        _count++;
        if (++_next == Period)
        {
            _next = 0;
        }
    }

    /// <summary>Adds the bar's close.</summary>
    public void Update(in Bar bar) => Update(bar.Close);

    /// <summary>
    /// The sign of <c>this mean − other mean</c>, exactly: −1, 0 or +1. Both must be ready.
    /// </summary>
    /// <exception cref="InvalidOperationException">One of the two is not ready.</exception>
    /// <remarks>A strategy compares on every bar: the usual case (ready, scaled integers of one scale, sums that fit
    /// 64 bits) is small enough to inline into it; the rest is a call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CompareMeanTo(ExactSma other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (_count >= Period && other._count >= other.Period && _decimals is null && other._decimals is null && _scale == other._scale)
        {
            var a = (long)_sumLow;
            var b = (long)other._sumLow;
            if (_sumHigh == a >> 63 && other._sumHigh == b >> 63)
            {
                // The usual case (sums of prices fit 64 bits): one 64×64→128-bit multiply each, exact.
                return CompareProducts(a, other.Period, b, Period);
            }
        }

        return CompareMeanToSlow(other);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int CompareMeanToSlow(ExactSma other)
    {
        if (!IsReady || !other.IsReady)
        {
            ThrowNotReady();
        }

        if (_decimals is null && other._decimals is null && _scale == other._scale)
        {
            var a = (long)_sumLow;
            var b = (long)other._sumLow;
            if (_sumHigh == a >> 63 && other._sumHigh == b >> 63)
            {
                return CompareProducts(a, other.Period, b, Period);
            }

            // |sum| < 2^63 · 2^31 and a period < 2^31: each product is below 2^125.
            return (WideSum * other.Period).CompareTo(other.WideSum * Period);
        }

        return (Sum * other.Period).CompareTo(other.Sum * Period);
    }

    /// <inheritdoc />
    public void Reset()
    {
        Array.Clear(_scaled);
        _decimals = null;
        _sumLow = 0;
        _sumHigh = 0;
        _decimalSum = 0;
        _scale = 0;
        _doublePowerOfScale = 1d;
        _next = 0;
        _count = 0;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ExactSMA({Period})={Value}");

    /// <summary>
    /// The value as an integer at the window's scale, raising the scale (and rescaling the window) when the value has
    /// more decimals; false when it does not fit 64 bits, or the window would not fit at the new scale.
    /// </summary>
    private bool TryToScaled(decimal value, out long scaled)
    {
        scaled = 0;
        int flags;
        long mantissa;
        if (DecimalParts.InPlace)
        {
            // The decimal's own fields, read where they are (no copy to an int[4]); layout checked at start-up.
            ref readonly var parts = ref DecimalParts.Of(in value);
            if (parts.High != 0 || parts.Low > long.MaxValue)
            {
                return false; // mantissa of 64 bits or more
            }

            flags = parts.Flags;
            mantissa = (long)parts.Low;
        }
        else
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            if (bits[2] != 0 || bits[1] < 0)
            {
                return false;
            }

            flags = bits[3];
            mantissa = ((long)bits[1] << 32) | (uint)bits[0];
        }

        var scale = (flags >> 16) & 0xFF;
        if (scale > _scale && !TryRaiseScale(scale))
        {
            return false;
        }

        var shift = _scale - scale;
        if (shift > 0)
        {
            if (shift > MaxLongPowerOfTen || mantissa > long.MaxValue / PowersOfTen[shift])
            {
                return false;
            }

            mantissa *= PowersOfTen[shift];
        }

        scaled = flags < 0 ? -mantissa : mantissa;
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryRaiseScale(int scale)
    {
        var shift = scale - _scale;
        if (shift > MaxLongPowerOfTen)
        {
            return false;
        }

        var factor = PowersOfTen[shift];
        var limit = long.MaxValue / factor;
        var filled = (int)Math.Min(_count, Period);
        for (var i = 0; i < filled; i++)
        {
            if (Math.Abs(_scaled[i]) > limit)
            {
                return false;
            }
        }

        for (var i = 0; i < filled; i++)
        {
            _scaled[i] *= factor;
        }

        WideSum *= factor;
        _scale = scale;
        _doublePowerOfScale = DoublePowerOfTen(scale);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void UpdateDecimal(decimal value)
    {
        if (_decimals is null)
        {
            // Leave the scaled integers for good: the window as decimals, exactly.
            _decimals = new decimal[Period];
            var filled = (int)Math.Min(_count, Period);
            for (var i = 0; i < filled; i++)
            {
                _decimals[i] = ToDecimal(_scaled[i], _scale);
            }

            _decimalSum = ToDecimal(WideSum, _scale);
        }

        if (_count >= Period)
        {
            _decimalSum -= _decimals[_next];
        }

        _decimals[_next] = value;
        _decimalSum += value;
    }

    private void ResumDecimals()
    {
        var sum = 0m;
        foreach (var x in _decimals!)
        {
            sum += x;
        }

        _decimalSum = sum;
    }

    /// <summary>The window's sum as one 128-bit integer (for the rare paths; the per-bar ones use the halves).</summary>
    private Int128 WideSum
    {
        get => new((ulong)_sumHigh, _sumLow);
        set
        {
            _sumLow = (ulong)value;
            _sumHigh = (long)(value >> 64);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddToSum(long value)
    {
        var low = _sumLow + (ulong)value;
        _sumHigh += (value >> 63) + (low < _sumLow ? 1 : 0); // the value's sign extended, plus the carry
        _sumLow = low;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SubtractFromSum(long value)
    {
        var low = _sumLow - (ulong)value;
        _sumHigh -= (value >> 63) + (_sumLow < (ulong)value ? 1 : 0); // the value's sign extended, plus the borrow
        _sumLow = low;
    }

    /// <summary>The sign of <c>a · periodB − b · periodA</c>, exactly (128-bit products compared by their halves).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CompareProducts(long a, long periodB, long b, long periodA)
    {
        var highA = Math.BigMul(a, periodB, out var lowA);
        var highB = Math.BigMul(b, periodA, out var lowB);
        return highA != highB ? (highA < highB ? -1 : 1) : ((ulong)lowA).CompareTo((ulong)lowB);
    }

    private static decimal ToDecimal(Int128 scaled, int scale)
    {
        var negative = scaled < 0;
        var magnitude = (UInt128)(negative ? -scaled : scaled);
        if (magnitude >> 96 != 0)
        {
            // Cannot happen with values below 2^63 and a window below 2^31 (2^94), kept as a guard.
            return (decimal)scaled / (decimal)Math.Pow(10, scale);
        }

        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), (int)(uint)(magnitude >> 64), negative, (byte)scale);
    }

    /// <summary>
    /// The fields of a <see cref="decimal"/> as the runtime lays them out (flags, high 32 bits, low 64 bits of the
    /// mantissa), to read a value in place. <see cref="InPlace"/> is true only when that layout was verified against
    /// <see cref="decimal.GetBits(decimal, Span{int})"/> at start-up; otherwise callers use <c>GetBits</c>.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly struct DecimalParts
    {
        public readonly int Flags;
        public readonly uint High;
        public readonly ulong Low;

        /// <summary>True when <see cref="Of"/> reads the same parts as <see cref="decimal.GetBits(decimal, Span{int})"/>.</summary>
        public static readonly bool InPlace = LayoutMatches();

        public static ref readonly DecimalParts Of(ref readonly decimal value) =>
            ref Unsafe.As<decimal, DecimalParts>(ref Unsafe.AsRef(in value));

        private static bool LayoutMatches()
        {
            if (Unsafe.SizeOf<DecimalParts>() != sizeof(decimal))
            {
                return false;
            }

            decimal[] samples = [0m, 1m, -1m, 123.45m, -0.0001m, decimal.MaxValue, decimal.MinValue, new decimal(0x12345678, 0x7EDCBA98, 0x0BADF00D, true, 17)];
            Span<int> bits = stackalloc int[4];
            foreach (var d in samples)
            {
                decimal.GetBits(d, bits);
                ref readonly var p = ref Of(in d);
                if (p.Flags != bits[3] || p.High != (uint)bits[2] || p.Low != (((ulong)(uint)bits[1] << 32) | (uint)bits[0]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>10^<paramref name="scale"/> as a double: from a table up to 10^22 (every one exact, so the same bits as
    /// <see cref="Math.Pow(double, double)"/> gives), which saves the call on every <see cref="Value"/> (plots read it per bar).</summary>
    private static double DoublePowerOfTen(int scale) =>
        (uint)scale < (uint)ExactDoublePowersOfTen.Length ? ExactDoublePowersOfTen[scale] : Math.Pow(10, scale);

    private static long[] BuildPowersOfTen()
    {
        var powers = new long[MaxLongPowerOfTen + 1];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotReady() =>
        throw new InvalidOperationException("Both averages must be ready (IsReady) before their means can be compared.");
}
