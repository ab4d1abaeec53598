using System.Globalization;
using System.Text.Json.Nodes;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// Names for runs shown side by side that say how they differ: the configuration keys (strategy parameters, symbols,
/// period, strategy, sizing…) whose values are not the same in every run, as <c>fast=5, slow=20</c>. Runs whose
/// configurations are identical fall back to their folder names.
/// </summary>
public static class RunNames
{
    /// <summary>At most this many differing keys in one name; more are counted (<c>+2</c>).</summary>
    public const int MaxKeysInName = 3;

    /// <summary>Configuration keys that never tell runs apart for a trader: where the output went, provider endpoints.</summary>
    private static readonly string[] IgnoredPrefixes = ["output.", "providers.", "broker."];

    /// <summary>Short distinct names, one per run, in order.</summary>
    public static IReadOnlyList<string> Of(IReadOnlyList<RunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var folders = RunSummary.DisplayNames(runs);
        if (runs.Count < 2)
        {
            return folders;
        }

        var differing = Differences(runs);
        if (differing.Count == 0)
        {
            return folders;
        }

        var names = new List<string>(runs.Count);
        for (var i = 0; i < runs.Count; i++)
        {
            var parts = differing.Take(MaxKeysInName).Select(d => $"{d.ShortName}={d.Values[i]}").ToList();
            if (differing.Count > MaxKeysInName)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"+{differing.Count - MaxKeysInName}"));
            }

            names.Add(string.Join(", ", parts));
        }

        // Names that still collide (the differences lie beyond the first keys) get their folder too.
        var collide = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return [.. names.Select((n, i) => collide.Contains(n) ? $"{n} ({folders[i]})" : n)];
    }

    /// <summary>
    /// The configuration keys (dotted, e.g. <c>strategy.params.fast</c>, plus <c>period</c>) whose values differ between
    /// the runs, with each run's value as text; strategy parameters first, then symbols, period and the rest in file order.
    /// </summary>
    public static IReadOnlyList<RunDifference> Differences(IReadOnlyList<RunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var flat = runs.Select(Flatten).ToList();
        var keys = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in flat.SelectMany(f => f.Keys))
        {
            if (seen.Add(key))
            {
                keys.Add(key);
            }
        }

        var differing = new List<RunDifference>();
        foreach (var key in keys)
        {
            var values = flat.Select(f => f.TryGetValue(key, out var v) ? v : "—").ToList();
            if (key.StartsWith("strategy.params.", StringComparison.Ordinal) && values.Contains("—"))
            {
                continue; // a parameter of only some runs' strategy: the strategy's name says the difference
            }

            if (values.Distinct(StringComparer.Ordinal).Count() > 1)
            {
                differing.Add(new RunDifference(key, ShortName(key), values));
            }
        }

        return [.. differing.OrderBy(d => Rank(d.Key))]; // a stable sort: file order within a rank
    }

    private static int Rank(string key) =>
        key.StartsWith("strategy.params.", StringComparison.Ordinal) ? 0
        : key == "data.symbols" ? 1
        : key is "period" ? 2
        : key.StartsWith("strategy.", StringComparison.Ordinal) ? 3
        : key == "mode" ? 4
        : 5;

    private static string ShortName(string key) => key switch
    {
        "data.symbols" => "symbols",
        "strategy.name" => "strategy",
        _ when key.StartsWith("strategy.params.", StringComparison.Ordinal) => key["strategy.params.".Length..],
        _ => key,
    };

    private static Dictionary<string, string> Flatten(RunSummary run)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (run.Document["configuration"] is JsonObject configuration)
        {
            Walk(configuration, string.Empty, values);
        }

        // From/to may be absent (the whole file): the period the run covered is what a reader compares.
        if (run.FirstBarStart is { Length: >= 10 } first && run.LastBarEnd is { Length: >= 10 } last)
        {
            values["period"] = $"{first[..10]}..{last[..10]}";
        }

        values.Remove("data.from");
        values.Remove("data.to");
        return values;
    }

    private static void Walk(JsonObject node, string prefix, Dictionary<string, string> values)
    {
        foreach (var (name, child) in node)
        {
            var key = prefix.Length == 0 ? name : prefix + "." + name;
            if (IgnoredPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)) || key.Contains("api_key", StringComparison.Ordinal))
            {
                continue;
            }

            switch (child)
            {
                case JsonObject o:
                    Walk(o, key, values);
                    break;
                case JsonArray a:
                    values[key] = string.Join(",", a.Select(Text));
                    break;
                default:
                    values[key] = Text(child);
                    break;
            }
        }
    }

    private static string Text(JsonNode? node) => node switch
    {
        null => "none",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };
}

/// <summary>A configuration key whose value differs between runs compared side by side.</summary>
/// <param name="Key">The dotted key (<c>strategy.params.fast</c>), or <c>period</c>.</param>
/// <param name="ShortName">The name shown in a run's name (<c>fast</c>, <c>symbols</c>).</param>
/// <param name="Values">Each run's value as text, in the runs' order (<c>—</c> when a run lacks the key).</param>
public sealed record RunDifference(string Key, string ShortName, IReadOnlyList<string> Values);
