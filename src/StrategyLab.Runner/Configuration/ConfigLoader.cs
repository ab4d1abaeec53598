using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace StrategyLab.Runner.Configuration;

/// <summary>A command-line override of one configuration key.</summary>
/// <param name="Flag">The flag as the user typed it (for error messages), e.g. <c>--cash</c>.</param>
/// <param name="Key">The dotted key it sets, e.g. <c>exchange.initial_cash</c>.</param>
/// <param name="Value">The JSON value to set.</param>
public sealed record ConfigOverride(string Flag, string Key, JsonNode? Value);

/// <summary>
/// Reads a run configuration: the JSON file (comments and trailing commas allowed), then the command-line
/// overrides, then strict binding (unknown keys and wrong types are errors naming the key, with the file and line).
/// </summary>
public static class ConfigLoader
{
    /// <summary>The serializer options of run configurations (snake_case, unknown keys rejected).</summary>
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,

        // Source-generated metadata for RunConfig (no reflection at start-up); anything else by reflection.
        TypeInfoResolver = JsonTypeInfoResolver.Combine(RunConfigJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    /// <summary>
    /// Loads <paramref name="path"/> (or the built-in defaults when null) and applies <paramref name="overrides"/>.
    /// Returns the bound configuration and the effective JSON (defaults filled in) for the run's summary.
    /// </summary>
    /// <exception cref="ConfigException">The file is missing or malformed, a key is unknown, or a value has the wrong type.</exception>
    public static (RunConfig Config, JsonObject Effective) Load(string? path, IReadOnlyList<ConfigOverride>? overrides = null)
    {
        JsonObject root;
        string? text = null;
        if (path is null)
        {
            root = [];
        }
        else
        {
            if (Directory.Exists(path))
            {
                throw new ConfigException(string.Empty, $"configuration file '{path}' is a directory; give the path of a JSON file.");
            }

            if (!File.Exists(path))
            {
                throw new ConfigException(string.Empty, $"configuration file '{path}' does not exist.");
            }

            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new ConfigException(string.Empty, $"configuration file '{path}' cannot be read: {e.Message}");
            }

            try
            {
                // Bind the file as written first, so errors carry its line numbers. That binding also rejects a repeated
                // key at any depth, so the document below is read without checking again (the check's first use loads
                // OpenSSL to seed its hash: see Effective). The hand binder takes a plainly valid file; anything else
                // goes to the serializer, which accepts it or names the error (file, key and line).
                if (ConfigBinder.TryBind(System.Text.Encoding.UTF8.GetBytes(text)) is null)
                {
                    JsonSerializer.Deserialize<RunConfig>(text, SerializerOptions);
                }

                root = JsonNode.Parse(text, documentOptions: ConfigBinder.DocumentOptions) as JsonObject
                    ?? throw new ConfigException(string.Empty, "the configuration must be a JSON object ({ ... }).", path);
            }
            catch (JsonException ex)
            {
                throw Translate(ex, path, flag: null);
            }
            catch (ArgumentException ex) when (ex.Message.Contains("same key", StringComparison.Ordinal))
            {
                // A repeated key inside a free-form object (strategy.params) escapes the serializer's own duplicate check
                // as a dictionary error: find it again with the document reader, which names it and its line.
                throw DuplicateKey(text, path, ex);
            }
        }

        var dropped = DropParamsOfAnotherStrategy(root, overrides ?? []);
        foreach (var o in overrides ?? [])
        {
            Set(root, o.Key, o.Value?.DeepClone());
        }

        RunConfig config;
        try
        {
            // Bound by hand when every key and value is plainly right; otherwise by the serializer, which names the error.
            config = ConfigBinder.TryBind(root) ?? BindBySerializer(root, text, path, overrides ?? []);
        }
        catch (JsonException ex)
        {
            var key = KeyOf(ex.Path);
            var flag = overrides?.LastOrDefault(o => key.StartsWith(o.Key, StringComparison.Ordinal))?.Flag;
            throw Translate(ex, path, flag);
        }

        RequireFinite(config);
        if (DefaultSizingIsPercentEquity(root))
        {
            config = config with { TradeManager = config.TradeManager with { Sizing = "percent_equity" } };
        }

        if (path is not null && !(overrides ?? []).Any(o => o.Key is "strategy.source" or "strategy.assembly"))
        {
            // A strategy file named in a configuration lives with it: its relative path starts at the file's folder.
            config = config with { Strategy = config.Strategy with { BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path)) } };
        }

        if (dropped is not null)
        {
            config = config with { Strategy = config.Strategy with { DroppedParams = dropped } };
        }

        return (config, Effective(config));
    }

    /// <summary>
    /// Binds with the serializer, which names a wrong key or type, then rejects what it lets through: a null element in a
    /// list or dictionary (named with its line in <paramref name="text"/>, see <see cref="ConfigNullElements"/>).
    /// </summary>
    private static RunConfig BindBySerializer(JsonObject root, string? text, string? path, IReadOnlyList<ConfigOverride> overrides)
    {
        var config = root.Deserialize<RunConfig>(SerializerOptions) ?? new RunConfig();
        ConfigNullElements.Require(config, text, path, overrides);
        return config;
    }

    /// <summary>
    /// The effective configuration as JSON, the same nodes <c>JsonSerializer.SerializeToNode</c> gives. Written to bytes
    /// and read back without the serializer's duplicate-key check (what the serializer writes has none): that check
    /// hashes property names with a randomized hash whose first use loads OpenSSL for its seed, ~5 % of a small run.
    /// </summary>
    /// <remarks>Written by <see cref="ConfigEcho"/>, the same nodes without the serializer's metadata, unless the
    /// configuration has a <c>sweep</c> section (which only the serializer writes).</remarks>
    internal static JsonObject Effective(RunConfig config) =>
        JsonNode.Parse(config.Sweep is null ? ConfigEcho.Write(config).Span : JsonSerializer.SerializeToUtf8Bytes(config, SerializerOptions))!.AsObject();

    /// <summary>
    /// The default sizing is <c>risk_percent</c>, which needs a stop to size against; a configuration that names no
    /// sizing but gives <c>position_size_pct</c> (percent of equity, the default before) or turns every stop off keeps
    /// percent-of-equity sizing.
    /// </summary>
    private static bool DefaultSizingIsPercentEquity(JsonObject root)
    {
        var tradeManager = root["trade_manager"] as JsonObject;
        if (tradeManager?["sizing"] is not null)
        {
            return false;
        }

        if (tradeManager?["position_size_pct"] is not null)
        {
            return true;
        }

        var risk = root["risk"] as JsonObject;
        var noStopLoss = risk is not null && risk.ContainsKey("stop_loss_pct") && risk["stop_loss_pct"] is null;
        return noStopLoss && risk!["trailing_stop_pct"] is null;
    }

    /// <summary>
    /// A flag that chooses another strategy than the file's (<c>--strategy</c>, <c>--strategy-source</c>,
    /// <c>--strategy-assembly</c>) starts from that strategy's defaults: the file's <c>strategy.params</c> belong to the
    /// file's strategy, and are removed (their names returned). <c>--param</c> flags still apply.
    /// </summary>
    private static string? DropParamsOfAnotherStrategy(JsonObject root, IReadOnlyList<ConfigOverride> overrides)
    {
        if (root["strategy"] is not JsonObject strategy || strategy["params"] is not JsonObject parameters || parameters.Count == 0)
        {
            return null;
        }

        static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
        var fileStrategy = Text(strategy["name"]) ?? Text(strategy["source"]) ?? Text(strategy["assembly"]) ?? StrategyConfig.DefaultName;
        foreach (var o in overrides)
        {
            var key = o.Key switch
            {
                "strategy.name" => "name",
                "strategy.source" => "source",
                "strategy.assembly" => "assembly",
                _ => null,
            };
            var before = key is null ? null : Text(strategy[key]) ?? (key == "name" && strategy["source"] is null && strategy["assembly"] is null ? StrategyConfig.DefaultName : null);
            var after = Text(o.Value);
            if (key is not null && !string.Equals(before, after, StringComparison.Ordinal))
            {
                var names = string.Join(", ", parameters.Select(p => p.Key));
                strategy.Remove("params");
                return $"{o.Flag} {after} replaces the configuration's strategy '{fileStrategy}': its strategy.params ({names}) were left out, and the run starts from the defaults of '{after}' (--param still applies).";
            }
        }

        return null;
    }

    private static ConfigException DuplicateKey(string text, string path, ArgumentException ex)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, AllowDuplicateProperties = false });
        }
        catch (JsonException duplicate)
        {
            return Translate(duplicate, path, flag: null);
        }

        return new ConfigException(string.Empty, $"a key appears twice ({FirstSentence(ex.Message)}).", path);
    }

    /// <summary>
    /// The <c>double</c> keys must be finite: a literal beyond the double range (<c>1e309</c>) reads as infinity, which
    /// no check below compares sensibly and the run's summary cannot write.
    /// </summary>
    private static void RequireFinite(RunConfig config)
    {
        (string Key, double Value)[] values =
        [
            ("speedup", config.Speedup),
            ("market_hours.bar_sync_buffer_seconds", config.MarketHours.BarSyncBufferSeconds),
            ("providers.finnhub.silence_timeout_seconds", config.Providers.Finnhub.SilenceTimeoutSeconds),
            ("providers.finnhub.late_grace_seconds", config.Providers.Finnhub.LateGraceSeconds),
            ("providers.polygon.silence_timeout_seconds", config.Providers.Polygon.SilenceTimeoutSeconds),
            ("providers.polygon.late_grace_seconds", config.Providers.Polygon.LateGraceSeconds),
            ("providers.alpaca.silence_timeout_seconds", (config.Providers.Alpaca ?? new()).SilenceTimeoutSeconds),
            ("providers.alpaca.late_grace_seconds", (config.Providers.Alpaca ?? new()).LateGraceSeconds),
        ];
        foreach (var (key, value) in values)
        {
            if (!double.IsFinite(value))
            {
                throw new ConfigException(key, "must be a finite number (this one is beyond the range of a double).");
            }
        }
    }

    /// <summary>Parses a command-line number for <paramref name="flag"/>.</summary>
    /// <exception cref="ConfigException">Not a number.</exception>
    public static JsonNode Number(string flag, string key, string text) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? JsonValue.Create(d)
            : throw new ConfigException(key, $"expected a number for {flag}, got '{text}'.");

    private static void Set(JsonObject root, string dottedKey, JsonNode? value)
    {
        var parts = dottedKey.Split('.');
        var node = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (node[parts[i]] is not JsonObject child)
            {
                child = [];
                node[parts[i]] = child;
            }

            node = child;
        }

        node[parts[^1]] = value;
    }

    private static string KeyOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) ? string.Empty : jsonPath.TrimStart('$').TrimStart('.').Replace("['", ".", StringComparison.Ordinal).Replace("']", string.Empty, StringComparison.Ordinal);

    private static ConfigException Translate(JsonException ex, string? file, string? flag)
    {
        var key = KeyOf(ex.Path);
        var line = ex.LineNumber is { } l && flag is null ? l + 1 : (long?)null;
        var source = flag is null ? file : $"{flag}";
        var message = ex.Message;
        string problem;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            problem = "unknown key (see docs/configuration.md for the keys that exist).";
        }
        else if (message.Contains("doesn't allow setting null", StringComparison.Ordinal))
        {
            problem = "must not be null.";
        }
        else if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            problem = $"expected {Describe(message)}.";
        }
        else if (ex.Path is null || ex.InnerException is not null || message.Contains("invalid", StringComparison.OrdinalIgnoreCase))
        {
            problem = $"not valid JSON ({FirstSentence(message)}).";
        }
        else
        {
            problem = FirstSentence(message);
        }

        return new ConfigException(key, problem, source, line);
    }

    private static string Describe(string message)
    {
        if (message.Contains("System.Decimal", StringComparison.Ordinal) || message.Contains("System.Double", StringComparison.Ordinal))
        {
            return "a number";
        }

        if (message.Contains("System.Int32", StringComparison.Ordinal))
        {
            return "a whole number";
        }

        if (message.Contains("System.Boolean", StringComparison.Ordinal))
        {
            return "true or false";
        }

        if (message.Contains("List`1[System.String]", StringComparison.Ordinal))
        {
            return "a list of strings, e.g. [\"SPY\"]";
        }

        if (message.Contains("System.String", StringComparison.Ordinal))
        {
            return "a string";
        }

        return message.Contains("JsonObject", StringComparison.Ordinal) || message.Contains("Config", StringComparison.Ordinal)
            ? "an object { ... }"
            : "a different type";
    }

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i < 0 ? message.TrimEnd('.') : message[..i];
    }
}
