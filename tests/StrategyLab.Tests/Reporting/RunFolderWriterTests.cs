using System.Text.Json;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Core.Statistics;
using StrategyLab.Reporting;
using StrategyLab.Tests.Core.Engine;
using static StrategyLab.Tests.Reporting.ArtifactRun;

namespace StrategyLab.Tests.Reporting;

public sealed class RunFolderWriterTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");
    private static readonly Symbol Bbb = Symbol.Equity("BBB");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "strategylab-tests", "runfolder-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Folder(string name) => Path.Combine(_root, name);

    /// <summary>
    /// Jan 8 2024 (EST, −05:00), AAA minute bars 09:30–09:39, bar i opens at 100 + 0.10 i. Enter long at the 09:31 bar
    /// end (fills at the 09:31 open, 100.10), stop 2 % and take-profit 5 % attached, exit at the 09:35 bar end (fills
    /// at the 09:35 open, 100.50). 10 shares, $1 commission a fill.
    /// </summary>
    private ArtifactRun OneTrade(string name, RunMode mode = RunMode.Backtest, bool? writeBars = null, IRunRecorder? probe = null)
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:35", c => c.Exit(Aaa, "test_exit"));
        return new ArtifactRun(Folder(name), strategy, [Aaa], new RiskSettings { StopLossPct = 2m, TakeProfitPct = 5m }, mode, writeBars, probe: probe)
            .Run(Minutes(Aaa, "2024-01-08", "09:30", 10, 100m));
    }

    [Fact]
    public void Backtest_WritesTheFilesWithExactHeadersAndRows()
    {
        var run = OneTrade("one");

        Assert.Equal(
            [
                "symbol,side,qty,entry_time,entry_price,exit_time,exit_price,pnl,commission,exit_reason,mae,mfe",
                // Held through the 09:31–09:34 bars (lowest low 100.05, highest high 100.45) and the exit at 100.5:
                // MAE = (100.05 − 100.1) · 10 = −0.5, MFE = (100.5 − 100.1) · 10 = 4.
                "AAA,long,10,2024-01-08T09:31:00-05:00,100.1,2024-01-08T09:35:00-05:00,100.5,4,2,test_exit,-0.5,4",
            ],
            run.Lines("trades.csv"));

        Assert.Equal(
            [
                "time,order_id,symbol,side,qty,price,commission,tag",
                "2024-01-08T09:31:00-05:00,1,AAA,buy,10,100.1,1,signal",
                "2024-01-08T09:35:00-05:00,4,AAA,sell,10,100.5,1,test_exit",
            ],
            run.Lines("fills.csv"));

        // Stop 100.10 × 0.98 = 98.098 → 98.09 (down, away from the market); take-profit 100.10 × 1.05 = 105.105 → 105.11 (up); both cancelled by the exit.
        Assert.Equal(
            [
                "id,client_order_id,created_time,symbol,side,type,qty,limit_price,stop_price,tif,tag,oco_group,status,filled_qty,avg_fill_price,commission,reject_reason,updated_time",
                "1,SL-1,2024-01-08T09:31:00-05:00,AAA,buy,market,10,,,day,signal,,filled,10,100.1,1,,2024-01-08T09:31:00-05:00",
                "2,SL-2,2024-01-08T09:31:00-05:00,AAA,sell,stop,10,,98.09,gtc,stop_loss,oco-1,canceled,0,,0,,2024-01-08T09:35:00-05:00",
                "3,SL-3,2024-01-08T09:31:00-05:00,AAA,sell,limit,10,105.11,,gtc,take_profit,oco-1,canceled,0,,0,,2024-01-08T09:35:00-05:00",
                "4,SL-4,2024-01-08T09:35:00-05:00,AAA,sell,market,10,,,gtc,test_exit,,filled,10,100.5,1,,2024-01-08T09:35:00-05:00",
            ],
            run.Lines("orders.csv"));

        // One row per cycle (bar end). After the 09:31 bar: cash 100,000 − 1,001 − 1 = 98,998, 10 × close 100.12.
        // After the 09:35 bar: sold 10 × 100.50 − 1 → cash 100,002, flat.
        var equity = run.Lines("equity.csv");
        Assert.Equal("time,cash,positions_value,equity", equity[0]);
        Assert.Equal(11, equity.Length);
        Assert.Equal("2024-01-08T09:31:00-05:00,100000,0,100000", equity[1]);
        Assert.Equal("2024-01-08T09:32:00-05:00,98998,1001.2,99999.2", equity[2]);
        Assert.Equal("2024-01-08T09:36:00-05:00,100002,0,100002", equity[6]);
        Assert.Equal("2024-01-08T09:40:00-05:00,100002,0,100002", equity[10]);

        Assert.False(File.Exists(Path.Combine(run.Folder, "bars.csv"))); // off by default in a backtest, chart_bars.csv instead
        Assert.Equal(
            ["chart_bars.csv", "daily.csv", "equity.csv", "fills.csv", "orders.csv", "summary.json", "trades.csv"],
            Directory.GetFiles(run.Folder).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Summary_IsIndentedJsonWithAStableKeyOrder_AndEchoesTheRun()
    {
        var run = OneTrade("summary");
        var text = run.Text("summary.json");
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;

        Assert.Equal(
            ["engine", "mode", "configuration", "data", "period", "statistics", "counts", "attribution", "holding_times", "bars_outside_session", "corporate_actions", "open_positions"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("{\n  \"engine\": {\n    \"name\": \"Strategy Lab\",\n    \"version\": \"0.1.0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        Assert.EndsWith("\n  \"open_positions\": []\n}\n", text, StringComparison.Ordinal);
        Assert.Equal("backtest", root.GetProperty("mode").GetString());
        Assert.Equal("""{"strategy":"scripted","symbols":["AAA"],"cash":100000}""", root.GetProperty("configuration").GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));
        Assert.True(root.GetProperty("data").GetProperty("synthetic").GetBoolean());
        Assert.Equal("hand-made minute bars", root.GetProperty("data").GetProperty("label").GetString());
        Assert.Equal("2024-01-08T09:30:00-05:00", root.GetProperty("period").GetProperty("first_bar_start").GetString());
        Assert.Equal("2024-01-08T09:40:00-05:00", root.GetProperty("period").GetProperty("last_bar_end").GetString());

        var counts = root.GetProperty("counts");
        Assert.Equal(10, counts.GetProperty("cycles").GetInt64());
        Assert.Equal(10, counts.GetProperty("bars").GetInt64());
        Assert.Equal(0, root.GetProperty("bars_outside_session").GetProperty("count").GetInt64());
        Assert.Equal(4, counts.GetProperty("orders").GetInt32());
        Assert.Equal(2, counts.GetProperty("fills").GetInt32());
        Assert.Equal(0, counts.GetProperty("rejections").GetInt32());
        Assert.Equal(1, counts.GetProperty("round_trips").GetInt32());
        Assert.Equal(0, counts.GetProperty("open_positions").GetInt32());
        Assert.Equal("100002", counts.GetProperty("final_equity").GetRawText());
        Assert.Equal("100002", counts.GetProperty("final_cash").GetRawText());

        var stats = root.GetProperty("statistics");
        Assert.Equal("100000", stats.GetProperty("start_equity").GetRawText());
        Assert.Equal("100002", stats.GetProperty("end_equity").GetRawText());
        Assert.Equal("0.00002", stats.GetProperty("total_return").GetRawText());     // 2 / 100,000
        Assert.Equal(1, stats.GetProperty("trade_count").GetInt32());
        Assert.Equal("2", stats.GetProperty("total_fees").GetRawText());
        Assert.Equal("2", stats.GetProperty("expectancy").GetRawText());              // 4 − 2
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("profit_factor").ValueKind); // no loser
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("sharpe").ValueKind);        // one day
        Assert.Equal("0.4", stats.GetProperty("exposure").GetRawText());              // 4 of 10 marks held the position

        // Marks: 09:31 100,000 (peak), 09:32 99,999.2 (−0.8), 09:33 100,000.2 (recovered after 2 min), 09:34 100,001.2,
        // 09:35 100,002.2 (peak), 09:36–09:40 100,002 (sold, −0.2, never recovered): longest 5 min, open.
        Assert.Equal("0.000008", stats.GetProperty("max_drawdown").GetRawText());       // 0.8 / 100,000
        Assert.Equal("00:05:00", stats.GetProperty("longest_drawdown").GetString());
        Assert.Equal(0, stats.GetProperty("longest_drawdown_trading_days").GetInt32());
        Assert.False(stats.GetProperty("longest_drawdown_recovered").GetBoolean());
        Assert.Empty(root.GetProperty("open_positions").EnumerateArray());
    }

    [Fact]
    public void Summary_CarriesEveryStatistic()
    {
        var run = OneTrade("all-stats");
        using var doc = JsonDocument.Parse(run.Text("summary.json"));
        var keys = doc.RootElement.GetProperty("statistics").EnumerateObject().Select(p => p.Name).ToList();
        // The benchmark and trade-quality records are written flat (the benchmark's after calmar, with the rolling
        // Sharpe window; the quality's at the end); the attribution is its own section.
        string[] grouped = ["RollingSharpeDays", "Benchmark", "Quality", "Attribution"];
        var expected = typeof(PerformanceStatistics).GetProperties()
            .Where(p => p.DeclaringType == typeof(PerformanceStatistics) && p.Name != "EqualityContract" && !grouped.Contains(p.Name))
            .Select(p => SnakeCase(p.Name))
            .ToList();
        expected.InsertRange(expected.IndexOf("calmar") + 1, ["rolling_sharpe_days", "benchmark", "benchmark_return", "alpha", "beta", "correlation", "tracking_error", "information_ratio"]);
        expected.AddRange(["average_mae", "average_mfe", "average_holding_time", "median_holding_time"]);
        Assert.Equal(expected, keys);
    }

    [Fact]
    public void TimesCarryTheExchangeOffset_AcrossADstChange()
    {
        // New York moves from EST (−05:00) to EDT (−04:00) on Sunday 2024-03-10. Enter Friday, exit Monday.
        var strategy = new ScriptedStrategy()
            .At("2024-03-08 15:58", c => c.EnterLong(Aaa))
            .At("2024-03-11 09:32", c => c.Exit(Aaa, "monday_exit"));
        var bars = Minutes(Aaa, "2024-03-08", "15:56", 4, 50m).Concat(Minutes(Aaa, "2024-03-11", "09:30", 4, 51m)).ToList();
        var run = new ArtifactRun(Folder("dst"), strategy, [Aaa], mode: RunMode.Replay).Run(bars);

        Assert.Equal(
            // MAE: the entry bar's low 50.15 held from its open 50.2 → −0.5; MFE: the exit at 51.2 → +10.
            "AAA,long,10,2024-03-08T15:58:00-05:00,50.2,2024-03-11T09:32:00-04:00,51.2,10,2,monday_exit,-0.5,10",
            run.Lines("trades.csv")[1]);
        var equityTimes = run.Lines("equity.csv").Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(
            ["2024-03-08T15:57:00-05:00", "2024-03-08T15:58:00-05:00", "2024-03-08T15:59:00-05:00", "2024-03-08T16:00:00-05:00",
             "2024-03-11T09:31:00-04:00", "2024-03-11T09:32:00-04:00", "2024-03-11T09:33:00-04:00", "2024-03-11T09:34:00-04:00"],
            equityTimes);

        // Replay writes bars by default; trade counts are written when known.
        var bars2 = run.Lines("bars.csv");
        Assert.Equal("symbol,start,end,open,high,low,close,volume,trades", bars2[0]);
        Assert.Equal("AAA,2024-03-08T15:56:00-05:00,2024-03-08T15:57:00-05:00,50,50.05,49.95,50.02,1000,10", bars2[1]);
        Assert.Equal("AAA,2024-03-08T15:57:00-05:00,2024-03-08T15:58:00-05:00,50.1,50.15,50.05,50.12,1001,", bars2[2]);
        Assert.Equal("AAA,2024-03-11T09:30:00-04:00,2024-03-11T09:31:00-04:00,51,51.05,50.95,51.02,1000,10", bars2[5]);
    }

    [Fact]
    public void OffsetCache_SwitchesExactlyAtTheTransitionInstant()
    {
        var clock = new ExchangeOffsetCache(StrategyLab.Tests.Support.WeekdayTestCalendar.Instance);

        // Spring forward: 2024-03-10 07:00 UTC (02:00 EST → 03:00 EDT). Fall back: 2024-11-03 06:00 UTC (02:00 EDT → 01:00 EST).
        var cases = new (DateTime Utc, string Expected)[]
        {
            (new DateTime(2024, 3, 10, 6, 30, 0, DateTimeKind.Utc), "2024-03-10T01:30:00-05:00"),
            (new DateTime(2024, 3, 10, 6, 59, 59, DateTimeKind.Utc), "2024-03-10T01:59:59-05:00"),
            (new DateTime(2024, 3, 10, 7, 0, 0, DateTimeKind.Utc), "2024-03-10T03:00:00-04:00"),
            (new DateTime(2024, 3, 10, 6, 15, 0, DateTimeKind.Utc), "2024-03-10T01:15:00-05:00"),
            (new DateTime(2024, 11, 3, 5, 59, 0, DateTimeKind.Utc), "2024-11-03T01:59:00-04:00"),
            (new DateTime(2024, 11, 3, 6, 0, 0, DateTimeKind.Utc), "2024-11-03T01:00:00-05:00"),
            (new DateTime(2024, 11, 3, 6, 0, 0, DateTimeKind.Utc).AddTicks(5_000_000), "2024-11-03T01:00:00.5-05:00"),
            (new DateTime(2024, 11, 3, 5, 30, 0, DateTimeKind.Utc), "2024-11-03T01:30:00-04:00"),
        };
        foreach (var (utc, expected) in cases)
        {
            Assert.Equal(expected, ArtifactFormat.ToText(clock.ToOffset(utc)));
        }

        Assert.Equal("2024-11-03T06:00:00+00:00", ArtifactFormat.ToText(new ExchangeOffsetCache(null).ToOffset(new DateTime(2024, 11, 3, 6, 0, 0, DateTimeKind.Utc))));
    }

    [Fact]
    public void OffsetCache_TicksAndOffsets_AreThoseOfToOffset_AcrossBothTransitions()
    {
        // Every 7 minutes 13 seconds through both of 2024's transitions, each question asked of its own cache and of one
        // warmed by the others (the cached hour and the hour of a change alike), with a calendar and without.
        foreach (var calendar in new[] { StrategyLab.Tests.Support.WeekdayTestCalendar.Instance, null })
        {
            var reference = new ExchangeOffsetCache(calendar);
            var warm = new ExchangeOffsetCache(calendar);
            foreach (var start in new[] { new DateTime(2024, 3, 9, 20, 0, 0, DateTimeKind.Utc), new DateTime(2024, 11, 2, 20, 0, 0, DateTimeKind.Utc) })
            {
                for (var utc = start; utc < start.AddDays(1); utc = utc.AddSeconds(433))
                {
                    var expected = reference.ToOffset(utc);
                    foreach (var cache in new[] { warm, new ExchangeOffsetCache(calendar) })
                    {
                        Assert.Equal(expected.Offset.Ticks, cache.OffsetTicks(utc));
                        var local = cache.LocalTicks(utc, out var minutes);
                        Assert.Equal((expected.DateTime.Ticks, (short)expected.TotalOffsetMinutes), (local, minutes));
                    }
                }
            }
        }
    }

    [Fact]
    public void Incremental_LeavesCompleteLinesAfterEveryCycle()
    {
        var checks = 0;
        var probe = new CycleProbe(Folder("live"), folder =>
        {
            checks++;
            var equity = ParseCsv(ReadShared(Path.Combine(folder, "equity.csv")));
            Assert.Equal(checks + 1, equity.Count);          // header + one row per cycle so far
            var bars = ParseCsv(ReadShared(Path.Combine(folder, "bars.csv")));
            Assert.Equal(checks + 1, bars.Count);            // one symbol: one bar per cycle
            foreach (var file in new[] { "trades.csv", "fills.csv", "orders.csv", "equity.csv", "bars.csv" })
            {
                var rows = ParseCsv(ReadShared(Path.Combine(folder, file)));
                Assert.All(rows, r => Assert.Equal(rows[0].Length, r.Length));
            }

            // Orders are up to date at the end of each cycle: the entry is submitted in the 09:31 cycle's orders step;
            // by the end of the 09:32 cycle it is filled and the two exits are working.
            var orders = ParseCsv(ReadShared(Path.Combine(folder, "orders.csv")));
            if (checks == 1)
            {
                Assert.Equal(["working"], orders.Skip(1).Select(r => r[12]));
            }

            if (checks == 2)
            {
                Assert.Equal(["filled", "working", "working"], orders.Skip(1).Select(r => r[12]));
            }

            if (checks == 6)
            {
                Assert.Equal(["filled", "canceled", "canceled", "filled"], orders.Skip(1).Select(r => r[12]));
                Assert.Equal(2, ParseCsv(ReadShared(Path.Combine(folder, "trades.csv"))).Count);
            }

            Assert.False(File.Exists(Path.Combine(folder, "summary.json")));
            Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        });

        var run = OneTrade("live", RunMode.Live, probe: probe);

        Assert.Equal(10, checks);
        Assert.True(File.Exists(Path.Combine(run.Folder, "summary.json")));
        Assert.Equal("live", JsonDocument.Parse(run.Text("summary.json")).RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public void TwoIdenticalRuns_GiveByteIdenticalFolders()
    {
        var a = OneTrade("a", RunMode.Replay);
        var b = OneTrade("b", RunMode.Replay);

        var names = Directory.GetFiles(a.Folder).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(names, Directory.GetFiles(b.Folder).Select(Path.GetFileName).Order());
        Assert.Contains("bars.csv", names);
        foreach (var name in names)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Folder, name!)), File.ReadAllBytes(Path.Combine(b.Folder, name!)));
        }
    }

    [Fact]
    public void PnlMinusCommissionPlusOpenPositions_EqualsTheEquityChange_ReadBackFromTheFiles()
    {
        // Two symbols, a long and a short, a flip, and a position still open at the end.
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:32", c => c.EnterShort(Bbb))
            .At("2024-01-08 09:34", c => c.Exit(Aaa))
            .At("2024-01-08 09:35", c => c.SubmitOrder(OrderRequest.Market(Bbb, OrderSide.Buy, 20m, "flip"))) // one fill: −10 → +10
            .At("2024-01-08 09:36", c => c.EnterLong(Aaa));  // still open at the end
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 9, 100m, 0.37m)
            .Concat(Minutes(Bbb, "2024-01-08", "09:30", 9, 40m, -0.23m))
            .OrderBy(b => b.End).ThenBy(b => b.Symbol).ToList();
        var run = new ArtifactRun(Folder("invariant"), strategy, [Aaa, Bbb], account: AccountType.Margin).Run(bars);

        var trades = ParseCsv(run.Text("trades.csv")).Skip(1).ToList();
        var fills = ParseCsv(run.Text("fills.csv")).Skip(1).ToList();
        var equity = ParseCsv(run.Text("equity.csv")).Skip(1).ToList();
        using var summary = JsonDocument.Parse(run.Text("summary.json"));
        var open = summary.RootElement.GetProperty("open_positions").EnumerateArray().ToList();

        Assert.Equal(["AAA", "BBB"], trades.Select(t => t[0]));
        Assert.Equal(["long", "short"], trades.Select(t => t[1]));
        Assert.Equal("flip", trades[1][9]);
        Assert.Equal("1.5", trades[1][8]);                  // $1 entry + half of the flip fill's $1 (10 of its 20 shares)
        Assert.Equal(["AAA", "BBB"], open.Select(p => p.GetProperty("symbol").GetString()));
        var pnl = trades.Sum(t => Dec(t[7]));
        var fees = fills.Sum(f => Dec(f[6]));
        var unrealized = open.Sum(p => Dec(p.GetProperty("unrealized_pnl").GetRawText()));
        var start = Dec(summary.RootElement.GetProperty("statistics").GetProperty("start_equity").GetRawText());
        var end = Dec(equity[^1][3]);
        Assert.Equal(end - start, pnl - fees + unrealized);
        Assert.Equal(run.Portfolio.Equity, end);
    }

    [Fact]
    public void WithEverythingClosed_PnlMinusTradeCommissions_EqualsTheEquityChange()
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:33", c => c.EnterShort(Aaa))   // reversal
            .At("2024-01-08 09:36", c => c.EnterLong(Aaa));   // reversal again, closed by the end of the run
        var run = new ArtifactRun(Folder("closed"), strategy, [Aaa], closeAtEnd: true, account: AccountType.Margin).Run(Minutes(Aaa, "2024-01-08", "09:30", 8, 100m, 0.29m));

        var trades = ParseCsv(run.Text("trades.csv")).Skip(1).ToList();
        var equity = ParseCsv(run.Text("equity.csv")).Skip(1).ToList();
        Assert.Equal(3, trades.Count);
        Assert.Equal("end_of_run", trades[^1][9]);
        Assert.Equal(9, equity.Count);                      // 8 cycles + the end-of-run mark
        Assert.Equal(Dec(equity[^1][3]) - InitialCash, trades.Sum(t => Dec(t[7]) - Dec(t[8])));
    }

    [Fact]
    public void Dispose_WithoutComplete_LeavesValidFilesAndNoSummary()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.EnterLong(Aaa));
        var folder = Folder("crash");
        var run = new ArtifactRun(folder, strategy, [Aaa]);
        run.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 4, 100m));
        run.Writer.Dispose(); // e.g. in a finally after an exception

        Assert.False(File.Exists(Path.Combine(folder, "summary.json")));
        Assert.Equal(5, ParseCsv(run.Text("equity.csv")).Count);
        Assert.Equal(2, ParseCsv(run.Text("orders.csv")).Count);
        Assert.Throws<ObjectDisposedException>(() => run.Writer.OnEquity(new EquityPoint(DateTime.UnixEpoch, 1, 0, 1, 0)));
    }

    [Fact]
    public void AFolderReused_LosesTheStaleFilesOfThePreviousRun()
    {
        var first = OneTrade("reuse", RunMode.Replay);
        Assert.True(File.Exists(Path.Combine(first.Folder, "bars.csv")));

        var options = new RunFolderOptions { Mode = RunMode.Backtest, Calendars = _ => StrategyLab.Tests.Support.WeekdayTestCalendar.Instance };
        using (new RunFolderWriter(first.Folder, options))
        {
            Assert.False(File.Exists(Path.Combine(first.Folder, "bars.csv")));
            Assert.False(File.Exists(Path.Combine(first.Folder, "summary.json")));
            Assert.Equal(RunFolderWriter.TradesHeader + "\n", ReadShared(Path.Combine(first.Folder, "trades.csv")));
        }
    }

    [Fact]
    public void WriteSummary_OnDemand_KeepsTheRunGoing()
    {
        var strategy = new ScriptedStrategy().At("2024-01-08 09:31", c => c.EnterLong(Aaa));
        var run = new ArtifactRun(Folder("ondemand"), strategy, [Aaa], mode: RunMode.Live);
        var bars = Minutes(Aaa, "2024-01-08", "09:30", 6, 100m);
        run.Engine.Run(bars.Take(3));
        run.Writer.WriteSummary(RunSnapshot.Of(run.Engine, run.Statistics.Compute()));
        using (var mid = JsonDocument.Parse(run.Text("summary.json")))
        {
            Assert.Equal(3, mid.RootElement.GetProperty("counts").GetProperty("cycles").GetInt64());
            var position = Assert.Single(mid.RootElement.GetProperty("open_positions").EnumerateArray());
            Assert.Equal("AAA", position.GetProperty("symbol").GetString());
            Assert.Equal("long", position.GetProperty("side").GetString());
            Assert.Equal("10", position.GetProperty("qty").GetRawText());
            Assert.Equal("100.1", position.GetProperty("avg_price").GetRawText());
            Assert.Equal("100.22", position.GetProperty("last_price").GetRawText());   // close of the 09:32 bar
            Assert.Equal("1.2", position.GetProperty("unrealized_pnl").GetRawText());  // 10 × (100.22 − 100.10)
        }

        run.Engine.Run(bars.Skip(3));
        run.Engine.Finish(bars[^1].End);
        run.Writer.Complete(RunSnapshot.Of(run.Engine, run.Statistics.Compute()));
        using var end = JsonDocument.Parse(run.Text("summary.json"));
        Assert.Equal(6, end.RootElement.GetProperty("counts").GetProperty("cycles").GetInt64());
    }

    [Fact]
    public void BacktestEquityRows_DoNotAllocate()
    {
        var options = new RunFolderOptions { Mode = RunMode.Backtest, Calendars = _ => StrategyLab.Tests.Support.WeekdayTestCalendar.Instance, EquityCalendar = StrategyLab.Tests.Support.WeekdayTestCalendar.Instance, Equity = EquityResolution.Cycle };
        using var writer = new RunFolderWriter(Folder("alloc"), options);
        var t = StrategyLab.Tests.Support.Bars.Ny("2024-01-08 09:31");
        writer.OnEquity(new EquityPoint(t, 100_000m, 0m, 100_000m, 0));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i <= 300; i++)
        {
            var cash = 100_000m - (i * 0.37m);
            writer.OnEquity(new EquityPoint(t.AddMinutes(i), cash, i * 0.37m, 100_000m, 1));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void OrderRows_WriteStoredIdsAsGiven_AndGeneratedOnesWithoutMakingThem()
    {
        var calendar = StrategyLab.Tests.Support.WeekdayTestCalendar.Instance;
        var options = new RunFolderOptions { Mode = RunMode.Backtest, Calendars = _ => calendar, EquityCalendar = calendar, Equity = EquityResolution.Cycle };
        var t = StrategyLab.Tests.Support.Bars.Ny("2024-01-08 09:31");
        var request = new OrderRequest(Aaa, OrderSide.Sell, 5m, OrderType.Stop, null, 95m, null, TimeInForce.Gtc, "stop", "group \"a\"");
        var named = new Order(1, "my,id", request, t) { Status = OrderStatus.Canceled };
        var generated = new Order(2, Aaa, OrderSide.Sell, 5m, OrderType.Stop, null, 95m, TimeInForce.Gtc, "stop_loss", 41, t) { Status = OrderStatus.Canceled };
        using (var writer = new RunFolderWriter(Folder("ids"), options))
        {
            writer.OnOrderEvent(new OrderEvent(OrderEventKind.Canceled, named, t));
            writer.OnOrderEvent(new OrderEvent(OrderEventKind.Canceled, generated, t));
        }

        var lines = File.ReadAllLines(Path.Combine(Folder("ids"), "orders.csv"));
        Assert.StartsWith("1,\"my,id\",", lines[1], StringComparison.Ordinal);
        Assert.Contains(",stop,\"group \"\"a\"\"\",canceled,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2,SL-2,", lines[2], StringComparison.Ordinal);
        Assert.Contains(",stop_loss,oco-41,canceled,", lines[2], StringComparison.Ordinal);
        Assert.Null(generated.StoredClientOrderId); // written as text; the order still holds no string
        Assert.Equal("SL-2", generated.ClientOrderId);
        Assert.Equal("oco-41", generated.OcoGroup);
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>Runs a check after every equity mark (the end of a cycle), once the writer has seen it.</summary>
    private sealed class CycleProbe(string folder, Action<string> check) : IRunRecorder
    {
        public void OnEquity(in EquityPoint point) => check(folder);
    }
}
