using CsCheck;
using StrategyLab.Core.Accounting;

namespace StrategyLab.Tests.Core.Accounting;

public class ExactDecimalTests
{
    private static decimal Make(long mantissa, int scale) => new(
        (int)(uint)(ulong)Math.Abs(mantissa), (int)(uint)((ulong)Math.Abs(mantissa) >> 32), 0, mantissa < 0, (byte)scale);

    private static void AssertSameBits(decimal expected, decimal actual) =>
        Assert.True(
            decimal.GetBits(expected).SequenceEqual(decimal.GetBits(actual)),
            $"expected {expected} (scale {expected.Scale}), got {actual} (scale {actual.Scale})");

    [Fact]
    public void Mark_GivesTheDecimalResult_BitForBit_OnRandomOperands()
    {
        // Mantissas from tiny to past the fast path's 61-bit bound, scales 0..14, both signs: the integer path and the
        // decimal fallback must both give exactly what sum + q * (p - l) gives, scale included.
        var mantissa = Gen.OneOf(Gen.Long[-1_000_000, 1_000_000], Gen.Long[-(1L << 62), 1L << 62], Gen.Const(0L));
        var value = Gen.Select(mantissa, Gen.Int[0, 14]).Select((m, s) => Make(m, s));
        var sameScalePrices = Gen.Select(Gen.Long[1, 100_000_000], Gen.Long[1, 100_000_000], Gen.Int[0, 8]).Select((a, b, s) => (Make(a, s), Make(b, s)));
        Gen.Select(value, value, sameScalePrices, Gen.Select(value, value)).Sample((sum, quantity, prices, other) =>
        {
            Check(sum, quantity, prices.Item1, prices.Item2);
            Check(sum, quantity, other.Item1, other.Item2);
        }, iter: 20_000);
    }

    private static void Check(decimal sum, decimal quantity, decimal price, decimal last)
    {
        decimal expected;
        try
        {
            expected = sum + (quantity * (price - last));
        }
        catch (OverflowException)
        {
            Assert.Throws<OverflowException>(() => ExactDecimal.AddProductOfDifference(sum, quantity, price, last));
            return;
        }

        AssertSameBits(expected, ExactDecimal.AddProductOfDifference(sum, quantity, price, last));
    }

    [Theory]
    [InlineData("1000.00", "100", "10.50", "10.25")] // the usual mark: whole shares, cent prices
    [InlineData("-0.00", "-3", "7.5", "7.4")] // a negative zero sum, a short
    [InlineData("25.00", "-100", "10.50", "10.25")] // a result of zero: decimal decides its sign and scale
    [InlineData("0.001", "0.5", "2.0000", "1.9999")] // fractional quantity, mixed scales
    [InlineData("1", "100", "1.0", "1.00")] // prices of different scales: the decimal path
    [InlineData("0.0000000385970", "0", "0.0000000853119", "-195222.4435075653365")] // x + 0 × y keeps the scale of x
    [InlineData("0.000", "2", "1.00001", "1.00000")] // 0 + y: the scale of y
    public void Mark_GivesTheDecimalResult_BitForBit_OnChosenCases(string sum, string quantity, string price, string last)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Check(D(sum), D(quantity), D(price), D(last));
    }
}
