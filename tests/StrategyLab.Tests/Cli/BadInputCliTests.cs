using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>Issue 10 findings on flags and configuration files: each is a clean exit 2 naming the input, never a stack trace.</summary>
public sealed class BadInputCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-badinput-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void AssertCleanError(CliResult r, string key)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(key, r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal); // no stack trace
        Assert.DoesNotContain("Exception", r.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("")]
    [InlineData("1e9")]
    [InlineData("0.0000001")]
    [InlineData("-1")]
    public async Task Replay_BadSpeedup_ExitsTwoNamingIt_AndLeavesNoRunFolder(string speedup)
    {
        var output = Path.Combine(_dir, "replay");
        var r = await CliRunner.RunInProcessAsync("replay", "--speedup", speedup, "--out", output, "--quiet");
        AssertCleanError(r, "speedup");
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task Replay_SpeedupInExponentForm_IsANumber()
    {
        var r = await CliRunner.RunInProcessAsync("replay", "--speedup", "1e3", "--from", "2024-01-02", "--to", "2024-01-02", "--out", Path.Combine(_dir, "ok"), "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Theory]
    [InlineData("\"exchange\": { \"initial_cash\": 1e20 }", "exchange.initial_cash")]
    [InlineData("\"trade_manager\": { \"sizing\": \"fixed_notional\", \"notional\": 1e18 }", "trade_manager.notional")]
    [InlineData("\"exchange\": { \"slippage_bps\": 20000 }", "exchange.slippage_bps")]
    [InlineData("\"exchange\": { \"account\": \"margin\", \"margin_leverage\": 1000 }", "exchange.margin_leverage")]
    [InlineData("\"exchange\": { \"initial_cash\": 5 }, \"exchange\": { \"initial_cash\": 6 }", "exchange")]
    [InlineData("\"data\": { \"timeframe\": \"1M\" }", "data.timeframe")]
    public async Task ImpossibleOrAmbiguousValues_FailAtLoad(string body, string key)
    {
        var config = Path.Combine(_dir, "run.json");
        File.WriteAllText(config, "{ " + body + " }");
        var output = Path.Combine(_dir, "run");
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", output);
        AssertCleanError(r, key);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public async Task DuplicateKey_IsAnError_NotTheLastOneWins()
    {
        var config = Path.Combine(_dir, "dup.json");
        File.WriteAllText(config, "{ \"data\": { \"symbols\": [\"SPY\"], \"symbols\": [\"QQQ\"] } }");
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", Path.Combine(_dir, "dup"));
        AssertCleanError(r, "dup.json");
        Assert.Contains("symbols", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectoryGivenAsTheConfig_SaysSo()
    {
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", _dir, "--out", Path.Combine(_dir, "x"));
        AssertCleanError(r, "is a directory");
    }

    [Fact]
    public async Task AnUnreadableConfig_ExitsTwo_WithOneLine()
    {
        if (Environment.UserName == "root" || !OperatingSystem.IsLinux())
        {
            Assert.Skip("running as root (or not on Linux): file permissions do not make a file unreadable here.");
            return;
        }

        var config = Path.Combine(_dir, "secret.json");
        File.WriteAllText(config, "{}");
        File.SetUnixFileMode(config, UnixFileMode.None);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", Path.Combine(_dir, "x"));
        AssertCleanError(r, "cannot be read");
    }
}
