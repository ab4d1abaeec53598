using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// Simple moving average of the last <see cref="Period"/> values:
/// <c>SMA_t = (x_t + x_{t-1} + … + x_{t-n+1}) / n</c>. The bar overload uses the close.
/// </summary>
/// <remarks>
/// A ring buffer holds the window and a running sum is updated by adding the new value and subtracting the one
/// that leaves. Each time the ring wraps (every <see cref="Period"/> updates) the sum is recomputed from the
/// window, so rounding error from the incremental updates can never accumulate beyond one window's worth
/// (amortized cost: two additions per update). Ready after <see cref="Period"/> updates.
/// <para>Precision: <see cref="double"/> (about 15–16 significant digits); the bar's close is converted first. Two
/// averages that are equal in decimal can differ here in the last bits, so do not decide a crossover on
/// <c>smaA.Value &gt; smaB.Value</c>: <see cref="ExactSma"/> keeps exact sums for that.</para>
/// </remarks>
public sealed class Sma : IIndicator
{
    private readonly double[] _window;
    private int _next;
    private long _count;
    private double _sum;

    /// <summary>Creates an SMA over <paramref name="period"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is below 1.</exception>
    public Sma(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        _window = new double[period];
    }

    /// <summary>The window length.</summary>
    public int Period { get; }

    /// <inheritdoc />
    public int WarmUpPeriod => Period;

    /// <inheritdoc />
    public bool IsReady => _count >= Period;

    /// <inheritdoc />
    public long Count => _count;

    /// <inheritdoc />
    public double Value => _count >= Period ? _sum / Period : double.NaN;

    /// <summary>Adds a value and returns the new <see cref="Value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public double Update(double value)
    {
        Guard.Finite(value);
        if (_count >= Period)
        {
            _sum -= _window[_next];
        }

        _window[_next] = value;
        _sum += value;
        _count++;
        if (++_next == Period)
        {
            _next = 0;
            if (_count >= Period)
            {
                Resum();
            }
        }

        return Value;
    }

    /// <summary>Adds the bar's close.</summary>
    public void Update(in Bar bar) => Update(BarPrices.Close(bar));

    /// <inheritdoc />
    public void Reset()
    {
        Array.Clear(_window);
        _next = 0;
        _count = 0;
        _sum = 0;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"SMA({Period})={Value}");

    private void Resum()
    {
        var sum = 0.0;
        foreach (var x in _window)
        {
            sum += x;
        }

        _sum = sum;
    }
}
