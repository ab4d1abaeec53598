using System.Text.RegularExpressions;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Docs;

/// <summary>
/// <c>docs/live.md</c> names the log events a user greps for and keys its troubleshooting table by them: every event name it
/// writes must exist in the code (as a string literal in some <c>.cs</c> file under <c>src/</c>), so a renamed or misspelled
/// event fails here instead of sending a user after a line that is never written.
/// </summary>
public sealed partial class LiveGuideTests
{
    /// <summary>The first segments of event names (<c>liveMode.gap.unfilled</c>, <c>polygon.max_connections</c>…).</summary>
    private static readonly string[] EventPrefixes =
    [
        "liveMode.", "market.", "bar.", "polygon.", "finnhub.", "alpaca.", "broker.", "reconcile.", "order.", "data.",
        "replay.", "strategy.", "risk.", "run.", "session.", "stream.", "trade.", "schedule.", "report.", "corporate.",
        "config.",
    ];

    /// <summary>
    /// Configuration sections whose names are also event prefixes (<c>data.path</c> is a key, <c>data.row.skipped</c> an
    /// event): outside the troubleshooting table's event column, a token of these sections that is not an event is taken as
    /// a key when docs/configuration.md names it.
    /// </summary>
    private static readonly string[] ConfigSections = ["data.", "broker.", "replay.", "strategy.", "risk."];

    /// <summary>The events the issue asks the troubleshooting table to cover, each with its cause and fix.</summary>
    private static readonly string[] RequiredInTable =
    [
        "liveMode.symbol.noData", "liveMode.gap.unfilled", "polygon.max_connections", "alpaca.data.connection_limit",
        "alpaca.data.auth_failed", "polygon.status", "liveMode.failed", "liveMode.bar.late", "liveMode.silence",
        "liveMode.reconnecting", "liveMode.warmup.unavailable", "finnhub.error",
    ];

    private static readonly Lazy<string> Guide = new(() => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "live.md")));

    private static readonly Lazy<HashSet<string>> Literals = new(ReadSourceLiterals);

    [Fact]
    public void Every_event_the_guide_names_exists_in_the_code()
    {
        var configurationDoc = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "configuration.md"));
        var names = EventLikeTokens(Guide.Value).ToList();
        Assert.True(names.Count >= 30, $"expected the guide to name many events, found {names.Count}: {string.Join(", ", names)}");

        var missing = names
            .Where(n => !Literals.Value.Contains(n))
            .Where(n => !(ConfigSections.Any(s => n.StartsWith(s, StringComparison.Ordinal)) && configurationDoc.Contains(n, StringComparison.Ordinal)))
            .ToList();
        Assert.True(missing.Count == 0, $"docs/live.md names events that no .cs file under src/ defines: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_troubleshooting_table_is_keyed_by_real_events_and_covers_the_required_ones()
    {
        var keys = TroubleshootingKeys(Guide.Value).ToList();
        Assert.NotEmpty(keys);

        // The table's first column is strict: no configuration-key escape there.
        var unknown = keys.Where(k => !Literals.Value.Contains(k)).ToList();
        Assert.True(unknown.Count == 0, $"the troubleshooting table is keyed by events that do not exist in src/: {string.Join(", ", unknown)}");

        var absent = RequiredInTable.Where(r => !keys.Contains(r)).ToList();
        Assert.True(absent.Count == 0, $"the troubleshooting table lacks rows for: {string.Join(", ", absent)}");
    }

    [Fact]
    public void A_misspelled_event_is_caught()
    {
        // The check above would pass vacuously if the literal scan found nothing or matched loosely.
        Assert.Contains("liveMode.gap.unfilled", Literals.Value);
        Assert.DoesNotContain("liveMode.gap.unfiled", Literals.Value);
        Assert.Equal(["liveMode.gap.unfiled"], EventLikeTokens("see `liveMode.gap.unfiled` and `market_hours.when_closed`"));
    }

    /// <summary>Backticked tokens that look like event names: dotted, starting with an event prefix, no wildcard.</summary>
    private static IEnumerable<string> EventLikeTokens(string markdown) =>
        BacktickedDotted().Matches(markdown)
            .Select(m => m.Groups[1].Value)
            .Where(t => EventPrefixes.Any(p => t.StartsWith(p, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal);

    /// <summary>The backticked event names in the first column of the table under "## Troubleshooting".</summary>
    private static IEnumerable<string> TroubleshootingKeys(string markdown)
    {
        var start = markdown.IndexOf("\n## Troubleshooting", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/live.md has no '## Troubleshooting' section");
        var end = markdown.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? markdown[start..] : markdown[start..end];
        foreach (var line in section.Split('\n').Where(l => l.StartsWith('|')))
        {
            var firstCell = line.Split('|')[1];
            foreach (Match m in BacktickedDotted().Matches(firstCell))
            {
                yield return m.Groups[1].Value;
            }
        }
    }

    private static HashSet<string> ReadSourceLiterals()
    {
        var literals = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match m in StringLiteral().Matches(File.ReadAllText(file)))
            {
                literals.Add(m.Groups[1].Value);
            }
        }

        return literals;
    }

    [GeneratedRegex(@"`([A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+)`")]
    private static partial Regex BacktickedDotted();

    [GeneratedRegex("\"([A-Za-z][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)+)\"")]
    private static partial Regex StringLiteral();
}
