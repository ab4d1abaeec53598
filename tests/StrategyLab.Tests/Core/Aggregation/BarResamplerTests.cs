using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Aggregation;

/// <summary>Hand-worked resampling cases on 2013-10-07 (EDT, UTC-4: 09:30 = 13:30Z) unless said otherwise.</summary>
public class BarResamplerTests
{
    private static readonly IMarketCalendar Ny = TestExchangeCalendar.Default;
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");

    private static DateTime At(int h, int m, int s = 0) => new(2013, 10, 7, h, m, s, DateTimeKind.Utc);

    private static Bar Minute(Symbol symbol, DateTime start, decimal o, decimal h, decimal l, decimal c, decimal v, int? n = null, decimal? vwap = null) =>
        new(symbol, start, start.AddMinutes(1), o, h, l, c, v, n, vwap);

    [Fact]
    public void OneMinuteToFiveMinutes_CombinesAndEmitsWhenTheLastInputEndsTheWindow()
    {
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var sink = new BarCollector();
        r.Add(Minute(Aaa, At(13, 30), 10.0m, 10.5m, 9.9m, 10.2m, 100, 3, 10.1m), sink);
        r.Add(Minute(Aaa, At(13, 31), 10.2m, 10.3m, 9.5m, 9.6m, 300, 5, 10.2m), sink);
        r.Add(Minute(Aaa, At(13, 32), 9.6m, 11.0m, 9.6m, 10.9m, 0, 0), sink); // an empty bar: no VWAP needed
        r.Add(Minute(Aaa, At(13, 33), 10.9m, 10.9m, 10.0m, 10.0m, 100, 1, 10.4m), sink);
        Assert.Empty(sink.Bars);
        r.Add(Minute(Aaa, At(13, 34), 10.0m, 10.1m, 9.8m, 9.9m, 100, 2, 9.9m), sink);
        // VWAP = (1010 + 3060 + 1040 + 990) / 600 = 6100 / 600 = 10.1666...
        Assert.Equal(
            new Bar(Aaa, At(13, 30), At(13, 35), 10.0m, 11.0m, 9.5m, 9.9m, 600m, 11, 6100m / 600m),
            Assert.Single(sink.Bars));
        Assert.Equal(1, r.BarsEmitted);
    }

    [Fact]
    public void MissingLastInput_TheBarIsEmittedByALaterWindowOrByAdvanceTo()
    {
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var sink = new BarCollector();
        r.Add(Minute(Aaa, At(13, 31), 10m, 10m, 10m, 10m, 1), sink); // the bar still covers 13:30-13:35
        r.Add(Minute(Bbb, At(13, 33), 20m, 20m, 20m, 20m, 1), sink);
        r.Add(Minute(Aaa, At(13, 36), 11m, 11m, 11m, 11m, 1), sink);
        Assert.Equal((At(13, 30), At(13, 35), Aaa), (sink.Bars[0].Start, sink.Bars[0].End, sink.Bars[0].Symbol));
        Assert.Equal(0, r.AdvanceTo(At(13, 34, 59), sink));
        Assert.Equal(1, r.AdvanceTo(At(13, 35), sink));
        Assert.Equal(Bbb, sink.Bars[1].Symbol);
        Assert.Equal(1, r.Flush(sink));
        Assert.Equal((At(13, 35), 11m), (sink.Bars[2].Start, sink.Bars[2].Close));
        Assert.Null(sink.Bars[2].TradeCount); // the input had no trade count
        Assert.Null(sink.Bars[2].Vwap);
    }

