using StrategyLab.Core.Accounting;
using StrategyLab.Core.Execution;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Execution;

/// <summary>Hand-worked scenarios for every order type and fill rule of the simulated exchange.</summary>
public class FillRuleTests
{
    private static readonly StrategyLab.Core.Domain.Symbol Spy = ExchangeHarness.Spy;

    private static ExchangeHarness Primed(ExchangeSettings? settings = null, decimal cash = 100_000m, AccountType account = AccountType.Cash)
    {
        var h = new ExchangeHarness(settings, cash, account);
        h.Bar(M1(Spy, "2024-01-08 09:30", 100.00m, 100.50m, 99.80m, 100.20m));
        return h;
    }

    [Fact]
    public void Market_DecidedAtBarEnd_FillsAtNextBarsOpen_NeverAtTheDecisionBar()
    {
        var h = Primed();
        var order = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        Assert.Equal(OrderStatus.Working, order.Status);

        h.Bar(M1(Spy, "2024-01-08 09:31", 100.30m, 100.90m, 100.10m, 100.80m));

        var fill = Assert.Single(h.Fills);
        Assert.Equal(100.30m, fill.Price);
        Assert.Equal(Ny("2024-01-08 09:31"), fill.TimeUtc);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(10m, h.Portfolio.QuantityOf(Spy));
        Assert.Equal(100_000m - 1003.00m, h.Portfolio.Cash);
    }

    [Fact]
    public void Market_BarThatStartedBeforeTheDecision_DoesNotFillIt()
    {
        var h = Primed();
        // Decided at 09:32 but the next bar shown starts 09:31 (a late bar): it must not be used.
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:32");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.30m, 100.90m, 100.10m, 100.80m));
        Assert.Empty(h.Fills);
        h.Bar(M1(Spy, "2024-01-08 09:32", 100.85m, 101.00m, 100.70m, 100.90m));
        Assert.Equal(100.85m, Assert.Single(h.Fills).Price);
    }

