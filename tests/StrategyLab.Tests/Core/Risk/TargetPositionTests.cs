using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Tests.Core.Engine;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Risk;

/// <summary>SetTarget / SetTargetQuantity / Liquidate, through the engine and the simulated exchange.</summary>
public class TargetPositionTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");
    private static readonly Symbol Ccc = Symbol.Equity("CCC");
    private static readonly Symbol Btc = Symbol.Crypto("BTCUSDT");
    private static readonly string[] Dates = ["2024-01-08", "2024-01-09", "2024-01-10", "2024-01-11", "2024-01-12"];

    /// <summary>Daily bars (09:30–16:00) for the week: opens and closes given, range one above and below.</summary>
    private static Bar[] Week(Symbol symbol, params (decimal Open, decimal Close)[] prices) =>
        [.. prices.Select((p, i) => new Bar(
            symbol,
            Ny($"{Dates[i]} 09:30"),
            Ny($"{Dates[i]} 16:00"),
            p.Open,
            Math.Max(p.Open, p.Close) + 1m,
            Math.Min(p.Open, p.Close) - 1m,
            p.Close,
            1_000_000))];

    private static Bar[] AaaWeek() => Week(Aaa, (100m, 100.5m), (102m, 102.5m), (104m, 104.5m), (106m, 106.5m), (108m, 108.5m));

    private static Bar[] BbbWeek() => Week(Bbb, (50m, 50.2m), (50m, 50.5m), (51m, 51.5m), (52m, 52.5m), (53m, 53.5m));

    private static Bar[] CccWeek() => Week(Ccc, (20m, 20m), (20m, 20m), (20m, 20m), (20m, 20m), (20m, 20m));

    /// <summary>Bars of several symbols merged in time order.</summary>
    private static Bar[] Merge(params Bar[][] series) => [.. series.SelectMany(s => s).OrderBy(b => b.End).ThenBy(b => b.Symbol)];

    private static EngineHarness Daily(
        ScriptedStrategy strategy,
        Symbol[] symbols,
        AccountType account = AccountType.Cash,
        RiskSettings? risk = null,
        TradeManagerSettings? sizing = null,
        InstrumentCatalog? instruments = null) => new(
        strategy,
        symbols,
        risk: risk,
        sizing: sizing,
        exchange: new ExchangeSettings
        {
            Commission = ZeroCommission.Instance,
            OrdersAtClose = OrdersAtClose.NextOpen,
            Instruments = instruments ?? new InstrumentCatalog(),
        },
        options: new EngineOptions { Timeframe = Timeframe.OneDay },
        account: account);

    [Fact]
    public void PercentTarget_DecidedAtTheClose_BuysWholeSharesOfThePercentOfEquity_AtTheNextOpen()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 16:00", c => c.SetTarget(Aaa, 25m));
        var h = Daily(strategy, [Aaa]);
        var bars = AaaWeek();

        h.Engine.Run(bars);

        // 25 % of 100 000 at the reference close 100.5 = 248.76 shares: 248, toward zero.
        var fill = Assert.Single(h.Recorder.Fills);
        Assert.Equal(248m, fill.Quantity);
        Assert.Equal(OrderSide.Buy, fill.Side);
        Assert.Equal(Ny("2024-01-09 09:30"), fill.TimeUtc);
        Assert.Equal(102m, fill.Price);
        Assert.Equal("target", fill.Tag);
        Assert.Equal(TimeInForce.Day, Assert.Single(h.Exchange.AllOrders).TimeInForce);
        h.AssertInvariants(bars);
    }

    [Fact]
    public void QuantityTargets_RebalanceUpAndDown_ReductionsGtc_IncreasesDay_TheLastReasonClosesTheTrade()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c => c.SetTargetQuantity(Aaa, 100m, "build"))
            .At("2024-01-09 16:00", c => c.SetTargetQuantity(Aaa, 40m, "trim"))
            .At("2024-01-10 16:00", c => c.SetTargetQuantity(Aaa, 150m, "add"))
            .At("2024-01-11 16:00", c => c.SetTarget(Aaa, 0m, "flat"));
        var h = Daily(strategy, [Aaa]);
        var bars = AaaWeek();

        h.Engine.Run(bars);

        Assert.Equal(
            [(OrderSide.Buy, 100m, "build"), (OrderSide.Sell, 60m, "trim"), (OrderSide.Buy, 110m, "add"), (OrderSide.Sell, 150m, "flat")],
            h.Recorder.Fills.Select(f => (f.Side, f.Quantity, f.Tag!)));
        Assert.Equal([TimeInForce.Day, TimeInForce.Gtc, TimeInForce.Day, TimeInForce.Gtc], h.Exchange.AllOrders.Select(o => o.TimeInForce));
        var trip = Assert.Single(h.Recorder.Trips);
        Assert.Equal(210m, trip.Quantity);
        Assert.Equal("flat", trip.ExitReason);
        Assert.Equal(0m, h.Portfolio.QuantityOf(Aaa));
        h.AssertInvariants(bars);
    }

    [Fact]
    public void TargetEqualToThePosition_SendsNothing()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c => c.SetTargetQuantity(Aaa, 100m))
            .At("2024-01-09 16:00", c => c.SetTargetQuantity(Aaa, 100m))
            .At("2024-01-10 16:00", c => c.SetTargetQuantity(Aaa, 100.9m)); // rounds to 100 whole shares
        var h = Daily(strategy, [Aaa]);

        h.Engine.Run(AaaWeek());

        Assert.Single(h.Exchange.AllOrders);
        Assert.Equal(100m, h.Portfolio.QuantityOf(Aaa));
    }

    [Theory]
    [InlineData(10, 0.232)]
    [InlineData(-10, -0.232)]
    public void CryptoTarget_RoundsTowardZeroToTheFractionalQuantityStep(int percent, double expected)
    {
        // In steps of 0.001 (a configured lot); 10 % of 100 000 at 43 000.5 = 0.2325554…
        var strategy = new ScriptedStrategy().At("2024-01-08 16:00", c => c.SetTarget(Btc, percent));
        var lots = new InstrumentCatalog(new Dictionary<Symbol, InstrumentOverride> { [Btc] = new(null, 0.001m) });
        var h = Daily(strategy, [Btc], AccountType.Margin, instruments: lots);
        var bars = Week(Btc, (43_000m, 43_000.5m), (43_100m, 43_200m), (43_300m, 43_400m), (43_500m, 43_600m), (43_700m, 43_800m));

        h.Engine.Run(bars);

        Assert.Equal((decimal)expected, h.Portfolio.QuantityOf(Btc));
        h.AssertInvariants(bars);
    }

    [Fact]
    public void IncreaseBeyondBuyingPower_IsCappedToTheCashLessTheBuffer_NotRejected()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 16:00", c => c.SetTarget(Aaa, 150m));
        var h = Daily(strategy, [Aaa]);

        // Opens at the previous close: a gap up beyond the 0.25 % buffer would fail the cash check at the fill.
        h.Engine.Run(Week(Aaa, (100m, 100.5m), (100.5m, 101m), (101m, 101m), (101m, 101m), (101m, 101m)));

        // Target 1492 shares; a cash account has 100 000 × 0.9975 = 99 750 to spend: 992 shares at 100.5.
        Assert.Equal(992m, Assert.Single(h.Recorder.Fills).Quantity);
        Assert.DoesNotContain(h.Recorder.Events, e => e.Kind == OrderEventKind.Rejected);
    }

    [Fact]
    public void Rotation_OnACashAccount_TheBuyTheCashDoesNotCoverWaitsForTheSale_OneBarLater()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c => c.SetTarget(Aaa, 95m))
            .At("2024-01-09 16:00", c =>
            {
                c.SetTarget(Aaa, 0m, "rotate");
                c.SetTarget(Bbb, 95m, "rotate");
            });
        var h = Daily(strategy, [Aaa, Bbb]);
        var bars = Merge(AaaWeek(), BbbWeek());

        h.Engine.Run(bars);

        // AAA: 95 000 / 100.5 → 945 shares at 102; cash left 3 610. At the 01-09 close equity is 3 610 + 945 × 102.5
        // = 100 472.5, so BBB's target is 95 % of it / 50.5 = 1890 shares. The cash covers 71: the buy waits for the
        // sale of AAA (filled at the 01-10 open), is decided at the 01-10 close and fills at the 01-11 open.
        Assert.Equal("rotate", Assert.Single(h.Recorder.Trips).ExitReason);
        Assert.Equal(
            [(Ny("2024-01-11 09:30"), 1890m)],
            h.Recorder.Fills.Where(f => f.Symbol == Bbb).Select(f => (f.TimeUtc, f.Quantity)));
        Assert.Equal(1890m, h.Portfolio.QuantityOf(Bbb));
        Assert.False(h.TradeManager.HasDeferredTargets);
        Assert.DoesNotContain(h.Recorder.Events, e => e.Kind == OrderEventKind.Rejected);
        h.AssertInvariants(bars);
    }

    [Fact]
    public void MaxPositions_BlocksANewPosition_ButARotationOutOfAHeldOneFreesItsSlot()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c =>
            {
                c.SetTarget(Bbb, 30m);
                c.SetTarget(Ccc, 30m);
            })
            .At("2024-01-09 16:00", c => c.SetTarget(Aaa, 30m))
            .At("2024-01-10 16:00", c =>
            {
                c.SetTarget(Ccc, 0m, "rotate");
                c.SetTarget(Aaa, 30m, "rotate"); // AAA sorts before CCC: the reductions go first all the same
            });
        var h = Daily(strategy, [Aaa, Bbb, Ccc], sizing: new TradeManagerSettings { MaxPositions = 2 });
        var bars = Merge(AaaWeek(), BbbWeek(), CccWeek());

        h.Engine.Run(bars);

        Assert.Equal(1, h.TradeManager.BlockedEntries); // the 01-09 target for AAA
        Assert.Equal(Ny("2024-01-11 09:30"), h.Recorder.Fills.Single(f => f.Symbol == Aaa).TimeUtc);
        Assert.True(h.Portfolio.QuantityOf(Aaa) > 0);
        Assert.Equal(0m, h.Portfolio.QuantityOf(Ccc));
        Assert.All(h.Recorder.Equity, p => Assert.True(p.OpenPositions <= 2));
    }

    [Fact]
    public void Liquidate_ClosesEveryPositionAndCancelsEveryOpenOrder_WithTheReason()
    {
        Order? limit = null;
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c =>
            {
                c.SetTargetQuantity(Aaa, 10m);
                c.SetTargetQuantity(Bbb, 20m);
            })
            .At("2024-01-09 16:00", c =>
            {
                limit = c.SubmitOrder(OrderRequest.Limit(Bbb, OrderSide.Buy, 5m, 1m, TimeInForce.Gtc, "own"));
                c.Liquidate("flat");
            });
        var h = Daily(strategy, [Aaa, Bbb]);
        var bars = Merge(AaaWeek(), BbbWeek());

        h.Engine.Run(bars);

        Assert.Equal(0m, h.Portfolio.QuantityOf(Aaa));
        Assert.Equal(0m, h.Portfolio.QuantityOf(Bbb));
        Assert.Equal(OrderStatus.Canceled, limit!.Status);
        Assert.Equal(["flat", "flat"], h.Recorder.Trips.Select(t => t.ExitReason));
        Assert.All(h.Recorder.Trips, t => Assert.Equal(Ny("2024-01-10 09:30"), t.ExitTimeUtc));
        Assert.Empty(h.Exchange.OpenOrders);
    }

    [Fact]
    public void NewTarget_ReplacesTheWorkingTargetOrder_AndOnlyTheLastTargetOfASliceIsSent()
    {
        // 5 % of a bar's 1000 volume fills per bar: 50 shares, so a target order keeps working over several bars.
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c =>
            {
                c.SetTargetQuantity(Aaa, 300m, "ignored");
                c.SetTargetQuantity(Aaa, 200m, "first");
            })
            .At("2024-01-08 09:33", c => c.SetTargetQuantity(Aaa, 120m, "second"));
        var h = new EngineHarness(
            strategy,
            [Aaa],
            exchange: new ExchangeSettings { Commission = ZeroCommission.Instance, MaxVolumeFraction = 0.05m });
        var bars = Enumerable.Range(0, 8).Select(i => M1(Aaa, $"2024-01-08 09:{30 + i:00}", 100m, 100.5m, 99.5m, 100m)).ToArray();

        h.Engine.Run(bars);

        var orders = h.Exchange.AllOrders;
        Assert.Equal(["first", "second"], orders.Select(o => o.Tag));
        Assert.Equal(OrderStatus.Canceled, orders[0].Status);
        Assert.Equal(100m, orders[0].FilledQuantity); // bars 09:31 and 09:32
        Assert.Equal(20m, orders[1].Quantity); // 120 − 100 held
        Assert.Equal(120m, h.Portfolio.QuantityOf(Aaa));
        h.AssertInvariants(bars);
    }

    [Fact]
    public void Flip_OnAMarginAccount_ClosesThenOpensTheOtherSide()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c => c.SetTargetQuantity(Aaa, 100m, "long"))
            .At("2024-01-09 16:00", c => c.SetTargetQuantity(Aaa, -50m, "flip"));
        var h = Daily(strategy, [Aaa], AccountType.Margin);
        var bars = AaaWeek();

        h.Engine.Run(bars);

        var orders = h.Exchange.AllOrders;
        Assert.Equal(
            [(OrderSide.Buy, 100m, TimeInForce.Day), (OrderSide.Sell, 100m, TimeInForce.Gtc), (OrderSide.Sell, 50m, TimeInForce.Day)],
            orders.Select(o => (o.Side, o.Quantity, o.TimeInForce)));
        Assert.Equal(-50m, h.Portfolio.QuantityOf(Aaa));
        var trip = Assert.Single(h.Recorder.Trips);
        Assert.Equal(TradeDirection.Long, trip.Direction);
        Assert.Equal("flip", trip.ExitReason);
        h.AssertInvariants(bars);
    }

    [Fact]
    public void NegativeTarget_OnACashAccount_CountsAsFlat()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c => c.SetTargetQuantity(Aaa, 10m))
            .At("2024-01-09 16:00", c => c.SetTarget(Aaa, -20m, "short"));
        var h = Daily(strategy, [Aaa]);

        h.Engine.Run(AaaWeek());

        Assert.Equal(0m, h.Portfolio.QuantityOf(Aaa));
        Assert.Equal(1, h.TradeManager.BlockedEntries);
        Assert.DoesNotContain(h.Recorder.Events, e => e.Kind == OrderEventKind.Rejected);
        Assert.Equal("short", Assert.Single(h.Recorder.Trips).ExitReason);
    }

    [Fact]
    public void ClosingWindow_BlocksIncreases_NeverReductions()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.SetTargetQuantity(Aaa, 100m))
            .At("2024-01-08 15:46", c => c.SetTargetQuantity(Aaa, 150m))
            .At("2024-01-08 15:47", c => c.SetTargetQuantity(Aaa, 20m, "trim"));
        var h = new EngineHarness(
            strategy,
            [Aaa],
            risk: new RiskSettings { StopLossPct = null, StopEntriesMinutesBeforeClose = 30 });
        Bar[] bars =
        [
            M1(Aaa, "2024-01-08 09:30", 100m, 101m, 99m, 100m),
            M1(Aaa, "2024-01-08 09:31", 100m, 101m, 99m, 100m),
            M1(Aaa, "2024-01-08 15:45", 100m, 101m, 99m, 100m),
            M1(Aaa, "2024-01-08 15:46", 100m, 101m, 99m, 100m),
            M1(Aaa, "2024-01-08 15:47", 100m, 101m, 99m, 100m),
        ];

        h.Engine.Run(bars);

        Assert.Equal(1, h.TradeManager.BlockedEntries);
        Assert.Equal(20m, h.Portfolio.QuantityOf(Aaa));
        Assert.Equal([100m, 80m], h.Recorder.Fills.Select(f => f.Quantity));
    }

    [Fact]
    public void TargetChangingThePosition_CancelsTheProtectiveExitsOfAnEntry_AnUnchangedOneKeepsThem()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 16:00", c => c.EnterLong(Aaa, "entry"))
            .At("2024-01-09 16:00", c => c.SetTargetQuantity(Aaa, 10m, "same"))
            .At("2024-01-10 16:00", c => c.SetTargetQuantity(Aaa, 4m, "trim"));
        var h = Daily(strategy, [Aaa], risk: new RiskSettings { StopLossPct = 2m });

        h.Engine.Run(AaaWeek());

        var stop = h.Exchange.AllOrders.Single(o => o.Tag == "stop_loss");
        Assert.Equal(OrderStatus.Canceled, stop.Status);
        Assert.Equal(Ny("2024-01-10 16:00"), stop.UpdatedUtc); // kept by the unchanged target, cancelled by the trim
        Assert.DoesNotContain(h.Exchange.AllOrders, o => o.Tag == "same");
        Assert.Equal(4m, h.Portfolio.QuantityOf(Aaa));
        Assert.Empty(h.Exchange.OpenOrders);
    }
}
