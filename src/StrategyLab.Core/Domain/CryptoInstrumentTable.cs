namespace StrategyLab.Core.Domain;

/// <summary>The tick size and lot size of one crypto pair.</summary>
/// <param name="PriceIncrement">The smallest price step, in the quote currency.</param>
/// <param name="QuantityStep">The smallest quantity step, in the base currency.</param>
public readonly record struct CryptoInstrumentSpec(decimal PriceIncrement, decimal QuantityStep);

/// <summary>
/// Built-in increments of the most traded Binance spot pairs (<c>BINANCE:BTCUSDT</c>) and Coinbase pairs
/// (<c>COINBASE:BTC-USD</c>, also used for the vendor-neutral forms <c>BTC-USD</c>, <c>BTC/USD</c> and Polygon's
/// <c>X:BTCUSD</c>), as the exchanges published them in 2024–2025. Exchanges change them from time to time: the
/// configuration's <c>instruments</c> section overrides any entry, and pairs not listed learn their increment from
/// their data (see <see cref="InstrumentCatalog"/>).
/// </summary>
public static class CryptoInstrumentTable
{
    private static readonly Dictionary<string, CryptoInstrumentSpec> Binance = new(StringComparer.Ordinal)
    {
        ["BTCUSDT"] = new(0.01m, 0.00001m),
        ["ETHUSDT"] = new(0.01m, 0.0001m),
        ["BNBUSDT"] = new(0.01m, 0.001m),
        ["SOLUSDT"] = new(0.01m, 0.001m),
        ["XRPUSDT"] = new(0.0001m, 0.1m),
        ["DOGEUSDT"] = new(0.00001m, 1m),
        ["ADAUSDT"] = new(0.0001m, 0.1m),
        ["TRXUSDT"] = new(0.0001m, 0.1m),
        ["LTCUSDT"] = new(0.01m, 0.001m),
        ["LINKUSDT"] = new(0.01m, 0.01m),
        ["DOTUSDT"] = new(0.001m, 0.01m),
        ["AVAXUSDT"] = new(0.01m, 0.01m),
        ["SHIBUSDT"] = new(0.00000001m, 1m),
        ["ETHBTC"] = new(0.00001m, 0.0001m),
    };

    private static readonly Dictionary<string, CryptoInstrumentSpec> Coinbase = new(StringComparer.Ordinal)
    {
        ["BTC-USD"] = new(0.01m, 0.00000001m),
        ["ETH-USD"] = new(0.01m, 0.00000001m),
        ["SOL-USD"] = new(0.01m, 0.00000001m),
        ["XRP-USD"] = new(0.0001m, 0.000001m),
        ["DOGE-USD"] = new(0.00001m, 0.1m),
        ["ADA-USD"] = new(0.0001m, 0.00000001m),
        ["LTC-USD"] = new(0.01m, 0.00000001m),
        ["LINK-USD"] = new(0.001m, 0.01m),
        ["AVAX-USD"] = new(0.01m, 0.00000001m),
        ["BTC-USDT"] = new(0.01m, 0.00000001m),
        ["ETH-USDT"] = new(0.01m, 0.00000001m),
    };

    private static readonly string[] Quotes = ["USDT", "USDC", "USD", "EUR", "BTC"];

    /// <summary>Finds the increments of a crypto ticker in any of the forms <see cref="Symbol.Parse"/> accepts.</summary>
    public static bool TryGet(string ticker, out CryptoInstrumentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(ticker);
        var t = ticker.ToUpperInvariant();
        var colon = t.IndexOf(':', StringComparison.Ordinal);
        var venue = colon < 0 ? "" : t[..colon];
        var pair = colon < 0 ? t : t[(colon + 1)..];
        if (venue == "BINANCE")
        {
            return Binance.TryGetValue(pair.Replace("/", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal), out spec);
        }

        return Coinbase.TryGetValue(DashForm(pair), out spec);
    }

    private static string DashForm(string pair)
    {
        if (pair.Contains('-', StringComparison.Ordinal))
        {
            return pair;
        }

        if (pair.Contains('/', StringComparison.Ordinal))
        {
            return pair.Replace('/', '-');
        }

        foreach (var quote in Quotes)
        {
            if (pair.Length > quote.Length && pair.EndsWith(quote, StringComparison.Ordinal))
            {
                return pair[..^quote.Length] + "-" + quote;
            }
        }

        return pair;
    }
}
