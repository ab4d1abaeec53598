using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Runner;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Cluster;

/// <summary>
/// Runs one headless backtest per payload (<see cref="BacktestPayload"/>) through the same code as
/// <c>strategylab backtest</c>: <see cref="ConfigLoader.Load"/>, <see cref="ResolvedRun.Resolve"/>,
/// <c>BacktestRunner.Run</c>,
/// into a temporary folder (no report) that is removed afterwards. The result is the run's statistics and counters
/// as JSON, with nothing that depends on the worker (no path, no time), so any worker gives the same text.
/// </summary>
/// <param name="dataPath">
/// The worker's <c>--data</c>: the data as this worker sees it, replacing <c>data.path</c> of every payload (the
/// shared store may be mounted at another path on each machine); null keeps the payload's own path.
/// </param>
public sealed class BacktestWorkHandler(string? dataPath = null) : IWorkHandler
{
    private static readonly JsonSerializerOptions ResultOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <inheritdoc />
    public string Run(string payload, CancellationToken cancellationToken)
    {
        var work = BacktestPayload.Parse(payload);
        var scratch = Directory.CreateTempSubdirectory("strategylab-worker-");
        try
        {
            string? configPath = null;
            if (work.Config is not null)
            {
                configPath = Path.Combine(scratch.FullName, "run.json");
                File.WriteAllText(configPath, work.Config);
            }

            var overrides = work.Overrides.Select(o => new ConfigOverride("--param " + o.Key, o.Key, o.Value?.DeepClone())).ToList();
            overrides.Add(new ConfigOverride("(worker)", "output.report", false));
            if (dataPath is not null)
            {
                overrides.Add(new ConfigOverride("--data", "data.path", dataPath));
            }

            var (config, effective) = ConfigLoader.Load(configPath, overrides);
            if (work.BaseDirectory is not null)
            {
                config = config with { Strategy = config.Strategy with { BaseDirectory = work.BaseDirectory } };
            }

            var run = ResolvedRun.Resolve(config, effective, NullLoggerFactory.Instance);
            var outcome = BacktestRunner.Run(run, Path.Combine(scratch.FullName, "run"), NullLoggerFactory.Instance, cancellationToken: cancellationToken);
            var result = new JsonObject
            {
                ["statistics"] = JsonSerializer.SerializeToNode(outcome.Statistics, ResultOptions),
                ["bars"] = outcome.Counters.Bars,
                ["orders"] = outcome.Counters.OrdersSubmitted,
                ["fills"] = outcome.Counters.Fills,
            };
            return result.ToJsonString();
        }
        finally
        {
            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A scratch folder left in the temp directory is harmless; the result is what counts.
            }
        }
    }
}
