using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Synthetic;

/// <summary>
/// One instrument of a <see cref="SyntheticMarket"/> and the character of its made-up price path.
/// </summary>
/// <param name="Symbol">The symbol; by convention synthetic tickers start with <c>SYN</c> (see <see cref="SyntheticMarket.DefaultSymbols"/>).</param>
/// <param name="StartPrice">The price the path starts from (before the first session's opening gap).</param>
/// <param name="DailyVolatility">Typical standard deviation of one session's return, e.g. 0.015 for 1.5 %.</param>
/// <param name="AverageDailyVolume">Typical regular-session volume (shares, or base-currency units for crypto).</param>
public sealed record SyntheticSymbol(Symbol Symbol, decimal StartPrice, double DailyVolatility, double AverageDailyVolume)
{
    /// <summary>A label that says the data is made up, e.g. <c>Synthetic SYNA</c>.</summary>
    public string Name => "Synthetic " + Symbol.Ticker;

    /// <summary>A synthetic US equity with typical large-cap character (1.5 % daily volatility, 2 M shares a day).</summary>
    public static SyntheticSymbol Equity(string ticker, decimal startPrice, double dailyVolatility = 0.015, double averageDailyVolume = 2_000_000) =>
        new(Symbol.Equity(ticker), startPrice, dailyVolatility, averageDailyVolume);

    /// <summary>A synthetic crypto pair trading 24/7 (3 % daily volatility, 20,000 units a day).</summary>
    public static SyntheticSymbol Crypto(string ticker, decimal startPrice, double dailyVolatility = 0.03, double averageDailyVolume = 20_000) =>
        new(Symbol.Crypto(ticker), startPrice, dailyVolatility, averageDailyVolume);

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"{Name} (start {StartPrice}, daily vol {DailyVolatility:P2}, ADV {AverageDailyVolume:N0})");
}
