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

    /// <summary>
    /// The average price after the first fill of <paramref name="quantity"/> at <paramref name="price"/>, from an
    /// average and a quantity that are both a plain zero (scale 0, positive): bit for bit
    /// <c>Divide((0m * 0m) + (price * quantity), quantity, price)</c>, the general formula, without its zero product,
    /// its addition and its second multiplication.
    /// </summary>
    /// <remarks>
    /// <c>0m * 0m</c> is a plain zero, and a plain zero plus a non-zero <c>p</c> is <c>p</c> itself (value, scale and
    /// sign); <see cref="Divide"/> then multiplies <c>price × quantity</c> again, gets <c>p</c>, and returns the guess
    /// when <c>p</c>'s scale is the sum of the factors' (the product was not rounded). Anything else takes the general
    /// formula.
    /// </remarks>
    internal static decimal FirstFillAverage(decimal price, decimal quantity)
    {
        var product = price * quantity;
        if (!DecimalCompare.IsZero(product) && quantity > 0 && product.Scale == price.Scale + quantity.Scale)
        {
            return price;
        }

        return Divide((0m * 0m) + product, quantity, price);
    }
}
