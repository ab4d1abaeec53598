using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>Orders decided at the close (every daily bar, every session's last bar) fill at the next session's open.</summary>
public class OrdersAtCloseTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");

    /// <summary>A daily bar: the regular session 09:30–16:00 of a New York date.</summary>
    private static Bar Daily(string date, decimal open, decimal high, decimal low, decimal close) =>
        new(Aaa, Ny($"{date} 09:30"), Ny($"{date} 16:00"), open, high, low, close, 1_000_000);

    private static readonly Bar[] Week =
    [
        Daily("2024-01-08", 100m, 101m, 99m, 100.5m),
        Daily("2024-01-09", 102m, 103m, 101m, 102.5m),
        Daily("2024-01-10", 104m, 105m, 103m, 104.5m),
        Daily("2024-01-11", 106m, 107m, 105m, 106.5m),
        Daily("2024-01-12", 108m, 109m, 107m, 108.5m),
    ];

    private static EngineHarness Harness(ScriptedStrategy strategy, OrdersAtClose mode) => new(
        strategy,
        [Aaa],
        exchange: new ExchangeSettings { Commission = ZeroCommission.Instance, OrdersAtClose = mode },
        options: new EngineOptions { Timeframe = Timeframe.OneDay });

    [Fact]
    public void DailyBars_EntryAndExitDecidedAtTheClose_FillAtTheNextSessionsOpen()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c => c.EnterLong(Aaa, "entry"))
            .At("2024-01-10 16:00", c => c.Exit(Aaa, "exit"));
        var h = Harness(strategy, OrdersAtClose.NextOpen);

        h.Engine.Run(Week);

        var trip = Assert.Single(h.Recorder.Trips);
        Assert.Equal(Ny("2024-01-09 09:30"), trip.EntryTimeUtc);
        Assert.Equal(102m, trip.EntryPrice); // the open of the next session's (only) bar
        Assert.Equal(Ny("2024-01-11 09:30"), trip.ExitTimeUtc);
        Assert.Equal(106m, trip.ExitPrice);
        Assert.DoesNotContain(h.Recorder.Events, e => e.Kind == OrderEventKind.Expired);
        h.AssertInvariants(Week);
    }

    [Fact]
    public void DailyBars_Expire_TheEntryExpiresUnfilled_AsBefore()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 16:00", c => c.EnterLong(Aaa, "entry"));
        var h = Harness(strategy, OrdersAtClose.Expire);

        h.Engine.Run(Week);

        Assert.Empty(h.Recorder.Fills);
        Assert.Contains(h.Recorder.Events, e => e.Kind == OrderEventKind.Expired && e.Order.Tag == "entry");
    }

    [Fact]
    public void DecisionOnAFriday_FillsAtMondaysOpen()
    {
        var strategy = new ScriptedStrategy().At("2024-01-12 16:00", c => c.EnterLong(Aaa, "entry"));
        var h = Harness(strategy, OrdersAtClose.NextOpen);

        h.Engine.Run([.. Week, Daily("2024-01-15", 110m, 111m, 109m, 110.5m)]);

        var fill = Assert.Single(h.Recorder.Fills);
        Assert.Equal(Ny("2024-01-15 09:30"), fill.TimeUtc);
        Assert.Equal(110m, fill.Price);
    }

    [Fact]
    public void MinuteBars_EntryOnTheSessionsLastBar_FillsAtTheNextMorningsFirstBar()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 16:00", c => c.EnterLong(Aaa, "late"));
        var h = new EngineHarness(strategy, [Aaa]);
        var bars = new List<Bar>
        {
            M1(Aaa, "2024-01-08 15:58", 100m, 100.1m, 99.9m, 100m),
            M1(Aaa, "2024-01-08 15:59", 100m, 100.1m, 99.9m, 100.05m),
            M1(Aaa, "2024-01-09 09:30", 101.25m, 101.5m, 101m, 101.4m),
        };

        h.Engine.Run(bars);

        var fill = Assert.Single(h.Recorder.Fills);
        Assert.Equal(101.25m, fill.Price);
        Assert.Equal(Ny("2024-01-09 09:30"), fill.TimeUtc);
    }
}
