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

    [Fact]
    public void Mark_GivesTheDecimalResult_BitForBit_OnTheUsualOperands()
    {
        // The inlined case and its edges: whole shares around 2^31, prices of one scale (both signs, near 2^31), the
        // sum at that scale (zero, near 2^61, either sign); a zero result or product goes to the general path.
        var quantity = Gen.OneOf(Gen.Long[-5_000, 5_000], Gen.Long[-(1L << 31) - 2, (1L << 31) + 2]);
        var price = Gen.OneOf(Gen.Long[-20_000, 20_000], Gen.Long[(1L << 31) - 3, (1L << 31) + 3]);
        var sum = Gen.OneOf(Gen.Long[-10_000_000, 10_000_000], Gen.Long[(1L << 61) - 5, (1L << 61) + 5], Gen.Const(0L));
        Gen.Select(Gen.Select(sum, quantity), Gen.Select(price, price, Gen.Int[0, 6])).Sample((sq, pl) =>
        {
            var scale = pl.Item3;
            Check(Make(sq.Item1, scale), Make(sq.Item2, 0), Make(pl.Item1, scale), Make(pl.Item2, scale));
            Check(Make(sq.Item1, scale), Make(sq.Item2, 0), Make(pl.Item1, scale), Make(pl.Item1, scale));
            Check(Make(-sq.Item1, scale), Make(sq.Item2, 0), Make(-pl.Item1, scale), Make(-pl.Item2, scale));
        }, iter: 20_000);
    }

    [Fact]
    public void MarkAndAdd_GiveTheDecimalResult_BitForBit_OnOperandsOfMixedScales()
    {
        // Closes whose trailing zeros were dropped (42000.1 after 42001.68), cash and positions values of different
        // scales: the integer paths align the scales as decimal arithmetic does. Mantissas near the 2^61 bound after the
        // rescale, equal values of two scales (zero differences and sums), whole and fractional quantities included.
        var mantissa = Gen.OneOf(Gen.Long[1, 10_000_000], Gen.Long[((1L << 61) / 1000) - 5, ((1L << 61) / 1000) + 5], Gen.Long[1, 1L << 61]);
        var value = Gen.Select(mantissa, Gen.Int[0, 9], Gen.Bool).Select((m, s, negative) => Make(negative ? -m : m, s));
        var quantity = Gen.Select(Gen.Long[-5_000, 5_000], Gen.Int[0, 4]).Select((m, s) => Make(m, s));
        Gen.Select(value, quantity, value, value).Sample((sum, q, price, last) =>
        {
            Check(sum, q, price, last);
            Check(sum, q, price, price * 1.00m); // the same price with two more decimals: a zero difference
            Check(sum, q, price, last * 1.0m);
            CheckAdd(sum, price);
            CheckAdd(price, last);
            CheckAdd(price, -(price * 1.000m)); // a zero sum of two scales: the operator decides its scale
            CheckAdd(sum, 0.00m);
        }, iter: 30_000);
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
    [InlineData("84003.36", "2", "42000.1", "42001.68")] // closes of two scales: aligned as integers
    [InlineData("-42001.68", "-1", "42000", "42001.68")] // a short marked across scales
    public void Mark_GivesTheDecimalResult_BitForBit_OnChosenCases(string sum, string quantity, string price, string last)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Check(D(sum), D(quantity), D(price), D(last));
    }

    [Fact]
    public void AddAndSubtract_GiveTheDecimalResult_BitForBit_OnRandomOperands()
    {
        // One scale or two, both signs, zeros of any scale and sign, 0m itself, mantissas past the inlined path's 2^62
        // bound: the result must be exactly what the operators give, scale and sign of zero included.
        var mantissa = Gen.OneOf(Gen.Long[-1_000_000, 1_000_000], Gen.Long[long.MinValue + 1, long.MaxValue], Gen.Const(0L));
        var value = Gen.OneOf(Gen.Select(mantissa, Gen.Int[0, 6]).Select((m, s) => Make(m, s)), Gen.Const(0m), Gen.Const(-0.00m));
        var sameScale = Gen.Select(mantissa, mantissa, Gen.Int[0, 6]).Select((a, b, s) => (Make(a, s), Make(b, s)));
        Gen.Select(value, value, sameScale).Sample((a, b, pair) =>
        {
            CheckAdd(a, b);
            CheckAdd(pair.Item1, pair.Item2);
            CheckAdd(a, -a);
            CheckAdd(pair.Item1, 0m);
        }, iter: 20_000);
    }

    [Theory]
    [InlineData("1000.00", "0")] // a zero commission
    [InlineData("-5.25", "0")]
    [InlineData("0.00", "0")] // zero plus zero: the operator decides
    [InlineData("-0.00", "0")]
    [InlineData("1.50", "-1.50")] // a zero result: the operator decides its sign and scale
    [InlineData("1.5", "0.25")] // two scales: aligned as integers at the larger one
    [InlineData("100000", "-42001.68")] // cash after a fill
    [InlineData("1.5", "-1.50")] // a zero result of two scales: the operator
    [InlineData("4611686018427387904", "1")] // past the inlined bound
    public void AddAndSubtract_GiveTheDecimalResult_BitForBit_OnChosenCases(string a, string b)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        CheckAdd(D(a), D(b));
        CheckAdd(D(b), D(a));
    }

    private static void CheckAdd(decimal a, decimal b)
    {
        AssertSameBits(a + b, ExactDecimal.Add(a, b));
        AssertSameBits(a - b, ExactDecimal.Subtract(a, b));
    }
}
