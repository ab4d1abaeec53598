using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// The configuration a run folder echoes: <c>config.json</c> (written when the journal opens) or else <c>summary.json</c>'s
/// <c>configuration</c>. Keys are masked there (<c>***</c>); the operator commands take them from the environment.
/// </summary>
internal static class RunFolderEcho
{
    /// <summary>The echoed configuration, or null when the folder has neither file (or they cannot be read).</summary>
    public static JsonObject? Read(string folder)
    {
        try
        {
            var config = Runner.Live.Journal.RunJournal.ConfigPathIn(folder);
            if (File.Exists(config) && JsonNode.Parse(File.ReadAllText(config)) is JsonObject echoed)
            {
                return echoed;
            }

            var summary = Path.Combine(folder, "summary.json");
            if (File.Exists(summary) && JsonNode.Parse(File.ReadAllText(summary))?["configuration"] is JsonObject fromSummary)
            {
                return fromSummary;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }

        return null;
    }

    /// <summary>A string at a dotted path (<c>broker.type</c>), or null.</summary>
    public static string? String(JsonObject? echo, string path)
    {
        JsonNode? node = echo;
        foreach (var part in path.Split('.'))
        {
            node = (node as JsonObject)?[part];
        }

        return node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    }

    /// <summary>A boolean at a dotted path, or false.</summary>
    public static bool Bool(JsonObject? echo, string path)
    {
        JsonNode? node = echo;
        foreach (var part in path.Split('.'))
        {
            node = (node as JsonObject)?[part];
        }

        return node is JsonValue v && v.TryGetValue<bool>(out var b) && b;
    }
}
