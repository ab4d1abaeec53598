using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Data;
using StrategyLab.Data.Lean;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

/// <summary>
/// Factor and map files of the shared LEAN sample. Expected values are the README's (aapl 7:1 split on 2014-06-09,
/// 3.29 dividend on 2014-05-08) or read off the files by hand (<c>unzip -p daily/aapl.zip | grep ^201406</c>:
/// 2014-06-06 close 6455700, 2014-06-09 close 937000; <c>factor_files/aapl.csv</c> row 20140606: 0.9011818, 0.0357143).
/// </summary>
public class LeanCorporateActionsTests
{
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");
    private static readonly IMarketCalendar Nyse = MarketCalendars.For(Aapl);

    private static LeanDataFolder Lean() => new(TestPaths.RequireLean());

    [Fact]
    public void AaplFactorFile_ImpliesTheReadmeSplitAndDividend()
    {
        var factors = Lean().ReadFactorFile(Aapl)!;
        var actions = factors.Actions(Aapl, Nyse, new DateOnly(2014, 1, 1), new DateOnly(2014, 12, 31));

        // The first trading day after each row D whose next row changes a factor.
        Assert.Equal(
            [
                CorporateAction.Dividend(Aapl, new DateOnly(2014, 2, 6), 3.05m),
                CorporateAction.Dividend(Aapl, new DateOnly(2014, 5, 8), 3.29m),
                CorporateAction.Split(Aapl, new DateOnly(2014, 6, 9), 7m),
                CorporateAction.Dividend(Aapl, new DateOnly(2014, 8, 7), 0.47m),
                CorporateAction.Dividend(Aapl, new DateOnly(2014, 11, 6), 0.47m),
            ],
            actions);

        // Every split of AAPL in the file: 2:1 in 2000 and 2005, 7:1 in 2014, 4:1 in 2020 (0.25 -> 1 after 2020-08-28).
        var splits = factors.Actions(Aapl, Nyse, new DateOnly(1998, 1, 1), new DateOnly(2021, 12, 31)).Where(a => a.Kind == CorporateActionKind.Split);
        Assert.Equal(
            [(new DateOnly(2000, 6, 21), 2m), (new DateOnly(2005, 2, 28), 2m), (new DateOnly(2014, 6, 9), 7m), (new DateOnly(2020, 8, 31), 4m)],
            splits.Select(s => (s.ExDate, s.SplitRatio)));
    }

    [Fact]
    public void FactorRowInEffect_IsTheFirstOnOrAfterTheBarDate()
    {
        var factors = Lean().ReadFactorFile(Aapl)!;
        Assert.Equal(new DateOnly(2014, 6, 6), factors.RowFor(new DateOnly(2014, 6, 6))!.Value.Date);
        Assert.Equal(new DateOnly(2014, 8, 6), factors.RowFor(new DateOnly(2014, 6, 9))!.Value.Date);
        Assert.Equal(0.9011818m * 0.0357143m, factors.PriceMultiplier(new DateOnly(2014, 6, 6), PriceAdjustment.Adjusted));
        Assert.Equal(0.0357143m, factors.PriceMultiplier(new DateOnly(2014, 6, 6), PriceAdjustment.SplitAdjusted));
        Assert.Equal(0.25m, factors.PriceMultiplier(new DateOnly(2014, 6, 9), PriceAdjustment.SplitAdjusted));
        Assert.Equal(1m, factors.PriceMultiplier(new DateOnly(2014, 6, 6), PriceAdjustment.Raw));
        Assert.Null(factors.RowFor(new DateOnly(2051, 1, 3)));
    }

