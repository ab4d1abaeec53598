using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Engine;

public sealed class OutsideSessionBarsTests
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly Symbol Ibm = Symbol.Equity("IBM");
    private static readonly IMarketCalendar Nyse = NyseCalendar.Instance;

    private static Bar At(Symbol symbol, string nyLocal)
    {
        var start = Nyse.ToUtc(DateTime.Parse(nyLocal, System.Globalization.CultureInfo.InvariantCulture));
        return new Bar(symbol, start, start.AddMinutes(1), 10m, 10m, 10m, 10m, 100m);
    }

    [Fact]
    public void EachBarIsFiledByWhyItIsOutside()
    {
        var tally = new OutsideSessionBars(extendedHours: false);
        tally.Add(At(Spy, "2020-01-20 10:00"), Nyse); // Martin Luther King Jr. Day: no session
        tally.Add(At(Spy, "2020-01-18 10:00"), Nyse); // a Saturday
        tally.Add(At(Spy, "2020-01-21 05:00"), Nyse); // pre-market of a trading day
        tally.Add(At(Ibm, "2020-01-21 17:30"), Nyse); // after-hours
        tally.Add(At(Spy, "2020-01-21 02:00"), Nyse); // a trading day, but outside even 04:00-20:00
        tally.Add(At(Spy, "2020-01-21 20:30"), Nyse);

        Assert.Equal(6, tally.Count);
        var closed = tally[OutsideSessionKind.ClosedDay];
        Assert.Equal(2, closed.Count);
        Assert.Equal([(new DateOnly(2020, 1, 20), 1L), (new DateOnly(2020, 1, 18), 1L)], closed.FirstDates);
        var extended = tally[OutsideSessionKind.ExtendedHours];
        Assert.Equal(2, extended.Count);
        Assert.Equal(new Dictionary<Symbol, long> { [Ibm] = 1, [Spy] = 1 }, extended.BySymbol);
        var outside = tally[OutsideSessionKind.OutsideHours];
        Assert.Equal(2, outside.Count);
        Assert.Equal([(new DateOnly(2020, 1, 21), 2L)], outside.FirstDates);
    }

    [Fact]
    public void WithExtendedHoursOn_AnyDroppedBarOnATradingDayIsOutsideTheHours()
    {
        var tally = new OutsideSessionBars(extendedHours: true);
        tally.Add(At(Spy, "2020-01-21 21:00"), Nyse);
        Assert.Equal(1, tally[OutsideSessionKind.OutsideHours].Count);
        Assert.Equal(0, tally[OutsideSessionKind.ExtendedHours].Count);
    }

    [Fact]
    public void KeepsTheFirstFiveDates_AndSaysThereWereMore()
    {
        var tally = new OutsideSessionBars(extendedHours: false);
        var saturday = new DateTime(2020, 1, 4, 10, 0, 0);
        for (var week = 0; week < 7; week++)
        {
            tally.Add(At(Spy, saturday.AddDays(7 * week).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)), Nyse);
            tally.Add(At(Spy, saturday.AddDays(7 * week).AddMinutes(1).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)), Nyse);
        }

        var closed = tally[OutsideSessionKind.ClosedDay];
        Assert.Equal(14, closed.Count);
        Assert.Equal(OutsideSessionBars.MaxDates, closed.FirstDates.Count);
        Assert.All(closed.FirstDates, d => Assert.Equal(2, d.Bars));
        Assert.Equal(new DateOnly(2020, 2, 1), closed.FirstDates[^1].Date);
        Assert.True(closed.MoreDates);
    }

    [Fact]
    public void Log_WarnsOnceForClosedDays_AndOnlyInformsAboutExtendedHours()
    {
        using var capture = new CapturingLoggerProvider();
        using var factory = capture.CreateFactory();
        var logger = factory.CreateLogger("test");
        var tally = new OutsideSessionBars(extendedHours: false);
        for (var m = 0; m < 30; m++)
        {
            tally.Add(At(Spy, $"2020-01-20 10:{m:00}"), Nyse);
            tally.Add(At(Spy, $"2020-01-21 05:{m:00}"), Nyse);
        }

        tally.Log(logger);

        var entries = capture.Named("data.bars.outside_session");
        Assert.Equal(2, entries.Count);
        var warning = Assert.Single(entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("30 dated on days with no session", warning.Message, StringComparison.Ordinal);
        Assert.Contains("2020-01-20 (30)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("SPY 30", warning.Message, StringComparison.Ordinal);
        var info = Assert.Single(entries, e => e.Level == LogLevel.Information);
        Assert.Contains("2020-01-21 (30)", info.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_SaysNothingWhenNothingWasLeftOut()
    {
        using var capture = new CapturingLoggerProvider();
        using var factory = capture.CreateFactory();
        new OutsideSessionBars(extendedHours: false).Log(factory.CreateLogger("test"));
        Assert.Empty(capture.Entries);
    }
}
