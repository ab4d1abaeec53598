using System.Globalization;
using CsCheck;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Tests.Reporting;

public class CandleLadderTests
{
    private static readonly TimeSpan Est = TimeSpan.FromHours(-5);

    private static DateTimeOffset Local(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, Est);

    [Fact]
    public void TenMinuteBars_LimitThree_MergeIntoTwoFiveMinuteCandles()
    {
        // 09:30 … 09:39, bar i: open 100 + i, high open + 2, low open − 1, close open + 1, volume 10 + i.
        var ladder = new CandleLadder(3);
        for (var i = 0; i < 10; i++)
        {
            var start = Local(2024, 1, 8, 9, 30 + i);
            ladder.Add(start, start.AddMinutes(1), 100 + i, 102 + i, 99 + i, 101 + i, 10 + i, i);
        }

        // 1s…1m steps keep 10 candles (> 3); 5m gives 09:30-09:35 and 09:35-09:40.
        Assert.Equal(TimeSpan.FromMinutes(5), ladder.Step);
        Assert.Equal(10, ladder.BarsAdded);
        var c = ladder.Candles;
        Assert.Equal(2, c.Count);
        Assert.Equal(Local(2024, 1, 8, 9, 30).DateTime.Ticks, c[0].Key);
        Assert.Equal((100m, 106m, 99m, 105m, 60m, 10L), (c[0].Open, c[0].High, c[0].Low, c[0].Close, c[0].Volume, c[0].Trades)); // 10+…+14, 0+…+4
        Assert.Equal(Local(2024, 1, 8, 9, 30), c[0].Start);
        Assert.Equal(Local(2024, 1, 8, 9, 35), c[0].End);
        Assert.Equal((105m, 111m, 104m, 110m, 85m, 35L), (c[1].Open, c[1].High, c[1].Low, c[1].Close, c[1].Volume, c[1].Trades));
        Assert.Equal(Local(2024, 1, 8, 9, 40), c[1].End);
        Assert.Equal(TimeSpan.FromMinutes(5), ladder.CandleSpan);
    }

    [Fact]
    public void UnknownTradeCount_MakesTheCandleUnknown()
    {
        var ladder = new CandleLadder(1);
        var t = Local(2024, 1, 8, 9, 30);
        ladder.Add(t, t.AddMinutes(1), 1, 1, 1, 1, 1, 5);
        ladder.Add(t.AddMinutes(1), t.AddMinutes(2), 1, 1, 1, 1, 1, -1);
        Assert.Equal(-1, Assert.Single(ladder.Candles).Trades);
    }

