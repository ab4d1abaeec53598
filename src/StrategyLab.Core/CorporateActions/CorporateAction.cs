using StrategyLab.Core.Domain;

namespace StrategyLab.Core.CorporateActions;

/// <summary>What a corporate action does to a holding.</summary>
public enum CorporateActionKind
{
    /// <summary>A split (or reverse split): every share becomes <see cref="CorporateAction.SplitRatio"/> shares.</summary>
    Split,

    /// <summary>A cash dividend of <see cref="CorporateAction.DividendPerShare"/> per share.</summary>
    Dividend,
}

/// <summary>
/// A split or a cash dividend of one symbol, effective at the open of its ex-date (an exchange-local date): a holder at
/// the previous close gets the new shares or the cash; a buyer on the ex-date does not.
/// </summary>
/// <param name="Symbol">The instrument.</param>
/// <param name="ExDate">The first exchange date the action is in effect (the first session after the factor-file row).</param>
/// <param name="Kind">Split or dividend.</param>
/// <param name="SplitRatio">New shares per old share (7 for a 7-for-1 split, 0.1 for a 1-for-10 reverse split); 1 for a dividend.</param>
/// <param name="DividendPerShare">Cash per share for a dividend; 0 for a split.</param>
public sealed record CorporateAction(Symbol Symbol, DateOnly ExDate, CorporateActionKind Kind, decimal SplitRatio, decimal DividendPerShare)
{
    /// <summary>A split of <paramref name="ratio"/> new shares per old share.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is not positive.</exception>
    public static CorporateAction Split(Symbol symbol, DateOnly exDate, decimal ratio)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratio);
        return new CorporateAction(symbol, exDate, CorporateActionKind.Split, ratio, 0m);
    }

    /// <summary>A cash dividend of <paramref name="perShare"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The amount is negative.</exception>
    public static CorporateAction Dividend(Symbol symbol, DateOnly exDate, decimal perShare)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(perShare);
        return new CorporateAction(symbol, exDate, CorporateActionKind.Dividend, 1m, perShare);
    }
}

/// <summary>An action as the engine applied it to the account: what it changed.</summary>
/// <param name="Action">The action.</param>
/// <param name="TimeUtc">When it was applied: the start of the symbol's first bar on or after the ex-date.</param>
/// <param name="QuantityBefore">The signed position before (0 when none was held).</param>
/// <param name="QuantityAfter">The signed position after (a split's new shares, less any fraction paid in cash).</param>
/// <param name="CashAmount">Cash credited (positive) or debited (negative): a dividend, or a split's fractional share paid out.</param>
/// <param name="OrdersAdjusted">Open orders whose quantity and prices a split rescaled.</param>
public sealed record AppliedCorporateAction(
    CorporateAction Action, DateTime TimeUtc, decimal QuantityBefore, decimal QuantityAfter, decimal CashAmount, int OrdersAdjusted);

/// <summary>How prices read from a source with corporate-action factors are presented (<c>data.adjustment</c>).</summary>
public enum PriceAdjustment
{
    /// <summary>As traded. In a backtest the engine applies splits and dividends to the account itself.</summary>
    Raw,

    /// <summary>Back-adjusted for splits only (raw × split factor); dividends are not applied.</summary>
    SplitAdjusted,

    /// <summary>Back-adjusted for splits and dividends (raw × price factor × split factor): a total-return series.</summary>
    Adjusted,
}

/// <summary>Configuration names of <see cref="PriceAdjustment"/>.</summary>
public static class PriceAdjustments
{
    /// <summary>The configuration name: <c>raw</c>, <c>split_adjusted</c> or <c>adjusted</c>.</summary>
    public static string Name(this PriceAdjustment adjustment) => adjustment switch
    {
        PriceAdjustment.Raw => "raw",
        PriceAdjustment.SplitAdjusted => "split_adjusted",
        _ => "adjusted",
    };

    /// <summary>Parses a configuration name; false when it is none of them.</summary>
    public static bool TryParse(string? text, out PriceAdjustment adjustment)
    {
        switch (text)
        {
            case "raw":
                adjustment = PriceAdjustment.Raw;
                return true;
            case "split_adjusted":
                adjustment = PriceAdjustment.SplitAdjusted;
                return true;
            case "adjusted":
                adjustment = PriceAdjustment.Adjusted;
                return true;
            default:
                adjustment = PriceAdjustment.Adjusted;
                return false;
        }
    }
}
