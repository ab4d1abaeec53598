using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Execution;

/// <summary>
/// The exchange's per-bar shortcut for working orders the bar does not reach (an open position's stop on most of its
/// bars): it must skip exactly the bars on which matching would do nothing, and never a fill, a trigger, a trail move or
/// an expiry.
/// </summary>
public class WorkingOrdersNotReachedTests
{
    private static readonly Symbol Spy = ExchangeHarness.Spy;

    /// <summary>
    /// A bracket (stop and take-profit in one OCO group) on a long or a short, under random bars on a cent grid that
    /// often touch either price exactly: the first fill comes on the first bar the fill rules say reaches an order (a
    /// stop at or through its price, a limit crossed or gapped through, not merely touched; the stop first when both),
    /// computed here independently of the exchange.
    /// </summary>
    [Theory]
    [InlineData(OrderSide.Sell)]
    [InlineData(OrderSide.Buy)]
    public void Bracket_FillsOnTheFirstBarThatReachesAnOrder_AndNotBefore(OrderSide exitSide)
    {
        var random = new Random(20261208 + (int)exitSide);
        for (var scenario = 0; scenario < 200; scenario++)
        {
            var h = new ExchangeHarness(account: AccountType.Margin);
            h.Bar(M1(Spy, "2024-01-08 09:30", 100.00m, 100.00m, 100.00m, 100.00m));
            var entrySide = exitSide == OrderSide.Sell ? OrderSide.Buy : OrderSide.Sell;
            h.Submit(OrderRequest.Market(Spy, entrySide, 10), "2024-01-08 09:31");
            h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.00m, 100.00m, 100.00m));
            Assert.Single(h.Fills);

            // Exit prices a few cents either side of 100; the bars wander inside and sometimes onto or past them.
            var distance = random.Next(3, 12) / 100m;
            var sellExit = exitSide == OrderSide.Sell;
            var stopPrice = sellExit ? 100m - distance : 100m + distance;
            var limitPrice = sellExit ? 100m + distance : 100m - distance;
            var stop = h.Submit(OrderRequest.Stop(Spy, exitSide, 10, stopPrice, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");
            var limit = h.Submit(OrderRequest.Limit(Spy, exitSide, 10, limitPrice, TimeInForce.Gtc) with { OcoGroup = "g" }, "2024-01-08 09:32");

            var time = Ny("2024-01-08 09:32");
            Order? expected = null;
            for (var minute = 0; minute < 60 && expected is null; minute++)
            {
                var bar = RandomBar(random, time.AddMinutes(minute), distance);
                var stopReached = sellExit ? bar.Low <= stopPrice : bar.High >= stopPrice;
                var limitReached = sellExit
                    ? bar.Open >= limitPrice || bar.High > limitPrice
                    : bar.Open <= limitPrice || bar.Low < limitPrice;
                expected = stopReached ? stop : limitReached ? limit : null;

                h.Bar(bar);

                if (expected is null)
                {
                    Assert.Single(h.Fills);
                    Assert.Equal(OrderStatus.Working, stop.Status);
                    Assert.Equal(OrderStatus.Working, limit.Status);
                    Assert.Equal(bar.Close, h.Exchange.LastPrice(Spy));
                }
            }

            if (expected is not null)
            {
                Assert.Equal(2, h.Fills.Count);
                Assert.Equal(expected.Id, h.Fills[1].OrderId);
                Assert.Equal(OrderStatus.Filled, expected.Status);
                Assert.Equal(OrderStatus.Canceled, ReferenceEquals(expected, stop) ? limit.Status : stop.Status);
                Assert.Equal(0m, h.Portfolio.QuantityOf(Spy));
            }
        }
    }

    [Fact]
    public void DayOrderTheBarsNeverReach_StillExpires_AtTheSessionClose()
    {
        var h = new ExchangeHarness();
        h.Bar(M1(Spy, "2024-01-08 09:30", 100.00m, 100.50m, 99.80m, 100.20m));
        var limit = h.Submit(OrderRequest.Limit(Spy, OrderSide.Buy, 10, 90.00m), "2024-01-08 15:58");
        Assert.Equal(Ny("2024-01-08 16:00"), limit.ExpiresUtc);

        h.Bar(M1(Spy, "2024-01-08 15:58", 100.00m, 100.10m, 99.90m, 100.00m));
        h.Bar(M1(Spy, "2024-01-08 15:59", 100.00m, 100.10m, 99.90m, 100.00m));
        Assert.Equal(OrderStatus.Working, limit.Status);

        // Far from the limit again, but at the expiry: the bar must not take the shortcut past it.
        h.Bar(M1(Spy, "2024-01-09 09:30", 100.00m, 100.10m, 99.90m, 100.00m));
        Assert.Equal(OrderStatus.Expired, limit.Status);
        Assert.Empty(h.Fills);
    }

    [Fact]
    public void TrailingStopTheBarsDoNotReach_StillMovesWithTheHighs()
    {
        var h = new ExchangeHarness();
        h.Bar(M1(Spy, "2024-01-08 09:30", 100.00m, 100.00m, 100.00m, 100.00m));
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.00m, 100.00m, 100.00m));
        var trail = h.Submit(OrderRequest.TrailingStop(Spy, OrderSide.Sell, 10, 1m, TimeInForce.Gtc), "2024-01-08 09:32");
        Assert.Equal(99.00m, trail.StopPrice);

        h.Bar(M1(Spy, "2024-01-08 09:32", 100.00m, 101.00m, 99.90m, 100.90m)); // far above the stop: moves it
        Assert.Equal(99.99m, trail.StopPrice);
        h.Bar(M1(Spy, "2024-01-08 09:33", 100.90m, 103.00m, 100.80m, 102.90m));
        Assert.Equal(101.97m, trail.StopPrice);
        Assert.Single(h.Fills);
    }

    /// <summary>A bar on the cent grid within <c>2 × distance</c> of 100: open, close, high ≥ both, low ≤ both.</summary>
    private static Bar RandomBar(Random random, DateTime startUtc, decimal distance)
    {
        var span = (int)(distance * 100) * 2;
        decimal Price() => 100m + (random.Next(-span, span + 1) / 100m);
        var open = Price();
        var close = Price();
        var high = Math.Max(Math.Max(open, close), Price());
        var low = Math.Min(Math.Min(open, close), Price());
        return new Bar(Spy, startUtc, startUtc.AddMinutes(1), open, high, low, close, 1000m);
    }
}
