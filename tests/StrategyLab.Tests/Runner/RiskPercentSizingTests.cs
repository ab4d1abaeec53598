using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// <c>sizing: risk_percent</c>: a stopped-out position loses risk_pct of equity; capped by max_position_pct and buying
/// power; refused without a stop. The sizes are checked against the entries' own fills in a real run.
/// </summary>
public sealed class RiskPercentSizingTests
{
    private static async Task<(string Folder, CliResult Result)> Run(TempDir dir, string name, string tradeManager, string risk = """{ "stop_loss_pct": 2 }""")
    {
        var config = dir.File(name + ".json", $$"""{ "trade_manager": {{tradeManager}}, "risk": {{risk}}, "output": { "report": false } }""");
        var folder = Path.Combine(dir.Path, name);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", folder, "--quiet");
        return (folder, r);
    }

    /// <summary>(equity before the entry, entry price, quantity) of every entry fill, from the run folder.</summary>
    private static List<(decimal Price, decimal Quantity)> Entries(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "trades.csv"));
        var header = lines[0].Split(',');
        int Col(string n) => Array.IndexOf(header, n);
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(f => (decimal.Parse(f[Col("entry_price")], System.Globalization.CultureInfo.InvariantCulture), Math.Abs(decimal.Parse(f[Col("qty")], System.Globalization.CultureInfo.InvariantCulture))))];
    }

    [Fact]
    public async Task APositionIsSized_SoItsStopLosesTheRiskPercent()
    {
        using var dir = new TempDir();
        var (folder, r) = await Run(dir, "risk", """{ "sizing": "risk_percent", "risk_pct": 0.5, "max_positions": 1 }""");
        Assert.True(r.ExitCode == 0, r.ToString());
        var entries = Entries(folder);
        Assert.NotEmpty(entries);

        // With one position at a time, the first entry sees the whole starting equity: 100,000 × 0.5 % / (price × 2 %),
        // i.e. 25 % of equity in notional, rounded down to whole shares (the fill price differs from the decision price
        // by the next bar's move, so compare the notional, not the exact count).
        var (price, quantity) = entries[0];
        var notional = price * quantity;
        Assert.InRange(notional, 23_000m, 27_000m);
    }

    [Fact]
    public async Task TheCap_LimitsThePosition()
    {
        using var dir = new TempDir();
        var (folder, r) = await Run(dir, "capped", """{ "sizing": "risk_percent", "risk_pct": 0.5, "max_position_pct": 10, "max_positions": 1 }""");
        Assert.True(r.ExitCode == 0, r.ToString());
        var (price, quantity) = Entries(folder)[0];
        Assert.InRange(price * quantity, 9_000m, 10_500m);
    }

    [Fact]
    public async Task BuyingPower_CapsAWideRisk()
    {
        using var dir = new TempDir();
        var (folder, r) = await Run(dir, "all-in", """{ "sizing": "risk_percent", "risk_pct": 10, "max_positions": 1 }""", """{ "stop_loss_pct": 1 }""");
        Assert.True(r.ExitCode == 0, r.ToString());
        var (price, quantity) = Entries(folder)[0];
        Assert.InRange(price * quantity, 95_000m, 102_000m); // 1,000 % of equity asked for; the cash account holds 100,000
    }

    [Fact]
    public void WithoutAStop_TheConfigurationIsRefused()
    {
        var (config, effective) = ConfigLoader.Load(null, [
            new ConfigOverride("test", "trade_manager.sizing", System.Text.Json.Nodes.JsonValue.Create("risk_percent")),
            new ConfigOverride("test", "risk.stop_loss_pct", null)]);
        var e = Assert.Throws<ConfigException>(() => ResolvedRun.Resolve(config, effective));
        Assert.Contains("trade_manager.sizing", e.Message, StringComparison.Ordinal);
        Assert.Contains("risk.stop_loss_pct", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FeesThatDominate_AreSaidInTheSummary()
    {
        using var dir = new TempDir();
        var (folder, r) = await Run(dir, "tiny", """{ "sizing": "percent_equity", "position_size_pct": 0.5 }""");
        Assert.True(r.ExitCode == 0, r.ToString());
        var summary = File.ReadAllText(Path.Combine(folder, "summary.json"));
        Assert.Contains("\"fees_dominate\": true", summary, StringComparison.Ordinal);
        Assert.Contains("exceed a third of the P&L before fees", r.StdOut, StringComparison.Ordinal);

        var (sized, r2) = await Run(dir, "sized", """{ "sizing": "risk_percent" }""");
        Assert.True(r2.ExitCode == 0, r2.ToString());
        Assert.Contains("\"fees_dominate\": false", File.ReadAllText(Path.Combine(sized, "summary.json")), StringComparison.Ordinal);
        Assert.DoesNotContain("exceed a third", r2.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheBuiltInDefault_IsNotACommissionArtefact()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "default");
        var r = await CliRunner.RunInProcessAsync("backtest", "--out", folder, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var stats = summary.RootElement.GetProperty("statistics");
        Assert.False(stats.GetProperty("fees_dominate").GetBoolean(), "fee share " + stats.GetProperty("fee_share_of_gross"));
        Assert.True(stats.GetProperty("fee_share_of_gross").GetDouble() < 1.0 / 3);
    }

    [Fact]
    public async Task TheReadmeExample_IsNotACommissionArtefact()
    {
        var lean = TestPaths.RequireLean();
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var start = readme.IndexOf("{ \"mode\": \"backtest\",", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README's real-data example was not found");
        var json = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "readme");
        var config = dir.File("readme.json", json
            .Replace("../shared/data/lean", lean.Replace("\\", "/", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("runs/{timestamp}", folder.Replace("\\", "/", StringComparison.Ordinal), StringComparison.Ordinal));
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var stats = summary.RootElement.GetProperty("statistics");
        Assert.True(stats.GetProperty("trade_count").GetInt32() > 0, "the example made no trade");
        Assert.False(stats.GetProperty("fees_dominate").GetBoolean(), "fee share " + stats.GetProperty("fee_share_of_gross"));
    }
}
