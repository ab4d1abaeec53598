using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console;
using StrategyLab.Cli.Commands;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;
using StrategyLab.Reporting;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Live;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// Issue 15, items 6 and 12 on the console: colours follow the value they show, prices at their own precision,
/// durations in days and years; the replay status says replay, shows the exchange's time, the last fills and events;
/// a run stopped by Ctrl+C says so.
/// </summary>
public sealed class ConsoleEdgesTests : IDisposable
{
    private static readonly Symbol Spy = Symbol.Equity("SPY");
    private static readonly DateTime At = new(2013, 10, 7, 13, 51, 0, DateTimeKind.Utc); // 09:51 in New York
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-console-edges-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("8395.06:00:00", "23.0 years (8,395 days)")]
    [InlineData("45.12:00:00", "46 days")]
    [InlineData("29.06:06:00", "29 d 06:06:00")]
    [InlineData("06:06:00", "06:06:00")]
    public void LongDurations_ReadInDaysAndYears(string summary, string shown) => Assert.Equal(shown, StatisticDisplay.Duration(summary));

    [Theory]
    [InlineData("480.0000", "480.00")]
    [InlineData("100.0625", "100.0625")]
    [InlineData("1234.5", "1,234.50")]
    public void Prices_AreShownAtTheirOwnPrecision(string price, string shown) =>
        Assert.Equal(shown, ConsoleNumbers.Price(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void OnATerminal_EachSummaryValue_IsColouredByItsOwnSign()
    {
        var table = new PlainSummaryTable("t");
        table.Add("Net profit", "-3.92", -1);
        table.Add("Total return", "1.00 %", 1);
        table.Add("Fees", "2.00");
        var lines = Colour(c => c.Write(table.ToSpectre())).Split('\n');
        var red = Colour(c => c.Markup("[red]x[/]")).Split('x')[0]; // the escape that opens red text
        var green = Colour(c => c.Markup("[green]x[/]")).Split('x')[0];
        var fees = lines.Single(l => l.Contains("Fees", StringComparison.Ordinal));

        Assert.Contains(red, lines.Single(l => l.Contains("Net profit", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(green, lines.Single(l => l.Contains("Total return", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain(red, fees, StringComparison.Ordinal);
        Assert.DoesNotContain(green, fees, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReplayStatus_SaysReplay_ShowsTheExchangesTime_TheLastFillsAndEvents()
    {
        var sink = new ConsoleStatusSink(RunMode.Replay, NyseCalendar.Instance);
        sink.Activity.OnOrderEvent(new OrderEvent(OrderEventKind.Filled, null!, At, new Fill(7, Spy, OrderSide.Buy, 10, 168.1200m, 1m, At, "orb_breakout", 168m, 169m)));
        using (var loggers = new LoggerFactory([sink.Activity]))
        {
            loggers.CreateLogger("t").LogWarning(new EventId(1, "liveMode.gap.unfilled"), "SPY {From:O}: no bars", At);
        }

        var bar = new Bar(Spy, At.AddMinutes(-1), At, 168m, 168.5m, 167.9m, 168.2500m, 1200m);
        sink.OnStatus(new LiveStatus(At, At.AddMinutes(1), StrategyLab.Core.Data.FeedConnectionState.Connected, 12, [bar], [], 100_010m, 100_000m, "replay ×60"));
        var text = Plain(sink.Table);

        Assert.Contains("Strategy Lab — replay", text, StringComparison.Ordinal);
        Assert.DoesNotContain("— live", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Connection", text, StringComparison.Ordinal); // a replay reads files
        Assert.Contains("2013-10-07 09:51:00 -04:00", text, StringComparison.Ordinal);
        Assert.Contains("C 168.25 ", text, StringComparison.Ordinal);
        Assert.Contains("2013-10-07 09:51:00 BUY 10 SPY @ 168.12  orb_breakout", text, StringComparison.Ordinal);
        Assert.Contains("liveMode.gap.unfilled: SPY 2013-10-07T09:51:00-04:00: no bars", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AfterCtrlC_TheSummarySaysStoppedByCtrlC()
    {
        var (config, effective) = ConfigLoader.Load(null, []);
        using var stop = new CancellationTokenSource();
        var outcome = BacktestRunner.Run(ResolvedRun.Resolve(config, effective), Path.Combine(_dir, "run"), NullLoggerFactory.Instance, new CancelAfterBars(stop), stop.Token);
        using var output = new StringWriter();

        RunConsole.WriteSummary(output, outcome);

        Assert.Contains("stopped by Ctrl+C", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ancelled", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("cancelled", outcome.StopReason); // the artifacts keep their snake_case reason
    }

    private static string Plain(Table table)
    {
        using var output = new StringWriter();
        var console = RunConsole.For(output);
        console.Profile.Width = 160;
        console.Write(table);
        return output.ToString();
    }

    private static string Colour(Action<IAnsiConsole> write)
    {
        using var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 80;
        write(console);
        return output.ToString();
    }

    private sealed class CancelAfterBars(CancellationTokenSource stop) : IRunRecorder
    {
        private int _seen;

        public void OnBar(in Bar bar)
        {
            if (++_seen == 300)
            {
                stop.Cancel();
            }
        }
    }
}
