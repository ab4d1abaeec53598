namespace StrategyLab.Core.Accounting;

/// <summary>
/// Divisions on the trading path whose quotient is usually known in advance: an average price over one fill, a round
/// trip's entry price over one entry. Decimal division is the costliest arithmetic of a round trip, and these are skipped
/// when the answer is certain, bit for bit.
/// </summary>
internal static class ExactDivision
{
    /// <summary>
    /// <paramref name="numerator"/> / <paramref name="divisor"/>, without dividing when <paramref name="guess"/> ×
    /// <paramref name="divisor"/> is exactly <paramref name="numerator"/>: same value, same scale, and a product that was
    /// not rounded (its scale is the sum of the factors' scales). Decimal division of such a numerator stops at scale
    /// <c>scale(numerator) − scale(divisor)</c> with no remainder, which is the guess itself, scale included; any other
    /// case divides.
    /// </summary>
    internal static decimal Divide(decimal numerator, decimal divisor, decimal guess)
    {
        if (numerator != 0 && divisor > 0)
        {
            var product = guess * divisor;
            if (product == numerator && product.Scale == numerator.Scale && product.Scale == guess.Scale + divisor.Scale)
            {
                return guess;
            }
        }

        return numerator / divisor;
    }
}
