using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;
using static StrategyLab.Tests.Reporting.ReportTestSupport;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// The report, compare, data info and calendar commands without a terminal: plain text (no control codes), one JSON
/// document on stdout with --json, logs on stderr, exit codes.
/// </summary>
public sealed class ReportCliTests : IDisposable
{
    private const char Escape = '\u001b';
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void NoControlCodes(CliResult r)
    {
        Assert.DoesNotContain(Escape, r.StdOut);
        Assert.DoesNotContain(Escape, r.StdErr);
    }

    private static JsonNode ParseJson(CliResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        NoControlCodes(r);
        return JsonNode.Parse(r.StdOut) ?? throw new InvalidOperationException("stdout is JSON null");
    }

    private async Task<string> Backtest(string name, params string[] extra)
    {
        var folder = Path.Combine(_dir.Path, name);
        var r = await CliRunner.RunInProcessAsync(["backtest", "--out", folder, "--from", "2024-01-02", "--to", "2024-01-05", .. extra]);
        Assert.True(r.ExitCode == 0, r.ToString());
        NoControlCodes(r);
        return folder;
    }

    [Fact]
    public async Task Backtest_WritesTheReport_UnlessOutputReportIsFalse()
    {
        var folder = await Backtest("with");
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
        Assert.True(File.Exists(Path.Combine(folder, "chart_bars.csv")));

        var config = Path.Combine(_dir.Path, "no-report.json");
        await File.WriteAllTextAsync(config, """{"output":{"report":false}}""", TestContext.Current.CancellationToken);
        var without = await Backtest("without", "--config", config);
        Assert.False(File.Exists(Path.Combine(without, "report.html")));
    }

    [Fact]
    public async Task Backtest_Json_IsOneDocument()
    {
        var folder = Path.Combine(_dir.Path, "json");
        var doc = ParseJson(await CliRunner.RunInProcessAsync("backtest", "--out", folder, "--from", "2024-01-02", "--to", "2024-01-03", "--json"));
        Assert.Equal(folder, doc["run_folder"]!.GetValue<string>());
        Assert.NotNull(doc["summary"]!["statistics"]!["sharpe"]);
    }

    [Fact]
    public async Task Report_RebuildsTheReport_AndRefusesAFolderThatIsNotARun()
    {
        var folder = Path.Combine(_dir.Path, "hand");
        WriteHandMadeRun(folder);
        var r = await CliRunner.RunInProcessAsync("report", folder);
        Assert.True(r.ExitCode == 0, r.ToString());
        NoControlCodes(r);
        Assert.Equal(Path.Combine(folder, "report.html") + Environment.NewLine, r.StdOut);
        Assert.Contains("<!DOCTYPE html>", await File.ReadAllTextAsync(Path.Combine(folder, "report.html"), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var empty = Path.Combine(_dir.Path, "empty");
        Directory.CreateDirectory(empty);
        var bad = await CliRunner.RunInProcessAsync("report", empty);
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal(string.Empty, bad.StdOut);
        Assert.Contains($"error: {empty} is not a run folder", bad.StdErr, StringComparison.Ordinal);

        var missing = await CliRunner.RunInProcessAsync("report", Path.Combine(_dir.Path, "nowhere"));
        Assert.Equal(2, missing.ExitCode);
    }

    [Fact]
    public async Task Compare_PrintsThePlainTable_WritesThePage_AndJson()
    {
        var a = await Backtest("a");
        var b = await Backtest("b", "--strategy", "sma_crossover");
        var page = Path.Combine(_dir.Path, "out", "cmp.html");

        var r = await CliRunner.RunInProcessAsync("compare", a, b, "--out", page);
        Assert.True(r.ExitCode == 0, r.ToString());
        NoControlCodes(r);
        var lines = r.StdOut.Split('\n');
        // Named by what differs: the strategy.
        Assert.Contains(lines, l => l.Contains("Metric", StringComparison.Ordinal) && l.Contains("strategy=orb", StringComparison.Ordinal) && l.Contains("strategy=sma_crossover", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Sharpe", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Final cash", StringComparison.Ordinal));
        Assert.Contains("Compare page: " + page, r.StdOut, StringComparison.Ordinal);
        Assert.True(File.Exists(page));

        var doc = ParseJson(await CliRunner.RunInProcessAsync("compare", a, b, "--out", page, "--json"));
        Assert.Equal(page, doc["html"]!.GetValue<string>());
        var runs = doc["runs"]!.AsArray();
        Assert.Equal(["strategy=orb", "strategy=sma_crossover"], runs.Select(x => x!["name"]!.GetValue<string>()));
        Assert.Equal(["orb", "sma_crossover"], runs.Select(x => x!["strategy"]!.GetValue<string>()));
        var summaryA = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(a, "summary.json"), TestContext.Current.CancellationToken))!;
        Assert.True(JsonNode.DeepEquals(summaryA["statistics"], runs[0]!["statistics"]));
    }

