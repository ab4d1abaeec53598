using System.Globalization;
using System.Text;
using StrategyLab.Reporting;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// The byte formatters of the artifacts against the .NET custom formats they replace (the reference path here is the
/// one the writers used before: <c>ToString("0.##########")</c> with <c>-0</c> as <c>0</c>, and
/// <c>ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz")</c>, invariant culture).
/// </summary>
public sealed class ArtifactTextTests
{
    private static string ReferenceNumber(decimal value)
    {
        var text = value.ToString("0.##########", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    private static string ReferenceTime(DateTimeOffset value) =>
        value.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    private static string Fast(decimal value)
    {
        Span<byte> buffer = stackalloc byte[ArtifactFormat.MaxLength];
        return Encoding.ASCII.GetString(buffer[..ArtifactFormat.Format(value, buffer)]);
    }

    private static string Fast(DateTimeOffset value)
    {
        Span<byte> buffer = stackalloc byte[ArtifactFormat.MaxLength];
        return Encoding.ASCII.GetString(buffer[..ArtifactFormat.Format(value, buffer)]);
    }

    public static TheoryData<string> EdgeDecimals() =>
    [
        "0", "-0", "0.0000000000", "-0.0000000000000000000000000001", "0.0000000000000000000000000001", "1", "-1", "10", "100.10",
        "0.5", "-0.5", "0.00000000005", "-0.00000000005", "0.000000000049999", "0.99999999995", "-0.99999999995",
        "9.99999999999", "99999999999999999.99999999995", "0.1234567890", "0.12345678905", "0.12345678904999999",
        "123456789012345678.9", "79228162514264337593543950335", "-79228162514264337593543950335", "7.9228162514264337593543950335",
        "0.0000000001", "0.00000000010", "1000000000000000000000000000", "18446744073709551615", "18446744073709551616",
        "-18446744073709551616.5", "100.33333333333333333333333333", "1.0000000000000000000000000001",
    ];

    [Theory]
    [MemberData(nameof(EdgeDecimals))]
    public void Decimal_EdgeCases_AsTheCustomFormat(string text)
    {
        var value = decimal.Parse(text, CultureInfo.InvariantCulture);
        Assert.Equal(ReferenceNumber(value), Fast(value));
    }

    [Fact]
    public void Decimal_NegativeZeroWithScale_IsZero()
    {
        var negativeZero = new decimal(0, 0, 0, isNegative: true, scale: 7);
        Assert.Equal("0", Fast(negativeZero));
        Assert.Equal(ReferenceNumber(negativeZero), Fast(negativeZero));
    }

    [Fact]
    public void Decimal_RandomValues_AsTheCustomFormat()
    {
        var random = new Random(20261205);
        for (var i = 0; i < 200_000; i++)
        {
            // Every width of mantissa (32, 64, 96 bits) and every scale, both signs.
            var width = random.Next(4);
            var lo = random.Next() ^ (random.Next(2) << 31);
            var mid = width >= 2 ? random.Next() ^ (random.Next(2) << 31) : 0;
            var hi = width >= 3 ? random.Next() ^ (random.Next(2) << 31) : 0;
            if (width == 0)
            {
                lo = random.Next(100_000);
            }

            var value = new decimal(lo, mid, hi, random.Next(2) == 1, (byte)random.Next(29));
            Assert.Equal(ReferenceNumber(value), Fast(value));
        }
    }

    [Fact]
    public void Decimal_PricesAndMoney_AsTheCustomFormat()
    {
        // The values the artifacts mostly hold: prices to cents and sub-cents, products and quotients of them.
        var random = new Random(7);
        for (var i = 0; i < 100_000; i++)
        {
            var price = Math.Round((decimal)random.NextDouble() * 50_000m, random.Next(9));
            var qty = random.Next(1, 5000);
            Assert.Equal(ReferenceNumber(price), Fast(price));
            Assert.Equal(ReferenceNumber(price * qty), Fast(price * qty));
            Assert.Equal(ReferenceNumber(price / qty), Fast(price / qty));
            Assert.Equal(ReferenceNumber(-price / 7m), Fast(-price / 7m));
        }
    }

    [Fact]
    public void Time_RandomInstantsAndOffsets_AsTheCustomFormat()
    {
        var random = new Random(42);
        for (var i = 0; i < 100_000; i++)
        {
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 60, (14 * 60) + 1));
            var ticks = random.NextInt64(DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay);
            ticks = random.Next(4) switch
            {
                0 => ticks - (ticks % TimeSpan.TicksPerMinute), // whole minutes: the common case
                1 => ticks - (ticks % TimeSpan.TicksPerSecond),
                2 => ticks - (ticks % TimeSpan.TicksPerMillisecond),
                _ => ticks,
            };
            var value = new DateTimeOffset(ticks, offset);
            Assert.Equal(ReferenceTime(value), Fast(value));
        }
    }

