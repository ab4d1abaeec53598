using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Synthetic;

/// <summary>What a <see cref="SyntheticMarket"/> generates.</summary>
public sealed record SyntheticMarketOptions
{
    /// <summary>The seed: the same seed and options give the same output, bit for bit, on every platform.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The instruments; see <see cref="SyntheticMarket.DefaultSymbols"/> and <see cref="SyntheticMarket.DefaultCryptoSymbols"/>.</summary>
    public required IReadOnlyList<SyntheticSymbol> Symbols { get; init; }

    /// <summary>First trading date (exchange-local; UTC dates for crypto), inclusive.</summary>
    public required DateOnly From { get; init; }

    /// <summary>Last trading date, inclusive.</summary>
    public required DateOnly To { get; init; }

    /// <summary>True to generate pre-market and after-hours bars too (sparse and thin, as in real data).</summary>
    public bool ExtendedHours { get; init; }

    /// <summary>True to give every trade print an id (<c>TICKER-sequence</c>); costs one string per print.</summary>
    public bool TradeIds { get; init; }

    /// <summary>Which calendar a symbol follows; null means <see cref="MarketCalendars.For(Symbol)"/> (NYSE, or 24/7 for crypto).</summary>
    public Func<Symbol, IMarketCalendar>? CalendarFor { get; init; }
}
