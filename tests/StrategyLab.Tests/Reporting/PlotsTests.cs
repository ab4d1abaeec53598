using System.Globalization;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Strategies;
using StrategyLab.Reporting;
using StrategyLab.Reporting.Charts;
using StrategyLab.Reporting.Html;
using StrategyLab.Tests.Core.Engine;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Reporting.ArtifactRun;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Reporting;

/// <summary>Custom chart series: <c>context.Plot</c> → <c>plots.csv</c> → the report's plots chart.</summary>
public sealed class PlotsTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Folder(string name) => Path.Combine(_dir.Path, name);

    /// <summary>Plots a run-wide series at 09:31 and 09:32 and a per-symbol one with an awkward name at 09:32.</summary>
    internal static ScriptedStrategy Plotting() => new ScriptedStrategy()
        .At("2024-01-08 09:31", c => c.Plot("spread", 1.0 / 3))
        .At("2024-01-08 09:32", c =>
        {
            c.Plot("spread", -2.5e-7);
            c.Plot(Aaa, "ema, \"fast\"", 100.25);
        });

    [Fact]
    public void PlotsCsv_HoldsEveryPoint_InOrder_WithRoundTripValues_AndTheSymbolOfASymbolsSeries()
    {
        var run = new ArtifactRun(Folder("plots"), Plotting(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 5, 100m));

        Assert.Equal(
            [
                "time,symbol,series,value,pane",
                "2024-01-08T09:31:00-05:00,,spread,0.3333333333333333,",
                "2024-01-08T09:32:00-05:00,,spread,-2.5E-07,",
                "2024-01-08T09:32:00-05:00,AAA,\"ema, \"\"fast\"\"\",100.25,",
            ],
            run.Lines(RunFolderWriter.PlotsFileName));
    }

    [Fact]
    public void ARunThatPlotsNothing_HasNoPlotsCsv_AndNoPlotsSection()
    {
        var run = new ArtifactRun(Folder("none"), new ScriptedStrategy(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 5, 100m));

        Assert.False(File.Exists(Path.Combine(run.Folder, RunFolderWriter.PlotsFileName)));
        var html = HtmlReport.Render(run.Folder);
        Assert.DoesNotContain("id=\"plots\"", html, StringComparison.Ordinal);
        Assert.Null(DataBlock(html)["plots"]);
    }

    [Fact]
    public void TheReport_DrawsEachSeries_UnderThePriceCharts()
    {
        var run = new ArtifactRun(Folder("report"), Plotting(), [Aaa]).Run(Minutes(Aaa, "2024-01-08", "09:30", 5, 100m));

        var html = HtmlReport.Render(run.Folder);

        Assert.True(html.IndexOf("id=\"plots-chart\"", StringComparison.Ordinal) > html.IndexOf("id=\"charts\"", StringComparison.Ordinal));
        var series = DataBlock(html)["plots"]!["series"]!.AsArray();
        Assert.Equal(["ema, \"fast\" (AAA)", "spread"], series.Select(s => s!["name"]!.GetValue<string>()));
        var spread = series[1]!["points"]!.AsArray();
        Assert.Equal(2, spread.Count);
        Assert.Equal(-2.5e-7, spread[1]![1]!.GetValue<double>(), 12);
        Assert.Equal(60, spread[1]![0]!.GetValue<long>() - spread[0]![0]!.GetValue<long>()); // chart seconds, a minute apart
    }

    [Fact]
    public void ManyPoints_AreDownsampledSoThePageStaysBounded()
    {
        var strategy = new EveryBarPlotter();
        var bars = Enumerable.Range(0, 5).SelectMany(d => Minutes(Aaa, $"2024-01-{8 + d:00}", "09:30", 390, 100m)).ToList();
        var run = new ArtifactRun(Folder("many"), strategy, [Aaa]).Run(bars);

        Assert.Equal(1 + (2 * bars.Count), run.Lines(RunFolderWriter.PlotsFileName).Length); // the file keeps every point
        var series = DataBlock(HtmlReport.Render(run.Folder))["plots"]!["series"]!.AsArray();
        Assert.Equal(2, series.Count);
        Assert.All(series, s => Assert.InRange(s!["points"]!.AsArray().Count, 2, ReportPage.PlotPointBudget / 2));
    }

    [Fact]
    public void ALongRun_KeepsAtMostTheChartsPointsASeries_TheLastOfEachChartBucket_InPlottingOrder()
    {
        // 32 sessions of minutes: 12,480 points a series, past the 10,000 a series keeps; the candles' ladder then
        // steps to 5 minutes (1s … 1m still hold 12,480 buckets), so a series keeps the last point of each 5 minutes.
        var bars = Sessions(32);
        var run = new ArtifactRun(Folder("long"), new EveryBarPlotter(), [Aaa]).Run(bars);

        var expected = new List<(DateTime Time, string Series, string Symbol, double Value)>();
        var step = TimeSpan.FromMinutes(5).Ticks;
        for (var i = 0; i < bars.Count; i++)
        {
            var bucket = LocalTicks(bars[i].Start) / step; // the candle of the bar plotted at (its end is the point's time)
            if (i + 1 < bars.Count && LocalTicks(bars[i + 1].Start) / step == bucket)
            {
                continue; // not the bucket's last point
            }

            expected.Add((bars[i].End, "close", "", (double)bars[i].Close));
            expected.Add((bars[i].End, "range", "AAA", (double)(bars[i].High - bars[i].Low)));
        }

        var rows = ParseCsv(run.Text(RunFolderWriter.PlotsFileName)).Skip(1)
            .Select(r => (DateTimeOffset.Parse(r[0], CultureInfo.InvariantCulture).UtcDateTime, r[2], r[1], double.Parse(r[3], CultureInfo.InvariantCulture)))
            .ToList();
        Assert.InRange(expected.Count, 2 * 2_000, 2 * RunFolderWriter.ChartBarsPerSymbol);
        Assert.Equal(expected, rows);
    }

    [Fact]
    public void PlotRows_KeepEveryPointUpToTheLimit_ThenStepUpTheLadderPerSeries()
    {
        var rows = new PlotRows(limit: 4);
        var t0 = new DateTimeOffset(2024, 1, 8, 9, 30, 0, TimeSpan.FromHours(-5));
        for (var i = 0; i < 4; i++)
        {
            rows.Add(t0, new PlotPoint(t0.UtcDateTime, "same-second", Aaa, i)); // every point kept up to the limit, even in one second
            rows.Add(t0.AddMinutes(i), new PlotPoint(t0.UtcDateTime.AddMinutes(i), "sparse", null, i));
        }

        Assert.Equal(8, rows.Count);
        rows.Add(t0.AddSeconds(1), new PlotPoint(t0.UtcDateTime.AddSeconds(1), "same-second", Aaa, 9));

        // The fifth point moves that series to 1-second buckets: the last of 09:30:00 and the one at 09:30:01; the other series is untouched.
        var kept = rows.Points().Select(p => (p.Point.Series, p.Point.Value)).ToList();
        Assert.Equal(
            [("sparse", 0), ("sparse", 1), ("sparse", 2), ("same-second", 3), ("sparse", 3), ("same-second", 9)],
            kept);
        Assert.Equal(9, rows.Added);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PlotRows_KeepTheLastPointOfEachBucket_AtTheCoarsestLevelTheSeriesNeeded_WhateverNamesTheyArePlottedWith(int seed)
    {
        // Many series (eleven on one symbol, past the per-symbol reference cache), names given as new string instances at
        // some points and as the same instance at others, two panes, and enough points that rows are compacted many times.
        // The expectation is the buffer's contract computed directly: per series the finest ladder level (or every
        // point) that fits the limit, the last point of each bucket at it, in plotting order.
        var random = new Random(seed);
        var symbols = new Symbol?[] { Aaa, Bbb, null };
        var series = new List<(string Name, Symbol? Symbol, PlotPane Pane)>();
        for (var i = 0; i < 11; i++)
        {
            series.Add(("s" + i.ToString(CultureInfo.InvariantCulture), Aaa, i % 2 == 0 ? PlotPane.Strategy : PlotPane.Price));
        }

        series.Add(("s0", Bbb, PlotPane.Strategy));
        series.Add(("s0", null, PlotPane.Strategy));
        series.Add(("s0", null, PlotPane.Price));
        const int limit = 50;
        var rows = new PlotRows(limit);
        var added = new List<(DateTimeOffset At, int Series, double Value)>();
        var at = new DateTimeOffset(2024, 1, 8, 9, 30, 0, TimeSpan.FromHours(-5));
        for (var n = 0; n < 40_000; n++)
        {
            at = at.AddSeconds(random.Next(1, 90));
            var k = random.Next(series.Count);
            var (name, symbol, pane) = series[k];
            var plotted = random.Next(3) == 0 ? new string(name.AsSpan()) : name;
            var value = random.NextDouble();
            rows.Add(at, new PlotPoint(at.UtcDateTime, plotted, symbol, value, pane));
            added.Add((at, k, value));
        }

        var keep = new bool[added.Count];
        for (var k = 0; k < series.Count; k++)
        {
            var own = Enumerable.Range(0, added.Count).Where(i => added[i].Series == k).ToList();
            var level = -1;
            while (level < CandleLadder.Steps.Length - 1 && Kept(own, level).Count > limit)
            {
                level++;
            }

            foreach (var i in Kept(own, level))
            {
                keep[i] = true;
            }

            var (name, symbol, pane) = series[k];
            Assert.Equal(Kept(own, level).Count, rows.KeptOf(new PlotPoint(default, new string(name.AsSpan()), symbol, 0, pane)));
        }

        var expected = Enumerable.Range(0, added.Count).Where(i => keep[i])
            .Select(i => (added[i].At, series[added[i].Series].Name, series[added[i].Series].Symbol, series[added[i].Series].Pane, added[i].Value))
            .ToList();
        var actual = rows.Points().Select(p => (p.At, p.Point.Series, p.Point.Symbol, p.Point.Pane, p.Point.Value)).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(added.Count, rows.Added);

        List<int> Kept(List<int> own, int level)
        {
            if (level < 0)
            {
                return own;
            }

            var kept = new List<int>();
            for (var j = 0; j < own.Count; j++)
            {
                if (j + 1 == own.Count || Bucket(added[own[j]].At, level) != Bucket(added[own[j + 1]].At, level))
                {
                    kept.Add(own[j]);
                }
            }

            return kept;
        }

        static long Bucket(DateTimeOffset at, int level)
        {
            var local = at.DateTime.Ticks - 1;
            return local - (local % CandleLadder.Steps[level]);
        }
    }

    private static long LocalTicks(DateTime utc) => WeekdayTestCalendar.Instance.ToExchangeTime(utc).Ticks;

    /// <summary><paramref name="count"/> weekday sessions of 390 minutes of AAA from 2024-01-02.</summary>
    internal static List<Bar> Sessions(int count)
    {
        var bars = new List<Bar>();
        var day = new DateOnly(2024, 1, 2);
        for (var sessions = 0; sessions < count; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            bars.AddRange(Minutes(Aaa, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "09:30", 390, 100m + sessions, 0.001m));
            sessions++;
        }

        return bars;
    }

    [Theory]
    [InlineData("", 1.0)]
    [InlineData("a\nb", 1.0)]
    [InlineData("ok", double.NaN)]
    [InlineData("ok", double.PositiveInfinity)]
    public void AnInvalidNameOrValue_IsAnArgumentException_NamingTheProblem(string series, double value)
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.Plot(series, value));
        var h = new EngineHarness(strategy, [Aaa]);

        // User code's misuse stops the run as a strategy error naming the callback, with the ArgumentException inside.
        var e = Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 3, 100m))).InnerException);

        Assert.Contains(double.IsFinite(value) ? "series" : "finite", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PlotPoint.Validate(new string('x', PlotPoint.MaxSeriesNameLength + 1), 1));
    }

    [Fact]
    public void PlottingASymbolOutsideTheRun_IsAnArgumentException()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.Plot(Bbb, "x", 1));
        var h = new EngineHarness(strategy, [Aaa]);

        // User code's misuse stops the run as a strategy error naming the callback, with the ArgumentException inside.
        var e = Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 3, 100m))).InnerException);

        Assert.Contains("BBB", e.Message, StringComparison.Ordinal);
    }

    internal sealed class EveryBarPlotter : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
            context.Plot("close", (double)bar.Close);
            context.Plot(bar.Symbol, "range", (double)(bar.High - bar.Low));
        }
    }
}
