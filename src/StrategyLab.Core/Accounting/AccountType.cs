namespace StrategyLab.Core.Accounting;

/// <summary>How buying power is computed.</summary>
public enum AccountType
{
    /// <summary>Buys are paid with cash; no short selling.</summary>
    Cash,

    /// <summary>Buying power is equity × leverage minus the gross value of open positions; shorts allowed.</summary>
    Margin,
}
