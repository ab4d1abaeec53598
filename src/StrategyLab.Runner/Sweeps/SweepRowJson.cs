using System.Text.Json;

namespace StrategyLab.Runner.Sweeps;

/// <summary>
/// A <see cref="SweepRow"/> as JSON text and back, exactly (decimals keep their digits, doubles round-trip, times stay
/// UTC): how a cluster worker hands its rows to the client, so the client writes the same <c>sweep.csv</c> as a local
/// sweep.
/// </summary>
public static class SweepRowJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The row as one line of JSON.</summary>
    public static string Serialize(SweepRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return JsonSerializer.Serialize(row, Options);
    }

    /// <summary>The row <see cref="Serialize"/> wrote.</summary>
    /// <exception cref="JsonException">Not a row.</exception>
    public static SweepRow Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<SweepRow>(json, Options) ?? throw new JsonException("null is not a sweep row.");
    }
}
