using System.Text.Json;
using System.Text.Json.Serialization;
using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Cluster;

/// <summary>
/// The payload of one combination of a sweep on the cluster: the sweep's <see cref="SweepJobSpec"/> (the effective
/// configuration every combination starts from), the combination, and the walk-forward window it runs over.
/// Plain JSON, so a worker needs nothing but the text (and the data under its own path).
/// </summary>
/// <param name="ConfigJson">The spec's configuration (<see cref="SweepJobSpec.ConfigJson"/>).</param>
/// <param name="StrategyBaseDirectory">The spec's strategy base folder (<see cref="SweepJobSpec.StrategyBaseDirectory"/>).</param>
/// <param name="Index">The combination's index.</param>
/// <param name="Parameters">The combination's parameter values, as <c>[name, value]</c> pairs in the sweep's order.</param>
/// <param name="From">First date of the walk-forward window; null: the whole range.</param>
/// <param name="To">Last date of the walk-forward window; null: the whole range.</param>
public sealed record SweepPayload(
    [property: JsonPropertyName("config")] string ConfigJson,
    [property: JsonPropertyName("strategy_base")] string? StrategyBaseDirectory,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("parameters")] IReadOnlyList<string[]> Parameters,
    [property: JsonPropertyName("from")] DateOnly? From,
    [property: JsonPropertyName("to")] DateOnly? To)
{
    /// <summary>The payload of <paramref name="combination"/> of the sweep described by <paramref name="spec"/>.</summary>
    public static SweepPayload Of(SweepJobSpec spec, SweepCombination combination, SweepWindow? window)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(combination);
        return new SweepPayload(
            spec.ConfigJson,
            spec.StrategyBaseDirectory,
            combination.Index,
            [.. combination.Parameters.Select(p => new[] { p.Key, p.Value })],
            window?.From,
            window?.To);
    }

    /// <summary>The spec every combination of this sweep shares.</summary>
    [JsonIgnore]
    public SweepJobSpec Spec => new(ConfigJson, StrategyBaseDirectory);

    /// <summary>The combination to run.</summary>
    [JsonIgnore]
    public SweepCombination Combination =>
        new(Index, [.. Parameters.Select(p => p.Length == 2 ? KeyValuePair.Create(p[0], p[1]) : throw new JsonException("a parameter is not a [name, value] pair."))]);

    /// <summary>The window to run over; null: the whole range.</summary>
    [JsonIgnore]
    public SweepWindow? Window => From is { } from && To is { } to ? new SweepWindow(from, to) : null;

    /// <summary>The payload as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a payload written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a payload.</exception>
    public static SweepPayload FromJson(string json) =>
        JsonSerializer.Deserialize<SweepPayload>(json) ?? throw new JsonException("the payload is empty.");
}
