using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data;

/// <summary>The calendar the data adapters use for a symbol when the caller gives none.</summary>
public static class DataCalendars
{
    /// <summary>The market calendar of the symbol's asset class (24/7 for crypto, NYSE for US equities).</summary>
    public static IMarketCalendar For(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return symbol.AssetClass == AssetClass.Crypto
            ? CryptoCalendar.Instance
            : throw new InvalidOperationException("NYSE calendar pending merge of the calendar branch.");
    }
}
