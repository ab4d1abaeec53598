using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Statistics;
using StrategyLab.Core.Strategies;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Reporting;

namespace StrategyLab.Tests.Core.Statistics;

/// <summary>
/// <see cref="StatisticsRecorder"/> adds the round trips up as they close instead of keeping them: its trade statistics
/// and trade quality are those computed from the list of every trip and its excursion.
/// </summary>
public sealed class StreamedTradeStatisticsTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheRecordersStatistics_AreTheOnesOfTheListOfTrips(int seed)
    {
        var trips = new TripList();
        var run = new ArtifactRun(Path.Combine(_dir.Path, $"run{seed}"), new RandomTrader(Aaa, seed), [Aaa], new RiskSettings { StopLossPct = 1m }, probe: trips);
        trips.Statistics = run.Statistics;
        run.Run(PlotsTests.Sessions(12));

        var streamed = run.Statistics.Compute();
        var daily = run.Statistics.DailyEquity.Select(d => d.Equity).ToList();
        var exposure = (double)run.Statistics.ExposedMarkCount / run.Statistics.MarkCount;
        var listed = PerformanceStatistics.Compute(
            run.Statistics.InitialEquity, daily, run.Statistics.Drawdown, trips.Trips, run.Statistics.TotalFees, exposure);
        var quality = TradeQuality.Of(trips.Trips, trips.Excursions);

        Assert.True(trips.Trips.Count > 100, $"{trips.Trips.Count} round trips");
        Assert.Equal(trips.Trips.Count, run.Statistics.RoundTripCount);
        Assert.Equal(
            (listed.TradeCount, listed.WinningTrades, listed.LosingTrades, listed.WinRate, listed.GrossProfit, listed.GrossLoss, listed.ProfitFactor),
            (streamed.TradeCount, streamed.WinningTrades, streamed.LosingTrades, streamed.WinRate, streamed.GrossProfit, streamed.GrossLoss, streamed.ProfitFactor));
        Assert.Equal((listed.AverageWin, listed.AverageLoss, listed.Expectancy), (streamed.AverageWin, streamed.AverageLoss, streamed.Expectancy));
        Assert.Equal(listed.Sharpe, streamed.Sharpe);
        Assert.NotNull(streamed.Quality);
        Assert.Equal(
            (quality.AverageMae, quality.AverageMfe, quality.AverageHoldingTime, quality.MedianHoldingTime),
            (streamed.Quality.AverageMae, streamed.Quality.AverageMfe, streamed.Quality.AverageHoldingTime, streamed.Quality.MedianHoldingTime));
        Assert.Equal(quality.HoldingTimes, streamed.Quality.HoldingTimes);
        Assert.True(quality.HoldingTimes.Count(b => b.Trades > 0) >= 3, "the trips are held for spans of several buckets");
    }

    [Fact]
    public void ExcursionOf_IsKnownForTheTripJustClosed_NotForAnother()
    {
        var trips = new TripList();
        var run = new ArtifactRun(Path.Combine(_dir.Path, "excursions"), new RandomTrader(Aaa, 5), [Aaa], probe: trips);
        trips.Statistics = run.Statistics;
        run.Run(PlotsTests.Sessions(2));

        Assert.True(trips.Trips.Count > 2);
        Assert.All(trips.Excursions, e => Assert.True(e.Mae <= 0 && e.Mfe >= 0));
        Assert.NotNull(run.Statistics.ExcursionOf(trips.Trips[^1]));
        Assert.Null(run.Statistics.ExcursionOf(trips.Trips[0]));
    }

    /// <summary>Keeps every trip and, asking the statistics as the writer does, its excursion.</summary>
    private sealed class TripList : IRunRecorder
    {
        public StatisticsRecorder? Statistics { get; set; }

        public List<RoundTrip> Trips { get; } = [];

        public List<TradeExcursion> Excursions { get; } = [];

        public void OnRoundTrip(RoundTrip trip)
        {
            Trips.Add(trip);
            Excursions.Add(Statistics!.ExcursionOf(trip) ?? throw new InvalidOperationException("no excursion for the trip just closed"));
        }
    }

    /// <summary>Flat: enters long or short now and then; in a position: leaves now and then, so trips are held minutes to days.</summary>
    private sealed class RandomTrader(Symbol symbol, int seed) : IStrategy
    {
        private readonly Random _rng = new(seed);

        public void OnBar(in Bar bar, IStrategyContext context)
        {
            var roll = _rng.NextDouble();
            if (context.PositionOf(symbol) == 0)
            {
                if (roll < 0.1)
                {
                    context.EnterLong(symbol);
                }
                else if (roll < 0.2)
                {
                    context.EnterShort(symbol);
                }
            }
            else if (roll < (_rng.Next(3) == 0 ? 0.002 : 0.05))
            {
                context.Exit(symbol);
            }
        }
    }
}
