using CsCheck;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Reading;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// The report's equity series holds marks as rounded integer units (<see cref="ArtifactUnits"/>) and makes decimals only
/// for what it keeps: these check that it gives, bit for bit (value and scale), what holding each rounded mark as a
/// decimal gives.
/// </summary>
public class EquitySeriesTests
{
    private static readonly TimeSpan Est = TimeSpan.FromHours(-5);

    /// <summary>A decimal of any scale 0…16 and a mantissa up to 2^63, either sign: the artifact rounding's edge cases (…5 at the 11th decimal) included.</summary>
    private static readonly Gen<decimal> AnyDecimal =
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Int[0, 16], Gen.Bool, Gen.Int[0, 3])
            .Select((m, scale, negative, shape) =>
            {
                // shape 1: a tie at the 11th decimal; 2: a small mantissa (trailing zeros once scaled); else as drawn.
                var mantissa = shape switch { 1 => ((m % 1_000_000_000_000L) * 10) + 5, 2 => m % 100_000, _ => m };
                return new decimal((int)(uint)(ulong)mantissa, (int)(uint)((ulong)mantissa >> 32), 0, negative, (byte)scale);
            });

    [Fact]
    public void Units_GiveBackTheArtifactValue_BitForBit()
    {
        AnyDecimal.Sample(value =>
        {
            if (ArtifactUnits.TryFrom(value, round: true, out var units))
            {
                Assert.Equal(decimal.GetBits(ArtifactValue.Of(value)), decimal.GetBits(ArtifactUnits.ToDecimal(units)));
            }
            else
            {
                Assert.True(Math.Abs(ArtifactValue.Of(value)) >= 900_000_000m); // only past the long's range
            }
        });
    }

    [Fact]
    public void Rounding_IsMonotone_SoTheExtremesOfRoundedMarksAreTheRoundedExtremes()
    {
        Gen.Select(AnyDecimal, AnyDecimal).Sample((a, b) =>
        {
            if (!ArtifactUnits.TryFrom(a, round: true, out var ua) || !ArtifactUnits.TryFrom(b, round: true, out var ub))
            {
                return;
            }

            if (a <= b)
            {
                Assert.True(ua <= ub);
            }

            Assert.Equal(decimal.GetBits(ArtifactValue.Of(Math.Max(a, b))), decimal.GetBits(ArtifactUnits.ToDecimal(Math.Max(ua, ub))));
            Assert.Equal(decimal.GetBits(ArtifactValue.Of(Math.Min(a, b))), decimal.GetBits(ArtifactUnits.ToDecimal(Math.Min(ua, ub))));
        });
    }

    [Fact]
    public void UnitsSeries_EqualsTheSeriesOfRoundedDecimals()
    {
        // Random walks of equity with up to 14 decimals (marks that round to the same value, ties at the 11th decimal,
        // flat stretches, new peaks), at minute marks with gaps over nights and weekends; a small limit coarsens the ladders.
        var walk = Gen.Select(Gen.Int[-3, 3], Gen.Int[0, 14], Gen.Long[0, 99_999], Gen.Int[0, 9]).Array[1, 600];
        Gen.Select(walk, Gen.Int[1, 40], Gen.Bool).Sample((steps, limit, withStart) =>
        {
            var start = withStart ? 100_000m : (decimal?)null;
            var units = new EquitySeries(start, limit);
            var decimals = new EquitySeries(start, limit, decimalsOnly: true);
            var time = new DateTimeOffset(2024, 1, 8, 9, 30, 0, Est);
            var equity = 100_000m;
            foreach (var (direction, scale, digits, gap) in steps)
            {
                var change = new decimal((int)digits, 0, 0, direction < 0, (byte)scale) * Math.Abs(direction);
                equity += change;
                time = time.AddMinutes(gap == 9 ? 900 : gap == 8 ? 0 : 1); // 8: a second mark at the same time
                units.AddRounded(time.UtcTicks, time.Offset.Ticks, equity);
                decimals.Add(time, ArtifactValue.Of(equity));
            }

            Assert.False(units.InDecimals);
            AssertSame(decimals, units);
        });
    }

    [Fact]
    public void AValuePastTheUnits_MovesTheSeriesToDecimals_WithTheSameResult()
    {
        var units = new EquitySeries(100_000m, 5);
        var decimals = new EquitySeries(100_000m, 5, decimalsOnly: true);
        var time = new DateTimeOffset(2024, 1, 8, 9, 30, 0, Est);
        decimal[] marks = [100_000.123456789012m, 99_000.5m, 99_000.49999999999m, 2_000_000_000.25m, 1_500_000_000m, 101_000.00000000005m, 90_000m];
        foreach (var equity in marks)
        {
            time = time.AddHours(7);
            units.AddRounded(time.UtcTicks, time.Offset.Ticks, equity);
            decimals.Add(time, ArtifactValue.Of(equity));
        }

        Assert.True(units.InDecimals);
        AssertSame(decimals, units);
    }

    [Fact]
    public void ReadMarks_AreNotRounded()
    {
        // A mark read from a file keeps its decimals (12 here), as it did when every mark was a decimal.
        var series = new EquitySeries(null, 10);
        var time = new DateTimeOffset(2024, 1, 8, 9, 30, 0, Est);
        series.Add(time, 100.123456789012m);
        Assert.True(series.InDecimals);
        Assert.Equal(100.123456789012m, series.Equity.Candles[0].Close);
        Assert.Equal(100.123456789012m, series.DailyCloses[0].Equity);
    }

    private static void AssertSame(EquitySeries expected, EquitySeries actual)
    {
        Assert.Equal(expected.Marks, actual.Marks);
        Assert.Equal(Bits(expected.StartEquity), Bits(actual.StartEquity));
        Assert.Equal(Bits(expected.MaxDrawdown), Bits(actual.MaxDrawdown));
        Assert.Equal(
            expected.DailyCloses.Select(d => (d.Date, Bits(d.Equity))),
            actual.DailyCloses.Select(d => (d.Date, Bits(d.Equity))));
        AssertSame(expected.Equity, actual.Equity);
        AssertSame(expected.Drawdown, actual.Drawdown);
    }

    private static void AssertSame(CandleLadder expected, CandleLadder actual)
    {
        Assert.Equal(expected.Level, actual.Level);
        Assert.Equal(expected.Candles.Select(Text), actual.Candles.Select(Text));
    }

    private static string Text(Candle c) =>
        string.Join(' ', c.Key, c.Start.ToString("O"), c.End.ToString("O"), Bits(c.Open), Bits(c.High), Bits(c.Low), Bits(c.Close), Bits(c.Volume), c.Trades);

    private static string Bits(decimal? d) => d is { } v ? string.Join('/', decimal.GetBits(v)) : "null";
}
