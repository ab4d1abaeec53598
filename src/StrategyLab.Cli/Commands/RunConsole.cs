using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using StrategyLab.Runner;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// How run commands talk to the user: a Spectre.Console renderer over the command's output stream that uses colour and
/// live displays only on a real terminal (never control codes into a pipe, a file or a test), the summary table, and
/// the <c>--json</c> document.
/// </summary>
internal static class RunConsole
{
    /// <summary>True when <paramref name="output"/> is the process's stdout and stdout is a terminal.</summary>
    public static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    /// <summary>A Spectre console writing to <paramref name="output"/>; plain text unless it is a terminal.</summary>
    public static IAnsiConsole For(TextWriter output)
    {
        var terminal = IsTerminal(output);
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }

    /// <summary>
    /// Writes the end-of-run summary table (and, for synthetic data, the line that says so) to <paramref name="output"/>:
    /// with Spectre on a terminal, as the same plain text without Spectre's layout engine elsewhere (see <see cref="PlainSummaryTable"/>).
    /// </summary>
    public static void WriteSummary(TextWriter output, RunOutcome outcome)
    {
        var table = SummaryOf(outcome);
        if (!IsTerminal(output) && UnicodeBorders(output))
        {
            // The width Spectre would lay the table out for (the console's, or its default when there is none).
            var width = new AnsiConsoleOutput(output).Width;
            var text = table.TryRender(width);
            var fees = outcome.Statistics.FeesDominate ? PlainSummaryTable.TryRenderParagraph(FeesNote(outcome.Statistics), width) : string.Empty;
            var synthetic = outcome.IsSynthetic ? PlainSummaryTable.TryRenderParagraph(SyntheticNotice, width) : string.Empty;
            if (text is not null && fees is not null && synthetic is not null)
            {
                output.Write(text);
                output.Write(fees);
                output.Write(synthetic);
                return;
            }
        }

        var console = For(output);
        console.Write(table.ToSpectre());
        if (outcome.Statistics.FeesDominate)
        {
            // A result that is mostly commission says nothing about the strategy: say so where the user looks.
            console.MarkupLine(Markup.Escape(FeesNote(outcome.Statistics)));
        }

        if (outcome.IsSynthetic)
        {
            console.MarkupLine("[yellow]" + Markup.Escape(SyntheticWarning) + "[/]" + Markup.Escape(SyntheticNotice[SyntheticWarning.Length..]));
        }
    }

    /// <summary>The summary table's rows.</summary>
    internal static PlainSummaryTable SummaryOf(RunOutcome outcome)
    {
        var s = outcome.Statistics;
        var table = new PlainSummaryTable($"Strategy Lab — {outcome.Mode.ToString().ToLowerInvariant()} summary");
        table.Add("Data", outcome.DataDescription);
        table.Add("Start equity", Money(s.StartEquity));
        table.Add("End equity", Money(s.EndEquity));
        table.Add("Net profit", Money(s.NetProfit), MoneySign(s.NetProfit));
        table.Add("Total return", Pct(s.TotalReturn), PctSign(s.TotalReturn));
        table.Add("CAGR", Pct(s.Cagr), PctSign(s.Cagr));
        table.Add("Annual volatility", Pct(s.AnnualVolatility));
        table.Add("Sharpe", Ratio(s.Sharpe));
        table.Add("Sortino", Ratio(s.Sortino));
        table.Add("Max drawdown", Pct(-s.MaxDrawdown));
        table.Add("Longest drawdown", $"{s.LongestDrawdownTradingDays} trading days{(s.LongestDrawdownRecovered ? string.Empty : " (not recovered)")}");
        table.Add("Calmar", Ratio(s.Calmar));
        if (s.Benchmark is { } b)
        {
            table.Add("Benchmark", $"{b.Symbol} buy-and-hold {Pct(b.TotalReturn)}");
            table.Add("Alpha / beta", $"{Pct(b.Alpha)} / {Ratio(b.Beta)}");
            table.Add("Correlation", Ratio(b.Correlation));
            table.Add("Tracking error / IR", $"{Pct(b.TrackingError)} / {Ratio(b.InformationRatio)}");
        }

        table.Add("Trades", s.TradeCount.ToString(CultureInfo.InvariantCulture));
        table.Add("Win rate", Pct(s.WinRate));
        table.Add("Profit factor", Ratio(s.ProfitFactor));
        table.Add("Average win / loss", $"{Money(s.AverageWin)} / {Money(s.AverageLoss)}");
        table.Add("Expectancy", Money(s.Expectancy), MoneySign(s.Expectancy));
        if (s.Quality is { AverageMae: not null } q)
        {
            table.Add("Average MAE / MFE", $"{Money(q.AverageMae)} / {Money(q.AverageMfe)}");
        }

        table.Add("Exposure", Pct(s.Exposure));
        table.Add("Fees", Money(s.TotalFees));
        if (s.Attribution.Count > 1)
        {
            // A multi-symbol run: what each symbol contributed (summary.json's attribution).
            foreach (var a in s.Attribution)
            {
                table.Add(a.Symbol, $"{a.Trades} trades · win {Pct(a.WinRate)} · net {Money(a.NetPnl)} · fees {Money(a.Fees)} · exposure {Pct(a.Exposure)}");
            }
        }

        table.Add("Cycles / bars", $"{outcome.Counters.Cycles:N0} / {outcome.Counters.Bars:N0}");
        table.Add("Orders / fills / rejected", $"{outcome.Counters.OrdersSubmitted:N0} / {outcome.Counters.Fills:N0} / {outcome.Counters.OrdersRejected:N0}");
        table.Add("Open positions", outcome.Portfolio.OpenPositionCount.ToString(CultureInfo.InvariantCulture));
        if (outcome.StopReason is { } reason)
        {
            table.Add("Ended", Runner.Live.LiveStopReasonText.Describe(reason));
        }

        table.Add("Run folder", outcome.Folder);
        var report = Path.Combine(outcome.Folder, Reporting.Html.HtmlReport.FileName);
        if (File.Exists(report))
        {
            table.Add("Report", report);
        }

        return table;
    }

