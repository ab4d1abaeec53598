using System.Text.Json.Nodes;
using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// <c>output.equity</c> through the CLI: <c>cycle</c> and <c>session</c> runs differ only in <c>equity.csv</c> and the
/// echoed key (statistics, trades, orders and fills identical), the report and compare commands read a
/// session-resolution folder, and an unknown value is an error naming the key.
/// </summary>
public sealed class OutputEquityCliTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private async Task<string> Backtest(string name, string? equity)
    {
        var folder = Path.Combine(_dir.Path, name);
        var config = Path.Combine(_dir.Path, name + ".json");
        await File.WriteAllTextAsync(
            config,
            equity is null ? """{"output":{"report":false}}""" : $$$"""{"output":{"report":false,"equity":"{{{equity}}}"}}""",
            TestContext.Current.CancellationToken);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", folder, "--from", "2024-01-02", "--to", "2024-01-05", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        return folder;
    }

    private static JsonObject SummaryWithoutEcho(string folder)
    {
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!.AsObject();
        summary.Remove("configuration");
        summary.Remove("engine"); // version and timings
        return summary;
    }

    [Fact]
    public async Task CycleAndSession_SameStatisticsTradesOrdersFills_FewerEquityRows()
    {
        var cycle = await Backtest("cycle", "cycle");
        var session = await Backtest("session", "session");
        var byDefault = await Backtest("default", null);

        Assert.True(JsonNode.DeepEquals(SummaryWithoutEcho(cycle), SummaryWithoutEcho(session)));
        foreach (var file in new[] { "trades.csv", "orders.csv", "fills.csv" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(cycle, file)), File.ReadAllBytes(Path.Combine(session, file)));
        }

        var every = File.ReadAllLines(Path.Combine(cycle, "equity.csv"));
        var perSession = File.ReadAllLines(Path.Combine(session, "equity.csv"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(session, "equity.csv")), File.ReadAllBytes(Path.Combine(byDefault, "equity.csv")));
        Assert.Equal(1 + 1 + 4, perSession.Length); // header, the first mark, the last of each of the 4 sessions
        Assert.Equal(every[1], perSession[1]);
        Assert.Equal(every[^1], perSession[^1]);
        Assert.Subset(every.ToHashSet(), perSession.ToHashSet());

        var echo = JsonNode.Parse(File.ReadAllText(Path.Combine(session, "summary.json")))!["configuration"]!["output"]!["equity"]!;
        Assert.Equal("session", echo.GetValue<string>());
    }

    [Fact]
    public async Task ReportAndCompare_ReadASessionFolder()
    {
        var session = await Backtest("s", "session");
        var cycle = await Backtest("c", "cycle");
        var report = await CliRunner.RunInProcessAsync("report", session);
        Assert.True(report.ExitCode == 0, report.ToString());
        Assert.True(File.Exists(Path.Combine(session, "report.html")));

        var compare = await CliRunner.RunInProcessAsync("compare", cycle, session, "--out", Path.Combine(_dir.Path, "cmp.html"), "--json");
        Assert.True(compare.ExitCode == 0, compare.ToString());
        var runs = JsonNode.Parse(compare.StdOut)!["runs"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(runs[0]!["statistics"], runs[1]!["statistics"]));
    }

    [Fact]
    public void UnknownValue_NamesTheKey()
    {
        var path = Path.Combine(_dir.Path, "bad.json");
        File.WriteAllText(path, """{"output":{"equity":"hourly"}}""");
        var (config, effective) = ConfigLoader.Load(path);
        var ex = Assert.Throws<ConfigException>(() => ResolvedRun.Resolve(config, effective));
        Assert.Equal("output.equity", ex.Key);
        Assert.Contains("'cycle' or 'session'", ex.Message, StringComparison.Ordinal);
    }
}
