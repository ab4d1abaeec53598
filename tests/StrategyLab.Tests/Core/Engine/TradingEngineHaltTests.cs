using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Engine;

/// <summary><see cref="StrategyLab.Core.Engine.TradingEngine.Halt"/>: an operator's flatten of a running engine.</summary>
public sealed class TradingEngineHaltTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");

    private static List<Bar> Minutes(int count)
    {
        var start = Ny("2024-01-08 09:30");
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var o = 100m + (i * 0.10m);
            var t = start.AddMinutes(i);
            return new Bar(Aaa, t, t.AddMinutes(1), o, o + 0.05m, o - 0.05m, o + 0.02m, 1000);
        })];
    }

    [Fact]
    public void Halt_CancelsTheOpenOrders_ClosesThePositionThroughTheVenue_AndDropsEveryLaterIntentAndOrder()
    {
        Order? refused = null;
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:36", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:37", c => refused = c.SubmitOrder(OrderRequest.Market(Aaa, OrderSide.Buy, 5)));
        var h = new EngineHarness(strategy, [Aaa], risk: new RiskSettings { StopLossPct = 2m, TakeProfitPct = 5m });
        var bars = Minutes(10);
        foreach (var b in bars.Take(4))
        {
            h.Engine.ProcessSlice([b]);
        }

        Assert.Equal(10m, h.Portfolio.QuantityOf(Aaa));
        Assert.Equal(2, h.Exchange.OpenOrders.Count); // the stop-loss and the take-profit

        var pass = h.Engine.Halt(bars[3].End, "flatten");
        Assert.True(h.Engine.IsHalted);
        Assert.Equal(["stop_loss", "take_profit"], pass.Canceled.Select(o => o.Tag).Order());
        var close = Assert.Single(pass.Closing);
        Assert.Equal((OrderSide.Sell, 10m, "flatten"), (close.Side, close.Quantity, close.Tag));

        // A second pass before the close filled sends nothing more.
        var again = h.Engine.Halt(bars[3].End, "flatten");
        Assert.Empty(again.Canceled);
        Assert.Empty(again.Closing);

        foreach (var b in bars.Skip(4))
        {
            h.Engine.ProcessSlice([b]);
        }

        Assert.Equal(0m, h.Portfolio.QuantityOf(Aaa));
        Assert.Equal("flatten", Assert.Single(h.Recorder.Trips).ExitReason); // closed at the next open, a normal round trip
        Assert.Empty(h.Exchange.OpenOrders);
        Assert.Equal(3, h.Exchange.AllOrders.Count(o => o.Side == OrderSide.Sell || o.Tag == "flatten")); // stop, take-profit, close
        Assert.Equal(2, h.Engine.Counters.IntentsHalted);
        Assert.Equal((OrderStatus.Rejected, RejectReason.TradingHalted), (refused!.Status, refused.RejectReason));
        Assert.Equal(4, h.Exchange.AllOrders.Count); // the entry, its two exits, the close: nothing after the halt
    }
}
