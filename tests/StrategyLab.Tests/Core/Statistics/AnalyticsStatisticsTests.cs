using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Statistics;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Statistics;

/// <summary>
/// Benchmark statistics, rolling Sharpe, MAE/MFE, attribution and holding times against values worked out by hand
/// (in the comments), not with the code under test.
/// </summary>
public class AnalyticsStatisticsTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");
    private static readonly IMarketCalendar NewYork = WeekdayTestCalendar.Instance;

    // r = [0.02, −0.01, 0.03, 0.00] from E_0 = 100; b = [0.01, 0.00, 0.02, −0.01] from B_0 = 50.
    private static readonly decimal[] Equity = [102m, 100.98m, 104.0094m, 104.0094m];
    private static readonly decimal[] Benchmark = [50.5m, 50.5m, 51.51m, 50.9949m];

    [Fact]
    public void Benchmark_HandWorkedSeries()
    {
        // mean r = 0.01, mean b = 0.005; deviations dr = [.01, −.02, .02, −.01], db = [.005, −.005, .015, −.015]
        // Σ dr·db = 0.0006, Σ db² = 0.0005, Σ dr² = 0.001 → β = 1.2, ρ = 0.0006 / √(0.001 · 0.0005) = 0.848528137
        // α = 252 · (0.01 − 1.2 · 0.005) = 1.008
        // a = r − b = [.01, −.01, .01, .01]: mean 0.005, s_a = √(0.0003 / 3) = 0.01 → TE = 0.01 · √252 = 0.158745079,
        // IR = 0.005 / 0.01 · √252 = 7.937253933; benchmark return 50.9949 / 50 − 1 = 0.019898
        var s = BenchmarkStatistics.Compute("SPY", 100m, Equity, 50m, Benchmark, 0);

        Assert.Equal("SPY", s.Symbol);
        Assert.Equal(1.2, s.Beta!.Value, 9);
        Assert.Equal(0.848528137, s.Correlation!.Value, 8);
        Assert.Equal(1.008, s.Alpha!.Value, 9);
        Assert.Equal(0.158745079, s.TrackingError!.Value, 8);
        Assert.Equal(7.937253933, s.InformationRatio!.Value, 8);
        Assert.Equal(0.019898, s.TotalReturn!.Value, 9);
    }

    [Fact]
    public void Benchmark_Alpha_SubtractsTheRiskFreeRateFromBothSides()
    {
        // rf = 2.52 % → rf_d = 0.0001: α = 252 · ((0.01 − 0.0001) − 1.2 · (0.005 − 0.0001)) = 252 · 0.00402 = 1.01304
        var s = BenchmarkStatistics.Compute("SPY", 100m, Equity, 50m, Benchmark, 0.0252);

        Assert.Equal(1.01304, s.Alpha!.Value, 9);
        Assert.Equal(1.2, s.Beta!.Value, 9);
    }

    [Fact]
    public void Benchmark_UndefinedStatistics_AreNull()
    {
        // A flat benchmark has no variance (β, ρ, α undefined); one day has no sample moments at all.
        var flat = BenchmarkStatistics.Compute("SPY", 100m, Equity, 50m, [50m, 50m, 50m, 50m], 0);
        Assert.Null(flat.Beta);
        Assert.Null(flat.Correlation);
        Assert.Null(flat.Alpha);
        Assert.Equal(0.0, flat.TotalReturn);

        var oneDay = BenchmarkStatistics.Compute("SPY", 100m, [101m], 50m, [51m], 0);
        Assert.Null(oneDay.Beta);
        Assert.Null(oneDay.TrackingError);
        Assert.Equal(0.02, oneDay.TotalReturn!.Value, 12);
    }

    [Fact]
    public void BenchmarkRecorder_KeepsTheLastCloseOfEachDate_AndCarriesItOverDatesWithoutBars()
    {
        var b = new BenchmarkRecorder(Bbb, NewYork);
        b.OnBar(M1(Aaa, "2024-01-08 09:30", 1m, 1m, 1m, 1m)); // another symbol: ignored
        b.OnBar(M1(Bbb, "2024-01-08 09:30", 50m, 51m, 49m, 50.2m));
        b.OnBar(M1(Bbb, "2024-01-08 15:59", 50.2m, 51m, 49m, 50.5m));
        b.OnBar(M1(Bbb, "2024-01-10 15:59", 51m, 52m, 50m, 51.51m));

        Assert.Equal(50m, b.FirstPrice);
        Assert.Equal([(new DateOnly(2024, 1, 8), 50.5m), (new DateOnly(2024, 1, 10), 51.51m)], b.Daily);
        DailyEquity[] days =
        [
            new(new DateOnly(2024, 1, 5), default, 100m), new(new DateOnly(2024, 1, 8), default, 100m),
            new(new DateOnly(2024, 1, 9), default, 100m), new(new DateOnly(2024, 1, 10), default, 100m),
        ];
        Assert.Equal([50m, 50.5m, 50.5m, 51.51m], b.AlignedTo(days)!);
    }

    [Fact]
    public void BenchmarkRecorder_TakesTheBarsOfTheSymbolNamedAgain_AndNoneOfOtherSymbols()
    {
        // The benchmark named again (as a run's configuration does) is the same symbol: symbols are interned, which the
        // recorder's reference comparison relies on.
        var benchmark = Symbol.Equity("BBB");
        var bars = Symbol.Equity(" bbb ");
        Assert.Same(benchmark, bars);
        Assert.NotSame(benchmark, Symbol.Crypto("BBB"));
        var others = Enumerable.Range(0, 40).Select(i => Symbol.Equity("O" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        var b = new BenchmarkRecorder(benchmark, NewYork);
        for (var round = 0; round < 3; round++)
        {
            foreach (var other in others)
            {
                b.OnBar(M1(other, "2024-01-08 09:3" + round.ToString(System.Globalization.CultureInfo.InvariantCulture), 1m, 1m, 1m, 1m));
            }

            b.OnBar(M1(bars, "2024-01-08 09:3" + round.ToString(System.Globalization.CultureInfo.InvariantCulture), 50m + round, 51m + round, 49m, 50m + round));
        }

        Assert.Equal(50m, b.FirstPrice);
        Assert.Equal([(new DateOnly(2024, 1, 8), 52m)], b.Daily);
    }

    [Fact]
    public void RollingSharpe_HandWorkedWindowOfTwo()
    {
        // r = [0.02, −0.01, 0.03, 0.00]; window 2:
        // d=2: mean 0.005, s = √(2 · 0.015²) = 0.021213203 → 0.005 / s · √252 = 3.741657387
        // d=3: mean 0.01, s = √(2 · 0.02²) = 0.028284271 → 5.612486080
        // d=4: mean 0.015, s = 0.021213203 → 11.224972160
        var rs = DailySeries.RollingSharpe(100m, Equity, 2, 0);

        Assert.Null(rs[0]);
        Assert.Equal(3.741657387, rs[1]!.Value, 8);
        Assert.Equal(5.612486080, rs[2]!.Value, 8);
        Assert.Equal(11.224972160, rs[3]!.Value, 8);
    }

    [Fact]
    public void Excursions_LongTrip_FromTheBarsHeldThrough()
    {
        // Buy 10 at the open of the 09:31 bar (100), held through 09:31 (H 101, L 99.5) and 09:32 (H 103, L 98), sold at
        // the open of 09:33 (102), whose range is not held. MAE = (98 − 100) · 10 = −20, MFE = (103 − 100) · 10 = 30.
        var a = new SymbolActivity();
        var marks = 0L;
        a.OnFill(Fill(Aaa, OrderSide.Buy, 10m, 100m, Ny("2024-01-08 09:31"), 1m), marks);
        a.OnBar(M1(Aaa, "2024-01-08 09:31", 100m, 101m, 99.5m, 100.5m));
        marks++;
        a.OnBar(M1(Aaa, "2024-01-08 09:32", 100.5m, 103m, 98m, 102m));
        marks++;
        var trip = Trip(Aaa, TradeDirection.Long, 10m, 100m, 102m, "2024-01-08 09:31", "2024-01-08 09:33", pnl: 20m, commission: 2m);
        var e = a.OnRoundTrip(trip);
        a.OnFill(Fill(Aaa, OrderSide.Sell, 10m, 102m, Ny("2024-01-08 09:33"), 1m), marks);
        a.OnBar(M1(Aaa, "2024-01-08 09:33", 102m, 110m, 90m, 100m)); // flat now: not held
        marks++;

        Assert.Equal(new TradeExcursion(-20m, 30m), e);
        var row = Assert.Single(a.Attribution(marks));
        // 2 of 3 marks with the position open; fees 1 + 1; one winner (net 18).
        Assert.Equal(new SymbolAttribution("AAA", 1, 1, 1.0, 18m, 2m, 2.0 / 3), row);
    }

    [Fact]
    public void Excursions_ShortTrip_EnteredInsideABar_SkipsThatBar_AndFlipsToLong()
    {
        // Sell 5 at 50 inside the 09:31 bar (fill time = its end): its H 55 is not held. Held: 09:32 (H 51, L 47).
        // Bought 10 at 48 at the open of 09:33: the short closes (MAE = (50 − 51) · 5 = −5, MFE = (50 − 47) · 5 = 15) and
        // a long of 5 opens at 48; 09:33 (H 49, L 45) is held by the long: its excursion starts from 48, not 47.
        var a = new SymbolActivity();
        a.OnFill(Fill(Aaa, OrderSide.Sell, 5m, 50m, Ny("2024-01-08 09:32"), 0m), 0);
        a.OnBar(M1(Aaa, "2024-01-08 09:31", 54m, 55m, 49m, 50m));
        a.OnBar(M1(Aaa, "2024-01-08 09:32", 50m, 51m, 47m, 48m));
        var shortTrip = Trip(Aaa, TradeDirection.Short, 5m, 50m, 48m, "2024-01-08 09:32", "2024-01-08 09:33", pnl: 10m, commission: 0m);
        Assert.Equal(new TradeExcursion(-5m, 15m), a.OnRoundTrip(shortTrip));

        a.OnFill(Fill(Aaa, OrderSide.Buy, 10m, 48m, Ny("2024-01-08 09:33"), 0m), 2);
        a.OnBar(M1(Aaa, "2024-01-08 09:33", 48m, 49m, 45m, 46m));
        var longTrip = Trip(Aaa, TradeDirection.Long, 5m, 48m, 46m, "2024-01-08 09:33", "2024-01-08 09:34", pnl: -10m, commission: 0m);

        // MAE = (45 − 48) · 5 = −15, MFE = (49 − 48) · 5 = 5.
        Assert.Equal(new TradeExcursion(-15m, 5m), a.OnRoundTrip(longTrip));
    }

    [Fact]
    public void Attribution_PerSymbol_CountsFeesOfOpenPositions_AndTheirExposureToTheLastMark()
    {
        var r = new StatisticsRecorder(1000m, NewYork);
        r.OnEquity(new(Ny("2024-01-08 09:30"), 1000m, 0m, 1000m, 0));
        r.OnOrderEvent(Event(Fill(Bbb, OrderSide.Buy, 1m, 10m, Ny("2024-01-08 09:31"), 0.5m)));
        r.OnEquity(new(Ny("2024-01-08 09:31"), 990m, 10m, 1000m, 1));
        r.OnEquity(new(Ny("2024-01-08 09:32"), 990m, 10m, 1000m, 1));
        r.OnEquity(new(Ny("2024-01-08 09:33"), 990m, 10m, 1000m, 1));

        var s = r.Compute();

        // BBB open for marks 2, 3, 4 of 4; no trade closed.
        Assert.Equal([new SymbolAttribution("BBB", 0, 0, null, 0m, 0.5m, 0.75)], s.Attribution);
        Assert.Null(s.Benchmark);
        Assert.NotNull(s.Quality);
        Assert.Null(s.Quality.AverageMae);
    }

    [Fact]
    public void TradeQuality_HoldingTimes_InBuckets_WithMedianAndAverages()
    {
        // Held 2 min, 10 min, 3 h and 7 days: buckets < 5 min, 5–30 min, 2 h–1 d, 5–20 d; median (10 min + 3 h) / 2 = 1 h 35 min.
        RoundTrip[] trips =
        [
            Trip(Aaa, TradeDirection.Long, 1m, 1m, 1m, "2024-01-08 09:30", "2024-01-08 09:32"),
            Trip(Aaa, TradeDirection.Long, 1m, 1m, 1m, "2024-01-08 10:00", "2024-01-08 10:10"),
            Trip(Aaa, TradeDirection.Long, 1m, 1m, 1m, "2024-01-08 11:00", "2024-01-08 14:00"),
            Trip(Aaa, TradeDirection.Long, 1m, 1m, 1m, "2024-01-08 09:30", "2024-01-15 09:30"),
        ];
        TradeExcursion[] excursions = [new(-1m, 2m), new(-3m, 0m), new(0m, 4m), new(-4m, 2m)];

        var q = TradeQuality.Of(trips, excursions);

        Assert.Equal([1, 1, 0, 1, 0, 1, 0, 0], q.HoldingTimes.Select(h => h.Trades));
        Assert.Equal(TimeSpan.FromMinutes(95), q.MedianHoldingTime);
        Assert.Equal(TimeSpan.FromMinutes((2 + 10 + 180 + (7 * 24 * 60)) / 4.0), q.AverageHoldingTime);
        Assert.Equal(-2m, q.AverageMae);
        Assert.Equal(2m, q.AverageMfe);
    }

    [Fact]
    public void TradeQuality_MedianHoldingTime_OverSeveralChunksOfHoldingTimes()
    {
        // 2,501 trips (the tally keeps holding times in chunks of 1,024) held 1..2,501 minutes in a shuffled order:
        // the median is the 1,251st shortest, 1,251 minutes; the average (1 + 2,501) / 2 = 1,251 minutes.
        const int n = (2 * TradeTally.ChunkLength) + 453;
        var start = Ny("2024-01-08 09:30");
        var minutes = Enumerable.Range(1, n).ToArray();
        new Random(3).Shuffle(minutes);
        var trips = minutes.Select(m => new RoundTrip(Aaa, TradeDirection.Long, 1m, start, 1m, start.AddMinutes(m), 1m, 0m, 0m, "signal")).ToArray();

        var q = TradeQuality.Of(trips, [.. trips.Select(_ => new TradeExcursion(0m, 0m))]);

        Assert.Equal(TimeSpan.FromMinutes((n + 1) / 2), q.MedianHoldingTime);
        Assert.Equal(TimeSpan.FromMinutes((n + 1) / 2.0), q.AverageHoldingTime);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(TradeTally.FirstChunkLength)]
    [InlineData(TradeTally.FirstChunkLength + 1)]
    [InlineData(TradeTally.ChunkLength - 1)]
    [InlineData(TradeTally.ChunkLength)]
    [InlineData(TradeTally.ChunkLength + 1)]
    [InlineData((2 * TradeTally.ChunkLength) + 70)]
    public void TradeTally_KeepsEveryHoldingTimeInOrder_AsTheFirstChunkGrows(int n)
    {
        // The first chunk starts short and doubles: every holding time must come back, in the order the trips closed.
        var start = Ny("2024-01-08 09:30");
        var minutes = Enumerable.Range(1, n).Select(i => (i * 7919) % 5003).ToArray();
        var trips = minutes.Select(m => new RoundTrip(Aaa, TradeDirection.Long, 1m, start, 1m, start.AddMinutes(m), 1m, 0m, 0m, "signal")).ToArray();

        var spans = TradeTally.Of(trips, null).CopySpans();

        Assert.Equal(minutes.Select(m => TimeSpan.FromMinutes(m).Ticks), spans);
    }

    private static Fill Fill(Symbol symbol, OrderSide side, decimal qty, decimal price, DateTime time, decimal commission) =>
        new(1, symbol, side, qty, price, commission, time, null, price, price);

    private static StrategyLab.Core.Execution.OrderEvent Event(Fill fill)
    {
        var order = new Order(1, fill.Symbol, fill.Side, fill.Quantity, OrderType.Market, null, null, TimeInForce.Gtc, null, 0, fill.TimeUtc);
        return new StrategyLab.Core.Execution.OrderEvent(OrderEventKind.Filled, order, fill.TimeUtc, fill);
    }

    private static RoundTrip Trip(Symbol symbol, TradeDirection direction, decimal qty, decimal entry, decimal exit, string entryTime, string exitTime, decimal pnl = 0m, decimal commission = 0m) =>
        new(symbol, direction, qty, Ny(entryTime), entry, Ny(exitTime), exit, pnl, commission, "signal");
}
