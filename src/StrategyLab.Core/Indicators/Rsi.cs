using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// Wilder's Relative Strength Index over <see cref="Period"/> changes: <c>RSI = 100 − 100 / (1 + RS)</c> with
/// <c>RS = AvgGain / AvgLoss</c>. The bar overload uses the close.
/// </summary>
/// <remarks>
/// <para>Changes are <c>x_t − x_{t-1}</c>; a gain is the positive part, a loss the magnitude of the negative part.
/// The first averages are the simple means of the first n gains and losses; after that Wilder's smoothing applies:
/// <c>Avg_t = (Avg_{t-1} · (n − 1) + current) / n</c> (an EMA with α = 1/n).</para>
/// <para>Ready after n + 1 values (n changes). Computed as <c>100 · AvgGain / (AvgGain + AvgLoss)</c>, which is the
/// same quantity without dividing by a zero loss: 100 when there were only gains, 0 when only losses, and 50 when
/// the window had no change at all (no momentum either way).</para>
/// <para>Precision: the averages are <see cref="double"/>. Fed <see cref="decimal"/> prices (the bar overload, or
/// <see cref="UpdateExact"/>), each change is computed exactly in decimal before it becomes a double, and the seed
/// averages are exact decimal sums divided once, so equal gains and losses give equal averages and an RSI of exactly
/// 50 (the double overload subtracts doubles: 14.12 − 14.11 and 14.11 − 14.10 differ in the last bits). Wilder's
/// smoothing then rounds each step (relative error around 1e-16 per update, not accumulating: the smoothing forgets
/// it); an exact RSI would need ever-growing denominators (n^t), so a level test such as RSI &lt; 30 is decided in
/// double and can go either way only when the exact RSI is within about 1e-12 of the level.</para>
/// </remarks>
public sealed class Rsi : IIndicator
{
    private long _count;
    private double _previous;
    private double _avgGain;
    private double _avgLoss;
    private decimal _previousExact;
    private bool _previousIsExact; // the previous input came as a decimal, so the next decimal change is exact
    private decimal _seedGainExact;
    private decimal _seedLossExact;
    private bool _seedIsExact = true; // every seed change so far came from two decimals

    /// <summary>Creates an RSI of period <paramref name="period"/> (14 is Wilder's).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is below 1.</exception>
    public Rsi(int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        Period = period;
    }

    /// <summary>The number of changes averaged.</summary>
    public int Period { get; }

    /// <inheritdoc />
    public int WarmUpPeriod => Period + 1;

    /// <inheritdoc />
    public bool IsReady => _count > Period;

    /// <inheritdoc />
    public long Count => _count;

    /// <summary>Wilder-smoothed average gain; NaN until ready.</summary>
    public double AverageGain => IsReady ? _avgGain : double.NaN;

    /// <summary>Wilder-smoothed average loss (a positive number); NaN until ready.</summary>
    public double AverageLoss => IsReady ? _avgLoss : double.NaN;

    /// <inheritdoc />
    public double Value
    {
        get
        {
            if (!IsReady)
            {
                return double.NaN;
            }

            var total = _avgGain + _avgLoss;
            return total == 0 ? 50.0 : 100.0 * (_avgGain / total); // gain/total ≤ 1 exactly, so never above 100
        }
    }

    /// <summary>Adds a value and returns the new <see cref="Value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public double Update(double value)
    {
        Guard.Finite(value);
        var previous = _previousIsExact ? (double)_previousExact : _previous;
        _previous = value;
        _previousIsExact = false;
        return Add(value - previous, 0m, exact: false);
    }

    /// <summary>Adds a price given exactly: its change from the previous price is taken in decimal.</summary>
    public double UpdateExact(decimal value)
    {
        if (!_previousIsExact)
        {
            // The first value, or one after a double update: this change is approximate, the next ones exact.
            var change = (double)value - _previous;
            _previousExact = value;
            _previousIsExact = true;
            return Add(change, 0m, exact: false);
        }

        var exactChange = value - _previousExact;
        _previousExact = value;
        return Add((double)exactChange, exactChange, exact: true);
    }

    /// <summary>Adds the bar's close (exactly, see <see cref="UpdateExact"/>).</summary>
    public void Update(in Bar bar) => UpdateExact(bar.Close);

    private double Add(double change, decimal exactChange, bool exact)
    {
        _count++;
        if (_count == 1)
        {
            return double.NaN; // the first value only sets the previous one
        }

        var gain = change > 0 ? change : 0.0;
        var loss = change < 0 ? -change : 0.0;
        if (_count <= Period + 1)
        {
            // Accumulate the first n changes; divide once the seed window is complete.
            _avgGain += gain;
            _avgLoss += loss;
            if (exact && _seedIsExact)
            {
                _seedGainExact += exactChange > 0 ? exactChange : 0m;
                _seedLossExact += exactChange < 0 ? -exactChange : 0m;
            }
            else
            {
                _seedIsExact = false;
            }

            if (_count == Period + 1)
            {
                if (_seedIsExact)
                {
                    _avgGain = (double)_seedGainExact / Period;
                    _avgLoss = (double)_seedLossExact / Period;
                }
                else
                {
                    _avgGain /= Period;
                    _avgLoss /= Period;
                }
            }
        }
        else
        {
            _avgGain = ((_avgGain * (Period - 1)) + gain) / Period;
            _avgLoss = ((_avgLoss * (Period - 1)) + loss) / Period;
        }

        return Value;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _count = 0;
        _previous = 0;
        _avgGain = 0;
        _avgLoss = 0;
        _previousExact = 0;
        _previousIsExact = false;
        _seedGainExact = 0;
        _seedLossExact = 0;
        _seedIsExact = true;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RSI({Period})={Value}");
}
