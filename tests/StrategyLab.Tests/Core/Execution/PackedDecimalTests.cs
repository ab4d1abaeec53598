using CsCheck;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;

namespace StrategyLab.Tests.Core.Execution;

/// <summary>
/// An order keeps its decimals packed in 8 bytes when they fit and the decimal itself when they do not: what is read
/// back must be the very decimal stored (mantissa, scale and sign, so <c>1.50</c> prints as <c>1.50</c>).
/// </summary>
public class PackedDecimalTests
{
    private static decimal Make(ulong mantissa, uint high, int scale, bool negative) =>
        new((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)high, negative, (byte)scale);

    private static void AssertSameBits(decimal expected, decimal actual) =>
        Assert.True(
            decimal.GetBits(expected).SequenceEqual(decimal.GetBits(actual)),
            $"expected {expected} (scale {expected.Scale}), got {actual} (scale {actual.Scale})");

    [Fact]
    public void PackedValues_ComeBackBitForBit_AndWideOnesAreRefused()
    {
        // Mantissas on both sides of the 56-bit bound (and beyond 64 bits), every scale, both signs, zeros included.
        var mantissa = Gen.OneOf(Gen.ULong[0, 1_000_000], Gen.ULong[(1UL << 56) - 1_000, (1UL << 56) + 1_000], Gen.ULong, Gen.Const(0UL));
        Gen.Select(mantissa, Gen.OneOf(Gen.Const(0u), Gen.UInt), Gen.Int[0, 28], Gen.Bool).Sample((m, high, scale, negative) =>
        {
            var value = Make(m, high, scale, negative);
            var packed = PackedDecimal.Pack(value);
            if (high != 0 || m >= 1UL << 56)
            {
                Assert.Equal(PackedDecimal.Wide, packed);
            }
            else
            {
                Assert.NotEqual(PackedDecimal.Wide, packed);
                AssertSameBits(value, PackedDecimal.Unpack(packed));
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Order_ReadsBackWideAndNarrowDecimals_AsSet()
    {
        var wide = 1m / 3m; // 28 digits: kept beside the order
        var negativeZero = Make(0, 0, 2, negative: true);
        var order = new Order(1, Symbol.Equity("AAPL"), OrderSide.Buy, 12.50m, OrderType.Limit, wide, null, TimeInForce.Day, null, 0, new DateTime(2024, 7, 1, 14, 0, 0, DateTimeKind.Utc));

        AssertSameBits(12.50m, order.Quantity);
        AssertSameBits(wide, order.LimitPrice!.Value);
        order.FilledQuantity = wide;
        order.AverageFillPrice = 101.2500m;
        order.Commission = negativeZero;
        AssertSameBits(wide, order.FilledQuantity);
        AssertSameBits(101.2500m, order.AverageFillPrice);
        AssertSameBits(negativeZero, order.Commission);
        AssertSameBits(12.50m - wide, order.RemainingQuantity);

        // A field that was wide and is set narrow reads the narrow value.
        order.LimitPrice = 99.99m;
        order.FilledQuantity = 3m;
        AssertSameBits(99.99m, order.LimitPrice!.Value);
        AssertSameBits(3m, order.FilledQuantity);
        AssertSameBits(wide, order.Request.LimitPrice!.Value); // the request as submitted
    }
}
