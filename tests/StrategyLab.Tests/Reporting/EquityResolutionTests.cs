using StrategyLab.Core.Domain;
using StrategyLab.Core.Execution;
using StrategyLab.Core.Risk;
using StrategyLab.Reporting;
using StrategyLab.Tests.Core.Engine;
using static StrategyLab.Tests.Reporting.ArtifactRun;

namespace StrategyLab.Tests.Reporting;

/// <summary>
/// <c>output.equity</c>: a session-resolution <c>equity.csv</c> holds the run's first mark and the last mark of every
/// date, and nothing else of the run changes; <c>orders.csv</c> streamed in a backtest equals the one a replay rewrites.
/// </summary>
public sealed class EquityResolutionTests : IDisposable
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "strategylab-tests", "equity-res-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>
    /// Four dates (one with a single bar): a trade with stop and take-profit closed the next day, a GTC limit order far
    /// below the market open until the exit cancels it (the orders after it wait for it), and a position with its stop
    /// and take-profit still open at the end.
    /// </summary>
    private ArtifactRun Run(string name, RunMode mode, EquityResolution? equity)
    {
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.EnterLong(Aaa))
            .At("2024-01-08 09:33", c => c.SubmitOrder(OrderRequest.Limit(Aaa, OrderSide.Buy, 5, 50m, TimeInForce.Gtc, "far_limit")))
            .At("2024-01-09 09:35", c => c.Exit(Aaa, "test_exit"))
            .At("2024-01-11 09:32", c => c.EnterLong(Aaa));
        List<Bar> bars =
        [
            .. Minutes(Aaa, "2024-01-08", "09:30", 10, 100m),
            .. Minutes(Aaa, "2024-01-09", "09:30", 10, 101m),
            .. Minutes(Aaa, "2024-01-10", "12:00", 1, 102m),
            .. Minutes(Aaa, "2024-01-11", "09:30", 5, 103m),
        ];
        return new ArtifactRun(Path.Combine(_root, name), strategy, [Aaa], new RiskSettings { StopLossPct = 2m, TakeProfitPct = 5m }, mode, equity: equity)
            .Run(bars);
    }

    [Fact]
    public void Session_KeepsTheFirstMarkAndEachDatesLast_AndNothingElseChanges()
    {
        var cycle = Run("cycle", RunMode.Backtest, EquityResolution.Cycle);
        var session = Run("session", RunMode.Backtest, EquityResolution.Session);

        var every = cycle.Lines("equity.csv");
        Assert.Equal(27, every.Length); // header and 26 marks
        var marks = every[1..];
        var expected = marks.Where((row, i) => i == 0 || i == marks.Length - 1 || row[..10] != marks[i + 1][..10]).ToArray();
        Assert.Equal([every[0], .. expected], session.Lines("equity.csv"));
        Assert.Equal(5, expected.Length); // 01-08 first and last, 01-09 last, 01-10 (one mark), 01-11 last

        foreach (var file in new[] { "trades.csv", "orders.csv", "fills.csv" })
        {
            Assert.Equal(cycle.Text(file), session.Text(file));
        }

        Assert.Equal(
            cycle.Text("summary.json").Replace(cycle.Folder, "F", StringComparison.Ordinal),
            session.Text("summary.json").Replace(session.Folder, "F", StringComparison.Ordinal));
    }

    [Fact]
    public void Defaults_SessionInBacktest_CycleInReplay()
    {
        Assert.Equal(6, Run("backtest", RunMode.Backtest, equity: null).Lines("equity.csv").Length);
        Assert.Equal(27, Run("replay", RunMode.Replay, equity: null).Lines("equity.csv").Length);
        var options = new RunFolderOptions { Mode = RunMode.Live, Calendars = _ => Support.WeekdayTestCalendar.Instance };
        Assert.Equal(EquityResolution.Cycle, options.EquityResolution);
        Assert.Equal(EquityResolution.Session, (options with { Mode = RunMode.Backtest }).EquityResolution);
    }

    [Fact]
    public void BacktestOrders_StreamedOnce_EqualTheReplaysRewrittenFile()
    {
        var backtest = Run("bt", RunMode.Backtest, EquityResolution.Cycle);
        var replay = Run("rp", RunMode.Replay, EquityResolution.Cycle);
        var orders = backtest.Lines("orders.csv");
        Assert.Equal(replay.Text("orders.csv"), backtest.Text("orders.csv"));
        Assert.Equal(RunFolderWriter.OrdersHeader, orders[0]);
        Assert.Contains(orders, o => o.Contains("far_limit", StringComparison.Ordinal));
        Assert.Contains(orders, o => o.Contains(",working,", StringComparison.Ordinal)); // the last entry's stop and take-profit
        var ids = orders[1..].Select(o => long.Parse(o[..o.IndexOf(',', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order().Distinct(), ids);
        Assert.True(ids.Count >= 8, string.Join('\n', orders));
        Assert.False(File.Exists(Path.Combine(backtest.Folder, "orders.csv.tmp")));
    }
}
