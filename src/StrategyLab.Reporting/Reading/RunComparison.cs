using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Reporting.Reading;

/// <summary>One row of a comparison: a statistic or count of every run, shown and judged.</summary>
/// <param name="Group"><c>statistics</c> or <c>counts</c> (the summary.json object the key is in).</param>
/// <param name="Key">The key, e.g. <c>sharpe</c>.</param>
/// <param name="Label">Its label (<see cref="StatisticDisplay.Label"/>).</param>
/// <param name="Values">Each run's value (null when the run lacks the key or it is null), in run order.</param>
/// <param name="Texts">Each run's value formatted (<see cref="StatisticDisplay.Format"/>).</param>
/// <param name="Best">The runs holding the best value of the row (<see cref="StatisticDisplay.Preference"/>); empty when the key has no better direction, or fewer than two runs have a number, or all are equal.</param>
public sealed record ComparisonRow(string Group, string Key, string Label, IReadOnlyList<JsonNode?> Values, IReadOnlyList<string> Texts, IReadOnlySet<int> Best);

/// <summary>Lines up the statistics and counts of several runs, for the compare page and the terminal table.</summary>
public static class RunComparison
{
    /// <summary>Every statistics key, then every counts key, in the order they first appear across <paramref name="runs"/>.</summary>
    public static IReadOnlyList<ComparisonRow> Rows(IReadOnlyList<RunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var rows = new List<ComparisonRow>();
        foreach (var group in new[] { "statistics", "counts" })
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var run in runs)
            {
                foreach (var (key, _) in Members(run, group))
                {
                    if (!seen.Add(key))
                    {
                        continue;
                    }

                    var values = runs.Select(r => Members(r, group).FirstOrDefault(kv => kv.Key == key).Value).ToList();
                    rows.Add(new ComparisonRow(
                        group,
                        key,
                        StatisticDisplay.Label(key),
                        values,
                        [.. values.Select(v => StatisticDisplay.Format(key, v))],
                        Best(key, values)));
                }
            }
        }

        return rows;
    }

    private static IReadOnlyList<KeyValuePair<string, JsonNode?>> Members(RunSummary run, string group) =>
        group == "statistics" ? run.Statistics : run.Counts;

    private static HashSet<int> Best(string key, List<JsonNode?> values)
    {
        var preference = StatisticDisplay.Preference(key);
        var numbers = new List<(int Index, decimal Value)>();
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d))
            {
                numbers.Add((i, d));
            }
        }

        if (preference == 0 || numbers.Count < 2 || numbers.All(n => n.Value == numbers[0].Value))
        {
            return [];
        }

        var target = preference > 0 ? numbers.Max(n => n.Value) : numbers.Min(n => n.Value);
        return [.. numbers.Where(n => n.Value == target).Select(n => n.Index)];
    }
}
