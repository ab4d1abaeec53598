using System.Globalization;
using CsCheck;
using StrategyLab.Data.Text;

namespace StrategyLab.Tests.Data;

public class DecimalTextTests
{
    [Theory]
    [InlineData("0.00001234", "0.00001234")]
    [InlineData("123456.789", "123456.789")]
    [InlineData("1e-8", "0.00000001")]
    [InlineData("1E-8", "0.00000001")]
    [InlineData("-2.5", "-2.5")]
    [InlineData("+3", "3")]
    [InlineData("1.5E3", "1500")]
    [InlineData("2.5e+2", "250")]
    [InlineData("00012.50", "12.50")]
    [InlineData(".5", "0.5")]
    [InlineData("7.", "7")]
    [InlineData("0", "0")]
    [InlineData("0.000", "0.000")]
    [InlineData("9999999999999999999", "9999999999999999999")]
    [InlineData("12345678901234567890.5", "12345678901234567890.5")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    public void Parses_Exactly(string text, string expected)
    {
        Assert.True(DecimalText.TryParse(text, out var value), text);
        var want = decimal.Parse(expected, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.Equal(want, value);
    }

    [Fact]
    public void Keeps_TheDigitsAsWritten()
    {
        Assert.True(DecimalText.TryParse("0.00001234", out var v));
        Assert.Equal("0.00001234", v.ToString(CultureInfo.InvariantCulture));
        Assert.True(DecimalText.TryParse("1e-8", out v));
        Assert.Equal(0.00000001m, v);
        Assert.Equal(8, v.Scale);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1,5")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("0x10")]
    [InlineData("0.00000000000000000000000000001")] // 29 decimal places: not representable exactly
    [InlineData("1e-29")]
    [InlineData("123456789012345678901234567890")] // 30 significant digits
    public void Rejects(string text) => Assert.False(DecimalText.TryParse(text, out _), text);

    [Fact]
    public void RoundTrips_AnyDecimalsInvariantText() =>
        Gen.Decimal.Sample(d =>
        {
            var text = d.ToString(CultureInfo.InvariantCulture);
            return DecimalText.TryParse(text, out var parsed) && parsed == d;
        });

    [Fact]
    public void RoundTrips_ScaledIntegers() =>
        Gen.Select(Gen.Long[-999_999_999_999_999_999L, 999_999_999_999_999_999L], Gen.Int[0, 18]).Sample((units, scale) =>
        {
            var d = DecimalText.FromScaled(units, (byte)scale);
            var expected = units / Pow10(scale);
            return d == expected;
        });

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-17", -17L)]
    [InlineData("123456789012345678", 123456789012345678L)]
    public void ParsesIntegers(string text, long expected)
    {
        Assert.True(DecimalText.TryParseInt64(text, out var v));
        Assert.Equal(expected, v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.0")]
    [InlineData("1234567890123456789")]
    [InlineData("-")]
    public void RejectsNonIntegers(string text) => Assert.False(DecimalText.TryParseInt64(text, out _));

    private static decimal Pow10(int n)
    {
        var p = 1m;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }
}
