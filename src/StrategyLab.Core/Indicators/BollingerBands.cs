using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>Which standard deviation the Bollinger bands use.</summary>
public enum StandardDeviationKind
{
    /// <summary>Divide the sum of squared deviations by n (Bollinger's own definition; StockCharts, TA-Lib).</summary>
    Population,

    /// <summary>Divide by n − 1 (the unbiased sample estimate; pandas' default).</summary>
    Sample,
}

/// <summary>
/// Bollinger Bands over <see cref="Period"/> values: <c>Middle = SMA_n</c>, <c>Upper = Middle + k·σ</c>,
/// <c>Lower = Middle − k·σ</c>, where σ is the standard deviation of the same window (population by default,
/// see <see cref="StandardDeviationKind"/>). The bar overload uses the close; <see cref="Value"/> is the middle band.
/// </summary>
/// <remarks>
/// <para>The window's mean and sum of squared deviations (M2) are maintained with Welford-style updates — adding a value
/// while the window fills, and replacing the oldest value by the newest once it is full
/// (<c>mean' = mean + (x_new − x_old)/n</c>, <c>M2' = M2 + (x_new − x_old)(x_new − mean' + x_old − mean)</c>). Unlike
/// keeping Σx and Σx², this never subtracts two large nearly-equal numbers, so a tight band around a large price
/// (crypto at 1e5, say) keeps its digits.</para>
/// <para>Mean and M2 are recomputed exactly from the window with a two-pass sum each time the ring buffer wraps (every
/// n updates), so drift from the incremental updates is bounded by one window, and also whenever M2 falls below a
/// millionth of its peak since the last recomputation: the incremental M2 carries an absolute error of order
/// ε·peak, which would swamp a variance that collapsed (a flat stretch after a volatile one). Both are O(n) and
/// happen at most about once per n updates, so the cost stays amortized O(1). Ready after n updates.</para>
/// <para>Precision: <see cref="double"/>, from the close converted first; the bands involve a square root, so they
/// are irrational in general and cannot be exact. A close exactly on a band is decided by the rounding of the band
/// (relative error near 1e-15 of the price).</para>
/// </remarks>
public sealed class BollingerBands : IIndicator
{
    private const double CollapseRatio = 1e-6;

    private readonly double[] _window;
    private int _next;
    private long _count;
    private double _mean;
    private double _m2;
    private double _m2Peak; // largest M2 since the last exact recomputation

    /// <summary>Creates Bollinger Bands of <paramref name="period"/> values, <paramref name="multiplier"/> deviations wide.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is below 2, or the multiplier is negative or not finite.</exception>
    public BollingerBands(int period = 20, double multiplier = 2.0, StandardDeviationKind deviation = StandardDeviationKind.Population)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 2);
        if (!double.IsFinite(multiplier) || multiplier < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(multiplier), multiplier, "The band multiplier must be a finite number ≥ 0.");
        }

        if (!Enum.IsDefined(deviation))
        {
            throw new ArgumentOutOfRangeException(nameof(deviation), deviation, "Unknown standard deviation kind.");
        }

        Period = period;
        Multiplier = multiplier;
        Deviation = deviation;
        _window = new double[period];
    }

    /// <summary>The window length n.</summary>
    public int Period { get; }

    /// <summary>The band width k in standard deviations.</summary>
    public double Multiplier { get; }

    /// <summary>Population or sample standard deviation.</summary>
    public StandardDeviationKind Deviation { get; }

    /// <inheritdoc />
    public int WarmUpPeriod => Period;

    /// <inheritdoc />
    public bool IsReady => _count >= Period;

    /// <inheritdoc />
    public long Count => _count;

    /// <summary>The middle band (same as <see cref="Middle"/>).</summary>
    public double Value => Middle;

    /// <summary>The middle band: the window's mean; NaN until ready.</summary>
    public double Middle => IsReady ? _mean : double.NaN;

    /// <summary>The window's standard deviation σ; NaN until ready.</summary>
    public double StandardDeviation
    {
        get
        {
            if (!IsReady)
            {
                return double.NaN;
            }

            var divisor = Deviation == StandardDeviationKind.Population ? Period : Period - 1;
            return Math.Sqrt(_m2 / divisor);
        }
    }

    /// <summary>Middle + k·σ; NaN until ready.</summary>
    public double Upper => Middle + (Multiplier * StandardDeviation);

    /// <summary>Middle − k·σ; NaN until ready.</summary>
    public double Lower => Middle - (Multiplier * StandardDeviation);

    /// <summary>Adds a value and returns the new middle band.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public double Update(double value)
    {
        Guard.Finite(value);
        if (_count < Period)
        {
            var n = _count + 1;
            var delta = value - _mean;
            _mean += delta / n;
            _m2 += delta * (value - _mean);
        }
        else
        {
            var old = _window[_next];
            var mean = _mean + ((value - old) / Period);
            _m2 += (value - old) * (value - mean + old - _mean);
            _mean = mean;
        }

        _window[_next] = value;
        _count++;
        if (++_next == Period || _m2 < _m2Peak * CollapseRatio)
        {
            // The ring wrapped (routine), or the variance collapsed: the incremental M2 carries rounding error of
            // the order of ε·(its recent peak), which would dominate a variance a million times smaller.
            if (_next == Period)
            {
                _next = 0;
            }

            Recompute();
        }
        else if (_m2 > _m2Peak)
        {
            _m2Peak = _m2;
        }

        return Middle;
    }

    /// <summary>Adds the bar's close.</summary>
    public void Update(in Bar bar) => Update(BarPrices.Close(bar));

    /// <inheritdoc />
    public void Reset()
    {
        Array.Clear(_window);
        _next = 0;
        _count = 0;
        _mean = 0;
        _m2 = 0;
        _m2Peak = 0;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"BB({Period},{Multiplier})={Lower}/{Middle}/{Upper}");

    private void Recompute()
    {
        // Two-pass over the values seen so far: the whole buffer once it is full, its first Count slots before.
        var n = (int)Math.Min(_count, Period);
        var values = _window.AsSpan(0, n);
        var sum = 0.0;
        foreach (var x in values)
        {
            sum += x;
        }

        var mean = sum / n;
        var m2 = 0.0;
        foreach (var x in values)
        {
            var d = x - mean;
            m2 += d * d;
        }

        _mean = mean;
        _m2 = m2;
        _m2Peak = m2;
    }
}
