namespace StrategyLab.Runner.Configuration;

/// <summary>
/// A dictionary's string keys in ordinal order, for walking a configuration section in a stable order. A sorted list
/// rather than LINQ's OrderBy over the pairs: LINQ over <c>KeyValuePair</c> is generic code over a framework struct that
/// the precompiled images lack (~30 methods JIT-compiled at every start; docs/performance.md, Start-up, session 29).
/// </summary>
internal static class SortedKeys
{
    /// <summary>The keys of <paramref name="section"/>, sorted with <see cref="StringComparer.Ordinal"/>.</summary>
    public static List<string> Ordinal<T>(IReadOnlyDictionary<string, T> section)
        where T : class
    {
        var keys = new List<string>(section.Count);
        foreach (var key in section.Keys)
        {
            keys.Add(key);
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }
}
