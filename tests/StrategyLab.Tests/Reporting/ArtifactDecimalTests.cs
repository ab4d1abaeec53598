using System.Globalization;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// Issue 12: artifact numbers of decimals whose mantissa fits 64 bits are rounded and trimmed in integer arithmetic
/// (<see cref="DecimalBits"/>). The text must stay .NET's own <c>0.##########</c> text (with <c>-0</c> as <c>0</c>) and
/// <see cref="ArtifactValue.Of(decimal)"/> the decimal that parsing that text gives, for every value, on both sides of
/// the 64-bit boundary.
/// </summary>
public sealed class ArtifactDecimalTests
{
    private static string Reference(decimal value)
    {
        var text = value.ToString(ArtifactFormat.Number, CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    private static IEnumerable<decimal> Values()
    {
        decimal[] fixedValues =
        [
            0m, -0m, 0.000m, -0.000m, 1m, -1m, 10m, 100.10m, -12.5000m, 0.00000000005m, 0.000000000049m, -0.00000000004m,
            -0.00000000005m, 0.0000000001m, 0.00000000015m, 0.00000000025m, -0.00000000025m, 0.99999999995m, 9.99999999995m,
            1.2345678901234567890123456789m, 0.0000000000000000000000000001m, -0.0000000000000000000000000005m,
            decimal.MaxValue, decimal.MinValue, 18446744073709551615m, -18446744073709551615m, 18446744073709551616m,
            1844674407370955161.5m, 1.8446744073709551615m, 0.0000000018446744073709551615m, 184467440737.09551616m,
            42000.00m, 42000.12m, 123.4500000000m, 1e-10m, 1e10m, 79228162514264337593543950335m,
        ];
        foreach (var v in fixedValues)
        {
            yield return v;
        }

        var rng = new Random(12);
        for (var i = 0; i < 200_000; i++)
        {
            var bitsLength = rng.Next(0, 97); // mantissas of 0..96 bits, so both paths and the boundary are hit
            var lo = bitsLength == 0 ? 0 : rng.Next() | (rng.Next(2) << 31);
            var mid = bitsLength <= 32 ? 0 : rng.Next() | (rng.Next(2) << 31);
            var hi = bitsLength <= 64 ? 0 : rng.Next() | (rng.Next(2) << 31);
            if (bitsLength is > 0 and < 32)
            {
                lo &= (int)((1u << bitsLength) - 1);
            }

            var scale = (byte)rng.Next(0, 29);
            var value = new decimal(lo, mid, hi, rng.Next(2) == 0, scale);
            yield return value;
            if (i % 4 == 0 && bitsLength <= 64)
            {
                yield return value * 1000m; // trailing zeros to trim
            }

            if (i % 4 == 1 && scale > 10)
            {
                // an exact tie at the 11th decimal
                yield return new decimal((int)(i * 7919L % 1_000_000) * 10 + 5, 0, 0, rng.Next(2) == 0, 11);
            }
        }
    }

    [Fact]
    public void TheText_IsDotNetsText_ForEveryValue()
    {
        Span<byte> buffer = stackalloc byte[ArtifactFormat.MaxLength];
        foreach (var v in Values())
        {
            var n = ArtifactFormat.Format(v, buffer);
            Assert.Equal(Reference(v), System.Text.Encoding.ASCII.GetString(buffer[..n]));
        }
    }

    [Fact]
    public void TheValue_IsWhatParsingTheTextGives_ToTheScale()
    {
        foreach (var v in Values())
        {
            var parsed = decimal.Parse(Reference(v), NumberStyles.Number, CultureInfo.InvariantCulture);
            var of = ArtifactValue.Of(v);
            Assert.True(decimal.GetBits(parsed).SequenceEqual(decimal.GetBits(of)), $"{v}: {of} (scale {of.Scale}) vs {parsed} (scale {parsed.Scale})");
        }
    }
}
