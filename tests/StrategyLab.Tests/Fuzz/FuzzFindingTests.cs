using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Fuzz;

/// <summary>
/// Regression tests for what the fuzz harness found in configuration loading (issue 10 #25): each was a stack trace or a
/// raw control character on the terminal before its fix, and is now a clean exit 2 naming the key or the file.
/// </summary>
public sealed class FuzzFindingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-fuzzfound-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<CliResult> BacktestAsync(string body)
    {
        var config = Path.Combine(_dir, "run.json");
        await File.WriteAllTextAsync(config, "{ \"data\": { \"from\": \"2024-01-02\", \"to\": \"2024-01-02\" }, " + body + " }", TestContext.Current.CancellationToken);
        return await CliRunner.RunInProcessAsync("backtest", "--config", config, "--json", "--quiet", "--out", Path.Combine(_dir, "run"));
    }

    private static void AssertCleanError(CliResult r, string named)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", r.StdErr, StringComparison.Ordinal);
        Assert.Contains(named, r.StdErr, StringComparison.Ordinal);
        using var doc = System.Text.Json.JsonDocument.Parse(r.StdOut);
        Assert.Equal(2, doc.RootElement.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task ARepeatedStrategyParameter_IsADuplicateKeyError_NotADictionaryCrash()
    {
        var r = await BacktestAsync("\"strategy\": { \"name\": \"sma_crossover\", \"params\": { \"slow\": 30, \"slow\": 40 } }");
        AssertCleanError(r, "run.json");
        Assert.Contains("Duplicate property 'slow'", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"speedup\": 1e309", "speedup")]
    [InlineData("\"market_hours\": { \"bar_sync_buffer_seconds\": -1e400 }", "market_hours.bar_sync_buffer_seconds")]
    [InlineData("\"providers\": { \"polygon\": { \"late_grace_seconds\": 1e309 } }", "providers.polygon.late_grace_seconds")]
    public async Task ANumberBeyondTheDoubleRange_NamesTheKey_NotAnInfinityCrash(string body, string key)
    {
        var r = await BacktestAsync(body);
        AssertCleanError(r, key);
    }

    [Fact]
    public async Task AConfigValueWithControlCharacters_IsEchoedEscaped()
    {
        var r = await BacktestAsync("\"exchange\": { \"commission\": { \"model\": \"\\u001b[31mred\\u0007\" } }");
        AssertCleanError(r, "exchange.commission.model");
        Assert.DoesNotContain('\u001b', r.StdErr);
        Assert.DoesNotContain('\u0007', r.StdErr);
        Assert.Contains("\\u001B[31mred\\u0007", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("backtest")]
    [InlineData("info")]
    public async Task ACsvHeaderNamingAColumnTwice_IsLine1OfTheFile_NotAParserCrash(string command)
    {
        var csv = Path.Combine(_dir, "SPY.csv");
        await File.WriteAllTextAsync(csv, "time,open,high,low,close,volume,volume,\u001b\u001b,\u001b\u001b\n2024-01-02T09:30:00-05:00,1,1,1,1,1,1\n", TestContext.Current.CancellationToken);
        var r = command == "info"
            ? await CliRunner.RunInProcessAsync("data", "info", csv, "--json")
            : await CliRunner.RunInProcessAsync("backtest", "--json", "--quiet", "--out", Path.Combine(_dir, "csvrun"), "--config", await ConfigFor(csv));
        AssertCleanError(r, "SPY.csv:1");
        Assert.DoesNotContain('\u001b', r.StdErr + r.StdOut);
    }

    private async Task<string> ConfigFor(string csv)
    {
        var config = Path.Combine(_dir, "csv.json");
        await File.WriteAllTextAsync(
            config,
            "{ \"data\": { \"provider\": \"csv\", \"path\": \"" + csv.Replace("\\", "/", StringComparison.Ordinal) + "\", \"symbols\": [\"SPY\"], \"timeframe\": \"1m\" } }",
            TestContext.Current.CancellationToken);
        return config;
    }
}