    [Fact]
    public void AdvanceToAndFlush_EmitInEndThenSymbolOrder()
    {
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var sink = new BarCollector();
        r.Add(Minute(Bbb, At(13, 30), 1m, 1m, 1m, 1m, 1), sink);
        r.Add(Minute(Aaa, At(13, 30), 1m, 1m, 1m, 1m, 1), sink);
        r.Add(Minute(Bbb, At(13, 35), 1m, 1m, 1m, 1m, 1), sink); // emits BBB 13:35 at once
        r.Add(Minute(Aaa, At(13, 36), 1m, 1m, 1m, 1m, 1), sink);
        r.Flush(sink);
        Assert.Equal(["BBB 13:35", "AAA 13:35", "AAA 13:40", "BBB 13:40"], sink.Bars.Select(b => $"{b.Symbol} {b.End:HH:mm}"));
    }

    [Fact]
    public void MisalignedInput_IsAnErrorNamingTheBar()
    {
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var sink = new BarCollector();
        var straddling = new Bar(Aaa, At(13, 34, 30), At(13, 35, 30), 1m, 1m, 1m, 1m, 1m);
        var ex = Assert.Throws<ArgumentException>(() => r.Add(straddling, sink));
        Assert.Contains("AAA [2013-10-07T13:34:30Z, 2013-10-07T13:35:30Z)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("5m", ex.Message, StringComparison.Ordinal);

        var tooLong = new Bar(Aaa, At(13, 40), At(13, 50), 1m, 1m, 1m, 1m, 1m);
        Assert.Throws<ArgumentException>(() => r.Add(tooLong, sink));

        // a bar running past the close straddles the segment end
        var hourly = new BarResampler(Ny, Timeframe.OneHour);
        Assert.Throws<ArgumentException>(() => hourly.Add(new Bar(Aaa, At(19, 30), At(20, 30), 1m, 1m, 1m, 1m, 1m), sink));
    }

    [Fact]
    public void OutOfOrderInput_IsAnError_AndInputAfterAdvanceToIsDroppedAsLate()
    {
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var sink = new BarCollector();
        r.Add(Minute(Aaa, At(13, 32), 1m, 1m, 1m, 1m, 1), sink);
        Assert.Throws<ArgumentException>(() => r.Add(Minute(Aaa, At(13, 31), 1m, 1m, 1m, 1m, 1), sink));
        r.AdvanceTo(At(13, 35), sink);
        Assert.Single(sink.Bars);
        r.AdvanceTo(At(13, 40), sink);
        Assert.False(r.Add(Minute(Aaa, At(13, 38), 1m, 1m, 1m, 1m, 1), sink)); // its window 13:35-13:40 is over
        Assert.Equal(1, r.DroppedLate);
    }

    [Fact]
    public void InputOutsideTheHoursInUse_IsDroppedAndCounted()
    {
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var sink = new BarCollector();
        Assert.False(r.Add(Minute(Aaa, At(13, 29), 1m, 1m, 1m, 1m, 1), sink)); // 09:29 pre-market
        Assert.True(r.Add(Minute(Aaa, At(13, 30), 2m, 2m, 2m, 2m, 1), sink));
        Assert.False(r.Add(Minute(Aaa, At(20, 0), 1m, 1m, 1m, 1m, 1), sink)); // 16:00 after-hours
        r.Flush(sink);
        Assert.Equal(2m, Assert.Single(sink.Bars).Open);
        Assert.Equal((3, 2), (r.InputBars, r.DroppedOutsideHours));

        var extended = new BarResampler(Ny, Timeframe.OneHour, extendedHours: true);
        var sink2 = new BarCollector();
        extended.Add(Minute(Aaa, At(13, 29), 1m, 1m, 1m, 1m, 1), sink2); // ends the 09:00-09:30 pre-market window
        Assert.Equal((At(13, 0), At(13, 30)), (sink2.Bars[0].Start, sink2.Bars[0].End));
    }

    [Fact]
    public void OneMinuteToOneHour_OnAnEarlyClose_LastBarIs1230To1300()
    {
        var r = new BarResampler(Ny, Timeframe.OneHour);
        var sink = new BarCollector();
        var open = new DateTime(2015, 12, 24, 14, 30, 0, DateTimeKind.Utc); // 09:30 EST
        for (var i = 0; i < 210; i++)
        {
            r.Add(Minute(Aaa, open.AddMinutes(i), 100m + i, 100m + i, 100m + i, 100m + i, 1, 1, 100m + i), sink);
        }

        Assert.Equal(4, sink.Bars.Count); // all emitted without AdvanceTo: each window's last input ends it
        Assert.Equal([60m, 60m, 60m, 30m], sink.Bars.Select(b => b.Volume));
        var last = sink.Bars[3];
        Assert.Equal((open.AddMinutes(180), open.AddMinutes(210)), (last.Start, last.End));
        Assert.Equal((280m, 309m, 30), (last.Open, last.Close, last.TradeCount));
        Assert.Equal((280m + 309m) / 2m, last.Vwap); // mean of 280..309 with equal volumes
    }

    [Fact]
    public void OneMinuteToOneDay_IsTheRegularSession()
    {
        var r = new BarResampler(Ny, Timeframe.OneDay);
        var sink = new BarCollector();
        r.Add(Minute(Aaa, At(13, 0), 5m, 5m, 5m, 5m, 1000), sink); // pre-market: dropped
        for (var i = 0; i < 390; i++)
        {
            var p = i == 100 ? 50m : 10m + (i % 3);
            r.Add(Minute(Aaa, At(13, 30).AddMinutes(i), p, p, p, p, 2), sink);
        }

        var bar = Assert.Single(sink.Bars);
        Assert.Equal(new Bar(Aaa, At(13, 30), At(20, 0), 10m, 50m, 10m, 10m + (389 % 3), 780m), bar);
    }

    [Fact]
    public void FiveSecondsToOneMinute()
    {
        var r = new BarResampler(Ny, Timeframe.OneMinute);
        var sink = new BarCollector();
        for (var i = 0; i < 24; i++)
        {
            var s = At(13, 30).AddSeconds(5 * i);
            r.Add(new Bar(Aaa, s, s.AddSeconds(5), 1m + i, 1m + i, 1m + i, 1m + i, 1m), sink);
        }

        Assert.Equal(2, sink.Bars.Count);
        Assert.Equal((At(13, 31), 13m, 24m, 12m), (sink.Bars[1].Start, sink.Bars[1].Open, sink.Bars[1].Close, sink.Bars[1].Volume));
    }

    [Fact]
    public void Vwap_IsUnknownWhenAnInputWithVolumeLacksIt()
    {
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var sink = new BarCollector();
        r.Add(Minute(Aaa, At(13, 30), 1m, 1m, 1m, 1m, 10, 1, 1m), sink);
        r.Add(Minute(Aaa, At(13, 31), 1m, 1m, 1m, 1m, 10, 1), sink);
        r.Flush(sink);
        Assert.Null(sink.Bars[0].Vwap);
        Assert.Equal(2, sink.Bars[0].TradeCount);
    }

    [Fact]
    public void Into_ChainsAnAggregatorToAResampler()
    {
        var agg = new TradeBarAggregator(Ny, new TradeBarAggregatorOptions { Timeframe = Timeframe.OneMinute });
        var r = new BarResampler(Ny, Timeframe.FiveMinutes);
        var fiveMinute = new BarCollector();
        var into = r.Into(fiveMinute);
        agg.Add(new TradePrint(Aaa, At(13, 30, 10), 100.01m, 1));
        agg.Add(new TradePrint(Aaa, At(13, 34, 10), 100.02m, 2));
        agg.AdvanceTo(At(13, 35), into);
        var bar = Assert.Single(fiveMinute.Bars);
        // 100.02 * 2 + 100.01 = 300.05; / 3 is 100.01666..., exactly as if aggregated from the trades directly
        Assert.Equal(300.05m / 3m, bar.Vwap);
        Assert.Equal(2, bar.TradeCount);
    }
}