    [Theory]
    [InlineData("20140101,0.9,1,1\n20140102,abc,1,1", 2, "price_factor")]
    [InlineData("20140101,0.9,1,1\n20131231,0.9,1,1", 2, "date")]
    [InlineData("2014-01-01,0.9,1,1", 1, "date")]
    [InlineData("20140101,0.9", 1, "split_factor")]
    [InlineData("20140101,0.9,0,1", 1, "split_factor")]
    public void BadFactorRow_NamesFileLineAndField(string text, long line, string field)
    {
        var e = Assert.Throws<DataFormatException>(() => LeanFactorFile.Parse("aapl.csv", text.Split('\n')));
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.StartsWith($"aapl.csv:{line}: field '{field}'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("20040819,goog,Q\n20040818,googl,Q", 2, "date")]
    [InlineData("20040819", 1, "mapped_ticker")]
    [InlineData("20040819,../x,Q", 1, "mapped_ticker")]
    public void BadMapRow_NamesFileLineAndField(string text, long line, string field)
    {
        var e = Assert.Throws<DataFormatException>(() => LeanMapFile.Parse("googl.csv", text.Split('\n')));
        Assert.Equal((line, field), (e.Line!.Value, e.Field));
    }

    [Fact]
    public void DividendAmounts_KeepFourDecimals_NotJustCents()
    {
        // twx.csv 20130225 -> next row: 0.2875 (a cent rounding would give 0.29); wm.csv 20171129: 0.425.
        var lean = Lean();
        var twx = Symbol.Equity("TWX");
        var actions = lean.ReadFactorFile(twx)!.Actions(twx, Nyse, new DateOnly(2013, 2, 26), new DateOnly(2013, 2, 28));
        Assert.Equal(0.2875m, Assert.Single(actions).DividendPerShare);
        var wm = Symbol.Equity("WM");
        var wmActions = lean.ReadFactorFile(wm)!.Actions(wm, Nyse, new DateOnly(2017, 11, 30), new DateOnly(2017, 12, 1));
        Assert.Equal(0.425m, Assert.Single(wmActions).DividendPerShare);
    }

    [Fact]
    public void SplitRatio_SnapsTheRoundedFactorsToASimpleFraction()
    {
        Assert.Equal(7m, LeanFactorFile.SplitRatio(0.0357143m, 0.25m));
        Assert.Equal(2m, LeanFactorFile.SplitRatio(0.00892857m, 0.01785710m));
        Assert.Equal(1.5m, LeanFactorFile.SplitRatio(0.6666667m, 1m));
        Assert.Equal(0.1m, LeanFactorFile.SplitRatio(10m, 1m));
    }

    [Fact]
    public void AdjustedDailyAapl_IsContinuousAcrossTheSplit_AndExact()
    {
        var lean = Lean();
        var (from, to) = (new DateOnly(2014, 6, 2), new DateOnly(2014, 6, 13));
        var raw = lean.ReadBars(Aapl, LeanResolution.Daily, from, to).ToList();
        var adjusted = lean.ReadBars(Aapl, LeanResolution.Daily, from, to, PriceAdjustment.Adjusted).ToList();
        var split = lean.ReadBars(Aapl, LeanResolution.Daily, from, to, PriceAdjustment.SplitAdjusted).ToList();
        Assert.Equal(raw.Select(b => (b.Start, b.End)), adjusted.Select(b => (b.Start, b.End)));

        // Raw: the 7:1 split reads as an 85% crash from 2014-06-06 to 06-09.
        Assert.Equal((645.57m, 93.70m), (raw[4].Close, raw[5].Close));
        Assert.True(raw[5].Close / raw[4].Close < 0.15m);

        // Adjusted: raw × price factor × split factor, exactly; the move over the weekend is the market's (+1.6%).
        Assert.Equal(645.57m * 0.9011818m * 0.0357143m, adjusted[4].Close);
        Assert.Equal(93.70m * 0.9011818m * 0.25m, adjusted[5].Close);
        var move = (adjusted[5].Close / adjusted[4].Close) - 1;
        Assert.InRange(move, 0.01m, 0.02m);
        for (var i = 1; i < adjusted.Count; i++)
        {
            Assert.InRange(adjusted[i].Close / adjusted[i - 1].Close, 0.9m, 1.1m);
        }

        // Split-adjusted: raw × split factor; volumes in post-split shares (÷ split factor, whole shares).
        Assert.Equal(645.57m * 0.0357143m, split[4].Close);
        Assert.Equal(93.70m * 0.25m, split[5].Close);
        Assert.Equal(Math.Round(12116671m / 0.0357143m), split[4].Volume);
        Assert.Equal(Math.Round(12116671m / 0.0357143m), adjusted[4].Volume);
        Assert.Equal(72875948m / 0.25m, split[5].Volume);
    }

    [Fact]
    public void AdjustedMinuteAapl_IsContinuousFromFridayToMonday()
    {
        var lean = Lean();
        var bars = lean.ReadBars(Aapl, LeanResolution.Minute, new DateOnly(2014, 6, 6), new DateOnly(2014, 6, 9), PriceAdjustment.Adjusted).ToList();
        var friday = bars.Last(b => Nyse.ToExchangeTime(b.Start).Day == 6);
        var monday = bars.First(b => Nyse.ToExchangeTime(b.Start).Day == 9);
        // (The file's first Monday bar opens at Friday's raw close, 645.57, a quirk of the data: compare closes.)
        Assert.InRange(monday.Close / friday.Close, 0.97m, 1.03m);
    }

    [Fact]
    public void RenamedTicker_ReadsItsEarlierHistoryFromTheOldName()
    {
        // map_files/googl.csv: goog up to 2014-04-02, googl after; daily/googl.zip starts 2014-04-03, and the class A
        // history before is in daily/goog.zip. LEAN's own RawDataRegressionAlgorithm expects these raw closes.
        var lean = Lean();
        var googl = Symbol.Equity("GOOGL");
        var report = new LeanReadReport();
        var bars = lean.ReadBars(googl, LeanResolution.Daily, new DateOnly(2014, 3, 31), new DateOnly(2014, 4, 7), report).ToList();
        Assert.Equal([1114.51m, 1134.89m, 1135.10m, 571.50m, 545.25m, 540.63m], bars.Select(b => b.Close));
        Assert.All(bars, b => Assert.Equal(googl, b.Symbol));
        Assert.Empty(report.MissingDays);
        Assert.Equal(2, report.FilesRead);
        Assert.Equal(new DateOnly(2004, 8, 19), lean.GetAvailableDates(googl, LeanResolution.Daily)[0]);

        // Adjusted with googl's factor file: the 2:1 split of 2014-04-03 disappears (1135.10 × 0.5).
        var adjusted = lean.ReadBars(googl, LeanResolution.Daily, new DateOnly(2014, 4, 1), new DateOnly(2014, 4, 3), PriceAdjustment.Adjusted).ToList();
        Assert.Equal([1134.89m * 0.5m, 1135.10m * 0.5m, 571.50m], adjusted.Select(b => b.Close));

        // Without the map file's help, the same dates under googl alone are missing.
        var mapFile = lean.ReadMapFile(googl)!;
        Assert.Equal("goog", mapFile.TickerOn(new DateOnly(2014, 4, 2)));
        Assert.Equal("googl", mapFile.TickerOn(new DateOnly(2014, 4, 3)));
    }

    [Fact]
    public void RenamedTicker_HourFiles_SwitchFilesOnTheMapDate()
    {
        // map_files/spwr.csv: spwr to 2008-09-29, spwra 2008-09-30..2011-11-16; hour/spwr.zip has no rows in that span.
        var lean = Lean();
        var spwr = Symbol.Equity("SPWR");
        var report = new LeanReadReport();
        var bars = lean.ReadBars(spwr, LeanResolution.Hour, new DateOnly(2008, 9, 25), new DateOnly(2008, 10, 3), report).ToList();
        var days = bars.Select(b => DateOnly.FromDateTime(Nyse.ToExchangeTime(b.Start))).Distinct().ToList();
        Assert.Equal(
            [new(2008, 9, 25), new(2008, 9, 26), new(2008, 9, 29), new(2008, 9, 30), new(2008, 10, 1), new(2008, 10, 2), new(2008, 10, 3)],
            days);
        Assert.Empty(report.MissingDays);
        Assert.Equal(2, report.FilesRead);
        Assert.Equal(70.00m, bars.First(b => b.Start.Day == 30).Open); // hour/spwra.zip: 20080930 09:00,700000,...
    }

    [Fact]
    public void MapFileSpans_CutARangeByName()
    {
        var map = LeanMapFile.Parse("wm.csv", ["19980102,uw,N", "19980716,uw,N", "20090804,wmi,N", "20501231,wm,N"]);
        Assert.Equal(
            [
                new LeanTickerSpan("uw", new DateOnly(1998, 7, 1), new DateOnly(1998, 7, 16)),
                new LeanTickerSpan("wmi", new DateOnly(1998, 7, 17), new DateOnly(2009, 8, 4)),
                new LeanTickerSpan("wm", new DateOnly(2009, 8, 5), new DateOnly(2010, 1, 1)),
            ],
            map.Spans(new DateOnly(1998, 7, 1), new DateOnly(2010, 1, 1)));
        Assert.Equal([new LeanTickerSpan("wm", new DateOnly(2060, 1, 1), new DateOnly(2060, 2, 1))], map.Spans(new DateOnly(2060, 1, 1), new DateOnly(2060, 2, 1)));
    }
}
