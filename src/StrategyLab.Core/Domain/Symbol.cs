using System.Diagnostics.CodeAnalysis;

namespace StrategyLab.Core.Domain;

/// <summary>
/// A tradable instrument: a ticker and its asset class. Tickers are case-insensitive and kept upper-case;
/// two symbols are equal when both parts are equal.
/// </summary>
/// <remarks>
/// Crypto tickers follow the providers' forms: <c>BINANCE:BTCUSDT</c> (Finnhub), <c>X:BTCUSD</c> (Polygon),
/// <c>BTC/USD</c> or <c>BTC-USD</c>. <see cref="Parse"/> recognises them; anything else is a US equity.
/// </remarks>
public sealed class Symbol : IEquatable<Symbol>, IComparable<Symbol>
{
    // One instance per (ticker, asset class) in a process: equality is then a reference check on the per-bar hot
    // path, and each symbol gets a small dense Id for array-indexed lookups (see SymbolTable).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, AssetClass), Symbol> Interned = new();
    private static int _nextId = -1;

    // Symbols are dictionary keys on the per-bar hot path: hash once.
    private readonly int _hashCode;

    private Symbol(string ticker, AssetClass assetClass)
    {
        Ticker = ticker;
        AssetClass = assetClass;
        _hashCode = HashCode.Combine(StringComparer.Ordinal.GetHashCode(ticker), assetClass);
        Id = Interlocked.Increment(ref _nextId);
    }

    /// <summary>A small number unique to this symbol within the process (0, 1, 2… in order of first use).</summary>
    internal int Id { get; }

    /// <summary>The upper-case ticker, e.g. <c>SPY</c> or <c>BINANCE:BTCUSDT</c>.</summary>
    public string Ticker { get; }

    /// <summary>The asset class, which decides the calendar.</summary>
    public AssetClass AssetClass { get; }

    /// <summary>A US equity symbol.</summary>
    /// <exception cref="ArgumentException">The ticker is empty or contains whitespace or a comma.</exception>
    public static Symbol Equity(string ticker) => Create(ticker, AssetClass.UsEquity);

    /// <summary>A crypto symbol.</summary>
    /// <exception cref="ArgumentException">The ticker is empty or contains whitespace or a comma.</exception>
    public static Symbol Crypto(string ticker) => Create(ticker, AssetClass.Crypto);

    /// <summary>Creates a symbol of the given asset class.</summary>
    /// <exception cref="ArgumentException">The ticker is empty or contains whitespace or a comma.</exception>
    public static Symbol Create(string ticker, AssetClass assetClass)
    {
        ArgumentNullException.ThrowIfNull(ticker);
        var trimmed = ticker.Trim();
        if (trimmed.Length == 0)
        {
            throw new ArgumentException("A symbol needs a ticker; the text was empty.", nameof(ticker));
        }

        foreach (var c in trimmed)
        {
            // Spaces are legal inside a venue prefix ("IC MARKETS:1"), so only reject them outside one.
            if (c == ',' || c == '\n' || c == '\r' || c == '\t' || (c == ' ' && !trimmed.Contains(':', StringComparison.Ordinal)))
            {
                throw new ArgumentException($"Symbol '{ticker}' contains a character a ticker cannot have ('{c}').", nameof(ticker));
            }
        }

        var ticker2 = trimmed.ToUpperInvariant();
        return Interned.TryGetValue((ticker2, assetClass), out var existing)
            ? existing
            : Interned.GetOrAdd((ticker2, assetClass), static k => new Symbol(k.Item1, k.Item2));
    }

    /// <summary>
    /// Reads a ticker and infers its asset class: <c>VENUE:PAIR</c>, <c>BASE/QUOTE</c>, and <c>BASE-QUOTE</c> where the
    /// quote is a currency (<c>BTC-USD</c>, but not <c>BRK-B</c>) are crypto; anything else is a US equity.
    /// </summary>
    /// <exception cref="ArgumentException">The text is empty or not a ticker.</exception>
    public static Symbol Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        var crypto = t.Contains(':', StringComparison.Ordinal) || t.Contains('/', StringComparison.Ordinal)
            || HasCurrencyQuote(t);
        return Create(t, crypto ? AssetClass.Crypto : AssetClass.UsEquity);
    }

    private static readonly string[] QuoteCurrencies = ["USD", "USDT", "USDC", "EUR", "GBP", "BTC", "ETH"];

    private static bool HasCurrencyQuote(string ticker)
    {
        var dash = ticker.LastIndexOf('-');
        if (dash <= 0)
        {
            return false;
        }

        var quote = ticker[(dash + 1)..];
        return Array.Exists(QuoteCurrencies, q => string.Equals(q, quote, StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc />
    public bool Equals([NotNullWhen(true)] Symbol? other) =>
        ReferenceEquals(this, other)
        || (other is not null && _hashCode == other._hashCode && AssetClass == other.AssetClass
            && string.Equals(Ticker, other.Ticker, StringComparison.Ordinal));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Symbol);

    /// <inheritdoc />
    public override int GetHashCode() => _hashCode;

    /// <summary>Orders by ticker (ordinal), then asset class: the deterministic order of a time slice.</summary>
    public int CompareTo(Symbol? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = string.CompareOrdinal(Ticker, other.Ticker);
        return c != 0 ? c : ((int)AssetClass).CompareTo((int)other.AssetClass); // Enum.CompareTo(object) would box both
    }

    /// <inheritdoc />
    public override string ToString() => Ticker;

    /// <summary>Equality operator.</summary>
    public static bool operator ==(Symbol? left, Symbol? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(Symbol? left, Symbol? right) => !(left == right);

    /// <summary>Ordering operator.</summary>
    public static bool operator <(Symbol? left, Symbol? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator >(Symbol? left, Symbol? right) => left is not null && left.CompareTo(right) > 0;

    /// <summary>Ordering operator.</summary>
    public static bool operator <=(Symbol? left, Symbol? right) => !(left > right);

    /// <summary>Ordering operator.</summary>
    public static bool operator >=(Symbol? left, Symbol? right) => !(left < right);
}
