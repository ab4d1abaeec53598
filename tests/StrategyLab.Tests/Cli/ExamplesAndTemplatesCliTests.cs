using System.Text.Json.Nodes;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// The examples in <c>examples/</c> and the starters of <c>strategylab new strategy</c>, compiled and run through the CLI
/// as a user runs them.
/// </summary>
[Collection(UserStrategyCollection.Name)]
public sealed class ExamplesAndTemplatesCliTests : IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("sl-examples-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Theory]
    [InlineData("momentum-rotation", "MomentumRotation.cs")]
    [InlineData("vwap-reversion", "VwapReversion.cs")]
    [InlineData("multi-timeframe", "MultiTimeframe.cs")]
    public async Task Example_RunsThroughTheCli_WithTrades(string folder, string file)
    {
        var lean = TestPaths.RequireLean();
        var exampleDir = Path.Combine(TestPaths.RepoRoot, "examples", folder);

        // The example's own run.json, with the data folder and the source made absolute (the file assumes the
        // repository root as the current folder).
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(exampleDir, "run.json")), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        config["data"]!["path"] = lean;
        Assert.Equal(file, (string?)config["strategy"]!["source"]);
        config["strategy"]!["source"] = Path.Combine(exampleDir, file);
        var configPath = Path.Combine(_temp.FullName, folder + ".json");
        File.WriteAllText(configPath, config.ToJsonString());
        var runDir = Path.Combine(_temp.FullName, folder);

        var result = await CliRunner.RunInProcessAsync("backtest", "--config", configPath, "--out", runDir, "--quiet");

        Assert.True(result.ExitCode == 0, result.StdErr);
        var trades = File.ReadAllLines(Path.Combine(runDir, "trades.csv"));
        Assert.True(trades.Length > 1, $"{folder}: no trades");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "summary.json")))!;
        Assert.Contains(file, summary.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("crossover")]
    [InlineData("breakout")]
    [InlineData("rotation")]
    public async Task NewStrategy_WritesAStarterThatBacktestsAtOnce(string template)
    {
        var dir = Path.Combine(_temp.FullName, template);
        var made = await CliRunner.RunInProcessAsync("new", "strategy", "MyStarter", "--template", template, "--out", dir);
        Assert.True(made.ExitCode == 0, made.StdErr);
        Assert.True(File.Exists(Path.Combine(dir, "MyStarter.cs")));
        Assert.Contains("[Strategy(\"my_starter\"", File.ReadAllText(Path.Combine(dir, "MyStarter.cs")), StringComparison.Ordinal);

        var runDir = Path.Combine(dir, "run");
        var result = await CliRunner.RunInProcessAsync("backtest", "--config", Path.Combine(dir, "run.json"), "--out", runDir, "--quiet");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.True(File.ReadAllLines(Path.Combine(runDir, "trades.csv")).Length > 1, $"{template}: no trades");
        var listed = await CliRunner.RunInProcessAsync("strategies", "--strategy-source", Path.Combine(dir, "MyStarter.cs"), "--json");
        Assert.True(listed.ExitCode == 0, listed.StdErr);
        Assert.Contains("\"my_starter\"", listed.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewStrategy_NeverOverwrites_AndRefusesABadName()
    {
        var dir = _temp.FullName;
        Assert.Equal(0, (await CliRunner.RunInProcessAsync("new", "strategy", "Once", "--out", dir)).ExitCode);
        var again = await CliRunner.RunInProcessAsync("new", "strategy", "Once", "--out", dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.StdErr, StringComparison.Ordinal);

        var bad = await CliRunner.RunInProcessAsync("new", "strategy", "class", "--out", dir);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("not a C# class name", bad.StdErr, StringComparison.Ordinal);
    }

    /// <summary>
    /// The built-ins' own source files, compiled as a user's file: the public API is enough for them, and a user file
    /// trades exactly as the same logic built in (every artifact but the summary's origin is byte-identical).
    /// </summary>
    [Theory]
    [InlineData("sma_crossover", "SmaCrossoverStrategy.cs", "--param", "fast=5")]
    [InlineData("orb", "OrbStrategy.cs", "--param", "opening_range_minutes=30")]
    [InlineData("rsi_reversion", "RsiReversionStrategy.cs", "--param", "period=10")]
    public async Task BuiltInSource_CompiledAsAUserFile_TradesByteForByteAsTheBuiltIn(string name, string file, string option, string value)
    {
        var source = Path.Combine(TestPaths.RepoRoot, "src", "StrategyLab.Strategies", file);
        var builtIn = Path.Combine(_temp.FullName, "built-in");
        var user = Path.Combine(_temp.FullName, "user");
        string[] common = ["--from", "2024-01-02", "--to", "2024-02-29", option, value, "--quiet"];

        var a = await CliRunner.RunInProcessAsync(["backtest", "--strategy", name, "--out", builtIn, .. common]);
        var b = await CliRunner.RunInProcessAsync(["backtest", "--strategy-source", source, "--strategy", name, "--out", user, .. common]);

        Assert.True(a.ExitCode == 0, a.StdErr);
        Assert.True(b.ExitCode == 0, b.StdErr);
        Assert.True(File.ReadAllLines(Path.Combine(builtIn, "trades.csv")).Length > 1);
        foreach (var artifact in new[] { "trades.csv", "orders.csv", "fills.csv", "equity.csv" })
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(builtIn, artifact)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(user, artifact))),
                $"{artifact} differs between the built-in {name} and its source compiled as a user file");
        }

        var origin = JsonNode.Parse(File.ReadAllText(Path.Combine(user, "summary.json")))!.ToJsonString();
        Assert.Contains("\"kind\":\"source\"", origin, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MyBreakout", "my_breakout")]
    [InlineData("RSI2Reversion", "rsi2_reversion")]
    [InlineData("VWAPBands", "vwap_bands")]
    public void SnakeCase_MatchesTheParameterKeys(string name, string expected) =>
        Assert.Equal(expected, StrategyLab.Cli.Commands.NewCommand.SnakeCase(name));
}
