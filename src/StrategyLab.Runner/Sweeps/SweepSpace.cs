using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Sweeps;

/// <summary>One swept parameter and the values it takes, in order.</summary>
/// <param name="Name">The strategy parameter (<c>strategy.params</c> key).</param>
/// <param name="Values">Its values as text, in sweep order, without repetition.</param>
/// <param name="Source">Where it was given (<c>--param</c>, <c>sweep.params.fast</c>), for error messages.</param>
public sealed record SweepDimension(string Name, IReadOnlyList<string> Values, string Source);

/// <summary>
/// The combinations a sweep runs: the grid of its dimensions (the first varies slowest), minus those a constraint
/// rejects, or a seeded random sample of them.
/// </summary>
public static class SweepSpace
{
    /// <summary>The most combinations a sweep may name (a typo like <c>1..1000000</c> fails at once, not after hours).</summary>
    public const int MaxCombinations = 1_000_000;

    /// <summary>Reads a <c>--param</c> flag: <c>name=5..30:5</c> (a range with step), <c>name=20,40,60</c> (a list) or <c>name=3</c>.</summary>
    /// <exception cref="ConfigException">Malformed; names the flag.</exception>
    public static SweepDimension ParseFlag(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ConfigException("--param", $"expected name=values (fast=5..30:5, slow=20,40,60 or x=3), got '{text}'.");
        }

