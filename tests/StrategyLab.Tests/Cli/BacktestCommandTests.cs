using System.Globalization;
using System.Text.Json;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

public sealed class BacktestCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-bt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Slash(string path) => path.Replace("\\", "/", StringComparison.Ordinal);

    [Fact]
    public async Task DefaultRun_NeedsNoConfig_AndSaysTheDataIsSynthetic()
    {
        var outDir = Path.Combine(_dir, "default");
        var r = await CliRunner.RunInProcessAsync("backtest", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("SYNTHETIC", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("Sharpe", r.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', r.StdOut + r.StdErr);
        foreach (var f in new[] { "summary.json", "trades.csv", "orders.csv", "fills.csv", "equity.csv" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        }

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Contains("synthetic", summary.RootElement.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SameRunTwice_GivesByteIdenticalArtifacts()
    {
        // The same command twice: the second run cannot overwrite the first, so it lands in "<dir>-2".
        var a = Path.Combine(_dir, "same");
        var b = a + "-2";
        Assert.Equal(0, (await CliRunner.RunInProcessAsync("backtest", "--out", a, "--quiet", "--strategy", "sma_crossover")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunInProcessAsync("backtest", "--out", a, "--quiet", "--strategy", "sma_crossover")).ExitCode);
        var files = Directory.GetFiles(a).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(files, Directory.GetFiles(b).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        Assert.Contains("trades.csv", files);
        foreach (var f in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a, f!)).SequenceEqual(File.ReadAllBytes(Path.Combine(b, f!))), $"{f} differs between two identical runs");
        }
    }

    [Fact]
    public async Task FlagsOverrideTheConfig_AndBadValuesExitTwoNamingTheKey()
    {
        var r = await CliRunner.RunInProcessAsync("backtest", "--cash", "-5", "--out", Path.Combine(_dir, "x"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("exchange.initial_cash", r.StdErr, StringComparison.Ordinal);

        r = await CliRunner.RunInProcessAsync("backtest", "--strategy", "sma_crossover", "--param", "fast=40", "--out", Path.Combine(_dir, "y"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.params.fast", r.StdErr, StringComparison.Ordinal);

        r = await CliRunner.RunInProcessAsync("backtest", "--timeframe", "7m", "--out", Path.Combine(_dir, "z"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("data.timeframe", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("'7m'", r.StdErr, StringComparison.Ordinal);

        var ok = Path.Combine(_dir, "ok");
        r = await CliRunner.RunInProcessAsync("backtest", "--symbols", "AAA,BBB", "--from", "2024-03-04", "--to", "2024-03-08", "--timeframe", "5m", "--cash", "50000", "--out", ok, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        var summary = File.ReadAllText(Path.Combine(ok, "summary.json"));
        Assert.Contains("\"AAA\"", summary, StringComparison.Ordinal);
        Assert.Contains("\"5m\"", summary, StringComparison.Ordinal);
        Assert.Contains("50000", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealMultiSymbolRun_KeepsTheAccountingInvariants_InTheArtifacts()
    {
        var lean = TestPaths.RequireLean();
        var outDir = Path.Combine(_dir, "inv");
        var config = Path.Combine(_dir, "inv.json");
        File.WriteAllText(config, $$"""
            { "data": { "provider": "lean", "path": "{{Slash(lean)}}", "symbols": ["SPY", "AIG", "BAC", "IBM"], "timeframe": "1m", "from": "2013-10-07", "to": "2013-10-11" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } },
              "risk": { "stop_loss_pct": 0.3, "take_profit_pct": 0.4, "trailing_stop_pct": 0.35 },
              "trade_manager": { "position_size_pct": 20, "max_positions": 3 },
              "exchange": { "commission": { "model": "per_share" }, "max_volume_pct": 1 },
              "output": { "dir": "{{Slash(outDir)}}", "bars_csv": true } }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        static decimal D(string s) => decimal.Parse(s, CultureInfo.InvariantCulture);
        var equity = File.ReadLines(Path.Combine(outDir, "equity.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(equity, row => Assert.Equal(D(row[3]), D(row[1]) + D(row[2])));

        var trades = File.ReadLines(Path.Combine(outDir, "trades.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var fills = File.ReadLines(Path.Combine(outDir, "fills.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.True(trades.Count > 20, $"{trades.Count} trades");
        Assert.Contains(trades, t => t[9] == "stop_loss" || t[9] == "trailing_stop");
        Assert.Contains(trades, t => t[9] == "take_profit");

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        var finalEquity = D(equity[^1][3]);
        var unrealized = root.GetProperty("open_positions").EnumerateArray().Sum(p => p.GetProperty("unrealized_pnl").GetDecimal());
        var tradeFees = trades.Sum(t => D(t[8]));
        var allFees = fills.Sum(f => D(f[6]));
        Assert.Equal(
            Math.Round(finalEquity - 100_000m, 6),
            Math.Round(trades.Sum(t => D(t[7])) - tradeFees - (allFees - tradeFees) + unrealized, 6));

        // Every fill lies on its bar: at the open for fills stamped with the bar's start, inside [low, high] otherwise.
        var bars = File.ReadLines(Path.Combine(outDir, "bars.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var byStart = bars.ToDictionary(b => (b[0], DateTimeOffset.Parse(b[1], CultureInfo.InvariantCulture)));
        var byEnd = bars.ToDictionary(b => (b[0], DateTimeOffset.Parse(b[2], CultureInfo.InvariantCulture)));
        var header = File.ReadLines(Path.Combine(outDir, "fills.csv")).First().Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        foreach (var f in fills)
        {
            var key = (f[Col("symbol")], DateTimeOffset.Parse(f[Col("time")], CultureInfo.InvariantCulture));
            var price = D(f[Col("price")]);
            var atOpen = byStart.TryGetValue(key, out var s) && D(s[3]) == price;
            var inside = byEnd.TryGetValue(key, out var e) && price >= D(e[5]) && price <= D(e[4]);
            Assert.True(atOpen || inside, $"fill {string.Join(',', f)} is not on its bar");
        }
    }
}
