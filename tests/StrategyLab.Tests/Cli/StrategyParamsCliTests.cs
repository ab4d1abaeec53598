using System.Text.Json;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// <c>--param k=v</c> and <c>strategy.params</c> end to end through the CLI: an unknown name, a wrong type, an
/// out-of-range value or an inconsistent combination exits 2 naming <c>strategy.params.&lt;name&gt;</c>, before any
/// run folder is made; the resolved values (defaults included) are echoed in <c>summary.json</c>.
/// </summary>
public sealed class StrategyParamsCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-params-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("orb", "nope=1", "strategy.params.nope: unknown parameter for strategy 'orb'. Known: opening_range_minutes, flatten_minutes_before_close, allow_short.")]
    [InlineData("orb", "opening_range_minutes=abc", "strategy.params.opening_range_minutes: expected a whole number, got 'abc'.")]
    [InlineData("orb", "opening_range_minutes=2000", "strategy.params.opening_range_minutes: 2000 is outside [1, 1440].")]
    [InlineData("orb", "opening_range_minutes=7", "strategy.params.opening_range_minutes: 7 minutes is not a whole number of 5m bars; the opening range must be a positive multiple of the bar timeframe.")]
    [InlineData("orb", "allow_short=yes", "strategy.params.allow_short: expected true or false, got 'yes'.")]
    [InlineData("sma_crossover", "fast=2.5", "strategy.params.fast: expected a whole number, got '2.5'.")]
    [InlineData("sma_crossover", "slow=1", "strategy.params.slow: 1 is outside [2, 100000].")]
    [InlineData("sma_crossover", "fast=99999999999", "strategy.params.fast: expected a whole number, got '99999999999'.")]
    [InlineData("sma_crossover", "fast=30", "strategy.params.fast: the fast period (30) must be shorter than the slow period (30).")]
    [InlineData("rsi_reversion", "oversold=low", "strategy.params.oversold: expected a number, got 'low'.")]
    [InlineData("rsi_reversion", "overbought=120", "strategy.params.overbought: 120 is outside [0, 100].")]
    [InlineData("rsi_reversion", "exit_level=75", "strategy.params.exit_level: exit_level (75) must be below overbought (70); the levels must satisfy oversold < exit_level < overbought.")]
    public async Task BadParamFlag_ExitsTwo_NamingTheParameter(string strategy, string param, string error)
    {
        var outDir = Path.Combine(_dir, "run");

        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy", strategy, "--timeframe", "5m", "--param", param, "--out", outDir, "--quiet");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal($"error: {error}", r.StdErr.Trim());
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("""{ "name": "rsi_reversion", "params": { "oversold": 1e300 } }""", "strategy.params.oversold: expected a number, got '1E+300'.")]
    [InlineData("""{ "name": "orb", "params": { "allow_short": 1 } }""", "strategy.params.allow_short: expected true or false, got '1'.")]
    [InlineData("""{ "name": "sma_crossover", "params": { "fast": [5] } }""", "strategy.params.fast: expected a whole number, got '[5]'.")]
    [InlineData("""{ "name": "sma_crossover", "params": { "Fast": 5 } }""", "strategy.params.Fast: unknown parameter for strategy 'sma_crossover'. Known: fast, slow, allow_short.")]
    public async Task BadParamInTheConfig_ExitsTwo_NamingTheParameter(string strategy, string error)
    {
        var config = Path.Combine(_dir, "run.json");
        File.WriteAllText(config, $$"""{ "strategy": {{strategy}} }""");

        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", Path.Combine(_dir, "run"), "--quiet");

        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.EndsWith(error, r.StdErr.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolvedParameters_AreEchoed_DefaultsIncluded_AsGiven()
    {
        var config = Path.Combine(_dir, "run.json");
        File.WriteAllText(config, """{ "strategy": { "name": "rsi_reversion", "params": { "oversold": 25.50 } } }""");
        var outDir = Path.Combine(_dir, "run");

        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--param", "period=7", "--out", outDir, "--quiet");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var echoed = summary.RootElement.GetProperty("configuration").GetProperty("strategy").GetProperty("params");
        Assert.Equal("""{"allow_short":false,"exit_level":50,"overbought":70,"oversold":25.50,"period":7}""", JsonSerializer.Serialize(echoed));
    }
}