    [Fact]
    public void Weeks_StartOnMonday_AndDays_AtLocalMidnight()
    {
        // Daily bars Wed 2024-01-03 … Tue 2024-01-16 (weekdays): 10 bars, limit 3 → weeks.
        var ladder = new CandleLadder(3);
        var days = Enumerable.Range(0, 14).Select(i => new DateTime(2024, 1, 3).AddDays(i)).Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)).ToList();
        foreach (var d in days)
        {
            var start = new DateTimeOffset(d.AddHours(9.5), Est);
            ladder.Add(start, start.AddHours(6.5), 1, 2, 0.5m, 1.5m, 1, -1);
        }

        Assert.Equal(TimeSpan.FromDays(7), ladder.Step);
        Assert.Equal(
            [new DateTime(2024, 1, 1), new DateTime(2024, 1, 8), new DateTime(2024, 1, 15)], // Mondays
            ladder.Candles.Select(c => new DateTime(c.Key)));
        Assert.Equal([3m, 5m, 2m], ladder.Candles.Select(c => c.Volume));
    }

    [Fact]
    public void IndexAtOrBefore_FindsTheCandleHoldingATime()
    {
        var ladder = new CandleLadder(100);
        foreach (var minute in new[] { 0, 1, 5 })
        {
            var s = Local(2024, 1, 8, 9, 30 + minute);
            ladder.Add(s, s.AddMinutes(1), 1, 1, 1, 1, 1, -1);
        }

        Assert.Equal(-1, ladder.IndexAtOrBefore(Local(2024, 1, 8, 9, 29).DateTime.Ticks));
        Assert.Equal(0, ladder.IndexAtOrBefore(Local(2024, 1, 8, 9, 30).DateTime.Ticks));
        Assert.Equal(1, ladder.IndexAtOrBefore(Local(2024, 1, 8, 9, 33).DateTime.Ticks)); // no candle at 09:33: the one before
        Assert.Equal(2, ladder.IndexAtOrBefore(Local(2024, 1, 8, 16, 0).DateTime.Ticks));
    }

    [Fact]
    public void OutOfOrderBars_LandInTheirBucket()
    {
        var ladder = new CandleLadder(100);
        var t = Local(2024, 1, 8, 9, 30);
        ladder.Add(t.AddMinutes(2), t.AddMinutes(3), 3, 3, 3, 3, 1, -1);
        ladder.Add(t, t.AddMinutes(1), 1, 1, 1, 1, 1, -1);
        ladder.Add(t.AddMinutes(1), t.AddMinutes(2), 2, 2, 2, 2, 1, -1);
        Assert.Equal([1m, 2m, 3m], ladder.Candles.Select(c => c.Open));
    }

    /// <summary>
    /// Any sorted series and limit: the ladder ends on the finest step whose buckets fit the limit (the previous step
    /// does not), and its candles are exactly those of bucketing every bar at that step (worked out here directly).
    /// </summary>
    [Fact]
    public void AnySeries_EqualsDirectBucketing_AtTheFinestStepThatFits()
    {
        var bars = Gen.Select(Gen.Int[1, 600], Gen.Int[1, 4000], Gen.Int[1, 20]).Array[1, 400];
        Gen.Select(bars, Gen.Int[1, 60]).Sample((steps, limit) =>
        {
            // Bars of 1 minute with gaps of up to 600 minutes, prices from the seeds.
            var series = new List<(DateTimeOffset Start, decimal O, decimal H, decimal L, decimal C, decimal V)>();
            var t = Local(2024, 3, 1, 0, 0);
            foreach (var (gap, price, volume) in steps)
            {
                t = t.AddMinutes(gap);
                var o = price / 100m;
                series.Add((t, o, o + (volume / 100m), o - (volume / 200m), o + 0.01m, volume));
            }

            var ladder = new CandleLadder(limit);
            foreach (var b in series)
            {
                ladder.Add(b.Start, b.Start.AddMinutes(1), b.O, b.H, b.L, b.C, b.V, -1);
            }

            List<(long Key, decimal O, decimal H, decimal L, decimal C, decimal V)> Direct(long step) =>
                [.. series.GroupBy(b => b.Start.DateTime.Ticks - (b.Start.DateTime.Ticks % step))
                    .Select(g => (g.Key, g.First().O, g.Max(x => x.H), g.Min(x => x.L), g.Last().C, g.Sum(x => x.V)))];

            var level = ladder.Level;
            var expected = Direct(CandleLadder.Steps[level]);
            Assert.Equal(expected, ladder.Candles.Select(c => (c.Key, c.Open, c.High, c.Low, c.Close, c.Volume)));
            Assert.True(expected.Count <= limit || level == CandleLadder.Steps.Length - 1);
            Assert.True(level == 0 || Direct(CandleLadder.Steps[level - 1]).Count > limit);
        }, iter: 200);
    }

    [Fact]
    public void ACoarsenedCopy_IntoAReusedLadder_GoesOnAsAFreshLadderOfItsLimit()
    {
        // The reused ladder held later candles of another series: nothing of them (its newest bucket) may catch the
        // copy's next bars.
        var source = new CandleLadder(40);
        var other = new CandleLadder(8);
        var t = Local(2024, 3, 1, 0, 0);
        for (var i = 0; i < 100; i++)
        {
            other.Add(t.AddDays(30).AddMinutes(i), t.AddDays(30).AddMinutes(i + 1), 9m, 9m, 9m, 9m, 9m, -1);
        }

        var all = new List<(DateTimeOffset Start, decimal Price)>();
        for (var i = 0; i < 300; i++)
        {
            all.Add((t.AddMinutes(i * 7), 100m + (i % 13)));
        }

        foreach (var (start, price) in all.Take(200))
        {
            source.Add(start, start.AddMinutes(1), price, price + 1m, price - 1m, price, 1m, 1);
        }

        var copy = source.Coarsened(8, other);
        Assert.Same(other, copy);
        var fresh = new CandleLadder(8);
        foreach (var (start, price) in all.Take(200))
        {
            fresh.Add(start, start.AddMinutes(1), price, price + 1m, price - 1m, price, 1m, 1);
        }

        foreach (var (start, price) in all.Skip(200))
        {
            copy.Add(start, start.AddMinutes(1), price, price + 1m, price - 1m, price, 1m, 1);
            fresh.Add(start, start.AddMinutes(1), price, price + 1m, price - 1m, price, 1m, 1);
        }

        Assert.Equal(fresh.Level, copy.Level);
        Assert.Equal(
            fresh.Candles.Select(c => (c.Key, c.Start, c.End, c.Open, c.High, c.Low, c.Close, c.Volume, c.Trades)),
            copy.Candles.Select(c => (c.Key, c.Start, c.End, c.Open, c.High, c.Low, c.Close, c.Volume, c.Trades)));
    }

    [Fact]
    public void Merging_KeepsMathMaxAndMinsScales_AndEachEndsOffset_AcrossADstChange()
    {
        // New York, 2024-03-10: 01:59 EST is followed by 03:00 EDT. Hourly candles of minute bars around it, prices equal
        // in value at another scale (a tie keeps the high and takes the new low, as Math.Max and Math.Min do).
        var bars = new List<(DateTimeOffset Start, DateTimeOffset End, decimal O, decimal H, decimal L, decimal C)>();
        var utc = new DateTime(2024, 3, 10, 5, 30, 0, DateTimeKind.Utc); // 00:30 EST
        for (var i = 0; i < 240; i++, utc = utc.AddMinutes(1))
        {
            var offset = utc < new DateTime(2024, 3, 10, 7, 0, 0, DateTimeKind.Utc) ? TimeSpan.FromHours(-5) : TimeSpan.FromHours(-4);
            var end = utc.AddMinutes(1);
            var endOffset = end < new DateTime(2024, 3, 10, 7, 0, 0, DateTimeKind.Utc) ? TimeSpan.FromHours(-5) : TimeSpan.FromHours(-4);
            var scale = (byte)(i % 3);
            var price = new decimal(100 * (int)Math.Pow(10, scale), 0, 0, false, scale); // 1, 1.0 or 1.00
            bars.Add((new DateTimeOffset((utc + offset).Ticks, offset), new DateTimeOffset((end + endOffset).Ticks, endOffset), price, price, price, price));
        }

        var hourly = new CandleLadder(5);
        var reference = new List<(DateTimeOffset Start, DateTimeOffset End, decimal H, decimal L)>();
        foreach (var b in bars)
        {
            hourly.Add(b.Start.UtcTicks, b.Start.Offset.Ticks, b.End.UtcTicks, b.End.Offset.Ticks, b.O, b.H, b.L, b.C, 1m, 1);
            var key = b.Start.DateTime.Ticks - (b.Start.DateTime.Ticks % TimeSpan.TicksPerHour);
            if (reference.Count > 0 && reference[^1].Start.DateTime.Ticks - (reference[^1].Start.DateTime.Ticks % TimeSpan.TicksPerHour) == key)
            {
                var r = reference[^1];
                reference[^1] = (r.Start, b.End, Math.Max(r.H, b.H), Math.Min(r.L, b.L));
            }
            else
            {
                reference.Add((b.Start, b.End, b.H, b.L));
            }
        }

        Assert.Equal(TimeSpan.FromHours(1), hourly.Step);
        Assert.Equal(reference.Select(r => (r.Start, r.Start.Offset, r.End, r.End.Offset)), hourly.Candles.Select(c => (c.Start, c.Start.Offset, c.End, c.End.Offset)));
        Assert.Equal(reference.Select(r => (decimal.GetBits(r.H)[3], decimal.GetBits(r.L)[3])), hourly.Candles.Select(c => (decimal.GetBits(c.High)[3], decimal.GetBits(c.Low)[3])));
        Assert.Equal(240, hourly.Candles.Sum(c => c.Trades));
    }

    [Fact]
    public void SubDollarPrices_OfMixedScales_MergeToTheOperatorsBits()
    {
        // Crypto-like minute bars: sub-cent prices of 2 to 8 decimals, the same value often written at another scale
        // (0.15 and 0.1500), runs of one scale (the inlined path) and volumes whose sum passes 64 bits (the operator's
        // path). Each candle's open, high, low, close and volume must carry the bits the decimal operators give, scale
        // included: the run folder prints them as they are.
        var bar = Gen.Select(Gen.Int[1, 3], Gen.Long[1, 2_000], Gen.Int[0, 3], Gen.Int[2, 8], Gen.Long[0, 5_000_000], Gen.Int[0, 9]);
        Gen.Select(bar.Array[1, 300], Gen.Int[1, 40]).Sample((steps, limit) =>
        {
            // A value in ten-thousandths written at scale 2 … 8: more decimals are trailing zeros; fewer only where
            // the digits dropped are zeros (else scale 4).
            static decimal At(long tenThousandths, int scale) => scale >= 4
                ? Scaled(tenThousandths * (long)Math.Pow(10, scale - 4), scale)
                : tenThousandths % (long)Math.Pow(10, 4 - scale) == 0
                    ? Scaled(tenThousandths / (long)Math.Pow(10, 4 - scale), scale)
                    : Scaled(tenThousandths, 4);

            var series = new List<(DateTimeOffset Start, decimal O, decimal H, decimal L, decimal C, decimal V)>();
            var t = Local(2024, 3, 1, 0, 0);
            foreach (var (gap, price, spread, scale, volume, shape) in steps)
            {
                t = t.AddMinutes(gap);
                var unit = shape % 2 == 0 ? 1 : 100; // 0.0001 … 0.2, or cents up to 20
                var p = price * unit;
                var v = shape == 9
                    ? new decimal(-1, 0x3FFF_FFFF, 0, false, 6) // ~4.6e12 at scale 6: a few of them pass 64 bits
                    : Scaled(volume, shape % 4 == 0 ? scale : 6);
                series.Add((t, At(p, scale), At(p + (spread * unit), 8 - (shape % 7)), At(Math.Max(1, p - spread), scale), At(p + (spread / 2), 2 + (shape % 7)), v));
            }

            var ladder = new CandleLadder(limit);
            foreach (var b in series)
            {
                ladder.Add(b.Start, b.Start.AddMinutes(1), b.O, b.H, b.L, b.C, b.V, 1);
            }

            var step = CandleLadder.Steps[ladder.Level];
            var expected = series.GroupBy(b => b.Start.DateTime.Ticks - (b.Start.DateTime.Ticks % step))
                .Select(g => (g.Key, g.First().O, g.Select(x => x.H).Aggregate(Math.Max), g.Select(x => x.L).Aggregate(Math.Min), g.Last().C, g.Select(x => x.V).Aggregate((a, x) => a + x)))
                .Select(c => Bits(c.Key, c.Item2, c.Item3, c.Item4, c.Item5, c.Item6));
            Assert.Equal(expected, ladder.Candles.Select(c => Bits(c.Key, c.Open, c.High, c.Low, c.Close, c.Volume)));
        }, iter: 300);

        static decimal Scaled(long mantissa, int scale) => new((int)(uint)mantissa, (int)(uint)((ulong)mantissa >> 32), 0, false, (byte)scale);

        static string Bits(long key, params decimal[] values) => key + ":" + string.Join(",", values.Select(v => string.Join("/", decimal.GetBits(v))));
    }

    [Fact]
    public void EqualValuesAtAnotherScale_ShowAsTheOperatorsWould()
    {
        // One minute candle (limit 1): 1.5 then 1.50 as high (the first stays), 1.50 then 1.5 as low (the last is taken), volumes 0.1 + 0.10.
        var ladder = new CandleLadder(1);
        var start = Local(2024, 1, 8, 9, 30);
        ladder.Add(start, start.AddMinutes(1), 1.5m, 1.5m, 1.50m, 1.5m, 0.1m, 1);
        ladder.Add(start.AddSeconds(20), start.AddSeconds(80), 1.50m, 1.50m, 1.5m, 1.50m, 0.10m, 1);
        ladder.Add(start.AddSeconds(40), start.AddSeconds(100), 1.500m, 1.500m, 1.5m, 1.500m, 0.100m, 1);
        var c = Assert.Single(ladder.Candles);
        Assert.Equal(
            ("1.5", "1.5", "1.5", "1.500", "0.300"),
            (c.Open.ToString(CultureInfo.InvariantCulture), c.High.ToString(CultureInfo.InvariantCulture), c.Low.ToString(CultureInfo.InvariantCulture), c.Close.ToString(CultureInfo.InvariantCulture), c.Volume.ToString(CultureInfo.InvariantCulture)));
    }
}