    [Fact]
    public async Task Compare_NeedsTwoRunFolders()
    {
        var a = await Backtest("only");
        var one = await CliRunner.RunInProcessAsync("compare", a);
        Assert.Equal(2, one.ExitCode);
        Assert.Equal(string.Empty, one.StdOut);

        var notRun = Path.Combine(_dir.Path, "not-a-run");
        Directory.CreateDirectory(notRun);
        var r = await CliRunner.RunInProcessAsync("compare", a, notRun, "--out", Path.Combine(_dir.Path, "x.html"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("not a run folder (no summary.json)", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calendar_Json_ListsTheSessions_WithOffsets()
    {
        var doc = ParseJson(await CliRunner.RunInProcessAsync("calendar", "--from", "2019-11-27", "--to", "2019-12-02", "--json"));
        Assert.Equal("NYSE", doc["market"]!.GetValue<string>());
        Assert.Equal("America/New_York", doc["time_zone"]!.GetValue<string>());
        var sessions = doc["sessions"]!.AsArray();
        Assert.Equal(["2019-11-27", "2019-11-29", "2019-12-02"], sessions.Select(s => s!["date"]!.GetValue<string>())); // Thanksgiving 11-28 closed
        Assert.Equal("2019-11-29T13:00:00-05:00", sessions[1]!["close"]!.GetValue<string>());
        Assert.True(sessions[1]!["early_close"]!.GetValue<bool>());
        Assert.Equal("2019-11-27T04:00:00-05:00", sessions[0]!["pre_market_open"]!.GetValue<string>());
        Assert.Equal(1, doc["early_closes"]!.GetValue<int>());
    }

    [Fact]
    public async Task Calendar_Text_IsUnchanged_AndPlain()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--from", "2019-11-29", "--to", "2019-11-29", "--format", "table");
        Assert.True(r.ExitCode == 0, r.ToString());
        NoControlCodes(r);
        Assert.StartsWith("date        day  pre    open   close  after  note", r.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataInfo_Json_OnTheLeanFolder_AndLogsOnStderr()
    {
        var lean = TestPaths.RequireLean();
        var doc = ParseJson(await CliRunner.RunInProcessAsync(
            "data", "info", lean, "--symbol", "IBM", "--timeframe", "1m", "--from", "2013-10-03", "--to", "2013-10-08", "--json"));
        var s = Assert.Single(doc["series"]!.AsArray())!;
        Assert.Equal("IBM", s["symbol"]!.GetValue<string>());
        Assert.Equal(3, s["sessions_covered"]!.GetValue<int>());
        Assert.Equal(4, s["trading_sessions"]!.GetValue<int>());
        Assert.Equal(["2013-10-03"], s["missing_sessions"]!.AsArray().Select(d => d!.GetValue<string>()));
        var gap = Assert.Single(s["gaps"]!.AsArray())!;
        Assert.Equal("2013-10-04T12:39:00-04:00", gap["start"]!.GetValue<string>());
        Assert.Equal(1m, gap["minutes"]!.GetValue<decimal>());

        var text = await CliRunner.RunInProcessAsync("data", "info", lean, "--symbol", "IBM", "--timeframe", "1m", "--from", "2013-10-03", "--to", "2013-10-08");
        NoControlCodes(text);
        Assert.Contains("data.day.missing", text.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("data.day.missing", text.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataInfo_Json_OnACsv()
    {
        var csv = Path.Combine(_dir.Path, "btc.csv");
        await File.WriteAllTextAsync(csv, "time,open,high,low,close,volume\n2024-01-01T00:00:00Z,42000.5,42100,41900,42050,1.25\n2024-01-02T00:00:00Z,42050,42200,42000,42150,0.5\n", TestContext.Current.CancellationToken);
        var doc = ParseJson(await CliRunner.RunInProcessAsync("data", "info", csv, "--timeframe", "1d", "--symbol", "BTC-USD", "--json"));
        var s = Assert.Single(doc["series"]!.AsArray())!;
        Assert.Equal("crypto", s["asset_class"]!.GetValue<string>());
        Assert.Equal(2, s["bars"]!.GetValue<long>());
        Assert.Equal(42000.5m, s["first_bar"]!["open"]!.GetValue<decimal>());
        Assert.Equal("2024-01-01T00:00:00+00:00", s["first_bar"]!["start"]!.GetValue<string>());
        Assert.Null(s["gap_count"]); // daily bars: no intraday gaps
    }

    [Fact]
    public async Task RealProcess_NoTerminal_PlainTextAndJson()
    {
        var a = await Backtest("pa");
        var b = await Backtest("pb");
        var env = new Dictionary<string, string> { ["TERM"] = "xterm-256color" }; // a terminal type, but stdout is a pipe

        var table = await CliRunner.RunProcessAsync(["compare", a, b, "--out", Path.Combine(_dir.Path, "p.html")], environment: env);
        Assert.True(table.ExitCode == 0, table.ToString());
        NoControlCodes(table);
        Assert.Contains("* best of the row.", table.StdOut, StringComparison.Ordinal);

        var json = await CliRunner.RunProcessAsync(["compare", a, b, "--out", Path.Combine(_dir.Path, "p.html"), "--json"], environment: env);
        Assert.Equal(2, ParseJson(json)["runs"]!.AsArray().Count);

        var calendar = await CliRunner.RunProcessAsync(["calendar", "--from", "2024-07-03", "--to", "2024-07-05", "--json"], environment: env);
        Assert.Equal(2, ParseJson(calendar)["session_count"]!.GetValue<int>()); // July 4 closed

        var backtest = await CliRunner.RunProcessAsync(["backtest", "--out", Path.Combine(_dir.Path, "pc"), "--from", "2024-01-02", "--to", "2024-01-02"], environment: env);
        Assert.True(backtest.ExitCode == 0, backtest.ToString());
        NoControlCodes(backtest);
        Assert.Contains("Strategy Lab — backtest summary", backtest.StdOut, StringComparison.Ordinal);

        var report = await CliRunner.RunProcessAsync(["report", Path.Combine(_dir.Path, "pc")], environment: env);
        Assert.True(report.ExitCode == 0, report.ToString());
        NoControlCodes(report);
        using var parsed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir.Path, "pc", "summary.json"), TestContext.Current.CancellationToken));
        Assert.Equal("backtest", parsed.RootElement.GetProperty("mode").GetString());
    }
}