    [Theory]
    [InlineData("2013-10-07T09:46:00-04:00")]
    [InlineData("2013-10-07T09:46:00.5-04:00")]
    [InlineData("2024-01-08T23:59:59.9999999+00:00")]
    [InlineData("0001-01-01T00:00:00+00:00")]
    [InlineData("9999-12-31T23:59:59.0000001+00:00")]
    [InlineData("2024-03-10T03:00:00.01+05:45")]
    [InlineData("2024-03-10T03:00:00-09:30")]
    public void Time_EdgeCases_AsTheCustomFormat(string text)
    {
        var value = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
        Assert.Equal(ReferenceTime(value), Fast(value));
        Assert.Equal(text, Fast(value));
    }

    [Fact]
    public void Time_OfOneFile_ReusingTheDateAndOffset_AsTheCustomFormat()
    {
        // A file's times: runs on the same local date and offset (the date and offset bytes reused), a DST change within a
        // day (same date, another offset), a jump back, days apart, fractions; each against the reference.
        var random = new Random(34);
        var times = new TimeText.SameDay();
        Span<byte> buffer = stackalloc byte[ArtifactFormat.MaxLength];
        var ticks = new DateTime(2013, 10, 7, 9, 30, 0).Ticks;
        var offset = TimeSpan.FromHours(-4);
        for (var i = 0; i < 200_000; i++)
        {
            switch (random.Next(20))
            {
                case 0:
                    offset = TimeSpan.FromMinutes(random.Next(-14 * 60, (14 * 60) + 1));
                    break;
                case 1:
                    ticks -= random.NextInt64(TimeSpan.TicksPerDay * 3); // back, maybe to an earlier date
                    break;
                case 2:
                    ticks += random.NextInt64(TimeSpan.TicksPerDay * 40);
                    break;
                case 3:
                    ticks += random.NextInt64(TimeSpan.TicksPerSecond); // a fraction
                    break;
                case 4:
                    break; // the same time again (an order's created and updated times)
                default:
                    ticks += TimeSpan.TicksPerMinute * random.Next(1, 30);
                    break;
            }

            var value = new DateTimeOffset(ticks, offset);
            Assert.Equal(ReferenceTime(value), Encoding.ASCII.GetString(buffer[..times.Format(value, buffer)]));
        }
    }

    [Fact]
    public void Time_OfOneFile_SameDateOtherOffset_TakesTheNewOffset()
    {
        var times = new TimeText.SameDay();
        var buffer = new byte[ArtifactFormat.MaxLength];
        string Format(DateTimeOffset value) => Encoding.ASCII.GetString(buffer, 0, times.Format(value, buffer));
        Assert.Equal("2024-03-10T01:59:00-05:00", Format(new DateTimeOffset(2024, 3, 10, 1, 59, 0, TimeSpan.FromHours(-5))));
        Assert.Equal("2024-03-10T03:00:00-04:00", Format(new DateTimeOffset(2024, 3, 10, 3, 0, 0, TimeSpan.FromHours(-4))));
        Assert.Equal("2024-03-10T03:00:00.25-04:00", Format(new DateTimeOffset(2024, 3, 10, 3, 0, 0, 250, TimeSpan.FromHours(-4))));
        Assert.Equal("2024-03-11T03:00:00-04:00", Format(new DateTimeOffset(2024, 3, 11, 3, 0, 0, TimeSpan.FromHours(-4))));
    }

    [Fact]
    public void Utf8Names_AreTheNames_ForEveryValue()
    {
        SameNames<StrategyLab.Core.Execution.OrderSide>(ArtifactFormat.Name, ArtifactFormat.Utf8Name);
        SameNames<StrategyLab.Core.Accounting.TradeDirection>(ArtifactFormat.Name, ArtifactFormat.Utf8Name);
        SameNames<StrategyLab.Core.Execution.OrderType>(ArtifactFormat.Name, ArtifactFormat.Utf8Name);
        SameNames<StrategyLab.Core.Execution.TimeInForce>(ArtifactFormat.Name, ArtifactFormat.Utf8Name);
        SameNames<StrategyLab.Core.Execution.OrderStatus>(ArtifactFormat.Name, ArtifactFormat.Utf8Name);
        SameNames<StrategyLab.Core.Execution.RejectReason>(ArtifactFormat.Name, ArtifactFormat.Utf8Name);
        foreach (var v in Enum.GetValues<StrategyLab.Core.Execution.RejectReason>())
        {
            // Every reason has an artifact name (an order rejected for a reason without one would throw in orders.csv).
            Assert.True(v == StrategyLab.Core.Execution.RejectReason.None || ArtifactFormat.Name(v).Length > 0, $"{v} has no name");
        }
    }

    private delegate ReadOnlySpan<byte> Utf8Of<T>(T value);

    private static void SameNames<T>(Func<T, string> name, Utf8Of<T> utf8)
        where T : struct, Enum
    {
        foreach (var v in Enum.GetValues<T>())
        {
            Assert.Equal(name(v), Encoding.ASCII.GetString(utf8(v)));
        }
    }
}
