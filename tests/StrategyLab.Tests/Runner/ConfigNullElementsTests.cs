using System.Text.Json.Nodes;
using StrategyLab.Runner.Configuration;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// A null element of a list or dictionary in a configuration: the serializer binds it, the loader names it once
/// (key, file and line) before any part of a run reads it.
/// </summary>
public sealed class ConfigNullElementsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-config-nulls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_dir, "run.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Theory]
    [InlineData("{\n  \"data\": {\n    \"symbols\": [\"SPY\",\n      null]\n  }\n}", "data.symbols[1]", 4)]
    [InlineData("{\n  \"data\": { \"symbols\": [null, \"SPY\"] }\n}", "data.symbols[0]", 2)]
    [InlineData("{ \"data\": { \"symbols\": [\"SPY\"] },\n  // an override per symbol\n  \"instruments\": {\n    \"SPY\": null,\n  },\n}", "instruments.SPY", 4)]
    [InlineData("{ \"strategy\": { \"name\": \"sma_crossover\", \"params\": { \"a\": [null, [null]] } },\n  \"sweep\": { \"params\": { \"fast\": \"5,10\" },\n    \"constraints\": [\"fast<slow\", null] } }", "sweep.constraints[1]", 3)]
    public void ANullElement_IsNamedWithItsFileAndLine(string json, string key, int line)
    {
        var path = Write(json);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path));
        Assert.Equal(key, e.Key);
        Assert.StartsWith($"{path}:{line}: {key}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("must not be null", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullsInFreeFormParams_AreTheStrategysToJudge_NotRejected()
    {
        var path = Write("""{ "strategy": { "params": { "levels": [1, null], "extra": null, "nested": { "a": [null] } } } }""");
        var (config, _) = ConfigLoader.Load(path);
        Assert.Equal(3, config.Strategy.Params.Count);
    }

    [Fact]
    public void ANullFromAnOverride_NamesTheFlag()
    {
        var path = Write("""{ "data": { "symbols": ["SPY"] } }""");
        var symbols = new ConfigOverride("--symbols", "data.symbols", JsonNode.Parse("""["SPY", null]"""));
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, [symbols]));
        Assert.Equal("data.symbols[1]", e.Key);
        Assert.StartsWith("--symbols: data.symbols[1]: ", e.Message, StringComparison.Ordinal);

        var noFile = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, [symbols]));
        Assert.StartsWith("--symbols: data.symbols[1]: ", noFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnInstrumentWithValues_StillLoads()
    {
        var path = Write("""{ "data": { "symbols": ["SPY", "QQQ"] }, "instruments": { "SPY": { "price_increment": 0.01 }, "QQQ": {} } }""");
        var (config, _) = ConfigLoader.Load(path);
        Assert.Equal(0.01m, config.Instruments["SPY"].PriceIncrement);
        Assert.Equal(["SPY", "QQQ"], config.Data.Symbols);
    }

    [Theory]
    [InlineData("backtest", """{ "data": { "symbols": ["SPY"] }, "instruments": { "SPY": null } }""", "instruments.SPY")]
    [InlineData("backtest", """{ "data": { "symbols": ["SPY", null] } }""", "data.symbols[1]")]
    [InlineData("sweep", """{ "strategy": { "name": "sma_crossover" }, "sweep": { "params": { "fast": "5,10" }, "constraints": [null] } }""", "sweep.constraints[0]")]
    public async Task TheCli_NamesTheNull_WithoutAStackTrace(string command, string json, string key)
    {
        var path = Write(json);
        var r = await CliRunner.RunInProcessAsync(command, "--config", path, "--quiet", "--out", Path.Combine(_dir, "out"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains($"{path}:1: {key}: ", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")), r.ToString());
    }
}
