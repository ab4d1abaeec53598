using CsCheck;
using StrategyLab.Reporting.Charts;

namespace StrategyLab.Tests.Reporting;

public class PointLadderTests
{
    /// <summary>
    /// The page draws an overlay from each candle's close and the time of the point that gave it: a point series must
    /// keep exactly those of a <see cref="CandleLadder"/> fed the same points as zero-length bars, whatever the order
    /// (points out of order, in the same bucket or not), the offsets (a clock change makes local and UTC order differ)
    /// and the coarsening.
    /// </summary>
    [Fact]
    public void AnyPoints_KeepTheClosesAndTimes_OfACandleLadder()
    {
        // Per point: minutes to move (negative = out of order), whether the offset is EDT rather than EST, the value.
        var steps = Gen.Select(Gen.Int[-90, 900], Gen.Bool, Gen.Double[-1e6, 1e6]).Array[1, 300];
        Gen.Select(steps, Gen.Int[1, 40]).Sample((points, limit) =>
        {
            var candles = new CandleLadder(limit);
            var series = new PointLadder(limit);
            var local = new DateTime(2024, 3, 1);
            foreach (var (minutes, daylight, value) in points)
            {
                local = local.AddMinutes(minutes);
                var at = new DateTimeOffset(local, TimeSpan.FromHours(daylight ? -4 : -5));
                var d = (decimal)value;
                candles.Add(at, at, d, d, d, d, 0, -1);
                series.Add(at, value);
            }

            Assert.Equal(candles.Level, series.Level);
            Assert.Equal(
                candles.Candles.Select(c => (c.End.DateTime.Ticks, c.End.UtcTicks, c.Close)),
                series.Points.Select(p => (p.LocalTicks, p.UtcTicks, p.Close)));
        }, iter: 300);
    }

    [Fact]
    public void ThePointsOfABucket_KeepTheLatest()
    {
        var series = new PointLadder(2);
        var t = new DateTimeOffset(2024, 1, 8, 9, 30, 0, TimeSpan.FromHours(-5));
        for (var i = 0; i < 10; i++)
        {
            series.Add(t.AddMinutes(i), i);
        }

        // 10 one-minute points fit 2 at the 5-minute step: 09:30-09:34 and 09:35-09:39, each with its last point.
        Assert.Equal(5, series.Level);
        Assert.Equal(
            [(t.AddMinutes(4).DateTime.Ticks, 4m), (t.AddMinutes(9).DateTime.Ticks, 9m)],
            series.Points.Select(p => (p.LocalTicks, p.Close)));
    }
}
