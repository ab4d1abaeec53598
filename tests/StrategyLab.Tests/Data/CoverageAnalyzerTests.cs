using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Analysis;
using StrategyLab.Data.Lean;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

public class CoverageAnalyzerTests
{
    [Fact]
    public void LeanIbmMinutes_HaveOneMissingRegularMinute()
    {
        // awk over minute/ibm/20131004_trade.zip: 389 regular-session rows; 45480000 is followed by 45600000, so the
        // 12:39 EDT minute (16:39Z) is missing. 10-07 and 10-08 have all 390.
        var ibm = Symbol.Equity("IBM");
        var lean = new LeanDataFolder(TestPaths.RequireLean());
        var analyzer = new CoverageAnalyzer(ibm, Timeframe.OneMinute, MarketCalendars.For(ibm));
        foreach (var bar in lean.ReadBars(ibm, LeanResolution.Minute, new DateOnly(2013, 10, 4), new DateOnly(2013, 10, 8)))
        {
            analyzer.Add(bar);
        }

        var r = analyzer.Complete();
        Assert.Equal((3, 3, 0), (r.SessionsCovered, r.TradingSessions, r.MissingSessionCount));
        var gap = Assert.Single(r.Gaps);
        Assert.Equal(new CoverageGap(new DateOnly(2013, 10, 4), Utc.At(2013, 10, 4, 16, 39), Utc.At(2013, 10, 4, 16, 40)), gap);
        Assert.Equal(TimeSpan.FromMinutes(1), r.GapTotal);
        Assert.Equal(0, r.BarsOffCalendar);
    }

    [Fact]
    public void MissingSessions_InsideAndAroundTheBars()
    {
        var btc = Symbol.Crypto("BTC-USD");
        var analyzer = new CoverageAnalyzer(btc, Timeframe.OneDay, CryptoCalendar.Instance, listLimit: 3);
        foreach (var day in new[] { 3, 4, 7 })
        {
            var start = Utc.At(2024, 1, day);
            analyzer.Add(new Bar(btc, start, start.AddDays(1), 1, 1, 1, 1, 1));
        }

        var r = analyzer.Complete(new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 9));
        Assert.Equal(9, r.TradingSessions);
        Assert.Equal(3, r.SessionsCovered);
        Assert.Equal(6, r.MissingSessionCount); // 1, 2, 5, 6, 8, 9
        Assert.Equal([new DateOnly(2024, 1, 1), new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 5)], r.MissingSessions);
        Assert.Empty(r.Gaps);
        Assert.Equal(Utc.At(2024, 1, 3), r.First!.Value.Start);
        Assert.Equal(Utc.At(2024, 1, 7), r.Last!.Value.Start);
    }

    [Fact]
    public void IntradayGaps_AtTheOpen_InTheMiddle_AndAtTheClose()
    {
        var spy = Symbol.Equity("SPY");
        var analyzer = new CoverageAnalyzer(spy, Timeframe.FiveMinutes, MarketCalendars.For(spy));
        // 2024-01-02 regular session 14:30Z-21:00Z. Bars 14:35-14:40, 14:40-14:45, 15:00-15:05; pre-market bar ignored.
        analyzer.Add(new Bar(spy, Utc.At(2024, 1, 2, 13, 0), Utc.At(2024, 1, 2, 13, 5), 1, 1, 1, 1, 1));
        analyzer.Add(new Bar(spy, Utc.At(2024, 1, 2, 14, 35), Utc.At(2024, 1, 2, 14, 40), 1, 1, 1, 1, 1));
        analyzer.Add(new Bar(spy, Utc.At(2024, 1, 2, 14, 40), Utc.At(2024, 1, 2, 14, 45), 1, 1, 1, 1, 1));
        analyzer.Add(new Bar(spy, Utc.At(2024, 1, 2, 15, 0), Utc.At(2024, 1, 2, 15, 5), 1, 1, 1, 1, 1));
        var r = analyzer.Complete();
        Assert.Equal(
            [
                new CoverageGap(new DateOnly(2024, 1, 2), Utc.At(2024, 1, 2, 14, 30), Utc.At(2024, 1, 2, 14, 35)),
                new CoverageGap(new DateOnly(2024, 1, 2), Utc.At(2024, 1, 2, 14, 45), Utc.At(2024, 1, 2, 15, 0)),
                new CoverageGap(new DateOnly(2024, 1, 2), Utc.At(2024, 1, 2, 15, 5), Utc.At(2024, 1, 2, 21, 0)),
            ],
            r.Gaps);
        Assert.Equal(TimeSpan.FromMinutes(5 + 15 + 355), r.GapTotal);
        Assert.Equal(1, r.SessionsCovered);
    }
}
