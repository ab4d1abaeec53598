using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Strategies;
using StrategyLab.Data;
using StrategyLab.Runner;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// Issue 12 (session 30): the backtest feeds the engine slices cut out of the read-ahead's chunks
/// (<see cref="SliceFeed"/>). The engine must see the same slices, in the same order, as through its enumerator loop,
/// wherever the chunks are cut (a slice split across two, three or more chunks), and the same error for bars out of order.
/// </summary>
public sealed class SliceFeedTests
{
    private static readonly Symbol[] Symbols = [Symbol.Equity("AAA"), Symbol.Equity("BBB"), Symbol.Equity("CCC")];

    /// <summary>Three symbols over a regular session, each missing some minutes: slices of one to three bars.</summary>
    private static List<Bar> Bars()
    {
        var open = NyseCalendar.Instance.ToUtc(new DateTime(2024, 3, 5, 9, 30, 0));
        var bars = new List<Bar>();
        for (var minute = 0; minute < 390; minute++)
        {
            var start = open.AddMinutes(minute);
            for (var s = 0; s < Symbols.Length; s++)
            {
                if ((minute * (s + 3)) % 7 == 1 && minute > 0)
                {
                    continue; // a gap: this symbol has no bar in this minute
                }

                var close = 50m + s + ((minute * 13) % 17) * 0.25m;
                bars.Add(new Bar(Symbols[s], start, start.AddMinutes(1), close, close + 0.5m, close - 0.5m, close, 100 + minute));
            }
        }

        return bars;
    }

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 2 })]
    [InlineData(new[] { 4, 1, 1, 5 })]
    [InlineData(new[] { 7, 64 })]
    [InlineData(new[] { 100000 })]
    public void TheEngineSeesTheSameSlices_WhereverTheChunksAreCut(int[] sizes)
    {
        var bars = Bars();
        var (expected, expectedMarks) = Run(engine => engine.Run(bars.AsEnumerable().Select(b => b)));
        var (actual, actualMarks) = Run(engine => SliceFeed.Run(engine, bars[0], new Chunks(bars, 1, sizes), CancellationToken.None));
        Assert.Equal(expected, actual);
        Assert.Equal(expectedMarks, actualMarks); // one mark per slice: the same slice boundaries
    }

    [Fact]
    public void BarsOutOfOrder_FailAsTheEnginesLoopFails()
    {
        var bars = Bars();
        (bars[40], bars[80]) = (bars[80], bars[40]);
        var expected = Assert.Throws<InvalidOperationException>(() => Run(engine => engine.Run(bars.AsEnumerable().Select(b => b))));
        var actual = Assert.Throws<InvalidOperationException>(() => Run(engine => SliceFeed.Run(engine, bars[0], new Chunks(bars, 1, [5, 3]), CancellationToken.None)));
        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void ACancelledToken_StopsBetweenSlices()
    {
        var bars = Bars();
        using var stop = new CancellationTokenSource();
        var seen = Run(engine => SliceFeed.Run(engine, bars[0], new Chunks(bars, 1, [5]), stop.Token), onBar: count =>
        {
            if (count == 100)
            {
                stop.Cancel();
            }
        }).Seen;

        // The slice holding the 100th bar is finished (its other bars are seen), then nothing more.
        var last = seen[^1].End;
        Assert.Equal(bars.TakeWhile(b => b.End <= last).Select(b => (b.Symbol, b.End)), seen);
        Assert.InRange(seen.Count, 100, 102);
    }

    private static (List<(Symbol Symbol, DateTime End)> Seen, List<(DateTime Time, decimal Equity)> Marks) Run(Action<TradingEngine> run, Action<int>? onBar = null)
    {
        var portfolio = new Portfolio(100_000m);
        var exchange = new SimulatedExchange(new ExchangeSettings(), portfolio, _ => NyseCalendar.Instance, Symbols);
        var trades = new TradeManager(new TradeManagerSettings(), new RiskSettings(), exchange, portfolio, NullLogger.Instance);
        var strategy = new Recording(onBar);
        var marks = new Marks();
        var engine = new TradingEngine(strategy, exchange, portfolio, trades, Symbols, _ => NyseCalendar.Instance, marks, NullLogger.Instance, new EngineOptions());
        exchange.Listener = engine;
        run(engine);
        return (strategy.Seen, marks.Points);
    }

    /// <summary>Hands out the bars after <c>skip</c> in chunks of the given sizes (the last size repeating), each in an array of its own.</summary>
    private sealed class Chunks(List<Bar> bars, int skip, int[] sizes) : IBarChunkReader
    {
        private int _next = skip;
        private int _chunk;

        public bool TryTakeChunk(out ArraySegment<Bar> chunk)
        {
            if (_next >= bars.Count)
            {
                chunk = default;
                return false;
            }

            var size = Math.Min(sizes[Math.Min(_chunk++, sizes.Length - 1)], bars.Count - _next);
            var array = new Bar[size + 2]; // a chunk need not start or end its array
            bars.CopyTo(_next, array, 1, size);
            chunk = new ArraySegment<Bar>(array, 1, size);
            _next += size;
            return true;
        }
    }

    /// <summary>Records the bars it sees and buys or sells now and then, so slices carry orders and fills.</summary>
    private sealed class Recording(Action<int>? onBar) : IStrategy
    {
        public List<(Symbol Symbol, DateTime End)> Seen { get; } = [];

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            Seen.Add((bar.Symbol, bar.End));
            onBar?.Invoke(Seen.Count);
            if (Seen.Count % 17 == 0)
            {
                context.EnterLong(bar.Symbol);
            }
            else if (Seen.Count % 29 == 0)
            {
                context.Exit(bar.Symbol);
            }
        }
    }

    private sealed class Marks : IRunRecorder
    {
        public List<(DateTime Time, decimal Equity)> Points { get; } = [];

        public void OnEquity(in EquityPoint point) => Points.Add((point.TimeUtc, point.Equity));
    }
}
