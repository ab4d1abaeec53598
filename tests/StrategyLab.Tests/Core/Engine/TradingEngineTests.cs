using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Engine;

public class TradingEngineTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");
    private static readonly Symbol Ccc = Symbol.Equity("CCC");

    /// <summary>A flat-ish minute series for one symbol: bar i opens at base + i × step.</summary>
    private static List<Bar> Minutes(Symbol s, string date, string from, int count, decimal basePrice, decimal step = 0.10m)
    {
        var bars = new List<Bar>();
        var start = Ny($"{date} {from}");
        for (var i = 0; i < count; i++)
        {
            var o = basePrice + (i * step);
            var t = start.AddMinutes(i);
            bars.Add(new Bar(s, t, t.AddMinutes(1), o, o + 0.05m, o - 0.05m, o + 0.02m, 1000));
        }

        return bars;
    }

    [Fact]
    public void EntryFillsAtNextOpen_StopLossIsARealOrder_AndCanTriggerOnTheEntryBar()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.EnterLong(Aaa, "test_entry"));
        var h = new EngineHarness(strategy, [Aaa], risk: new RiskSettings { StopLossPct = 2m });
        var bars = new List<Bar>
        {
            M1(Aaa, "2024-01-08 09:30", 100.00m, 100.20m, 99.90m, 100.00m),
            M1(Aaa, "2024-01-08 09:31", 100.00m, 100.50m, 97.50m, 98.00m), // entry at 100, stop 98.00 reached
            M1(Aaa, "2024-01-08 09:32", 98.00m, 98.20m, 97.90m, 98.10m),
        };

        h.Engine.Run(bars);

        var trip = Assert.Single(h.Recorder.Trips);
        Assert.Equal(TradeDirection.Long, trip.Direction);
        Assert.Equal(10m, trip.Quantity);
        Assert.Equal(Ny("2024-01-08 09:31"), trip.EntryTimeUtc);
        Assert.Equal(100.00m, trip.EntryPrice);
        Assert.Equal(98.00m, trip.ExitPrice);
        Assert.Equal(Ny("2024-01-08 09:32"), trip.ExitTimeUtc);
        Assert.Equal(-20.00m, trip.Pnl);
        Assert.Equal("stop_loss", trip.ExitReason);
        Assert.Equal(3, h.Engine.Counters.Cycles);
        h.AssertInvariants(bars);
    }

    [Fact]
    public void SignalExit_CancelsTheProtectiveOrders_AndFlattensAtTheNextOpen()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:35", c => c.Exit(Aaa, "test_exit"));
        var h = new EngineHarness(strategy, [Aaa], risk: new RiskSettings { StopLossPct = 2m, TakeProfitPct = 5m });
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 10, 100m);

        h.Engine.Run(bars);

        var trip = Assert.Single(h.Recorder.Trips);
        Assert.Equal("test_exit", trip.ExitReason);
        Assert.Equal(100.10m, trip.EntryPrice); // open of the 09:31 bar
        Assert.Equal(100.50m, trip.ExitPrice);  // open of the 09:35 bar
        Assert.Empty(h.Exchange.OpenOrders);
        var stop = h.Exchange.AllOrders.Single(o => o.Tag == "stop_loss");
        var tp = h.Exchange.AllOrders.Single(o => o.Tag == "take_profit");
        Assert.Equal(98.09m, stop.StopPrice);   // 100.10 × 0.98 = 98.098 → 98.09 (a long stop rounds down, away from the market)
        Assert.Equal(105.11m, tp.LimitPrice);   // 100.10 × 1.05 = 105.105 → 105.11
        Assert.Equal(OrderStatus.Canceled, stop.Status);
        Assert.Equal(OrderStatus.Canceled, tp.Status);
        h.AssertInvariants(bars);
    }

    [Fact]
    public void SliceBars_AreSeenInSymbolOrder_WhateverTheInputOrder()
    {
        var strategy = new ScriptedStrategy();
        var h = new EngineHarness(strategy, [Bbb, Aaa]);
        var a = Minutes(Aaa, "2024-01-08", "09:30", 3, 50m);
        var b = Minutes(Bbb, "2024-01-08", "09:30", 3, 80m);
        var interleaved = new List<Bar> { b[0], a[0], a[1], b[1], b[2], a[2] };

        h.Engine.Run(interleaved);

        Assert.Equal(
            ["AAA", "BBB", "AAA", "BBB", "AAA", "BBB"],
            strategy.Seen.Select(x => x.Symbol.Ticker));
        Assert.Equal(3, h.Engine.Counters.Cycles);
    }

    [Fact]
    public void BarsOutOfTimeOrder_AreAnError()
    {
        var h = new EngineHarness(new ScriptedStrategy(), [Aaa]);
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 3, 50m);
        var ex = Assert.Throws<InvalidOperationException>(() => h.Engine.Run([bars[1], bars[0]]));
        Assert.Contains("not in time order", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BarsOutsideRegularHours_NeverReachTheStrategy()
    {
        var strategy = new ScriptedStrategy();
        var h = new EngineHarness(strategy, [Aaa]);
        var bars = Minutes(Aaa, "2024-01-08", "09:25", 10, 50m); // 09:25..09:34
        h.Engine.Run(bars);
        Assert.Equal(5, strategy.Seen.Count);
        Assert.Equal(Ny("2024-01-08 09:31"), strategy.Seen[0].End);
        Assert.Equal(5, h.Engine.Counters.BarsDropped);
        Assert.Equal([new DateOnly(2024, 1, 8)], strategy.SessionOpens);

        // The dropped pre-market bars are tallied for the end-of-run report, as extended hours of 2024-01-08.
        var extended = h.Engine.OutsideSession[OutsideSessionKind.ExtendedHours];
        Assert.Equal(5, extended.Count);
        Assert.Equal([(new DateOnly(2024, 1, 8), 5L)], extended.FirstDates);
        Assert.Equal(0, h.Engine.OutsideSession[OutsideSessionKind.ClosedDay].Count);
    }

    [Fact]
    public void MaxPositions_BlocksTheEntryBeyondTheLimit()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c =>
        {
            c.EnterLong(Ccc);
            c.EnterLong(Aaa);
            c.EnterLong(Bbb);
        });
        var h = new EngineHarness(strategy, [Aaa, Bbb, Ccc], sizing: new TradeManagerSettings { Sizing = SizingMode.FixedQuantity, Quantity = 1, MaxPositions = 2 });
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 3, 50m)
            .Concat(Minutes(Bbb, "2024-01-08", "09:30", 3, 60m))
            .Concat(Minutes(Ccc, "2024-01-08", "09:30", 3, 70m))
            .OrderBy(b => b.End).ToList();

        h.Engine.Run(bars);

        Assert.Equal(1m, h.Portfolio.QuantityOf(Aaa)); // entries are taken in symbol order
        Assert.Equal(1m, h.Portfolio.QuantityOf(Bbb));
        Assert.Equal(0m, h.Portfolio.QuantityOf(Ccc));
        Assert.Equal(1, h.TradeManager.BlockedEntries);
    }

    [Fact]
    public void PercentEquitySizing_UsesTheLastClose()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.EnterLong(Aaa));
        var h = new EngineHarness(strategy, [Aaa], sizing: new TradeManagerSettings()); // 0.5% of 100,000 = 500
        h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 3, 99.98m, 0m)); // close 100.00
        Assert.Equal(5m, h.Portfolio.QuantityOf(Aaa));
    }

    [Fact]
    public void DailyLossLimit_BlocksEntriesForTheRestOfTheDay()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:40", c => c.EnterLong(Aaa))
            .At("2024-01-09 09:31", c => c.EnterLong(Aaa));
        var h = new EngineHarness(
            strategy,
            [Aaa],
            risk: new RiskSettings { StopLossPct = 1m, DailyLossLimitPct = 0.4m },
            sizing: new TradeManagerSettings { Sizing = SizingMode.FixedQuantity, Quantity = 500 });
        var day1 = Minutes(Aaa, "2024-01-08", "09:30", 15, 100m, -0.20m); // falls 20 cents a minute
        var day2 = Minutes(Aaa, "2024-01-09", "09:30", 3, 90m, 0m);

        h.Engine.Run([.. day1, .. day2]);

        var trip = Assert.Single(h.Recorder.Trips, t => t.EntryTimeUtc < Ny("2024-01-09 00:00"));
        Assert.Equal("stop_loss", trip.ExitReason); // 500 × 1.00 = 500 lost ≥ 0.4% of 100,000
        Assert.Equal(-500m, trip.Pnl);
        Assert.Equal(1, h.TradeManager.BlockedEntries); // 09:40 blocked
        Assert.Equal(500m, h.Portfolio.QuantityOf(Aaa)); // the next day trades again
    }

    [Fact]
    public void NoEntriesInTheLastMinutesOfTheSession_EarlyClosesIncluded()
    {
        var earlyClose = new DateOnly(2024, 1, 9);
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 15:29", c => c.EnterLong(Aaa))  // 31 minutes before 16:00: allowed
            .At("2024-01-08 15:40", c => c.EnterLong(Bbb))  // 20 minutes before: blocked
            .At("2024-01-09 12:35", c => c.EnterLong(Bbb)); // 25 minutes before the 13:00 early close: blocked
        var h = new EngineHarness(
            strategy,
            [Aaa, Bbb],
            risk: new RiskSettings { StopLossPct = null, StopEntriesMinutesBeforeClose = 30 },
            calendar: new Support.WeekdayTestCalendar(earlyClose));
        var bars = Minutes(Aaa, "2024-01-08", "15:25", 35, 50m)
            .Concat(Minutes(Bbb, "2024-01-08", "15:25", 35, 60m))
            .Concat(Minutes(Bbb, "2024-01-09", "12:30", 30, 60m))
            .OrderBy(b => b.End).ThenBy(b => b.Symbol).ToList();

        h.Engine.Run(bars);

        Assert.Equal(10m, h.Portfolio.QuantityOf(Aaa));
        Assert.Equal(0m, h.Portfolio.QuantityOf(Bbb));
        Assert.Equal(2, h.TradeManager.BlockedEntries);
    }

    [Fact]
    public void WarmupCycles_SuppressIntents()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:34", c => c.EnterLong(Aaa));
        var h = new EngineHarness(strategy, [Aaa], options: new EngineOptions { MinCyclesBeforeTrading = 3 });
        h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 6, 50m));
        Assert.Equal(1, h.Engine.Counters.IntentsSuppressed);
        Assert.Single(h.Recorder.Fills);
        Assert.Equal(Ny("2024-01-08 09:34"), h.Recorder.Fills[0].TimeUtc);
    }

    [Fact]
    public void WarmUp_FeedsHistoryButNeitherTradesNorFills()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.EnterLong(Aaa));
        var h = new EngineHarness(strategy, [Aaa]);
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 4, 50m);
        h.Engine.WarmUp(bars.Take(2).ToArray());
        IStrategyContext? ctx = null;
        strategy.At("2024-01-08 09:33", c => ctx = c);
        h.Engine.Run(bars.Skip(2));
        Assert.Empty(h.Recorder.Fills);
        Assert.Equal(1, h.Engine.Counters.IntentsSuppressed);
        Assert.Equal(2, h.Engine.Counters.WarmupBars);
        Assert.NotNull(ctx);
    }

    [Fact]
    public void History_IsContiguousAndEndsWithTheCurrentBar()
    {
        var captured = new List<decimal[]>();
        var strategy = new HistoryProbe(captured);
        var h = new EngineHarness(strategy, [Aaa], options: new EngineOptions { HistoryCapacity = 3 });
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 8, 10m, 1m);
        h.Engine.Run(bars);
        Assert.Equal([10m], captured[0]);
        Assert.Equal([10m, 11m, 12m], captured[2]);
        Assert.Equal([15m, 16m, 17m], captured[7]);
    }

    [Fact]
    public void History_FromAPooledBuffer_IsTheUnpooledHistory_AndTheBufferGoesBack()
    {
        // The pool hands out buffers full of a stale bar, as a buffer a previous sweep run used would be: none may show.
        var pool = new StaleBarPool(new Bar(Ccc, Ny("2020-01-02 09:30"), Ny("2020-01-02 09:31"), 999m, 999m, 999m, 999m, 1));
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 30, 10m, 1m); // 30 bars through a 12-bar buffer: it slides twice
        List<decimal[]> Run(EngineOptions options)
        {
            var captured = new List<decimal[]>();
            var h = new EngineHarness(new HistoryProbe(captured), [Aaa], options: options);
            h.Engine.Run(bars);
            h.Engine.Finish(bars[^1].End);
            h.Engine.ReturnHistoryBuffers();
            return captured;
        }

        var unpooled = Run(new EngineOptions { HistoryCapacity = 3 });
        var pooled = Run(new EngineOptions { HistoryCapacity = 3, HistoryBuffers = pool });
        Assert.Equal(30, unpooled.Count);
        Assert.Equal(unpooled, pooled);
        Assert.Equal(1, pool.Rented);
        Assert.Equal(1, pool.Returned);
    }

    [Fact]
    public void ClosePositionsAtEnd_LiquidatesAtTheLastPrice()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.EnterLong(Aaa));
        var h = new EngineHarness(strategy, [Aaa], options: new EngineOptions { ClosePositionsAtEnd = true });
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 4, 50m);
        h.Engine.Run(bars);
        h.Engine.Finish(bars[^1].End);
        var trip = Assert.Single(h.Recorder.Trips);
        Assert.Equal("end_of_run", trip.ExitReason);
        Assert.Equal(bars[^1].Close, trip.ExitPrice);
        Assert.Equal(0, h.Portfolio.OpenPositionCount);
    }

    [Fact]
    public void RandomisedRuns_KeepTheInvariants_AndAreDeterministic()
    {
        string Run(int seed, out EngineHarness harness, out List<Bar> bars)
        {
            var rng = new Random(seed);
            bars = [];
            foreach (var s in new[] { Aaa, Bbb })
            {
                var price = 100m;
                foreach (var day in new[] { "2024-01-08", "2024-01-09", "2024-01-10" })
                {
                    var t = Ny($"{day} 09:30");
                    for (var i = 0; i < 390; i++)
                    {
                        var o = price;
                        var c = Math.Max(1m, o + (decimal)((rng.NextDouble() - 0.5) * 0.6));
                        var hi = Math.Max(o, c) + (decimal)(rng.NextDouble() * 0.2);
                        var lo = Math.Min(o, c) - (decimal)(rng.NextDouble() * 0.2);
                        bars.Add(new Bar(s, t.AddMinutes(i), t.AddMinutes(i + 1), Math.Round(o, 2), Math.Round(hi, 2), Math.Round(lo, 2), Math.Round(c, 2), rng.Next(100, 10_000)));
                        price = Math.Round(c, 2);
                    }

                    price += (decimal)((rng.NextDouble() - 0.5) * 3); // overnight gap
                }
            }

            bars.Sort((x, y) => x.End != y.End ? x.End.CompareTo(y.End) : string.CompareOrdinal(x.Symbol.Ticker, y.Symbol.Ticker));
            var strategy = new RandomStrategy(seed);
            harness = new EngineHarness(
                strategy,
                [Aaa, Bbb],
                risk: new RiskSettings { StopLossPct = 0.5m, TakeProfitPct = 0.7m, TrailingStopPct = 0.6m },
                sizing: new TradeManagerSettings { PositionSizePct = 20m },
                exchange: new ExchangeSettings { Commission = new PerShareCommission(), MaxVolumeFraction = 0.05m });
            harness.Engine.Run(bars);
            return string.Join('\n', harness.Recorder.Events.Select(e => $"{e.Kind} {e.Order} {e.TimeUtc:O} {e.Fill}"));
        }

        var first = Run(7, out var h, out var bars);
        Assert.True(h.Recorder.Trips.Count > 20, $"only {h.Recorder.Trips.Count} trips");
        Assert.Contains(h.Recorder.Trips, t => t.ExitReason == "stop_loss");
        Assert.Contains(h.Recorder.Trips, t => t.ExitReason == "take_profit");
        h.AssertInvariants(bars);
        Assert.Equal(first, Run(7, out _, out _));
    }

    /// <summary>A pool whose every buffer is filled with <paramref name="stale"/>; counts what is rented and returned.</summary>
    private sealed class StaleBarPool(Bar stale) : System.Buffers.ArrayPool<Bar>
    {
        public int Rented { get; private set; }

        public int Returned { get; private set; }

        public override Bar[] Rent(int minimumLength)
        {
            Rented++;
            var buffer = new Bar[minimumLength + 5]; // longer than asked, as a pool's buckets are
            Array.Fill(buffer, stale);
            return buffer;
        }

        public override void Return(Bar[] array, bool clearArray = false) => Returned++;
    }

    private sealed class HistoryProbe(List<decimal[]> captured) : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
            var history = context.History(bar.Symbol, 3);
            Assert.Equal(bar, history[^1]);
            captured.Add([.. history.ToArray().Select(b => b.Open)]);
        }
    }

    private sealed class RandomStrategy(int seed) : IStrategy
    {
        private readonly Random _rng = new(seed);

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            var roll = _rng.Next(100);
            if (roll < 4)
            {
                context.EnterLong(bar.Symbol, "random_entry");
            }
            else if (roll < 6)
            {
                context.Exit(bar.Symbol, "random_exit");
            }
        }
    }
}
