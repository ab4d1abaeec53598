using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Indicators;

/// <summary>
/// Session-anchored volume-weighted average price: <c>VWAP = Σ pᵢ·vᵢ / Σ vᵢ</c> over every update since the last
/// <see cref="Reset"/>. Call <see cref="Reset"/> at each session open (e.g. from
/// <see cref="Strategies.IStrategy.OnSessionOpen"/>); it never resets by itself.
/// </summary>
/// <remarks>
/// The bar overload uses the bar's own VWAP when the data source provides one (it is the exact traded average
/// inside the bar) and the typical price (H + L + C) / 3 otherwise. Ready once some volume has been seen: bars of
/// zero volume carry no weight, and until the first traded volume there is no average.
/// Precision: <see cref="double"/> sums of price × volume and of volume (the typical price is formed in decimal, then
/// converted); relative error near 1e-16 per update, growing at most with the number of updates in a session.
/// </remarks>
public sealed class Vwap : IIndicator
{
    private long _count;
    private double _priceVolume;
    private double _volume;

    /// <inheritdoc />
    public int WarmUpPeriod => 1;

    /// <inheritdoc />
    public bool IsReady => _volume > 0;

    /// <inheritdoc />
    public long Count => _count;

    /// <summary>Total volume since the last reset.</summary>
    public double CumulativeVolume => _volume;

    /// <inheritdoc />
    public double Value => _volume > 0 ? _priceVolume / _volume : double.NaN;

    /// <summary>Adds <paramref name="volume"/> traded at <paramref name="price"/>; returns the new <see cref="Value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or infinite, or the volume is negative.</exception>
    public double Update(double price, double volume)
    {
        Guard.Finite(price);
        Guard.Finite(volume);
        if (volume < 0)
        {
            Guard.ThrowNegativeVolume(volume);
        }

        _count++;
        _priceVolume += price * volume;
        _volume += volume;
        return Value;
    }

    /// <summary>Adds a bar: its own VWAP when known, else its typical price, weighted by its volume.</summary>
    public void Update(in Bar bar)
    {
        var price = bar.Vwap is { } vwap ? BarPrices.ToDouble(vwap) : BarPrices.TypicalPrice(bar);
        Update(price, BarPrices.Volume(bar));
    }

    /// <summary>Starts a new anchor (call at the session open).</summary>
    public void Reset()
    {
        _count = 0;
        _priceVolume = 0;
        _volume = 0;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"VWAP={Value}");
}
