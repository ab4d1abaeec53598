using System.Text.Json.Nodes;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>The runtime settings the command ships with (strategylab.runtimeconfig.json, from the CLI's project file).</summary>
public sealed class RuntimeConfigTests
{
    private static JsonObject ConfigProperties()
    {
        var path = Path.Combine(Path.GetDirectoryName(CliRunner.CliDllPath)!, "strategylab.runtimeconfig.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        return root["runtimeOptions"]!["configProperties"]!.AsObject();
    }

    [Fact]
    public void ReflectionInvoke_IsInterpreted_NotEmittedPerMember()
    {
        // Emitting an invoke stub per reflected member (a strategy's parameter attributes and setters) compiled nine
        // dynamic methods at every start for a handful of calls (docs/performance.md: Start-up, session 29).
        Assert.True(ConfigProperties()["Switch.System.Reflection.ForceInterpretedInvoke"]?.GetValue<bool>());
    }

    [Fact]
    public void HotMethods_AreRecompiledSoonAfterTheRunStarts()
    {
        // The runtime's 100 ms delay restarts at every method run for the first time, which a backtest's first trades
        // keep doing: the engine ran precompiled code for a large part of a 2 M-bar run (docs/performance.md: the
        // engine thread inside the command, session 31). A delay at or past the default would undo that.
        var delay = ConfigProperties()["System.Runtime.TieredCompilation.CallCountingDelayMs"]?.GetValue<int>();
        Assert.NotNull(delay);
        Assert.InRange(delay.Value, 1, 50); // 0 would recompile every start-up method too (a 200 k-bar run's CPU 0.64 -> 0.99 s)
    }

    [Fact]
    public void TheGcConservesMemory() => Assert.Equal(3, ConfigProperties()["System.GC.ConserveMemory"]?.GetValue<int>());

    [Fact]
    public async Task ABacktestWithStrategyParameters_RunsUnderInterpretedInvoke()
    {
        // The command as a user starts it (its runtime configuration applies): parameters bound by reflection still
        // reach the strategy and the echo.
        var dir = Directory.CreateTempSubdirectory("sl-invoke-").FullName;
        try
        {
            var folder = Path.Combine(dir, "run");
            var result = await CliRunner.RunProcessAsync(["backtest", "--symbols", "SYNA", "--from", "2024-01-02", "--to", "2024-01-03", "--strategy", "sma_crossover", "--param", "fast=7", "--param", "slow=21", "--json", "--out", folder]);
            Assert.True(result.ExitCode == 0, result.StdErr);
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!;
            Assert.Equal(7, summary["configuration"]!["strategy"]!["params"]!["fast"]!.GetValue<int>());
            Assert.Equal(21, summary["configuration"]!["strategy"]!["params"]!["slow"]!.GetValue<int>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
