using System.Text.Json.Serialization;

namespace StrategyLab.Runner.Configuration;

/// <summary>
/// Compile-time JSON metadata of <see cref="RunConfig"/>: binding a configuration without it builds the same metadata
/// by reflection on every start, about a sixth of a small run's time. The generated metadata goes through the same
/// converters, so values, defaults and error messages are those of the reflection path (ConfigTests pin them).
/// </summary>
[JsonSerializable(typeof(RunConfig))]
internal sealed partial class RunConfigJsonContext : JsonSerializerContext;
