using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Cluster;

/// <summary>
/// The payload <see cref="BacktestWorkHandler"/> reads: the run configuration as the client read it, and the
/// combination's settings as dotted keys (<c>strategy.params.fast</c>), the same keys a command-line override sets.
/// </summary>
/// <param name="Config">The run configuration file's JSON text; null runs on the built-in defaults.</param>
/// <param name="Overrides">Dotted key → JSON value, applied after the file (the combination's parameters, CLI overrides).</param>
/// <param name="BaseDirectory">
/// The folder a relative <c>strategy.source</c> starts at (the configuration file's folder on the client); null when
/// the strategy is built in. Like the data, it must be at the same path on every worker.
/// </param>
public sealed record BacktestPayload(string? Config, IReadOnlyDictionary<string, JsonNode?> Overrides, string? BaseDirectory = null)
{
    /// <summary>The payload as the JSON text a <see cref="WorkItem"/> carries.</summary>
    public string ToJson()
    {
        var overrides = new JsonObject();
        foreach (var (key, value) in Overrides)
        {
            overrides[key] = value?.DeepClone();
        }

        return new JsonObject
        {
            ["config"] = Config,
            ["overrides"] = overrides,
            ["base_directory"] = BaseDirectory,
        }.ToJsonString();
    }

    /// <summary>Reads a payload written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not such a payload.</exception>
    public static BacktestPayload Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a backtest payload is a JSON object.");
        var overrides = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (root["overrides"] is JsonObject given)
        {
            foreach (var (key, value) in given)
            {
                overrides[key] = value?.DeepClone();
            }
        }

        return new BacktestPayload(root["config"]?.GetValue<string>(), overrides, root["base_directory"]?.GetValue<string>());
    }
}
