using CsCheck;
using StrategyLab.Core.Aggregation;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Core.Aggregation;

/// <summary>Properties of trade aggregation and resampling over random tapes (see <see cref="TradeTape"/>).</summary>
public class AggregationPropertyTests
{
    private const long Iterations = 300;
    private static readonly IMarketCalendar Ny = TestExchangeCalendar.Default;
    private static readonly TimeSpan[] Graces = [TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90)];
    private static readonly Timeframe[] Timeframes = [Timeframe.FiveSeconds, Timeframe.OneMinute, Timeframe.FiveMinutes, Timeframe.OneHour, Timeframe.OneDay];

    private static readonly Gen<(TradeTape Tape, int Grace, int Timeframe, bool Extended)> Cases =
        Gen.Select(TradeTape.Generator, Gen.Int[0, Graces.Length - 1], Gen.Int[0, Timeframes.Length - 1], Gen.Bool);

    private static (List<TradeOutcome> Outcomes, List<Bar> Bars, TradeBarAggregator Aggregator) Run(
        IReadOnlyList<(DateTime Clock, TradePrint Trade)> tape, TradeBarAggregatorOptions options, IBarSink? extraSink = null)
    {
        var agg = new TradeBarAggregator(Ny, options);
        var sink = new BarCollector();
        var into = extraSink ?? sink;
        var outcomes = new List<TradeOutcome>();
        foreach (var (clock, trade) in tape)
        {
            agg.AdvanceTo(clock, into);
            outcomes.Add(agg.Add(trade));
        }

        agg.Flush(into);
        return (outcomes, sink.Bars, agg);
    }

    [Fact]
    public void Aggregator_MatchesTheReferenceModel_OutcomesBarsAndOrder()
    {
        Cases.Sample((tape, g, tf, extended) =>
        {
            var grace = Graces[g];
            var events = tape.Materialize(grace * 3, uniqueIds: false); // some prints late, ids collide
            var options = new TradeBarAggregatorOptions { Timeframe = Timeframes[tf], Grace = grace, ExtendedHours = extended };
            var (outcomes, bars, agg) = Run(events, options);
            var (expectedOutcomes, expectedBars) = ReferenceAggregation.Run(Ny, events, options.Timeframe, grace, extended);

            Assert.Equal(expectedOutcomes, outcomes);
            Assert.Equal(expectedBars, bars); // emission order is (end, symbol) too
            var c = agg.Counters;
            Assert.Equal(
                (expectedOutcomes.Count(o => o == TradeOutcome.Accepted), expectedOutcomes.Count(o => o == TradeOutcome.Duplicate),
                    expectedOutcomes.Count(o => o == TradeOutcome.Late), expectedOutcomes.Count(o => o == TradeOutcome.OutsideHours),
                    expectedOutcomes.Count(o => o == TradeOutcome.ZeroSize), (long)expectedBars.Count),
                (c.Accepted, c.Duplicates, c.Late, c.OutsideHours, c.ZeroSize, c.BarsEmitted));
        }, iter: Iterations);
    }

    [Theory]
    [InlineData("1m", "5m")]
    [InlineData("1m", "1h")]
    [InlineData("1m", "1d")]
    [InlineData("5s", "1m")]
    [InlineData("5m", "15m")]
    public void TradesToSmallToLarge_EqualsTradesToLarge_AllFields(string small, string large)
    {
        var smallTf = Timeframe.Parse(small);
        var largeTf = Timeframe.Parse(large);
        Gen.Select(TradeTape.Generator, Gen.Int[0, Graces.Length - 1], Gen.Bool).Sample((tape, g, extended) =>
        {
            var grace = Graces[g];
            // Lags below the grace: no print is late for either timeframe, so both see the same trades.
            // Ids are unique except verbatim resends, so duplicates are the same prints for both.
            var events = tape.Materialize(grace, uniqueIds: true);
            var direct = Run(events, new TradeBarAggregatorOptions { Timeframe = largeTf, Grace = grace, ExtendedHours = extended }).Bars;

            var resampler = new BarResampler(Ny, largeTf, extended);
            var viaSmall = new BarCollector();
            Run(events, new TradeBarAggregatorOptions { Timeframe = smallTf, Grace = grace, ExtendedHours = extended }, resampler.Into(viaSmall));
            resampler.Flush(viaSmall);

            Assert.Equal(direct, viaSmall.Bars.OrderBy(b => b.End).ThenBy(b => b.Symbol).ToList());
        }, iter: Iterations);
    }

    [Fact]
    public void VolumeAndTradeCount_AreConserved()
    {
        Cases.Sample((tape, g, tf, extended) =>
        {
            var events = tape.Materialize(Graces[g] * 3, uniqueIds: false);
            var (outcomes, bars, _) = Run(events, new TradeBarAggregatorOptions { Timeframe = Timeframes[tf], Grace = Graces[g], ExtendedHours = extended });
            var accepted = events.Where((e, i) => outcomes[i] == TradeOutcome.Accepted).ToList();
            Assert.Equal(accepted.Sum(e => e.Trade.Size), bars.Sum(b => b.Volume));
            Assert.Equal(accepted.Count, bars.Sum(b => b.TradeCount!.Value));
            Assert.Equal(accepted.Sum(e => e.Trade.Price * e.Trade.Size), bars.Sum(b => b.Vwap!.Value * b.Volume), 12);
        }, iter: Iterations);
    }

    [Fact]
    public void EveryBar_IsConsistent_AndInsideOneSegmentWindow()
    {
        Cases.Sample((tape, g, tf, extended) =>
        {
            var timeframe = Timeframes[tf];
            var events = tape.Materialize(Graces[g] * 3, uniqueIds: false);
            var (_, bars, _) = Run(events, new TradeBarAggregatorOptions { Timeframe = timeframe, Grace = Graces[g], ExtendedHours = extended });
            foreach (var b in bars)
            {
                Assert.True(b.Low <= Math.Min(b.Open, b.Close) && Math.Max(b.Open, b.Close) <= b.High, b.ToString());
                Assert.InRange(b.Vwap!.Value, b.Low, b.High);
                Assert.True(b.Duration <= timeframe.Duration || timeframe.IsDaily, b.ToString());

                // the bar is exactly the reference window of its start, so it never crosses a segment boundary
                Assert.Equal(ReferenceAggregation.Window(Ny, b.Start, timeframe, extended), new BarWindow(b.Start, b.End));
                if (!timeframe.IsDaily)
                {
                    var session = Ny.GetSession(DateOnly.FromDateTime(Ny.ToExchangeTime(b.Start)))!;
                    Assert.Contains(ReferenceAggregation.Segments(session, extended), s => s.Start <= b.Start && b.End <= s.End);
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Duplicates_AreCountedOnce_WhileNothingIsLate()
    {
        Gen.Select(TradeTape.Generator, Gen.Int[0, Timeframes.Length - 1]).Sample((tape, tf) =>
        {
            var grace = TimeSpan.FromDays(30); // longer than any tape: every window stays open, no print is late
            var events = tape.Materialize(TimeSpan.FromSeconds(5), uniqueIds: true);
            var (outcomes, bars, agg) = Run(events, new TradeBarAggregatorOptions { Timeframe = Timeframes[tf], Grace = grace, ExtendedHours = true });

            // Independent expectation: an original print is accepted when it is inside hours with a size; a verbatim
            // resend of an accepted original is a duplicate when it has an id, and accepted again when it has none.
            var originals = new HashSet<TradePrint>();
            int acceptedOriginals = 0, duplicates = 0, acceptedResends = 0;
            foreach (var (_, trade) in events)
            {
                var acceptable = trade.Size > 0 && ReferenceAggregation.Window(Ny, trade.Time, Timeframes[tf], true) is not null;
                if (originals.Add(trade))
                {
                    acceptedOriginals += acceptable ? 1 : 0;
                }
                else if (acceptable)
                {
                    if (trade.Id is null)
                    {
                        acceptedResends++;
                    }
                    else
                    {
                        duplicates++;
                    }
                }
            }

            Assert.Equal(0, agg.Counters.Late);
            Assert.Equal(duplicates, agg.Counters.Duplicates);
            Assert.Equal(acceptedOriginals + acceptedResends, agg.Counters.Accepted);
            Assert.Equal(acceptedOriginals + acceptedResends, bars.Sum(b => b.TradeCount!.Value));
            Assert.Equal(duplicates, outcomes.Count(o => o == TradeOutcome.Duplicate));
        }, iter: Iterations);
    }

    [Fact]
    public void LateBeyondGrace_IsRejected_WithinGrace_IsIncluded()
    {
        Cases.Sample((tape, g, tf, extended) =>
        {
            var grace = Graces[g];
            var timeframe = Timeframes[tf];
            var events = tape.Materialize(grace * 3 + TimeSpan.FromSeconds(1), uniqueIds: true);
            var (outcomes, _, _) = Run(events, new TradeBarAggregatorOptions { Timeframe = timeframe, Grace = grace, ExtendedHours = extended });
            var seen = new HashSet<TradePrint>();
            for (var i = 0; i < events.Count; i++)
            {
                var (clock, trade) = events[i];
                var first = seen.Add(trade);
                var w = ReferenceAggregation.Window(Ny, trade.Time, timeframe, extended);
                if (w is null)
                {
                    Assert.Equal(TradeOutcome.OutsideHours, outcomes[i]);
                }
                else if (w.Value.End + grace <= clock)
                {
                    Assert.Equal(TradeOutcome.Late, outcomes[i]);
                }
                else if (trade.Size > 0 && (first || trade.Id is null))
                {
                    Assert.Equal(TradeOutcome.Accepted, outcomes[i]); // includes prints that arrived after their window's end
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void EmptyBars_FillEveryWindowAfterTheFirstBar_FlatAtThePreviousClose()
    {
        Cases.Sample((tape, g, tf, extended) =>
        {
            var grace = Graces[g];
            var timeframe = Timeframes[tf] == Timeframe.FiveSeconds ? Timeframe.OneMinute : Timeframes[tf];
            var events = tape.Materialize(grace * 3, uniqueIds: false);
            var plain = Run(events, new TradeBarAggregatorOptions { Timeframe = timeframe, Grace = grace, ExtendedHours = extended }).Bars;
            var (_, filled, agg) = Run(events, new TradeBarAggregatorOptions { Timeframe = timeframe, Grace = grace, ExtendedHours = extended, EmitEmptyBars = true });

            Assert.Equal(plain, filled.Where(b => b.TradeCount > 0).ToList());
            Assert.Equal(filled.Count(b => b.TradeCount == 0), agg.Counters.EmptyBarsEmitted);
            if (filled.Count == 0)
            {
                return;
            }

            var all = ReferenceAggregation.AllWindows(
                Ny, DateOnly.FromDateTime(filled[0].Start).AddDays(-1), DateOnly.FromDateTime(filled[^1].End).AddDays(1), timeframe, extended);
            foreach (var bars in filled.GroupBy(b => b.Symbol))
            {
                var list = bars.ToList();
                Assert.True(list[0].TradeCount > 0, "a symbol's first bar has trades");
                var index = all.IndexOf(new BarWindow(list[0].Start, list[0].End));
                for (var i = 1; i < list.Count; i++)
                {
                    Assert.Equal(all[index + i], new BarWindow(list[i].Start, list[i].End)); // no window skipped
                    if (list[i].TradeCount == 0)
                    {
                        var c = list[i - 1].Close;
                        Assert.Equal((c, c, c, c, 0m, (decimal?)null), (list[i].Open, list[i].High, list[i].Low, list[i].Close, list[i].Volume, list[i].Vwap));
                    }
                }
            }
        }, iter: 150);
    }
}
