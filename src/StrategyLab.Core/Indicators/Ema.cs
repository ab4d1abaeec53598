using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// Exponential moving average with smoothing <c>α = 2 / (n + 1)</c>:
/// <c>EMA_t = EMA_{t-1} + α (x_t − EMA_{t-1})</c>. The bar overload uses the close.
/// </summary>
/// <remarks>
/// Seeded with the simple average of the first <see cref="Period"/> values (the TA-Lib / StockCharts convention),
/// so the first value appears after <see cref="Period"/> updates and equals the SMA there.
/// Precision: <see cref="double"/> (α = 2/(n+1) is itself not a finite binary fraction for most n, so an exact EMA
/// would need ever-growing denominators); the bar's close is converted first. Each update rounds once, with relative
/// error near 1e-16 that the smoothing does not accumulate.
/// </remarks>
public sealed class Ema : IIndicator
{
    private long _count;
    private double _seedSum;
    private double _value;

    /// <summary>Creates an EMA of period <paramref name="period"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is below 1.</exception>
    public Ema(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
        Alpha = 2.0 / (period + 1);
    }

    /// <summary>The period n.</summary>
    public int Period { get; }

    /// <summary>The smoothing factor α = 2 / (n + 1).</summary>
    public double Alpha { get; }

    /// <inheritdoc />
    public int WarmUpPeriod => Period;

    /// <inheritdoc />
    public bool IsReady => _count >= Period;

    /// <inheritdoc />
    public long Count => _count;

    /// <inheritdoc />
    public double Value => _count >= Period ? _value : double.NaN;

    /// <summary>Adds a value and returns the new <see cref="Value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public double Update(double value)
    {
        Guard.Finite(value);
        _count++;
        if (_count < Period)
        {
            _seedSum += value;
        }
        else if (_count == Period)
        {
            _value = (_seedSum + value) / Period;
        }
        else
        {
            _value += Alpha * (value - _value);
        }

        return Value;
    }

    /// <summary>Adds the bar's close.</summary>
    public void Update(in Bar bar) => Update(BarPrices.Close(bar));

    /// <inheritdoc />
    public void Reset()
    {
        _count = 0;
        _seedSum = 0;
        _value = 0;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"EMA({Period})={Value}");
}
