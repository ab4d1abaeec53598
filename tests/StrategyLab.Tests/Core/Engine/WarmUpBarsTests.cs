using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Strategies;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>IStrategy.WarmUpBars: a symbol's intents are ignored until it has seen that many bars in the run.</summary>
public sealed class WarmUpBarsTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");

    private static Bar Minute(Symbol s, int i) => M1(s, $"2024-01-08 {9 + ((30 + i) / 60):00}:{(30 + i) % 60:00}", 100, 101, 99, 100);

    [Fact]
    public void IntentsOfASymbol_AreIgnoredUntilItsWarmUpBarsHaveBeenSeen_CountedAndLoggedOncePerSymbol()
    {
        var strategy = new EnterEveryBar(warmUp: 5);
        var log = new StrategyLab.Tests.Data.CapturingLogger();
        var h = new EngineHarness(strategy, [Aaa, Bbb]);
        var engine = new TradingEngine(strategy, h.Exchange, h.Portfolio, h.TradeManager, [Aaa, Bbb], _ => WeekdayTestCalendar.Instance, h.Recorder, log, new EngineOptions());
        h.Exchange.Listener = engine;

        // AAA trades from the first minute, BBB only from the third: each symbol counts its own bars.
        var bars = Enumerable.Range(0, 10).SelectMany(i => i < 2 ? [Minute(Aaa, i)] : new[] { Minute(Aaa, i), Minute(Bbb, i) }).ToList();
        engine.Run(bars);

        var entries = h.Recorder.Events.Where(e => e.Kind == StrategyLab.Core.Execution.OrderEventKind.Accepted).Select(e => (e.Order.Symbol, e.Order.CreatedUtc)).ToList();
        Assert.Equal(Minute(Aaa, 4).End, entries.First(e => e.Symbol == Aaa).CreatedUtc); // AAA's 5th bar
        Assert.Equal(Minute(Bbb, 6).End, entries.First(e => e.Symbol == Bbb).CreatedUtc); // BBB's 5th bar
        Assert.Equal(4 + 4, engine.Counters.IntentsSuppressed);
        var logged = log.Entries.Where(e => e.Event.Name == "strategy.intent.suppressed").Select(e => e.Message).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Contains(logged, m => m.StartsWith("AAA: EnterLong (every_bar)", StringComparison.Ordinal) && m.Contains("(1/5 bars)", StringComparison.Ordinal));
        Assert.Contains(logged, m => m.StartsWith("BBB: EnterLong (every_bar)", StringComparison.Ordinal));
    }

    [Fact]
    public void WarmUpHistory_CountsTowardsWarmUpBars()
    {
        var strategy = new EnterEveryBar(warmUp: 5);
        var h = new EngineHarness(strategy, [Aaa]);

        h.Engine.WarmUp([Minute(Aaa, 0), Minute(Aaa, 1), Minute(Aaa, 2)]);
        h.Engine.Run(Enumerable.Range(3, 5).Select(i => Minute(Aaa, i)).ToList());

        var first = h.Recorder.Events.First(e => e.Kind == StrategyLab.Core.Execution.OrderEventKind.Accepted);
        Assert.Equal(Minute(Aaa, 4).End, first.Order.CreatedUtc); // 3 history bars + 2 live ones
        Assert.Equal(3 + 1, h.Engine.Counters.IntentsSuppressed); // the warm-up's own 3, then the 4th bar's
    }

    [Fact]
    public void ZeroWarmUpBars_TradesFromTheFirstBar()
    {
        var strategy = new EnterEveryBar(warmUp: 0);
        var h = new EngineHarness(strategy, [Aaa]);

        h.Engine.Run(Enumerable.Range(0, 3).Select(i => Minute(Aaa, i)).ToList());

        Assert.Equal(Minute(Aaa, 0).End, h.Recorder.Events.First().Order.CreatedUtc);
        Assert.Equal(0, h.Engine.Counters.IntentsSuppressed);
    }

    /// <summary>Asks to enter every symbol on every bar while flat (the trade manager ignores repeats while an entry is working).</summary>
    private sealed class EnterEveryBar(int warmUp) : IStrategy
    {
        public int WarmUpBars => warmUp;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            if (context.PositionOf(bar.Symbol) == 0 && !context.HasPendingEntry(bar.Symbol))
            {
                context.EnterLong(bar.Symbol, "every_bar");
            }
        }
    }
}
