using CsCheck;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Statistics;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Support.Bars;

namespace StrategyLab.Tests.Core.Statistics;

public class StatisticsRecorderTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly IMarketCalendar NewYork = WeekdayTestCalendar.Instance;

    private static EquityPoint Mark(string nyTime, decimal equity, int open = 0) => new(Ny(nyTime), equity, 0m, equity, open);

    /// <summary>
    /// E_0 = 100. Marks (New York time → equity, open positions):
    /// Jan 8: 09:31 100 (0), 12:00 95 (1), 19:59 110 (1) — 19:59 New York is 00:59 UTC on Jan 9, still Jan 8's close;
    /// Jan 9: 09:31 104.5 (1), 16:00 99 (1); Jan 10: 09:31 88 (1), 16:00 108.9 (1); Jan 11: 16:00 108.9 (0).
    /// </summary>
    private static StatisticsRecorder HandCurve()
    {
        var r = new StatisticsRecorder(100m, NewYork);
        foreach (var p in new[]
                 {
                     Mark("2024-01-08 09:31", 100m), Mark("2024-01-08 12:00", 95m, 1), Mark("2024-01-08 19:59", 110m, 1),
                     Mark("2024-01-09 09:31", 104.5m, 1), Mark("2024-01-09 16:00", 99m, 1),
                     Mark("2024-01-10 09:31", 88m, 1), Mark("2024-01-10 16:00", 108.9m, 1),
                     Mark("2024-01-11 16:00", 108.9m),
                 })
        {
            r.OnEquity(p);
        }

        return r;
    }

    [Fact]
    public void DailySeries_IsTheLastMarkOfEachExchangeLocalDate()
    {
        var r = HandCurve();

        Assert.Equal(
            [
                new DailyEquity(new DateOnly(2024, 1, 8), Ny("2024-01-08 19:59"), 110m),
                new DailyEquity(new DateOnly(2024, 1, 9), Ny("2024-01-09 16:00"), 99m),
                new DailyEquity(new DateOnly(2024, 1, 10), Ny("2024-01-10 16:00"), 108.9m),
                new DailyEquity(new DateOnly(2024, 1, 11), Ny("2024-01-11 16:00"), 108.9m),
            ],
            r.DailyEquity);
        Assert.Equal(8, r.MarkCount);
        Assert.Equal(6, r.ExposedMarkCount);
        Assert.Equal(108.9m, r.LastEquity);
    }

    [Fact]
    public void Drawdown_IsMeasuredOnEveryMark_AndAnOpenDrawdownRunsToTheLastMark()
    {
        var d = HandCurve().Drawdown;

        // Daily closes alone would give (110 − 99) / 110 = 10 %; the 88 mark inside Jan 10 is (110 − 88) / 110 = 20 %.
        Assert.Equal(0.2m, d.MaxDepth);

        // Drawdown 1: peak 100 at Jan 8 09:31, recovered at 110 at 19:59 — 10 h 28 min, 0 trading days.
        // Drawdown 2: peak 110 at Jan 8 19:59 (day 1), still open at Jan 11 16:00 (day 4): 2 d 20 h 01 min, 3 days.
        Assert.Equal(new TimeSpan(2, 20, 1, 0), d.LongestDuration);
        Assert.Equal(3, d.LongestTradingDays);
        Assert.False(d.LongestRecovered);
    }

    [Fact]
    public void Compute_CombinesTheDailySeriesDrawdownsExposureTripsAndFees()
    {
        var r = HandCurve();
        var t0 = Ny("2024-01-08 09:31");
        r.OnRoundTrip(new RoundTrip(Aaa, TradeDirection.Long, 1m, t0, 100m, t0.AddHours(3), 110m, 10m, 2m, "signal"));
        r.OnOrderEvent(FillEvent(1, 1.25m, t0));
        r.OnOrderEvent(FillEvent(2, 0.75m, t0.AddHours(3)));
        r.OnOrderEvent(FillEvent(3, 0.5m, t0.AddHours(4)));  // an entry still open: its fee counts too
        r.OnOrderEvent(new OrderEvent(OrderEventKind.Accepted, NewOrder(4, t0), t0)); // not a fill

        var s = r.Compute();

        Assert.Equal(4, s.TradingDays);
        Assert.Equal(108.9m, s.EndEquity);
        Assert.Equal(0.2, s.MaxDrawdown);
        Assert.Equal(new TimeSpan(2, 20, 1, 0), s.LongestDrawdown);
        Assert.Equal(0.75, s.Exposure);                    // 6 of 8 marks had an open position
        Assert.Equal(2.5m, s.TotalFees);                   // 1.25 + 0.75 + 0.5
        Assert.Equal(3, r.FillCount);
        Assert.Equal(1, s.TradeCount);
        Assert.Equal(8m, s.Expectancy);                    // 10 − 2
        Assert.Equal(4.145095678246552, s.Sharpe!.Value, 12); // same daily closes as PerformanceStatisticsTests
    }

    [Fact]
    public void EqualityWithThePeak_IsARecovery()
    {
        var r = new StatisticsRecorder(100m, NewYork);
        r.OnEquity(Mark("2024-01-08 10:00", 90m));
        r.OnEquity(Mark("2024-01-09 10:00", 100m)); // back to the initial peak: a recovery
        r.OnEquity(Mark("2024-01-09 11:00", 99m));
        r.OnEquity(Mark("2024-01-09 11:30", 100m));

        var d = r.Drawdown;
        Assert.Equal(TimeSpan.FromDays(1), d.LongestDuration);
        // The time span starts at the first mark (no earlier instant is known), but in trading days the peak is E_0,
        // index 0, and the recovery is on Jan 9, index 2: the drawdown spans the daily returns r_1 and r_2.
        Assert.Equal(2, d.LongestTradingDays);
        Assert.True(d.LongestRecovered);
        Assert.Equal(0.1m, d.MaxDepth);
    }

    [Fact]
    public void DatesFollowTheCalendarZone_AcrossADstChange()
    {
        // 2024-03-10: New York springs forward at 02:00 EST (07:00 UTC). Midnight is 05:00 UTC before, 04:00 UTC after.
        var r = new StatisticsRecorder(100m, NewYork);
        var marks = new (DateTime Utc, decimal Equity)[]
        {
            (Utc(2024, 3, 10, 4, 30), 101m),  // Mar 9 23:30 EST
            (Utc(2024, 3, 10, 5, 0), 102m),   // Mar 10 00:00 EST
            (Utc(2024, 3, 11, 3, 59), 103m),  // Mar 10 23:59 EDT
            (Utc(2024, 3, 11, 4, 0), 104m),   // Mar 11 00:00 EDT
        };
        foreach (var (t, e) in marks)
        {
            r.OnEquity(new EquityPoint(t, e, 0m, e, 0));
        }

        Assert.Equal(
            [(new DateOnly(2024, 3, 9), 101m), (new DateOnly(2024, 3, 10), 103m), (new DateOnly(2024, 3, 11), 104m)],
            r.DailyEquity.Select(d => (d.Date, d.Equity)));
    }

    [Fact]
    public void CryptoCalendar_CutsDatesAtUtcMidnight()
    {
        var r = new StatisticsRecorder(1000m, CryptoCalendar.Instance);
        r.OnEquity(new EquityPoint(Utc(2024, 1, 6, 23, 59), 1001m, 0m, 1001m, 0));
        r.OnEquity(new EquityPoint(Utc(2024, 1, 7, 0, 0), 1002m, 0m, 1002m, 0));
        Assert.Equal([new DateOnly(2024, 1, 6), new DateOnly(2024, 1, 7)], r.DailyEquity.Select(d => d.Date));
    }

    [Fact]
    public void AMarkAtTheSameInstant_ReplacesTheDaysEquity_AnOlderMarkIsAnError()
    {
        var r = new StatisticsRecorder(100m, NewYork);
        r.OnEquity(Mark("2024-01-08 16:00", 101m, 1));
        r.OnEquity(Mark("2024-01-08 16:00", 100.5m)); // the engine's end-of-run liquidation mark
        Assert.Equal(100.5m, Assert.Single(r.DailyEquity).Equity);

        var ex = Assert.Throws<ArgumentException>(() => r.OnEquity(Mark("2024-01-08 15:59", 100m)));
        Assert.Contains("older than the previous mark", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoMarks_ComputesTheEmptyRun()
    {
        var s = new StatisticsRecorder(100m, NewYork).Compute();
        Assert.Equal(0, s.TradingDays);
        Assert.Equal(100m, s.EndEquity);
        Assert.Equal(0.0, s.MaxDrawdown);
        Assert.Equal(0.0, s.Exposure);
        Assert.Equal(TimeSpan.Zero, s.LongestDrawdown);
    }

    [Fact]
    public void OnEquity_DoesNotAllocate()
    {
        var t = Ny("2024-01-08 09:31");
        long Run(StatisticsRecorder r)
        {
            r.OnEquity(new EquityPoint(t, 100m, 0m, 100m, 0)); // first date: the list entry exists
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 1; i <= 300; i++)
            {
                var e = 100m + (i % 7) - 3m;
                r.OnEquity(new EquityPoint(t.AddMinutes(i), e, e, e, i % 2));
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // A first pass on another recorder takes the one-time costs (JIT tiering, lazily built caches): steady state is measured.
        Run(new StatisticsRecorder(100m, NewYork));
        Assert.Equal(0, Run(new StatisticsRecorder(100m, NewYork)));
    }

    [Fact]
    public void RandomCurves_MatchANaiveReference()
    {
        var step = Gen.Select(Gen.Int[1, 1800], Gen.Int[90, 110], Gen.Int[0, 2]);
        step.Array[1, 60].Sample(steps =>
        {
            var r = new StatisticsRecorder(100m, NewYork);
            var t = Ny("2024-01-05 09:30");
            var marks = new List<EquityPoint>();
            foreach (var (minutes, equity, open) in steps)
            {
                t = t.AddMinutes(minutes);
                var p = new EquityPoint(t, equity, 0m, equity, open);
                marks.Add(p);
                r.OnEquity(p);
            }

            var expected = NaiveDrawdown(100m, marks);
            Assert.Equal(expected, r.Drawdown);
            Assert.Equal(NaiveDaily(marks), r.DailyEquity.Select(d => (d.Date, d.Equity)));
            Assert.Equal(marks.Count(m => m.OpenPositions > 0), r.ExposedMarkCount);
        });
    }

    private static DateTime Utc(int y, int mo, int d, int h, int mi) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    private static List<(DateOnly, decimal)> NaiveDaily(List<EquityPoint> marks) =>
        [.. marks.GroupBy(m => DateOnly.FromDateTime(NewYork.ToExchangeTime(m.TimeUtc))).Select(g => (g.Key, g.Last().Equity))];

    /// <summary>
    /// The drawdown definition, re-derived from runs of "underwater" marks (equity below the highest of E_0 and every
    /// earlier mark): depth = max (peak − e) / peak; a run's peak is the mark before it (the first mark when the run
    /// starts there); it ends at the next mark (recovery) or, when none, at its own last mark.
    /// </summary>
    private static DrawdownSummary NaiveDrawdown(decimal e0, List<EquityPoint> marks)
    {
        var dates = marks.Select(m => DateOnly.FromDateTime(NewYork.ToExchangeTime(m.TimeUtc))).ToList();
        var distinct = dates.Distinct().ToList();
        int DayIndex(int i) => i < 0 ? 0 : distinct.IndexOf(dates[i]) + 1;

        var peaks = new decimal[marks.Count];
        var underwater = new bool[marks.Count];
        var depth = 0m;
        for (var i = 0; i < marks.Count; i++)
        {
            peaks[i] = Math.Max(e0, marks.Take(i).Select(m => m.Equity).DefaultIfEmpty(e0).Max());
            underwater[i] = marks[i].Equity < peaks[i];
            depth = Math.Max(depth, (peaks[i] - marks[i].Equity) / peaks[i]);
        }

        var best = DrawdownSummary.None with { MaxDepth = depth };
        for (var a = 0; a < marks.Count; a++)
        {
            if (!underwater[a] || (a > 0 && underwater[a - 1]))
            {
                continue;
            }

            var b = a;
            while (b + 1 < marks.Count && underwater[b + 1])
            {
                b++;
            }

            var peakMark = a == 0 ? 0 : a - 1;
            var peakDay = a == 0 ? 0 : DayIndex(a - 1);
            var recovered = b + 1 < marks.Count;
            var endMark = recovered ? b + 1 : b;
            var span = marks[endMark].TimeUtc - marks[peakMark].TimeUtc;
            if (span > best.LongestDuration)
            {
                best = best with { LongestDuration = span, LongestTradingDays = DayIndex(endMark) - peakDay, LongestRecovered = recovered };
            }
        }

        return best;
    }

    private static Order NewOrder(long id, DateTime t) =>
        new(id, $"c{id}", OrderRequest.Market(Aaa, OrderSide.Buy, 1m), t);

    private static OrderEvent FillEvent(long id, decimal commission, DateTime t)
    {
        var order = NewOrder(id, t);
        return new OrderEvent(OrderEventKind.Filled, order, t, new Fill(id, Aaa, OrderSide.Buy, 1m, 100m, commission, t, null, 99m, 101m));
    }
}
