using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Aggregation;

/// <summary>Weekly and monthly windows on the NYSE calendar: holidays and early closes included.</summary>
public class MultiSessionWindowTests
{
    private static readonly IMarketCalendar Nyse = MarketCalendars.Get("NYSE");
    private static readonly Symbol Spy = Symbol.Equity("SPY");

    private static DateTime Ny(string local) => Bars.Ny(local);

    private static BarWindow Window(BarWindows grid, string local)
    {
        Assert.True(grid.TryGetWindow(Ny(local), out var w), $"expected a window at {local}");
        return w;
    }

    [Fact]
    public void Week_WithAMondayHoliday_StartsTuesday_AndEndsAtFridaysClose()
    {
        var grid = new BarWindows(Nyse, Timeframe.OneWeek);
        var expected = new BarWindow(Ny("2024-01-16 09:30"), Ny("2024-01-19 16:00")); // MLK day Monday 15th
        Assert.Equal(expected, Window(grid, "2024-01-16 09:30"));
        Assert.Equal(expected, Window(grid, "2024-01-18 12:00"));
        Assert.Equal(expected, Window(grid, "2024-01-19 15:59"));
        Assert.False(grid.TryGetWindow(Ny("2024-01-17 20:00"), out _)); // overnight is closed: no window
    }

    [Fact]
    public void Week_EndingOnAnEarlyClose_EndsAt1300()
    {
        var grid = new BarWindows(Nyse, Timeframe.OneWeek);
        Assert.Equal(new BarWindow(Ny("2024-11-25 09:30"), Ny("2024-11-29 13:00")), Window(grid, "2024-11-26 10:00"));
    }

    [Fact]
    public void Month_SpansItsFirstToItsLastSession()
    {
        var grid = new BarWindows(Nyse, Timeframe.OneMonth);
        Assert.Equal(new BarWindow(Ny("2024-07-01 09:30"), Ny("2024-07-31 16:00")), Window(grid, "2024-07-05 10:00"));
        // March 2024 starts on a Friday and ends on Good Friday (closed): the last session is Thursday the 28th.
        Assert.Equal(new BarWindow(Ny("2024-03-01 09:30"), Ny("2024-03-28 16:00")), Window(grid, "2024-03-15 10:00"));
    }

    [Fact]
    public void Resampler_CombinesDailyBars_IntoWeeks()
    {
        var resampler = new BarResampler(Nyse, Timeframe.OneWeek);
        var sink = new ListSink();
        foreach (var (date, o, h, l, c) in new (string, decimal, decimal, decimal, decimal)[]
        {
            ("2024-01-10", 10m, 12m, 9m, 11m), ("2024-01-11", 11m, 13m, 10m, 12m), ("2024-01-12", 12m, 12.5m, 8m, 9m),
            ("2024-01-16", 9m, 10m, 8.5m, 9.5m), ("2024-01-19", 9.5m, 15m, 9m, 14m),
        })
        {
            resampler.Add(new Bar(Spy, Ny($"{date} 09:30"), Ny($"{date} 16:00"), o, h, l, c, 100), sink);
        }

        resampler.Flush(sink);

        Assert.Equal(2, sink.Bars.Count);
        Assert.Equal(new Bar(Spy, Ny("2024-01-08 09:30"), Ny("2024-01-12 16:00"), 10m, 13m, 8m, 9m, 300), sink.Bars[0]);
        Assert.Equal(new Bar(Spy, Ny("2024-01-16 09:30"), Ny("2024-01-19 16:00"), 9m, 15m, 8.5m, 14m, 200), sink.Bars[1]);
    }

    private sealed class ListSink : IBarSink
    {
        public List<Bar> Bars { get; } = [];

        public void OnBar(in Bar bar) => Bars.Add(bar);
    }
}
