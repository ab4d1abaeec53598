using System.IO.Compression;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Lean;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Reads the shared LEAN sample. Every expected value below was read off the files by hand
/// (<c>unzip -p equity/usa/minute/spy/20131004_trade.zip | head -1</c>, <c>| tail -1</c>, <c>| awk 'END{print NR}'</c>):
/// times are ms since New York midnight (EDT, UTC-4, in October and August), prices deci-cents.
/// </summary>
public class LeanDataFolderTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");

    public static TheoryData<string, int, string, decimal[], string, decimal[]> SpyMinuteFiles => new()
    {
        // date, bars, first start (UTC), first OHLCV, last start (UTC), last OHLCV
        { "2013-10-04", 711, "2013-10-04T08:06:00Z", [167.65m, 167.65m, 167.65m, 167.65m, 20000], "2013-10-04T23:59:00Z", [168.89m, 168.91m, 168.84m, 168.84m, 6500] },
        { "2013-10-07", 828, "2013-10-07T08:00:00Z", [167.41m, 167.41m, 167.25m, 167.27m, 3197], "2013-10-07T23:59:00Z", [167.26m, 167.30m, 167.26m, 167.30m, 800] },
        { "2013-10-08", 828, "2013-10-08T08:00:00Z", [167.42m, 167.42m, 167.42m, 167.42m, 210], "2013-10-08T23:59:00Z", [165.99m, 166.00m, 165.95m, 165.95m, 7925] },
        { "2013-10-09", 813, "2013-10-09T08:00:00Z", [165.98m, 166.00m, 165.98m, 165.99m, 800], "2013-10-09T23:59:00Z", [165.71m, 165.72m, 165.70m, 165.72m, 1800] },
        { "2013-10-10", 883, "2013-10-10T08:00:00Z", [166.43m, 166.50m, 166.43m, 166.50m, 3650], "2013-10-10T23:59:00Z", [168.70m, 168.75m, 168.70m, 168.75m, 1200] },
        { "2013-10-11", 776, "2013-10-11T08:00:00Z", [168.95m, 168.98m, 168.95m, 168.98m, 800], "2013-10-11T23:59:00Z", [170.41m, 170.41m, 170.41m, 170.41m, 525] },
        { "2023-08-03", 947, "2023-08-03T08:00:00Z", [447.91m, 450.46m, 447.86m, 447.98m, 8369], "2023-08-03T23:59:00Z", [449.85m, 449.90m, 449.84m, 449.88m, 2984] },
    };

    [Theory]
    [MemberData(nameof(SpyMinuteFiles))]
    public void SpyMinuteFile_LoadsWithTheStatedBars(string date, int count, string firstStart, decimal[] first, string lastStart, decimal[] last)
    {
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var report = new LeanReadReport();
        var bars = lean.ReadBars(Spy, LeanResolution.Minute, day, day, report).ToList();
        Assert.Equal(count, bars.Count);
        AssertBar(bars[0], firstStart, TimeSpan.FromMinutes(1), first);
        AssertBar(bars[^1], lastStart, TimeSpan.FromMinutes(1), last);
        Assert.Equal(1, report.FilesRead);
        Assert.Empty(report.MissingDays);
        Assert.All(bars, b => Assert.Equal(Spy, b.Symbol));
        for (var i = 1; i < bars.Count; i++)
        {
            Assert.True(bars[i].Start >= bars[i - 1].End, $"bar {i} overlaps the previous one");
        }
    }

    [Fact]
    public void MinuteRange_SkipsTheWeekendSilently_AndReportsAMissingTradingDay()
    {
        var lean = new LeanDataFolder(TestPaths.RequireLean(), logger: null);
        var report = new LeanReadReport();
        var bars = lean.ReadBars(Spy, LeanResolution.Minute, new DateOnly(2013, 10, 4), new DateOnly(2013, 10, 11), report).ToList();
        Assert.Equal(711 + 828 + 828 + 813 + 883 + 776, bars.Count);
        Assert.Empty(report.MissingDays); // 10-05 and 10-06 are a weekend
        Assert.Equal(6, report.FilesRead);

        var logger = new CapturingLogger();
        var withLog = new LeanDataFolder(TestPaths.RequireLean(), logger: logger);
        var report2 = new LeanReadReport();
        var more = withLog.ReadBars(Spy, LeanResolution.Minute, new DateOnly(2013, 10, 2), new DateOnly(2013, 10, 6), report2).ToList();
        Assert.Equal(711, more.Count);
        Assert.Equal([new DateOnly(2013, 10, 2), new DateOnly(2013, 10, 3)], report2.MissingDays);
        var entry = Assert.Single(logger.Entries);
        Assert.Equal("data.day.missing", entry.Event.Name);
        Assert.Contains("2013-10-02..2013-10-03 (2 sessions)", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecondFile_Loads()
    {
        // unzip -p second/spy/20131007_trade.zip: 16675 rows; first 14400000,1674100×4,2049; last 71999000,1673000×4,100.
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var day = new DateOnly(2013, 10, 7);
        var bars = lean.ReadBars(Spy, LeanResolution.Second, day, day).ToList();
        Assert.Equal(16675, bars.Count);
        AssertBar(bars[0], "2013-10-07T08:00:00Z", TimeSpan.FromSeconds(1), [167.41m, 167.41m, 167.41m, 167.41m, 2049]);
        AssertBar(bars[^1], "2013-10-07T23:59:59Z", TimeSpan.FromSeconds(1), [167.30m, 167.30m, 167.30m, 167.30m, 100]);
    }

    [Fact]
    public void HourRange_CoversTheRegularSession_WithTheEarlyClose()
    {
        // unzip -p hour/spy.zip | grep -E '^2013112[6-9]': 7 + 7 rows, none on Thanksgiving (11-28), 4 on 11-29 (early close).
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var report = new LeanReadReport();
        var bars = lean.ReadBars(Spy, LeanResolution.Hour, new DateOnly(2013, 11, 26), new DateOnly(2013, 11, 29), report).ToList();
        Assert.Equal(18, bars.Count);
        Assert.Empty(report.MissingDays);
        Assert.Equal(0, report.BarsOffCalendar);
        // "20131126 09:00,1807500,1809400,1806600,1807200,7247159" holds 09:30-10:00 EST.
        AssertBar(bars[0], "2013-11-26T14:30:00Z", TimeSpan.FromMinutes(30), [180.75m, 180.94m, 180.66m, 180.72m, 7247159]);
        Assert.Equal(DateTime.Parse("2013-11-26T21:00:00Z", null, System.Globalization.DateTimeStyles.AdjustToUniversal), bars[6].End);
        // "20131129 12:00,1815900,1816600,1808000,1809300,19936481": 12:00-13:00 EST, the early close.
        AssertBar(bars[^1], "2013-11-29T17:00:00Z", TimeSpan.FromHours(1), [181.59m, 181.66m, 180.80m, 180.93m, 19936481]);
    }

    [Fact]
    public void HourBarAfterAnEarlyClose_KeepsItsNominalHour_AndIsReported()
    {
        // unzip -p hour/spy.zip | grep ^19981127: five rows 09:00..13:00, but the NYSE closed at 13:00 that day.
        var logger = new CapturingLogger();
        var lean = new LeanDataFolder(TestPaths.RequireLean(), logger: logger);
        var report = new LeanReadReport();
        var day = new DateOnly(1998, 11, 27);
        var bars = lean.ReadBars(Spy, LeanResolution.Hour, day, day, report).ToList();
        Assert.Equal(5, bars.Count);
        Assert.Equal((Utc.At(1998, 11, 27, 17, 0), Utc.At(1998, 11, 27, 18, 0)), (bars[3].Start, bars[3].End)); // 12:00-13:00 EST
        Assert.Equal((Utc.At(1998, 11, 27, 18, 0), Utc.At(1998, 11, 27, 19, 0)), (bars[4].Start, bars[4].End)); // 13:00-14:00, nominal
        Assert.Equal(1, report.BarsOffCalendar);
        Assert.Equal("data.bar.off-calendar", Assert.Single(logger.Entries).Event.Name);
    }

    [Fact]
    public void HourFile_Whole_LoadsInOrder()
    {
        // awk 'END{print NR}' on hour/spy.zip: 40832 rows, 1998-01-02 .. 2021-03-31.
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var report = new LeanReadReport();
        var bars = lean.ReadBars(Spy, LeanResolution.Hour, new DateOnly(1998, 1, 2), new DateOnly(2021, 3, 31), report).ToList();
        Assert.Equal(40832, bars.Count);
        Assert.Equal(DateTime.Parse("2021-03-31T19:00:00Z", null, System.Globalization.DateTimeStyles.AdjustToUniversal), bars[^1].Start);
        Assert.Equal(42345824m, bars[^1].Volume);
        for (var i = 1; i < bars.Count; i++)
        {
            Assert.True(bars[i].Start >= bars[i - 1].End, $"bar {i} ({bars[i]}) overlaps the previous one");
            Assert.True(bars[i].Duration <= TimeSpan.FromHours(1));
        }
    }

    [Fact]
    public void DailyRange_IsTheRegularSession()
    {
        // unzip -p daily/spy.zip | grep -c '^201310' → 23; first and last rows below.
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var bars = lean.ReadBars(Spy, LeanResolution.Daily, new DateOnly(2013, 10, 1), new DateOnly(2013, 10, 31)).ToList();
        Assert.Equal(23, bars.Count);
        AssertBar(bars[0], "2013-10-01T13:30:00Z", TimeSpan.FromHours(6.5), [168.15m, 169.50m, 168.00m, 169.40m, 107332142]);
        AssertBar(bars[^1], "2013-10-31T13:30:00Z", TimeSpan.FromHours(6.5), [176.18m, 176.89m, 175.53m, 175.73m, 113070805]);
        var early = lean.ReadBars(Spy, LeanResolution.Daily, new DateOnly(2013, 11, 29), new DateOnly(2013, 11, 29)).Single();
        Assert.Equal(TimeSpan.FromHours(3.5), early.Duration); // 09:30-13:00
    }

    [Fact]
    public void TickDay_ExcludesSuspiciousTicks_AndCountsThem()
    {
        // unzip -p tick/spy/20131010_trade.zip: 460032 rows, 10 with suspicious=1;
        // first "14400795,1664300,200,P,20002000,0", last "71976983,1687500,200,P,20002020,0".
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var day = new DateOnly(2013, 10, 10);
        var report = new LeanReadReport();
        long count = 0;
        TradePrint first = default, last = default;
        var suspiciousSeen = false;
        foreach (var t in lean.ReadTrades(Spy, day, day, includeSuspicious: false, report))
        {
            if (count == 0)
            {
                first = t;
            }

            last = t;
            count++;
            // "57749465,1655900,250629,D,20002000,1" is one of the suspicious rows (16:02:29.465 EDT).
            suspiciousSeen |= t.Time == new DateTime(2013, 10, 10, 20, 2, 29, 465, DateTimeKind.Utc);
        }

        Assert.Equal(460022, count);
        Assert.Equal(10, report.SuspiciousTicksExcluded);
        Assert.False(suspiciousSeen);
        Assert.Equal(new DateTime(2013, 10, 10, 8, 0, 0, 795, DateTimeKind.Utc), first.Time);
        Assert.Equal((166.43m, 200m), (first.Price, first.Size));
        Assert.Equal(["20002000"], first.Conditions!);
        Assert.Equal(new DateTime(2013, 10, 10, 23, 59, 36, 983, DateTimeKind.Utc), last.Time);
        Assert.Equal((168.75m, 200m), (last.Price, last.Size));
        Assert.Equal(["20002020"], last.Conditions!);

        Assert.Equal(460032, lean.ReadTrades(Spy, day, day, includeSuspicious: true).LongCount());
    }

    [Fact]
    public void AvailableDates_ListTheDayFiles()
    {
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var dates = lean.GetAvailableDates(Spy, LeanResolution.Minute);
        Assert.Equal(
            [new(2013, 10, 4), new(2013, 10, 7), new(2013, 10, 8), new(2013, 10, 9), new(2013, 10, 10), new(2013, 10, 11), new(2023, 8, 3)],
            dates);
        var daily = lean.GetAvailableDates(Spy, LeanResolution.Daily);
        Assert.Equal(5849, daily.Count);
        Assert.Equal(new DateOnly(1998, 1, 2), daily[0]);
    }

    [Fact]
    public void MalformedRow_NamesZipEntryLineAndField()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "equity", "usa", "minute", "spy");
        Directory.CreateDirectory(folder);
        var zip = Path.Combine(folder, "20131007_trade.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            using var w = new StreamWriter(archive.CreateEntry("20131007_spy_minute_trade.csv").Open());
            w.Write("34200000,1674100,1674100,1672500,1672700,3197\n34260000,1674100,1674100,x,1672700,3197\n");
        }

        var lean = new LeanDataFolder(dir.Path);
        var day = new DateOnly(2013, 10, 7);
        var e = Assert.Throws<DataFormatException>(() => lean.ReadBars(Spy, LeanResolution.Minute, day, day).ToList());
        Assert.Equal($"{zip}!20131007_spy_minute_trade.csv:2: field 'low': 'x' is not a whole number", e.Message);
    }

    [Fact]
    public void DailyFile_BarOnAHoliday_AndAMissingDay()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "equity", "usa", "daily");
        Directory.CreateDirectory(folder);
        using (var archive = ZipFile.Open(Path.Combine(folder, "xyz.zip"), ZipArchiveMode.Create))
        {
            using var w = new StreamWriter(archive.CreateEntry("xyz.csv").Open());
            // 2024-01-01 is New Year's Day (closed); 2024-01-03 is a trading day with no row.
            w.Write("20240101 00:00,1000000,1010000,990000,1000000,100\n20240102 00:00,1000000,1010000,990000,1000000,100\n20240104 00:00,1000000,1010000,990000,1000000,100");
        }

        var lean = new LeanDataFolder(dir.Path);
        var report = new LeanReadReport();
        var bars = lean.ReadBars(Symbol.Equity("XYZ"), LeanResolution.Daily, new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 5), report).ToList();
        Assert.Equal(3, bars.Count);
        Assert.Equal((Utc.At(2024, 1, 1, 14, 30), Utc.At(2024, 1, 1, 21, 0)), (bars[0].Start, bars[0].End)); // 09:30-16:00 EST fallback
        Assert.Equal(1, report.BarsOffCalendar);
        Assert.Equal([new DateOnly(2024, 1, 3), new DateOnly(2024, 1, 5)], report.MissingDays);
        Assert.Equal(100m, bars[0].Open);
    }

    [Fact]
    public void CryptoSymbols_AreRefused()
    {
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        Assert.Throws<ArgumentException>(() => lean.ReadBars(Symbol.Crypto("BTC-USD"), LeanResolution.Minute, default, default));
    }

    private static void AssertBar(Bar bar, string start, TimeSpan duration, decimal[] ohlcv)
    {
        var expectedStart = DateTime.Parse(start, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(expectedStart, bar.Start);
        Assert.Equal(DateTimeKind.Utc, bar.Start.Kind);
        Assert.Equal(expectedStart + duration, bar.End);
        Assert.Equal(ohlcv, new[] { bar.Open, bar.High, bar.Low, bar.Close, bar.Volume });
    }
}
