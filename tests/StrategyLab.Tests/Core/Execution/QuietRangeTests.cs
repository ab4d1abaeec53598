using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Execution;

/// <summary>
/// The exchange skips a symbol's matching on a bar inside the quiet range of its working orders: such a bar must reach
/// none of them (checked against <see cref="FillPrices.CouldFill"/>, the matching's own test), and the range must be
/// forgotten when the orders change.
/// </summary>
public sealed class QuietRangeTests
{
    private static readonly Symbol Spy = ExchangeHarness.Spy;
    private static readonly DateTime Created = Ny("2024-01-08 09:31");

    [Fact]
    public void ABarInsideTheRange_ReachesNoOrder_RandomOrdersAndBars()
    {
        var random = new Random(20261207);
        var inside = 0;
        for (var trial = 0; trial < 20_000; trial++)
        {
            var orders = new List<Order>();
            for (var i = random.Next(1, 5); i > 0; i--)
            {
                var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
                var price = Price(random);
                orders.Add(new Order(
                    orders.Count + 1,
                    null,
                    random.Next(2) == 0 ? OrderRequest.Stop(Spy, side, 10, price) : OrderRequest.Limit(Spy, side, 10, price),
                    Created));
            }

            Assert.True(QuietRange.TryOf(orders, Created, out var range));
            for (var b = 0; b < 20; b++)
            {
                var bar = RandomBar(random);
                var reached = orders.Any(o => FillPrices.CouldFill(o, bar));
                if (range.Contains(bar))
                {
                    inside++;
                    Assert.False(reached, $"{bar} is inside the range but reaches {string.Join(", ", orders.Where(o => FillPrices.CouldFill(o, bar)))}");
                }
            }
        }

        Assert.True(inside > 20_000, $"only {inside} bars inside: the test does not exercise the range");
    }

    [Fact]
    public void TheRangeIsExact_AtItsEdges()
    {
        List<Order> orders =
        [
            new Order(1, null, OrderRequest.Stop(Spy, OrderSide.Sell, 10, 99.00m), Created),
            new Order(2, null, OrderRequest.Limit(Spy, OrderSide.Sell, 10, 101.0m), Created),
        ];
        Assert.True(QuietRange.TryOf(orders, Created, out var range));
        Assert.True(range.Contains(M1(Spy, "2024-01-08 09:40", 100m, 100.99m, 99.01m, 100m)));
        Assert.False(range.Contains(M1(Spy, "2024-01-08 09:40", 100m, 100.99m, 99.000m, 100m))); // low at the stop (another scale)
        Assert.False(range.Contains(M1(Spy, "2024-01-08 09:40", 100m, 101.00m, 99.01m, 100m))); // high at the limit
    }

    [Fact]
    public void NoRange_ForOrdersThatMoveOrAreNotActiveYet()
    {
        Assert.False(QuietRange.TryOf([new Order(1, null, OrderRequest.TrailingStop(Spy, OrderSide.Sell, 10, 1m), Created)], Created, out _));
        Assert.False(QuietRange.TryOf([new Order(1, null, OrderRequest.StopLimit(Spy, OrderSide.Sell, 10, 99m, 98m), Created)], Created, out _));
        Assert.False(QuietRange.TryOf([new Order(1, null, OrderRequest.Market(Spy, OrderSide.Buy, 10), Created)], Created, out _));
        Assert.False(QuietRange.TryOf([new Order(1, null, OrderRequest.Stop(Spy, OrderSide.Sell, 10, 99m), Created)], Created.AddMinutes(-1), out _));
        Assert.True(QuietRange.TryOf([], Created, out var none));
        Assert.True(none.Contains(M1(Spy, "2024-01-08 09:40", 100m, 100m, 100m, 100m)));
    }

    [Fact]
    public void AStopMovedIntoTheNextBar_FillsOnIt_AfterQuietBars()
    {
        var h = new ExchangeHarness();
        h.Bar(M1(Spy, "2024-01-08 09:30", 100.00m, 100.50m, 99.80m, 100.20m));
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.10m, 99.90m, 100.00m));
        var stop = h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 10, 95.00m, TimeInForce.Gtc), "2024-01-08 09:32");
        h.Bar(M1(Spy, "2024-01-08 09:32", 100.00m, 100.20m, 99.80m, 100.10m)); // learns the range (95 … none)
        h.Bar(M1(Spy, "2024-01-08 09:33", 100.10m, 100.20m, 99.70m, 99.90m)); // inside: skipped
        Assert.Single(h.Fills);

        Assert.True(h.Exchange.Replace(stop.Id, null, null, 99.75m, Ny("2024-01-08 09:34")));
        h.Bar(M1(Spy, "2024-01-08 09:34", 99.90m, 100.00m, 99.60m, 99.80m)); // inside the old range, reaches the new stop

        Assert.Equal(2, h.Fills.Count);
        Assert.Equal(99.75m, h.Fills[1].Price);
    }

    [Fact]
    public void AnOrderAddedAfterQuietBars_IsMatched_OnTheNextBar()
    {
        var h = new ExchangeHarness();
        h.Bar(M1(Spy, "2024-01-08 09:30", 100.00m, 100.50m, 99.80m, 100.20m));
        h.Submit(OrderRequest.Market(Spy, OrderSide.Buy, 10), "2024-01-08 09:31");
        h.Bar(M1(Spy, "2024-01-08 09:31", 100.00m, 100.10m, 99.90m, 100.00m));
        h.Submit(OrderRequest.Stop(Spy, OrderSide.Sell, 10, 95.00m, TimeInForce.Gtc), "2024-01-08 09:32");
        h.Bar(M1(Spy, "2024-01-08 09:32", 100.00m, 100.20m, 99.80m, 100.10m));
        h.Bar(M1(Spy, "2024-01-08 09:33", 100.10m, 100.20m, 99.70m, 99.90m));

        h.Submit(OrderRequest.Limit(Spy, OrderSide.Sell, 10, 100.05m, TimeInForce.Gtc), "2024-01-08 09:34");
        h.Bar(M1(Spy, "2024-01-08 09:34", 99.90m, 100.10m, 99.80m, 100.00m)); // inside the stop's range, reaches the limit

        Assert.Equal(2, h.Fills.Count);
        Assert.Equal(100.05m, h.Fills[1].Price);
    }

    // Prices around 100 at scales 0 to 4, so that compares across scales are exercised.
    private static decimal Price(Random random)
    {
        var scale = random.Next(5);
        var step = (decimal)Math.Pow(10, -scale);
        return Math.Round(95m + ((decimal)random.NextDouble() * 10m), scale) + (random.Next(3) == 0 ? step : 0m);
    }

    private static decimal Offset(Random random) => Math.Round((decimal)random.NextDouble() * 0.5m, random.Next(5));

    private static Bar RandomBar(Random random)
    {
        // Narrow bars around a random price: many fall between the orders, some touch one exactly.
        var center = Price(random);
        decimal[] p = [center, center + Offset(random), center - Offset(random), center + Offset(random) - Offset(random)];
        Array.Sort(p);
        var (open, close) = random.Next(2) == 0 ? (p[1], p[2]) : (p[2], p[1]);
        return M1(Spy, "2024-01-08 09:40", open, p[3], p[0], close);
    }
}
