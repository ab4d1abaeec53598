using System.Text.Json;
using System.Text.Json.Nodes;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// A run folder's <c>summary.json</c>, read back (format in docs/run-artifacts.md): the statistics and counts in file
/// order, the configuration echo, the period. Absent while a live run has not written its first summary.
/// </summary>
public sealed class RunSummary
{
    private RunSummary(string folder, JsonObject document)
    {
        Folder = folder;
        Document = document;
        Statistics = Members(document, "statistics");
        Counts = Members(document, "counts");
    }

    /// <summary>The run folder (full path).</summary>
    public string Folder { get; }

    /// <summary>The whole document.</summary>
    public JsonObject Document { get; }

    /// <summary><c>statistics</c>: every key and value, in file order (values are numbers, strings, booleans or null).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Statistics { get; }

    /// <summary><c>counts</c>: every key and value, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonNode?>> Counts { get; }

    /// <summary><c>mode</c> (<c>backtest</c>, <c>replay</c>, <c>live</c>), or null.</summary>
    public string? Mode => Str(Document["mode"]);

    /// <summary><c>configuration.strategy.name</c>, or null.</summary>
    public string? StrategyName => Str(At("configuration", "strategy", "name"));

    /// <summary><c>configuration.data.symbols</c>, or empty.</summary>
    public IReadOnlyList<string> Symbols =>
        At("configuration", "data", "symbols") is JsonArray symbols
            ? [.. symbols.Select(Str).Where(s => s is not null).Select(s => s!)]
            : [];

    /// <summary><c>period.first_bar_start</c> as written, or null.</summary>
    public string? FirstBarStart => Str(At("period", "first_bar_start"));

    /// <summary><c>period.last_bar_end</c> as written, or null.</summary>
    public string? LastBarEnd => Str(At("period", "last_bar_end"));

    /// <summary><c>data.synthetic</c>.</summary>
    public bool IsSynthetic => At("data", "synthetic") is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    /// <summary><c>data.source</c>, or null.</summary>
    public string? DataSource => Str(At("data", "source"));

    /// <summary><c>session.stop_reason</c> (<c>end_of_data</c>, <c>cancelled</c>, <c>auto_stop</c>…), or null.</summary>
    public string? StopReason => Str(At("session", "stop_reason"));

    /// <summary><c>engine.version</c>, or null.</summary>
    public string? EngineVersion => Str(At("engine", "version"));

    /// <summary>A statistic as a decimal (null when absent, null or not a number).</summary>
    public decimal? Decimal(string key) => Number(At("statistics", key));

    /// <summary>A count or money value of <c>counts</c> as a decimal.</summary>
    public decimal? Count(string key) => Number(At("counts", key));

    /// <summary>True when <paramref name="folder"/> holds <c>summary.json</c>.</summary>
    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, RunFolderWriter.SummaryFileName));

    /// <summary>Reads <c>summary.json</c> of <paramref name="folder"/>.</summary>
    /// <exception cref="RunFolderException">The folder or the file is missing, or the file is not a summary.</exception>
    public static RunSummary Read(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var full = Path.GetFullPath(folder);
        var path = Path.Combine(full, RunFolderWriter.SummaryFileName);
        if (!Directory.Exists(full))
        {
            throw new RunFolderException($"{full}: no such folder.");
        }

        if (!File.Exists(path))
        {
            throw new RunFolderException($"{full}: not a run folder (no {RunFolderWriter.SummaryFileName}).");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Parse(stream, full);
    }

    /// <summary>
    /// The summary <paramref name="bytes"/> hold: the content of <c>summary.json</c> of the folder <paramref name="folder"/>
    /// (full path), made in memory before it is written there.
    /// </summary>
    /// <exception cref="RunFolderException">The bytes are not a summary.</exception>
    internal static RunSummary Parse(byte[] bytes, string folder)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(new MemoryStream(bytes, writable: false), folder);
    }

    private static RunSummary Parse(Stream stream, string full)
    {
        var path = Path.Combine(full, RunFolderWriter.SummaryFileName);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new RunFolderException(path, (e.LineNumber ?? -1) + 1, e.Path, "not valid JSON: " + e.Message, e);
        }

        if (node is not JsonObject document || document["statistics"] is not JsonObject)
        {
            throw new RunFolderException(path, 0, "statistics", "not a run summary (no 'statistics' object).");
        }

        return new RunSummary(full, document);
    }

    /// <summary>
    /// Short distinct names for runs shown side by side: the folder name, with as many parent folders as it takes to tell
    /// them apart (<c>runs/a/1</c> and <c>runs/b/1</c> become <c>a/1</c> and <c>b/1</c>).
    /// </summary>
    public static IReadOnlyList<string> DisplayNames(IReadOnlyList<RunSummary> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var parts = runs.Select(r => r.Folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            .Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Where(p => p.Length > 0).ToArray()).ToList();
        var maxDepth = parts.Count == 0 ? 1 : parts.Max(p => p.Length);
        for (var depth = 1; depth <= maxDepth; depth++)
        {
            var names = parts.Select(p => string.Join('/', p.Skip(Math.Max(0, p.Length - depth)))).ToList();
            if (names.Distinct(StringComparer.Ordinal).Count() == names.Count)
            {
                return names;
            }
        }

        // The same folder given twice: number them.
        return [.. parts.Select((p, i) => $"{string.Join('/', p)} #{i + 1}")];
    }

    /// <summary>The node at a path of object keys, or null when any step is missing or not an object (a summary is read, not trusted).</summary>
    private JsonNode? At(params string[] path)
    {
        JsonNode? node = Document;
        foreach (var key in path)
        {
            node = node is JsonObject o && o.TryGetPropertyValue(key, out var child) ? child : null;
        }

        return node;
    }

    private static List<KeyValuePair<string, JsonNode?>> Members(JsonObject document, string name) =>
        document[name] is JsonObject o ? [.. o] : [];

    private static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static decimal? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<decimal>(out var d) ? d : null;
}
