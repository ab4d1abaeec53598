using StrategyLab.Core.Accounting;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Accounting;

/// <summary>Splits and dividends applied by the portfolio, the simulated exchange and the engine (raw prices).</summary>
public class CorporateActionTests
{
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");
    private static readonly DateTime T0 = new(2014, 6, 6, 19, 0, 0, DateTimeKind.Utc);

    private static Fill Buy(decimal quantity, decimal price, DateTime time) =>
        new(1, Aapl, OrderSide.Buy, quantity, price, 0m, time, "entry", price, price);

    private static Fill Sell(decimal quantity, decimal price, DateTime time) =>
        new(2, Aapl, OrderSide.Sell, quantity, price, 0m, time, "exit", price, price);

    [Fact]
    public void Split_RescalesThePosition_KeepsCashAndValue_AndTheRoundTripStaysSane()
    {
        var portfolio = new Portfolio(100_000m);
        RoundTrip? trip = null;
        portfolio.RoundTripClosed += t => trip = t;
        portfolio.ApplyFill(Buy(100, 645m, T0));
        portfolio.Mark(Aapl, 645.57m, T0.AddHours(1));
        var (cash, equity) = (portfolio.Cash, portfolio.Equity);

        var (before, after, inLieu) = portfolio.ApplySplit(Aapl, 7m, T0.AddDays(3));

        Assert.Equal((100m, 700m, 0m), (before, after, inLieu));
        var p = portfolio.GetPosition(Aapl)!;
        Assert.Equal(700m, p.Quantity);
        Assert.Equal(645m / 7m, p.AveragePrice);
        Assert.Equal(645.57m / 7m, p.LastPrice);
        Assert.Equal(cash, portfolio.Cash);
        Assert.Equal(equity, portfolio.Equity, 18);

        // Exit after the split at 93 with 700 shares: a small gain, not an 85% loss.
        portfolio.ApplyFill(Sell(700, 93m, T0.AddDays(3)));
        Assert.NotNull(trip);
        Assert.Equal(700m, trip.Quantity);
        Assert.Equal(645m / 7m, trip.EntryPrice, 18);
        Assert.Equal(93m, trip.ExitPrice);
        Assert.Equal(600m, trip.Pnl, 18); // 700 × 93 − 100 × 645
        Assert.Equal(100_600m, portfolio.Cash, 18);
    }

    [Fact]
    public void ReverseSplit_PaysTheFractionalShareInCash()
    {
        var portfolio = new Portfolio(100_000m);
        portfolio.ApplyFill(Buy(105, 2m, T0));
        var (before, after, inLieu) = portfolio.ApplySplit(Aapl, 0.1m, T0.AddDays(1));
        Assert.Equal((105m, 10m, 10m), (before, after, inLieu)); // 0.5 share at 20
        Assert.Equal(100_000m - 210m + 10m, portfolio.Cash);
        Assert.Equal(20m, portfolio.GetPosition(Aapl)!.AveragePrice);
        Assert.Equal(200m, portfolio.PositionsValue);
    }

    [Fact]
    public void Dividend_CreditsLongs_DebitsShorts_AndIsKeptApartFromTradePnl()
    {
        var longs = new Portfolio(10_000m);
        longs.ApplyFill(Buy(100, 50m, T0));
        Assert.Equal(99m, longs.ApplyDividend(Aapl, 0.99m));
        Assert.Equal(10_000m - 5_000m + 99m, longs.Cash);
        Assert.Equal(99m, longs.Dividends);
        Assert.Equal(0m, longs.RealizedPnl);

        var shorts = new Portfolio(10_000m, AccountType.Margin);
        shorts.ApplyFill(Sell(50, 50m, T0));
        Assert.Equal(-49.5m, shorts.ApplyDividend(Aapl, 0.99m));
        Assert.Equal(10_000m + 2_500m - 49.5m, shorts.Cash);

        Assert.Equal(0m, new Portfolio(1_000m).ApplyDividend(Aapl, 0.99m));
    }

    [Fact]
    public void Engine_AppliesActionsAtTheExDatesFirstBar_BeforeFills_AndRescalesTheProtectiveStop()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-02 09:31", c => c.EnterLong(Aapl))
            .At("2024-01-03 09:31", c => c.Exit(Aapl, "test_exit"));
        var options = new EngineOptions
        {
            CorporateActions =
            [
                CorporateAction.Split(Aapl, new DateOnly(2024, 1, 3), 7m),
                CorporateAction.Dividend(Aapl, new DateOnly(2024, 1, 3), 1.5m),
                CorporateAction.Dividend(Aapl, new DateOnly(2024, 1, 9), 0.25m), // after the run: never applied
            ],
        };
        var h = new EngineHarness(strategy, [Aapl], risk: new RiskSettings { StopLossPct = 2m }, options: options);
        Bar[] bars =
        [
            Bars.M1(Aapl, "2024-01-02 09:30", 700m, 701m, 699m, 700m),
            Bars.M1(Aapl, "2024-01-02 09:31", 700m, 701m, 699m, 700m),
            Bars.M1(Aapl, "2024-01-02 09:32", 700m, 702m, 699m, 701m),

            // After a 7:1 split the raw price is a seventh: far below the pre-split stop at 686.
            Bars.M1(Aapl, "2024-01-03 09:30", 100m, 100.5m, 99.5m, 100m),
            Bars.M1(Aapl, "2024-01-03 09:31", 101m, 101.5m, 100.5m, 101m),
        ];
        h.Engine.Run(bars);

        // The dividend is per pre-split share (10 × 1.5), applied before the split.
        Assert.Equal(
            [(CorporateActionKind.Dividend, 10m, 10m, 15m, 0), (CorporateActionKind.Split, 10m, 70m, 0m, 1)],
            h.Recorder.CorporateActions.Select(a => (a.Action.Kind, a.QuantityBefore, a.QuantityAfter, a.CashAmount, a.OrdersAdjusted)));
        Assert.All(h.Recorder.CorporateActions, a => Assert.Equal(Bars.Ny("2024-01-03 09:30"), a.TimeUtc));

        var stop = h.Exchange.AllOrders.Single(o => o.Tag == "stop_loss");
        Assert.Equal(686m / 7m, stop.StopPrice);
        Assert.Equal(70m, stop.Quantity);
        Assert.NotEqual(OrderStatus.Filled, stop.Status);

        var trip = Assert.Single(h.Recorder.Trips);
        Assert.Equal((70m, 100m, 101m, "test_exit"), (trip.Quantity, trip.EntryPrice, trip.ExitPrice, trip.ExitReason));
        Assert.Equal(70m, trip.Pnl, 18);
        Assert.Equal(100_000m + 70m + 15m, h.Portfolio.Cash, 18);
        Assert.Equal(2, h.Recorder.CorporateActions.Count);
    }
}