    /// <summary>The line under the summary of a run on synthetic data; its first sentence (<see cref="SyntheticWarning"/>) is yellow on a terminal.</summary>
    internal const string SyntheticNotice = SyntheticWarning + " Point data.path at your own CSV, LEAN folder or store.";

    private const string SyntheticWarning = "The data is SYNTHETIC (generated by the engine), not real market prices.";

    /// <summary>
    /// True when Spectre draws box characters into <paramref name="output"/>: it does for the Unicode encodings (UTF-8,
    /// UTF-16) and falls back to other borders for the rest, which the plain summary leaves to Spectre.
    /// </summary>
    private static bool UnicodeBorders(TextWriter output)
    {
        var encoding = ReferenceEquals(output, Console.Out) || ReferenceEquals(output, Console.Error) ? Console.OutputEncoding : output.Encoding;
        return encoding.CodePage is 65001 or 1200;
    }

    /// <summary>The line that says fees dominate a result (fees above a third of the P&amp;L before fees).</summary>
    public static string FeesNote(Core.Statistics.PerformanceStatistics s) =>
        FormattableString.Invariant($"Note: fees ({Money(s.TotalFees)}) exceed a third of the P&L before fees ({Money(s.NetProfit + s.TotalFees)}): this result is mostly commission. Larger positions (trade_manager.sizing: risk_percent) or fewer trades make it say more about the strategy.");

    /// <summary>Writes the run's summary.json, with the folder, as one JSON document.</summary>
    public static void WriteJson(TextWriter output, RunOutcome outcome)
    {
        var summaryPath = Path.Combine(outcome.Folder, "summary.json");
        var summary = File.Exists(summaryPath) ? JsonNode.Parse(File.ReadAllText(summaryPath)) : null;
        var doc = new JsonObject
        {
            ["run_folder"] = outcome.Folder,
            ["stop_reason"] = outcome.StopReason,
            ["summary"] = summary,
        };
        output.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Money(decimal? value) =>
        value is { } v ? v.ToString("#,##0.00;-#,##0.00", CultureInfo.InvariantCulture) : "n/a";

    // The colour of a value is the sign of the value as shown: -0.004 reads 0.00 and stays uncoloured.
    private static int MoneySign(decimal? value) => value is { } v ? Math.Sign(Math.Round(v, 2, MidpointRounding.AwayFromZero)) : 0;

    private static int PctSign(double? value) => value is { } v ? Math.Sign(Math.Round(v * 100, 2, MidpointRounding.AwayFromZero)) : 0;

    private static string Pct(double? value) =>
        value is { } v ? (v * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %" : "n/a";

    private static string Ratio(double? value) =>
        value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";
}
