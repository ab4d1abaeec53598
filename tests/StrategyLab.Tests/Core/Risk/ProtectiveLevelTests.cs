using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Tests.Core.Engine;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Risk;

/// <summary>Stop-loss and take-profit levels on sub-dollar prices: rounded to the instrument's increment, away from the market.</summary>
public class ProtectiveLevelTests
{
    /// <summary>Goes long whenever it is flat with nothing pending.</summary>
    private sealed class AlwaysLong : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (context.PositionOf(bar.Symbol) == 0 && !context.HasPendingEntry(bar.Symbol))
            {
                context.EnterLong(bar.Symbol, "entry");
            }
        }
    }

    /// <summary>A deterministic minute walk around <paramref name="price"/>, with moves of a few percent, on the test calendar.</summary>
    private static List<Bar> Walk(Symbol symbol, decimal price, decimal tick, int count, int seed)
    {
        var random = new Random(seed);
        var bars = new List<Bar>(count);
        var start = Ny("2024-01-08 09:30");
        var close = price;
        for (var i = 0; i < count; i++)
        {
            var t = start.AddMinutes(i % 390).AddDays(i / 390 * 1);
            while (t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                t = t.AddDays(1);
            }

            var open = close;
            var move = (decimal)((random.NextDouble() - 0.5) * 0.06); // ±3 %
            var next = Math.Max(tick, decimal.Round(open * (1 + move) / tick) * tick);
            var high = Math.Max(open, next) + (tick * random.Next(0, 5));
            var low = Math.Max(tick, Math.Min(open, next) - (tick * random.Next(0, 5)));
            bars.Add(new Bar(symbol, t, t.AddMinutes(1), open, high, low, next, 1_000_000));
            close = next;
        }

        return bars;
    }

    [Theory]
    [InlineData("BINANCE:DOGEUSDT", 0.098, 0.00001)] // built-in Binance table
    [InlineData("SUBD", 0.85, 0.0001)]              // a sub-dollar stock: the sub-penny rule
    [InlineData("X:NEWCOINUSD", 0.1234, 0.0001)]     // a pair in no table: the increment comes from its data
    public void EveryTwoPercentStop_SitsTwoPercentBelowItsEntry_AndNoStopExitsAtOrAboveTheEntry(string ticker, double price, double tick)
    {
        var symbol = Symbol.Parse(ticker);
        var increment = (decimal)tick;
        var h = new EngineHarness(
            new AlwaysLong(),
            [symbol],
            risk: new RiskSettings { StopLossPct = 2m, TakeProfitPct = 3m },
            sizing: new TradeManagerSettings { Sizing = SizingMode.FixedNotional, Notional = 1000m });
        var bars = Walk(symbol, (decimal)price, increment, 2000, seed: 7);

        h.Engine.Run(bars);

        var entries = h.Exchange.AllOrders.Where(o => o.Tag == "entry" && o.Status == OrderStatus.Filled).ToDictionary(o => o.Id);
        var stops = h.Exchange.AllOrders.Where(o => o.Tag == "stop_loss").ToList();
        var targets = h.Exchange.AllOrders.Where(o => o.Tag == "take_profit").ToList();
        Assert.True(stops.Count > 50, $"only {stops.Count} stops placed");
        foreach (var stop in stops)
        {
            var entry = entries[long.Parse(stop.OcoGroup!["oco-".Length..], System.Globalization.CultureInfo.InvariantCulture)].AverageFillPrice;
            var exact = entry * 0.98m;
            Assert.InRange(stop.StopPrice!.Value, exact - increment, exact); // rounded down, by less than one increment
            Assert.Equal(0m, stop.StopPrice!.Value % increment);
        }

        foreach (var target in targets)
        {
            var entry = entries[long.Parse(target.OcoGroup!["oco-".Length..], System.Globalization.CultureInfo.InvariantCulture)].AverageFillPrice;
            Assert.InRange(target.LimitPrice!.Value, entry * 1.03m, (entry * 1.03m) + increment); // rounded up
        }

        var stopped = h.Recorder.Trips.Where(t => t.ExitReason == "stop_loss").ToList();
        Assert.NotEmpty(stopped);
        Assert.All(stopped, t => Assert.True(t.ExitPrice < t.EntryPrice, $"stop-loss exit at {t.ExitPrice} for an entry at {t.EntryPrice}"));
        Assert.DoesNotContain(h.Recorder.Events, e => e.Order.RejectReason == RejectReason.StopAlreadyTriggered);
    }

    [Fact]
    public void Catalog_Rules_SubPenny_Table_Override_AndLearntDecimals()
    {
        var spy = Symbol.Equity("SPY");
        var doge = Symbol.Crypto("BINANCE:DOGEUSDT");
        var btc = Symbol.Crypto("COINBASE:BTC-USD");
        var odd = Symbol.Crypto("X:ODDUSD");
        var catalog = new InstrumentCatalog(new Dictionary<Symbol, InstrumentOverride> { [btc] = new(0.5m, null) });

        Assert.Equal(0.01m, catalog.PriceIncrement(spy, 1.00m));
        Assert.Equal(0.0001m, catalog.PriceIncrement(spy, 0.9999m));
        Assert.Equal(1m, catalog.QuantityStep(spy));
        Assert.Equal(0.8330m, catalog.RoundPrice(spy, 0.85m * 0.98m, PriceRounding.Down));
        Assert.Equal(98.09m, catalog.RoundPrice(spy, 98.098m, PriceRounding.Down));
        Assert.Equal(98.10m, catalog.RoundPrice(spy, 98.091m, PriceRounding.Up));
        Assert.Equal(0.09604m, catalog.RoundPrice(doge, 0.098m * 0.98m, PriceRounding.Down));
        Assert.Equal(1m, catalog.QuantityStep(doge));
        Assert.Equal(41_999.5m, catalog.RoundPrice(btc, 41_999.99m, PriceRounding.Down)); // the override wins
        Assert.Equal(0.00000001m, catalog.QuantityStep(btc));

        Assert.True(catalog.LearnsFromBars(odd));
        Assert.False(catalog.LearnsFromBars(doge));
        Assert.Equal(InstrumentCatalog.FinestStep, catalog.PriceIncrement(odd, 1m)); // nothing seen yet
        catalog.Observe(new Bar(odd, Ny("2024-01-08 09:30"), Ny("2024-01-08 09:31"), 1.5m, 1.52m, 1.49m, 1.505m, 1));
        Assert.Equal(0.001m, catalog.PriceIncrement(odd, 1.5m));
    }

    [Theory]
    [InlineData("BINANCE:BTCUSDT", 0.01, 0.00001)]
    [InlineData("BTC-USD", 0.01, 0.00000001)]
    [InlineData("X:DOGEUSD", 0.00001, 0.1)]
    [InlineData("ETH/USD", 0.01, 0.00000001)]
    public void CryptoTable_ReadsEveryTickerForm(string ticker, double price, double quantity)
    {
        Assert.True(CryptoInstrumentTable.TryGet(ticker, out var spec));
        Assert.Equal((decimal)price, spec.PriceIncrement);
        Assert.Equal((decimal)quantity, spec.QuantityStep);
    }
}
