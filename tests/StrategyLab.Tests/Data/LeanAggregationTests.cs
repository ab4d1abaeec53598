using System.Globalization;
using System.IO.Compression;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Lean;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Resampling real LEAN minute bars (read with <see cref="LeanDataFolder"/>) on the NYSE calendar, checked against sums
/// the test computes itself from the raw rows of the zip files.
/// </summary>
public class LeanAggregationTests
{
    /// <summary>One raw minute row: start in ms after New York midnight, prices in dollars, volume.</summary>
    private sealed record RawRow(long Ms, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume);

    private static List<RawRow> ReadRawMinutes(string lean, string ticker, string yyyymmdd)
    {
        using var zip = ZipFile.OpenRead(Path.Combine(lean, "equity", "usa", "minute", ticker, yyyymmdd + "_trade.zip"));
        using var reader = new StreamReader(zip.Entries.Single().Open());
        var rows = new List<RawRow>();
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            decimal P(int i) => decimal.Parse(f[i], CultureInfo.InvariantCulture) / 10_000m;
            rows.Add(new RawRow(long.Parse(f[0], CultureInfo.InvariantCulture), P(1), P(2), P(3), P(4), decimal.Parse(f[5], CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    /// <summary>5-minute sums of the raw rows in [09:30, close) New York, keyed by window start (UTC, given the day's offset).</summary>
    private static List<(DateTime Start, DateTime End, decimal O, decimal H, decimal L, decimal C, decimal V)> FiveMinuteSums(
        List<RawRow> rows, DateTime localMidnightAsUtc, TimeSpan utcOffset, TimeSpan close)
    {
        const long open = ((9 * 60) + 30) * 60_000L;
        return rows
            .Where(r => r.Ms >= open && r.Ms < (long)close.TotalMilliseconds)
            .GroupBy(r => (r.Ms - open) / 300_000)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var start = localMidnightAsUtc.AddMilliseconds(open + (g.Key * 300_000)) - utcOffset;
                var bars = g.OrderBy(r => r.Ms).ToList();
                return (start, start.AddMinutes(5), bars[0].Open, bars.Max(r => r.High), bars.Min(r => r.Low), bars[^1].Close, bars.Sum(r => r.Volume));
            })
            .ToList();
    }

    private static List<Bar> Resample(string lean, Symbol symbol, DateOnly day, Timeframe target)
    {
        var resampler = new BarResampler(target);
        var sink = new BarCollector();
        foreach (var bar in new LeanDataFolder(lean).ReadBars(symbol, LeanResolution.Minute, day, day))
        {
            resampler.Add(bar, sink);
        }

        resampler.Flush(sink);
        return sink.Bars;
    }

    [Fact]
    public void Spy20131007_OneMinuteToFiveMinutes_Gives78BarsEqualToTheRawSums()
    {
        var lean = TestPaths.RequireLean();
        var expected = FiveMinuteSums(
            ReadRawMinutes(lean, "spy", "20131007"),
            new DateTime(2013, 10, 7, 0, 0, 0, DateTimeKind.Utc),
            TimeSpan.FromHours(-4), // EDT
            new TimeSpan(16, 0, 0));
        var bars = Resample(lean, Symbol.Equity("SPY"), new DateOnly(2013, 10, 7), Timeframe.FiveMinutes);

        Assert.Equal(78, expected.Count);
        Assert.Equal(expected, bars.Select(b => (b.Start, b.End, b.Open, b.High, b.Low, b.Close, b.Volume)).ToList());
        Assert.Equal(new DateTime(2013, 10, 7, 13, 30, 0, DateTimeKind.Utc), bars[0].Start);
    }

    [Fact]
    public void Goog20151224_EarlyClose_OneMinuteToFiveMinutes_Gives42Bars()
    {
        var lean = TestPaths.RequireLean();
        var raw = ReadRawMinutes(lean, "goog", "20151224");
        Assert.Contains(raw, r => r.Ms >= 13 * 3_600_000L); // the file has after-hours rows: the resampler must drop them
        var expected = FiveMinuteSums(
            raw, new DateTime(2015, 12, 24, 0, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(-5), new TimeSpan(13, 0, 0)); // EST
        var bars = Resample(lean, Symbol.Equity("GOOG"), new DateOnly(2015, 12, 24), Timeframe.FiveMinutes);

        Assert.Equal(42, expected.Count);
        Assert.Equal(expected, bars.Select(b => (b.Start, b.End, b.Open, b.High, b.Low, b.Close, b.Volume)).ToList());
        Assert.Equal(new DateTime(2015, 12, 24, 18, 0, 0, DateTimeKind.Utc), bars[^1].End); // 13:00 EST
    }

    [Fact]
    public void Goog20151224_EarlyClose_OneMinuteToOneHour_EndsWith1230To1300()
    {
        var lean = TestPaths.RequireLean();
        var bars = Resample(lean, Symbol.Equity("GOOG"), new DateOnly(2015, 12, 24), Timeframe.OneHour);
        Assert.Equal([60, 60, 60, 30], bars.Select(b => (int)b.Duration.TotalMinutes));
        Assert.Equal(new DateTime(2015, 12, 24, 17, 30, 0, DateTimeKind.Utc), bars[^1].Start);
    }

    [Fact]
    public void Spy20131007_OneMinuteToOneDay_ReproducesLeansDailyBar()
    {
        // The LEAN README lists 2013-10-07 among the SPY days whose 390 regular minutes reproduce the daily file exactly.
        var lean = TestPaths.RequireLean();
        var day = new DateOnly(2013, 10, 7);
        var resampled = Assert.Single(Resample(lean, Symbol.Equity("SPY"), day, Timeframe.OneDay));
        var daily = Assert.Single(new LeanDataFolder(lean).ReadBars(Symbol.Equity("SPY"), LeanResolution.Daily, day, day));
        Assert.Equal((daily.Open, daily.High, daily.Low, daily.Close, daily.Volume), (resampled.Open, resampled.High, resampled.Low, resampled.Close, resampled.Volume));
        Assert.Equal((new DateTime(2013, 10, 7, 13, 30, 0, DateTimeKind.Utc), new DateTime(2013, 10, 7, 20, 0, 0, DateTimeKind.Utc)), (resampled.Start, resampled.End));
    }
}