    [Fact]
    public void SellStop_GapThroughTheStop_FillsAtTheOpen()
    {
        var h = Primed();
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.10m, 99.90m, 100.00m));
        h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 10, 99.00m), "2024-01-08 09:32");

        h.Bar(M1(Spy, "2024-01-08 09:32", 98.50m, 98.90m, 98.20m, 98.60m));

        var exit = h.Fills[1];
        Assert.Equal(98.50m, exit.Price);
        Assert.Equal(Ny("2024-01-08 09:32"), exit.TimeUtc);
    }

    [Fact]
    public void SellStop_RangeReachesTheStop_FillsAtTheStop()
    {
        var h = Primed();
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.10m, 99.90m, 100.00m));
        h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 10, 99.00m), "2024-01-08 09:32");

        h.Bar(M1(Spy, "2024-01-08 09:32", 99.50m, 99.60m, 99.10m, 99.20m)); // low 99.10 > stop: nothing
        Assert.Single(h.Fills);
        h.Bar(M1(Spy, "2024-01-08 09:33", 99.20m, 99.30m, 99.00m, 99.05m)); // low touches 99.00: triggers

        var exit = h.Fills[1];
        Assert.Equal(99.00m, exit.Price);
        Assert.Equal(Ny("2024-01-08 09:34"), exit.TimeUtc); // inside the bar: stamped at its end
    }

    [Fact]
    public void BuyStop_GapAndRange()
    {
        var h = Primed();
        var gap = h.Submit(OrderRequest.Stop(Spy, OrderSide.Buy, 5, 101.00m), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 101.40m, 101.50m, 101.20m, 101.30m));
        Assert.Equal(101.40m, gap.AverageFillPrice);

        var range = h.Submit(OrderRequest.Stop(Spy, OrderSide.Buy, 5, 102.00m), "2024-01-08 09:32");
        h.Bar(M1(Spy, "2024-01-08 09:32", 101.30m, 102.00m, 101.20m, 101.90m));
        Assert.Equal(102.00m, range.AverageFillPrice);
    }

    [Fact]
    public void BuyLimit_TouchedButNotCrossed_DoesNotFill_CrossedFillsAtLimit_OpenBelowFillsAtOpen()
    {
        var h = Primed();
        var limit = h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 10, 99.50m), "2024-01-08 09:31");

        h.Bar(M1(Spy, "2024-01-08 09:31", 99.90m, 100.00m, 99.50m, 99.60m)); // low == limit: touched only
        Assert.Empty(h.Fills);
        Assert.Equal(OrderStatus.Working, limit.Status);

        h.Bar(M1(Spy, "2024-01-08 09:32", 99.70m, 99.80m, 99.49m, 99.60m)); // traded through
        Assert.Equal(99.50m, Assert.Single(h.Fills).Price);

        var better = h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 10, 99.50m), "2024-01-08 09:33");
        h.Bar(M1(Spy, "2024-01-08 09:33", 99.20m, 99.40m, 99.10m, 99.30m));
        Assert.Equal(99.20m, better.AverageFillPrice); // opened below the limit: the better open
    }

    [Fact]
    public void SellLimit_TouchedButNotCrossed_DoesNotFill()
    {
        var h = Primed();
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.10m, 99.90m, 100.00m));
        var tp = h.Submit(OrderRequest.Limit(Spy, OrderSide.Sell, 10, 101.00m), "2024-01-08 09:32");

        h.Bar(M1(Spy, "2024-01-08 09:32", 100.50m, 101.00m, 100.40m, 100.90m));
        Assert.Equal(OrderStatus.Working, tp.Status);
        h.Bar(M1(Spy, "2024-01-08 09:33", 100.90m, 101.01m, 100.80m, 101.00m));
        Assert.Equal(101.00m, tp.AverageFillPrice);
    }

    [Fact]
    public void StopLimit_TriggersThenFillsAsLimit()
    {
        var h = Primed();
        // Buy stop-limit: stop 101, limit 101.20.
        var o = h.Submit(OrderRequest.StopLimit(Spy, OrderSide.Buy, 10, 101.00m, 101.20m), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.50m, 101.10m, 100.40m, 101.05m)); // reaches the stop: marketable at 101
        Assert.Equal(101.00m, o.AverageFillPrice);

        // Gap above the limit at the open: triggered, but not marketable; the bar later trades through the limit.
        var gap = h.Submit(OrderRequest.StopLimit(Spy, OrderSide.Buy, 10, 101.50m, 101.60m), "2024-01-08 09:32");
        h.Bar(M1(Spy, "2024-01-08 09:32", 101.80m, 101.90m, 101.55m, 101.70m));
        Assert.Equal(101.60m, gap.AverageFillPrice);

        // Intrabar trigger with the limit below the stop: the order of prices is unknown, so it waits for the next bar.
        var wait = h.Submit(OrderRequest.StopLimit(Spy, OrderSide.Buy, 10, 102.00m, 101.80m), "2024-01-08 09:33");
        h.Bar(M1(Spy, "2024-01-08 09:33", 101.70m, 102.10m, 101.60m, 102.05m));
        Assert.True(wait.IsTriggered);
        Assert.Equal(OrderStatus.Working, wait.Status);
        h.Bar(M1(Spy, "2024-01-08 09:34", 102.00m, 102.10m, 101.70m, 101.75m));
        Assert.Equal(101.80m, wait.AverageFillPrice);
    }

    [Fact]
    public void TrailingStop_FollowsTheHigh_AndTriggers()
    {
        var h = Primed();
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.00m, 100.00m, 100.00m));
        var trail = h.Submit(OrderRequest.TrailingStop(Spy, OrderSide.Sell, 10, 1m, TimeInForce.Gtc), "2024-01-08 09:32");
        Assert.Equal(99.00m, trail.StopPrice); // 1% under the last price 100

        h.Bar(M1(Spy, "2024-01-08 09:32", 100.00m, 102.00m, 99.50m, 101.80m));
        Assert.Equal(100.98m, trail.StopPrice); // anchor moved to the high 102
        h.Bar(M1(Spy, "2024-01-08 09:33", 101.50m, 101.60m, 100.90m, 101.00m));
        Assert.Equal(100.98m, trail.AverageFillPrice);
    }

    private static readonly ExchangeSettings ExpireAtClose = new() { Commission = ZeroCommission.Instance, OrdersAtClose = OrdersAtClose.Expire };

    [Fact]
    public void OrderOnTheLastBarOfTheSession_NextOpen_DayAndGtcFillAtTheNextSessionsFirstOpen()
    {
        var h = Primed();
        h.Bar(M1(Spy, "2024-01-08 15:59", 101.00m, 101.10m, 100.90m, 101.00m));
        var day = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 16:00");
        var gtc = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10) with { TimeInForce = TimeInForce.Gtc }, "2024-01-08 16:00");
        Assert.Equal(OrderStatus.Working, day.Status);
        Assert.Equal(Ny("2024-01-09 16:00"), day.ExpiresUtc); // the DAY order belongs to the next session

        // After-hours bars (extended hours off) fill nothing and expire nothing.
        h.Bar(M1(Spy, "2024-01-08 16:00", 101.00m, 101.20m, 100.80m, 101.10m));
        Assert.Empty(h.Fills);

        h.Bar(M1(Spy, "2024-01-09 09:30", 102.00m, 102.50m, 101.90m, 102.40m));
        Assert.Equal(102.00m, day.AverageFillPrice); // market-on-open: the open of the session's first bar
        Assert.Equal(102.00m, gtc.AverageFillPrice);
        Assert.All(h.Fills, f => Assert.Equal(Ny("2024-01-09 09:30"), f.TimeUtc));
    }

    [Fact]
    public void OrderOnTheLastBarOfTheSession_Expire_DayExpires_GtcFillsAtTheNextOpen()
    {
        var h = Primed(ExpireAtClose);
        h.Bar(M1(Spy, "2024-01-08 15:59", 101.00m, 101.10m, 100.90m, 101.00m));
        var day = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 16:00");
        var gtc = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10) with { TimeInForce = TimeInForce.Gtc }, "2024-01-08 16:00");
        Assert.Equal(OrderStatus.Working, day.Status); // a decision at the close instant belongs to the session
        Assert.Equal(OrderStatus.Working, gtc.Status);

        // After-hours bars (extended hours off) neither fill nor keep a DAY order alive.
        h.Bar(M1(Spy, "2024-01-08 16:00", 101.00m, 101.20m, 100.80m, 101.10m));
        Assert.Equal(OrderStatus.Expired, day.Status);
        Assert.Equal(OrderStatus.Working, gtc.Status);

        h.Bar(M1(Spy, "2024-01-09 09:30", 102.00m, 102.50m, 101.90m, 102.40m));
        Assert.Equal(102.00m, gtc.AverageFillPrice);
        Assert.Equal(Ny("2024-01-09 09:30"), Assert.Single(h.Fills).TimeUtc);
    }

    [Fact]
    public void OrderWhileTheMarketIsClosed_NextOpen_FillsAtTheNextSessionsOpen_OverAWeekend()
    {
        var h = Primed();
        h.Bar(M1(Spy, "2024-01-12 15:59", 101.00m, 101.10m, 100.90m, 101.00m)); // Friday
        var weekend = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-13 11:00"); // Saturday
        Assert.Equal(OrderStatus.Working, weekend.Status);
        Assert.Equal(Ny("2024-01-15 16:00"), weekend.ExpiresUtc); // Monday's close
        h.Bar(M1(Spy, "2024-01-15 09:30", 99.50m, 99.90m, 99.40m, 99.80m));
        Assert.Equal(99.50m, weekend.AverageFillPrice);
    }

    [Fact]
    public void OrderWhileTheMarketIsClosed_Expire_IsRejected_UnlessExtendedHoursAreOn()
    {
        var h = Primed(ExpireAtClose);
        var evening = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 17:00");
        Assert.Equal(OrderStatus.Rejected, evening.Status);
        Assert.Equal(RejectReason.MarketClosed, evening.RejectReason);
        var weekend = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-13 11:00");
        Assert.Equal(RejectReason.MarketClosed, weekend.RejectReason);

        var ext = Primed(ExpireAtClose with { ExtendedHours = true });
        var o = ext.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 17:00");
        Assert.Equal(OrderStatus.Working, o.Status);
        ext.Bar(M1(Spy, "2024-01-08 17:00", 100.00m, 100.10m, 99.90m, 100.00m));
        Assert.Equal(100.00m, o.AverageFillPrice);
        Assert.Equal(RejectReason.MarketClosed, ext.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 1), "2024-01-08 21:00").RejectReason);
    }

    [Fact]
    public void OrderAfterTheExtendedClose_NextOpen_FillsInTheNextPreMarket()
    {
        var ext = Primed(new ExchangeSettings { Commission = ZeroCommission.Instance, ExtendedHours = true });
        var o = ext.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 1), "2024-01-08 21:00");
        Assert.Equal(OrderStatus.Working, o.Status);
        ext.Bar(M1(Spy, "2024-01-09 04:00", 100.40m, 100.50m, 100.30m, 100.45m));
        Assert.Equal(100.40m, o.AverageFillPrice);
    }

    [Theory]
    [InlineData(OrderSide.Sell, 100.20, "stop")]   // a sell stop at the last price: already reached
    [InlineData(OrderSide.Sell, 100.50, "stop")]   // above the market
    [InlineData(OrderSide.Buy, 100.20, "stop")]
    [InlineData(OrderSide.Buy, 99.00, "stop_limit")]
    public void StopAlreadyReachedWhenPlaced_IsRejected_NotFilled(OrderSide side, double stop, string type)
    {
        var h = Primed(); // last price 100.20
        var price = (decimal)stop;
        var request = type == "stop"
            ? OrderRequest.Stop(Spy, side, 10, price)
            : new OrderRequest(Spy, side, 10, OrderType.StopLimit, LimitPrice: price, StopPrice: price);
        var order = h.Submit(request, "2024-01-08 09:31");
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.Equal(RejectReason.StopAlreadyTriggered, order.RejectReason);
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 101.00m, 99.00m, 100.00m));
        Assert.Empty(h.Fills);
    }

    [Fact]
    public void TrailingStop_OnASubDollarCrypto_RoundsItsLevelDown_ToTheIncrement()
    {
        var doge = StrategyLab.Core.Domain.Symbol.Crypto("BINANCE:DOGEUSDT");
        var h = new ExchangeHarness(new ExchangeSettings { Commission = ZeroCommission.Instance }, symbols: doge);
        h.Bar(M1(doge, "2024-01-08 09:30", 0.09812m, 0.09830m, 0.09800m, 0.09813m));
        var trail = h.Submit(OrderRequest.Market(doge, OrderSide.Buy, 1000), "2024-01-08 09:31");
        h.Bar(M1(doge, "2024-01-08 09:31", 0.09813m, 0.09813m, 0.09813m, 0.09813m));
        var stop = h.Submit(new OrderRequest(doge, OrderSide.Sell, 1000, OrderType.TrailingStop, TrailPercent: 2m, TimeInForce: TimeInForce.Gtc), "2024-01-08 09:32");
        Assert.Equal(0.09616m, stop.StopPrice); // 0.09813 × 0.98 = 0.0961674 → down to the 0.00001 tick
        Assert.Equal(OrderStatus.Filled, trail.Status);
    }

    [Fact]
    public void Oco_TakeProfitFill_CancelsTheStop()
    {
        var h = Primed();
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.00m, 100.00m, 100.00m));
        var stop = h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 10, 98.00m, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");
        var tp = h.Submit(OrderRequest.Limit(Spy, OrderSide.Sell, 10, 102.00m, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");

        h.Bar(M1(Spy, "2024-01-08 09:32", 101.00m, 102.50m, 100.90m, 102.40m));

        Assert.Equal(OrderStatus.Filled, tp.Status);
        Assert.Equal(OrderStatus.Canceled, stop.Status);
        Assert.Equal(0m, h.Portfolio.QuantityOf(Spy));
        Assert.Empty(h.Exchange.OpenOrders);
    }

    [Fact]
    public void Oco_BothReachableOnOneBar_TheStopWins()
    {
        var h = Primed();
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.00m, 100.00m, 100.00m));
        var tp = h.Submit(OrderRequest.Limit(Spy, OrderSide.Sell, 10, 102.00m, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");
        var stop = h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 10, 98.00m, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");

        h.Bar(M1(Spy, "2024-01-08 09:32", 100.00m, 103.00m, 97.00m, 100.00m));

        Assert.Equal(98.00m, stop.AverageFillPrice);
        Assert.Equal(OrderStatus.Canceled, tp.Status);
    }

    [Fact]
    public void Oco_PartialFill_ReducesTheSibling()
    {
        var h = Primed(new ExchangeSettings { Commission = ZeroCommission.Instance, MaxVolumeFraction = 0.01m });
        h.Exchange.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), Ny("2024-01-08 09:31"));
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.00m, 100.00m, 100.00m, volume: 100_000));
        var tp = h.Submit(OrderRequest.Limit(Spy, OrderSide.Sell, 10, 101.00m, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");
        var stop = h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 10, 98.00m, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");

        h.Bar(M1(Spy, "2024-01-08 09:32", 100.50m, 101.50m, 100.40m, 101.20m, volume: 400)); // 1% of 400 = 4 shares

        Assert.Equal(4m, tp.FilledQuantity);
        Assert.Equal(OrderStatus.PartiallyFilled, tp.Status);
        Assert.Equal(6m, stop.Quantity);
        Assert.Equal(6m, h.Portfolio.QuantityOf(Spy));
    }

    [Fact]
    public void VolumeCap_SplitsAFillAcrossBars()
    {
        var h = Primed(new ExchangeSettings { Commission = ZeroCommission.Instance, MaxVolumeFraction = 0.1m });
        var o = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 25), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.50m, 99.50m, 100.20m, volume: 150)); // 15 shares
        Assert.Equal(15m, o.FilledQuantity);
        h.Bar(M1(Spy, "2024-01-08 09:32", 100.40m, 100.50m, 99.50m, 100.20m, volume: 1000));
        Assert.Equal(OrderStatus.Filled, o.Status);
        Assert.Equal([100.00m, 100.40m], h.Fills.Select(f => f.Price));
    }

    [Fact]
    public void Slippage_IsAdverse_OnMarketAndStops_NotOnLimits()
    {
        var h = Primed(new ExchangeSettings { Commission = ZeroCommission.Instance, SlippageBps = 10 });
        var buy = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        var limit = h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 10, 99.00m), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.10m, 98.90m, 100.00m));
        Assert.Equal(100.10m, buy.AverageFillPrice);   // 100 × 1.001
        Assert.Equal(99.00m, limit.AverageFillPrice);
        var sell = h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 20, 99.50m), "2024-01-08 09:32");
        h.Bar(M1(Spy, "2024-01-08 09:32", 99.80m, 99.90m, 99.00m, 99.20m));
        Assert.Equal(99.40050m, sell.AverageFillPrice); // 99.50 × 0.999
    }

    [Fact]
    public void CancelAndReplace()
    {
        var h = Primed();
        var o = h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 10, 95.00m, TimeInForce.Gtc), "2024-01-08 09:31");
        Assert.True(h.Exchange.Replace(o.Id, 20, 99.00m, null, Ny("2024-01-08 09:31")));
        h.Bar(M1(Spy, "2024-01-08 09:31", 99.50m, 99.60m, 98.90m, 99.10m));
        Assert.Equal(20m, o.FilledQuantity);
        Assert.Equal(99.00m, o.AverageFillPrice);
        Assert.False(h.Exchange.Cancel(o.Id, Ny("2024-01-08 09:32"))); // already filled

        var c = h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 10, 90.00m, TimeInForce.Gtc), "2024-01-08 09:32");
        Assert.True(h.Exchange.Cancel(c.Id, Ny("2024-01-08 09:32")));
        Assert.Equal(OrderStatus.Canceled, c.Status);
        Assert.Contains(h.Events, e => e.Kind == OrderEventKind.Replaced && e.Order.Id == o.Id);
    }

    [Fact]
    public void Rejections_CarryAReason()
    {
        var h = Primed(cash: 1_000m);
        Assert.Equal(RejectReason.InsufficientBuyingPower, h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 11), "2024-01-08 09:31").RejectReason);
        Assert.Equal(RejectReason.UnknownSymbol, h.Submit(OrderRequest.Market(StrategyLab.Core.Domain.Symbol.Equity("XYZ"), OrderSide.Buy, 1), "2024-01-08 09:31").RejectReason);
        Assert.Equal(RejectReason.BadQuantity, h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 0), "2024-01-08 09:31").RejectReason);
        Assert.Equal(RejectReason.BadQuantity, h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 1.5m), "2024-01-08 09:31").RejectReason);
        Assert.Equal(RejectReason.ShortSellingNotAllowed, h.Submit(OrderRequest.Market(Spy, OrderSide.Sell, 1), "2024-01-08 09:31").RejectReason);
        Assert.Equal(RejectReason.BadPrice, h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 1, 0m), "2024-01-08 09:31").RejectReason);
        var first = h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 1) with { ClientOrderId = "abc" }, "2024-01-08 09:31");
        Assert.Equal(OrderStatus.Working, first.Status);
        Assert.Equal(RejectReason.DuplicateClientOrderId, h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 1) with { ClientOrderId = "abc" }, "2024-01-08 09:31").RejectReason);

        // Open buy orders reserve buying power: 9 more shares at ~100 do not fit next to 1 + 9 already working.
        Assert.Equal(OrderStatus.Working, h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 8), "2024-01-08 09:31").Status);
        Assert.Equal(RejectReason.InsufficientBuyingPower, h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 2), "2024-01-08 09:31").RejectReason);

        var noData = new ExchangeHarness();
        Assert.Equal(RejectReason.NoMarketData, noData.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 1), "2024-01-08 09:31").RejectReason);
    }

    [Fact]
    public void MarginAccount_AllowsShorts_AndLeverage()
    {
        var h = Primed(cash: 10_000m, account: AccountType.Margin);
        var shortSale = h.Submit(OrderRequest.Market(Spy, OrderSide.Sell, 150), "2024-01-08 09:31"); // 15k of 20k buying power
        Assert.Equal(OrderStatus.Working, shortSale.Status);
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.00m, 99.00m, 99.00m));
        Assert.Equal(-150m, h.Portfolio.QuantityOf(Spy));
        Assert.Equal(10_000m + 15_000m, h.Portfolio.Cash);
        Assert.Equal(10_000m + 150m, h.Portfolio.Equity); // marked at 99
        Assert.Equal(RejectReason.InsufficientBuyingPower, h.Submit(OrderRequest.Market(Spy, OrderSide.Sell, 60), "2024-01-08 09:32").RejectReason);
    }

    [Fact]
    public void BarsOutsideRegularHours_DoNotFill()
    {
        var h = Primed();
        var gtc = h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 10, 99.00m, TimeInForce.Gtc), "2024-01-08 15:00");
        h.Bar(M1(Spy, "2024-01-08 18:00", 98.00m, 98.50m, 97.00m, 98.00m)); // after hours
        h.Bar(M1(Spy, "2024-01-09 08:00", 98.00m, 98.50m, 97.00m, 98.00m)); // pre-market
        Assert.Equal(OrderStatus.Working, gtc.Status);
        h.Bar(M1(Spy, "2024-01-09 09:30", 98.70m, 98.80m, 98.60m, 98.70m));
        Assert.Equal(98.70m, gtc.AverageFillPrice);
    }
}
