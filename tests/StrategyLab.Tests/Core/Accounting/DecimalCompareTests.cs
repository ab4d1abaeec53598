using CsCheck;
using StrategyLab.Core.Accounting;

namespace StrategyLab.Tests.Core.Accounting;

public class DecimalCompareTests
{
    // Mantissas from zero to 96 bits (the fast path takes only 64-bit ones), scales 0..28, both signs: zeros of every
    // scale and sign included.
    private static readonly Gen<decimal> Value =
        Gen.Select(
            Gen.OneOf(Gen.Const(0UL), Gen.ULong[0, 1_000_000], Gen.ULong),
            Gen.OneOf(Gen.Const(0U), Gen.Const(0U), Gen.UInt),
            Gen.Int[0, 28],
            Gen.Bool)
        .Select((low, high, scale, negative) => new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)high, negative, (byte)scale));

    // Pairs that often share sign and scale (the fast path), and are often equal in value with different bits.
    private static readonly Gen<(decimal, decimal)> Pair = Gen.OneOf(
        Gen.Select(Value, Value),
        Gen.Select(Value, Gen.Long[-3, 3]).Select((a, d) => (a, SameScaleNeighbour(a, d))),
        Value.Select(a => (a, a * 1.000m)),
        Value.Select(a => (a, -a)));

    private static decimal SameScaleNeighbour(decimal a, long delta)
    {
        try
        {
            var step = new decimal(1, 0, 0, false, a.Scale);
            var b = a + (delta * step);
            return b.Scale == a.Scale ? b : a;
        }
        catch (OverflowException)
        {
            return a;
        }
    }

    [Fact]
    public void Compare_AndTheOperators_AnswerAsDecimalDoes()
    {
        Pair.Sample(pair =>
        {
            var (a, b) = pair;
            Assert.Equal(decimal.Compare(a, b), DecimalCompare.Compare(a, b));
            Assert.Equal(a < b, DecimalCompare.Less(a, b));
            Assert.Equal(a <= b, DecimalCompare.LessOrEqual(a, b));
            Assert.Equal(a > b, DecimalCompare.Greater(a, b));
            Assert.Equal(a >= b, DecimalCompare.GreaterOrEqual(a, b));
            Assert.Equal(a == b, DecimalCompare.Equal(a, b));
            Assert.Equal(a == 0m, DecimalCompare.IsZero(a));
            Assert.Equal(decimal.GetBits(a).All(x => x == 0), DecimalCompare.IsPlainZero(a));
        }, iter: 50_000);
    }

    [Theory]
    [InlineData("1.50", "1.5", 0)]
    [InlineData("-1.50", "-1.49", -1)]
    [InlineData("-1.50", "1.50", -1)]
    [InlineData("10.25", "10.26", -1)]
    [InlineData("-10.26", "-10.25", -1)]
    [InlineData("0.00", "-0", 0)]
    public void Compare_ChosenCases(string a, string b, int expected)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, DecimalCompare.Compare(D(a), D(b)));
        Assert.Equal(-expected, DecimalCompare.Compare(D(b), D(a)));
    }

    [Fact]
    public void IsPlainZero_IsOnlyZeroOfScaleZeroAndPositive()
    {
        Assert.True(DecimalCompare.IsPlainZero(0m));
        Assert.True(DecimalCompare.IsPlainZero(default));
        Assert.False(DecimalCompare.IsPlainZero(0.00m));
        Assert.False(DecimalCompare.IsPlainZero(new decimal(0, 0, 0, true, 0)));
        Assert.False(DecimalCompare.IsPlainZero(1m));
    }

    [Fact]
    public void FirstFillAverage_GivesTheGeneralFormulasBits()
    {
        // Prices and quantities of any scale, up to mantissas whose product rounds (decimal keeps 28-29 digits).
        var mantissa = Gen.OneOf(Gen.Long[1, 100_000_000], Gen.Long[1, long.MaxValue], Gen.Const(0L));
        var value = Gen.Select(mantissa, Gen.Int[0, 12]).Select((m, s) => new decimal((int)(uint)(ulong)m, (int)(uint)((ulong)m >> 32), 0, false, (byte)s));
        Gen.Select(value, value, Gen.Bool).Sample((price, quantity, sell) =>
        {
            Check(price, quantity, ExchangeGeneral, (p, q) => ExactDivision.FirstFillAverage(p, 0m + q));
            var signed = sell ? -quantity : quantity;
            Check(price, signed, PortfolioGeneral, (p, q) => ExactDivision.FirstFillAverage(p, Math.Abs(0m + q)));
        }, iter: 50_000);
    }

    private static void Check(decimal price, decimal quantity, Func<decimal, decimal, decimal> general, Func<decimal, decimal, decimal> fast)
    {
        decimal expected;
        try
        {
            expected = general(price, quantity);
        }
        catch (Exception e) when (e is DivideByZeroException or OverflowException)
        {
            Assert.Throws(e.GetType(), () => fast(price, quantity));
            return;
        }

        var actual = fast(price, quantity);
        Assert.True(
            decimal.GetBits(expected).SequenceEqual(decimal.GetBits(actual)),
            $"price {price}, quantity {quantity}: expected {expected} (scale {expected.Scale}), got {actual} (scale {actual.Scale})");
    }

    [Theory]
    [InlineData("100.25", "100")]
    [InlineData("0.00012345", "12.5")]
    [InlineData("123456789012.123456", "98765432109.87654321")] // the product rounds: the division runs
    public void FirstFillAverage_ChosenCases(string price, string quantity)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Check(D(price), D(quantity), ExchangeGeneral, (p, q) => ExactDivision.FirstFillAverage(p, 0m + q));
        Check(D(price), -D(quantity), PortfolioGeneral, (p, q) => ExactDivision.FirstFillAverage(p, Math.Abs(0m + q)));
    }

    // An order's average fill price after its first fill, as SimulatedExchange.TryFill computes it in general (the
    // average and the filled quantity start as plain zeros).
    private static decimal ExchangeGeneral(decimal price, decimal quantity)
    {
        var average = 0m;
        var previousFilled = 0m;
        var filled = previousFilled + quantity;
        return ExactDivision.Divide((average * previousFilled) + (price * quantity), filled, price);
    }

    // A position's average price after a fill of signed quantity q from flat, as Portfolio.ApplyFill computes it in general.
    private static decimal PortfolioGeneral(decimal price, decimal q)
    {
        var average = 0m;
        var oldQty = 0m;
        var newQty = oldQty + q;
        return ExactDivision.Divide((average * Math.Abs(oldQty)) + (price * Math.Abs(q)), Math.Abs(newQty), price);
    }
}
