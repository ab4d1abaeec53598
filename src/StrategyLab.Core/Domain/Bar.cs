using System.Globalization;

namespace StrategyLab.Core.Domain;

/// <summary>
/// An OHLCV bar covering the half-open interval [<see cref="Start"/>, <see cref="End"/>) in UTC.
/// Prices are <see cref="decimal"/> so values read from a file come back exactly as written.
/// </summary>
/// <remarks>
/// The constructor enforces the bar's own consistency (end after start, UTC instants,
/// low ≤ min(open, close) ≤ max(open, close) ≤ high, volume ≥ 0) and throws <see cref="ArgumentException"/>
/// otherwise; readers catch it and report the file, line and field.
/// A bar is seen by a strategy at its <see cref="End"/>: nothing before that instant may depend on it.
/// </remarks>
public readonly struct Bar : IEquatable<Bar>
{
    /// <summary>Creates a bar and checks its consistency.</summary>
    /// <exception cref="ArgumentException">The bar is inconsistent; the message names the field.</exception>
    public Bar(
        Symbol symbol,
        DateTime start,
        DateTime end,
        decimal open,
        decimal high,
        decimal low,
        decimal close,
        decimal volume,
        int? tradeCount = null,
        decimal? vwap = null)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (start.Kind != DateTimeKind.Utc || end.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("Bar times must be UTC instants (DateTimeKind.Utc).", nameof(start));
        }

        if (end <= start)
        {
            throw new ArgumentException($"Bar end {end:O} is not after its start {start:O}.", nameof(end));
        }

        if (high < low)
        {
            throw new ArgumentException($"high {high} is below low {low}.", nameof(high));
        }

        if (open > high || open < low)
        {
            throw new ArgumentException($"open {open} is outside [low {low}, high {high}].", nameof(open));
        }

        if (close > high || close < low)
        {
            throw new ArgumentException($"close {close} is outside [low {low}, high {high}].", nameof(close));
        }

        if (volume < 0)
        {
            throw new ArgumentException($"volume {volume} is negative.", nameof(volume));
        }

        if (tradeCount is < 0)
        {
            throw new ArgumentException($"trade count {tradeCount} is negative.", nameof(tradeCount));
        }

        Symbol = symbol;
        Start = start;
        End = end;
        Open = open;
        High = high;
        Low = low;
        Close = close;
        Volume = volume;
        _tradeCount = tradeCount ?? -1;
        _vwap = vwap ?? 0m;
        _hasVwap = vwap.HasValue;
    }

    private Bar(Symbol symbol, DateTime start, DateTime end, decimal open, decimal high, decimal low, decimal close, decimal volume, int tradeCount, decimal vwap, bool hasVwap)
    {
        Symbol = symbol;
        Start = start;
        End = end;
        Open = open;
        High = high;
        Low = low;
        Close = close;
        Volume = volume;
        _tradeCount = tradeCount;
        _vwap = vwap;
        _hasVwap = hasVwap;
    }

    /// <summary>The instrument.</summary>
    public Symbol Symbol { get; }

    /// <summary>Start of the interval (inclusive), UTC.</summary>
    public DateTime Start { get; }

    /// <summary>End of the interval (exclusive), UTC; the instant the bar becomes known.</summary>
    public DateTime End { get; }

    /// <summary>First price.</summary>
    public decimal Open { get; }

    /// <summary>Highest price.</summary>
    public decimal High { get; }

    /// <summary>Lowest price.</summary>
    public decimal Low { get; }

    /// <summary>Last price.</summary>
    public decimal Close { get; }

    /// <summary>Traded volume (shares, or units of the base currency for crypto).</summary>
    public decimal Volume { get; }

    // Declared after the properties on purpose: the runtime lays out a struct holding a reference by itself (the
    // reference, then the small primitives, then the structs in declaration order), so the symbol, the times and the
    // four prices the engine reads on every bar come first (bytes 0-95) and the rarely read VWAP last.
    private readonly int _tradeCount; // -1 when unknown
    private readonly bool _hasVwap;
    private readonly decimal _vwap;

    /// <summary>Number of trades, when the source gives it.</summary>
    public int? TradeCount => _tradeCount < 0 ? null : _tradeCount;

    /// <summary>Volume-weighted average price, when the source gives it.</summary>
    public decimal? Vwap => _hasVwap ? _vwap : null;

    /// <summary>The bar's length (shorter than its timeframe on an early close).</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>True when this is the default value rather than a real bar.</summary>
    public bool IsDefault => Symbol is null;

    /// <summary>
    /// A bar whose consistency the caller has already checked more cheaply (e.g. the store compares the scaled integers
    /// of a row before building it). Skips the constructor's checks; never use it for unchecked input.
    /// </summary>
    internal static Bar CreateChecked(Symbol symbol, DateTime startUtc, DateTime endUtc, decimal open, decimal high, decimal low, decimal close, decimal volume, int? tradeCount, decimal? vwap) =>
        new(symbol, startUtc, endUtc, open, high, low, close, volume, tradeCount ?? -1, vwap ?? 0m, vwap.HasValue);

    /// <inheritdoc />
    public bool Equals(Bar other) =>
        Equals(Symbol, other.Symbol) && Start == other.Start && End == other.End && Open == other.Open && High == other.High
        && Low == other.Low && Close == other.Close && Volume == other.Volume && _tradeCount == other._tradeCount
        && _hasVwap == other._hasVwap && _vwap == other._vwap;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Bar other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Symbol, Start, End, Close, Volume);

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Symbol} [{Start:yyyy-MM-ddTHH:mm:ssZ}, {End:yyyy-MM-ddTHH:mm:ssZ}) O={Open} H={High} L={Low} C={Close} V={Volume}");

    /// <summary>Equality operator.</summary>
    public static bool operator ==(Bar left, Bar right) => left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(Bar left, Bar right) => !left.Equals(right);
}