        return Parse(text[..eq].Trim(), text[(eq + 1)..].Trim(), "--param");
    }

    /// <summary>Reads one entry of the <c>sweep.params</c> section: a text as for <see cref="ParseFlag"/>, a JSON list, or one value.</summary>
    /// <exception cref="ConfigException">Malformed; names the key.</exception>
    public static SweepDimension ParseJson(string name, JsonNode? value)
    {
        var key = "sweep.params." + name;
        return value switch
        {
            JsonArray array => new SweepDimension(name, Distinct(array.Select(v => JsonText(v, key)).ToList(), key), key),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => Parse(name, v.GetValue<string>(), key),
            JsonValue v => new SweepDimension(name, [JsonText(v, key)], key),
            _ => throw new ConfigException(key, "expected a range text (\"5..30:5\"), a list ([20, 40, 60]) or one value."),
        };
    }

    /// <summary>Reads the values of <paramref name="name"/> from <paramref name="text"/>; errors name <paramref name="source"/>.</summary>
    /// <exception cref="ConfigException">Malformed range or list.</exception>
    public static SweepDimension Parse(string name, string text, string source)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(text);
        if (name.Length == 0)
        {
            throw new ConfigException(source, $"a swept parameter needs a name (name=values), got '={text}'.");
        }

        if (text.Length == 0)
        {
            throw new ConfigException(source, $"{name}= gives no value.");
        }

        var dots = text.IndexOf("..", StringComparison.Ordinal);
        if (dots >= 0)
        {
            return new SweepDimension(name, Range(name, text, dots, source), source);
        }

        var values = text.Split(',', StringSplitOptions.TrimEntries);
        if (values.Any(v => v.Length == 0))
        {
            throw new ConfigException(source, $"{name}={text} has an empty value in its list.");
        }

        return new SweepDimension(name, Distinct(values, source), source);
    }

    /// <summary>
    /// The grid of <paramref name="dimensions"/> in order (the first dimension varies slowest), keeping the combinations
    /// every constraint accepts; indexes count the kept ones from 0.
    /// </summary>
    /// <exception cref="ConfigException">No dimension, a dimension named twice, too many combinations, or constraints that reject every one.</exception>
    public static IReadOnlyList<SweepCombination> Grid(IReadOnlyList<SweepDimension> dimensions, IReadOnlyList<SweepConstraint> constraints)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(constraints);
        if (dimensions.Count == 0)
        {
            throw new ConfigException("--param", "a sweep needs at least one parameter to vary (--param fast=5..30:5, or sweep.params in the configuration).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in dimensions)
        {
            if (!seen.Add(d.Name))
            {
                throw new ConfigException(d.Source, $"'{d.Name}' is swept twice; give all its values in one --param.");
            }
        }

        var total = 1L;
        foreach (var d in dimensions)
        {
            total *= d.Values.Count;
            if (total > MaxCombinations)
            {
                throw new ConfigException(d.Source, string.Create(CultureInfo.InvariantCulture, $"the grid has more than {MaxCombinations:N0} combinations; narrow the ranges or use a random search (sweep.method \"random\" with sweep.samples)."));
            }
        }

        foreach (var c in constraints)
        {
            c.Check(dimensions);
        }

        var kept = new List<SweepCombination>();
        var digits = new int[dimensions.Count];
        for (var n = 0L; n < total; n++)
        {
            var parameters = new KeyValuePair<string, string>[dimensions.Count];
            for (var i = 0; i < dimensions.Count; i++)
            {
                parameters[i] = new(dimensions[i].Name, dimensions[i].Values[digits[i]]);
            }

            if (constraints.All(c => c.Accepts(parameters)))
            {
                kept.Add(new SweepCombination(kept.Count, parameters));
            }

            for (var i = dimensions.Count - 1; i >= 0; i--)
            {
                if (++digits[i] < dimensions[i].Values.Count)
                {
                    break;
                }

                digits[i] = 0;
            }
        }

        if (kept.Count == 0)
        {
            throw new ConfigException(constraints[0].Source, $"the constraints ({string.Join(", ", constraints.Select(c => c.Text))}) reject every one of the {total} combinations.");
        }

        return kept;
    }

    /// <summary>
    /// <paramref name="samples"/> combinations of <paramref name="grid"/> drawn without repetition by a generator seeded
    /// with <paramref name="seed"/> (the same seed, the same draw), returned in grid order with their grid indexes. All
    /// of them when the grid is smaller.
    /// </summary>
    /// <exception cref="ConfigException"><paramref name="samples"/> is not positive.</exception>
    public static IReadOnlyList<SweepCombination> Random(IReadOnlyList<SweepCombination> grid, int samples, int seed)
    {
        ArgumentNullException.ThrowIfNull(grid);
        if (samples < 1)
        {
            throw new ConfigException("sweep.samples", $"must be at least 1, got {samples}.");
        }

        if (samples >= grid.Count)
        {
            return grid;
        }

        // A partial Fisher–Yates shuffle over the indexes with a seeded System.Random (its sequence for a given seed is
        // fixed across runs and platforms).
        var random = new Random(seed);
        var order = Enumerable.Range(0, grid.Count).ToArray();
        for (var i = 0; i < samples; i++)
        {
            var j = random.Next(i, order.Length);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return [.. order.Take(samples).Order().Select(i => grid[i])];
    }

    private static List<string> Range(string name, string text, int dots, string source)
    {
        var colon = text.IndexOf(':', dots + 2);
        var startText = text[..dots].Trim();
        var endText = (colon < 0 ? text[(dots + 2)..] : text[(dots + 2)..colon]).Trim();
        var stepText = colon < 0 ? "1" : text[(colon + 1)..].Trim();
        if (!TryNumber(startText, out var start) || !TryNumber(endText, out var end) || !TryNumber(stepText, out var step))
        {
            throw new ConfigException(source, $"{name}={text}: a range is start..end or start..end:step with numbers, e.g. 5..30:5.");
        }

        if (step <= 0)
        {
            throw new ConfigException(source, $"{name}={text}: the step must be positive.");
        }

        if (end < start)
        {
            throw new ConfigException(source, $"{name}={text}: the range ends before it starts.");
        }

        if ((end - start) / step >= MaxCombinations)
        {
            throw new ConfigException(source, string.Create(CultureInfo.InvariantCulture, $"{name}={text}: more than {MaxCombinations:N0} values."));
        }

        var values = new List<string>();
        for (var v = start; v <= end; v += step)
        {
            values.Add(Text(v));
        }

        return values;
    }

    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    /// <summary>A decimal without trailing zeros (5, 0.25), as a user would type it.</summary>
    internal static string Text(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    private static string JsonText(JsonNode? node, string key) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.TryGetValue<decimal>(out var d) ? Text(d) : v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        _ => throw new ConfigException(key, "a swept value must be a number, a string or true/false."),
    };

    private static List<string> Distinct(IReadOnlyList<string> values, string source)
    {
        if (values.Count == 0)
        {
            throw new ConfigException(source, "gives no value.");
        }

        var list = new List<string>();
        foreach (var v in values)
        {
            if (list.Contains(v, StringComparer.Ordinal))
            {
                throw new ConfigException(source, $"the value {v} is listed twice.");
            }

            list.Add(v);
        }

        return list;
    }
}
