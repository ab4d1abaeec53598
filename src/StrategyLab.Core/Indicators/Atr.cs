using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// Wilder's Average True Range over <see cref="Period"/> bars.
/// <c>TR_t = max(H_t − L_t, |H_t − C_{t-1}|, |L_t − C_{t-1}|)</c>; the first bar, having no previous close,
/// uses <c>H − L</c>. The first ATR is the mean of the first n true ranges, then
/// <c>ATR_t = (ATR_{t-1} · (n − 1) + TR_t) / n</c>.
/// </summary>
/// <remarks>Ready after n bars (Wilder's and StockCharts' convention; TA-Lib instead drops the first bar).
/// Precision: <see cref="double"/>, from the bar's high, low and close converted first (Wilder's smoothing divides by n
/// at every step, so an exact ATR would need ever-growing denominators). Fine for sizing a stop; compare prices
/// themselves, not ATR multiples, where an exact tie matters.</remarks>
public sealed class Atr : IIndicator
{
    private long _count;
    private double _previousClose;
    private double _trueRange;
    private double _value;

    /// <summary>Creates an ATR of period <paramref name="period"/> (14 is Wilder's).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is below 1.</exception>
    public Atr(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
    }

    /// <summary>The number of true ranges averaged.</summary>
    public int Period { get; }

    /// <inheritdoc />
    public int WarmUpPeriod => Period;

    /// <inheritdoc />
    public bool IsReady => _count >= Period;

    /// <inheritdoc />
    public long Count => _count;

    /// <summary>The true range of the latest bar; NaN before the first update.</summary>
    public double TrueRange => _count > 0 ? _trueRange : double.NaN;

    /// <inheritdoc />
    public double Value => _count >= Period ? _value : double.NaN;

    /// <summary>Adds a bar given by its high, low and close; returns the new <see cref="Value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A price is NaN or infinite, or the high is below the low.</exception>
    public double Update(double high, double low, double close)
    {
        Guard.Finite(high);
        Guard.Finite(low);
        Guard.Finite(close);
        if (high < low)
        {
            Guard.ThrowHighBelowLow(high, low);
        }

        var tr = high - low;
        if (_count > 0)
        {
            tr = Math.Max(tr, Math.Max(Math.Abs(high - _previousClose), Math.Abs(low - _previousClose)));
        }

        _trueRange = tr;
        _previousClose = close;
        _count++;
        if (_count < Period)
        {
            _value += tr;
        }
        else if (_count == Period)
        {
            _value = (_value + tr) / Period;
        }
        else
        {
            _value = ((_value * (Period - 1)) + tr) / Period;
        }

        return Value;
    }

    /// <summary>Adds the bar's high, low and close.</summary>
    public void Update(in Bar bar) => Update(BarPrices.High(bar), BarPrices.Low(bar), BarPrices.Close(bar));

    /// <inheritdoc />
    public void Reset()
    {
        _count = 0;
        _previousClose = 0;
        _trueRange = 0;
        _value = 0;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"ATR({Period})={Value}");
}
