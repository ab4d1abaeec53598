using System.Globalization;

namespace StrategyLab.Runner;

/// <summary>Turns <c>output.dir</c> into a folder: <c>{timestamp}</c> and <c>{strategy}</c> are filled in, and a folder
/// that already holds a run is never overwritten (a <c>-2</c>, <c>-3</c>… suffix is added).</summary>
public static class OutputFolder
{
    /// <summary>Resolves <paramref name="template"/> at <paramref name="nowUtc"/> and creates the folder.</summary>
    public static string Create(string template, string strategy, DateTime nowUtc)
    {
        var path = Resolve(template, strategy, nowUtc);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Resolves <paramref name="template"/> at <paramref name="nowUtc"/> without creating anything yet: the run creates
    /// the folder when it writes its first file, and <see cref="RunFolderClaim.DiscardIfEmpty"/> takes back what it
    /// created if the run fails before producing anything.
    /// </summary>
    public static RunFolderClaim Claim(string template, string strategy, DateTime nowUtc) => new(Resolve(template, strategy, nowUtc));

    private static string Resolve(string template, string strategy, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(template);
        var path = template
            .Replace("{timestamp}", nowUtc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{strategy}", strategy, StringComparison.Ordinal);
        path = Path.GetFullPath(path);
        var candidate = path;
        for (var n = 2; File.Exists(Path.Combine(candidate, "summary.json")) || File.Exists(candidate); n++)
        {
            candidate = path + "-" + n.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}

/// <summary>
/// The folder a run will write to, and what was there before it, so that a run that fails before producing results
/// leaves nothing behind: only the files this run created are removed, and the folder only when this run created it.
/// </summary>
public sealed class RunFolderClaim
{
    private readonly bool _existed;
    private readonly HashSet<string> _before;

    internal RunFolderClaim(string path)
    {
        Path = path;
        _existed = Directory.Exists(path);
        _before = _existed
            ? new HashSet<string>(Directory.EnumerateFileSystemEntries(path), StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The run folder (full path); it may not exist yet.</summary>
    public string Path { get; }

    /// <summary>
    /// After a failed run: when the run produced nothing (no <c>summary.json</c>, no equity row in <c>equity.csv</c>),
    /// deletes the files and folders it created and then the folder itself if the run created it. A folder with results
    /// (a live session that stopped on an error after trading, say) is kept.
    /// </summary>
    /// <returns>True when something was removed.</returns>
    public bool DiscardIfEmpty()
    {
        if (!Directory.Exists(Path) || HasResults())
        {
            return false;
        }

        var removed = false;
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path).ToList())
        {
            if (_before.Contains(entry))
            {
                continue;
            }

            try
            {
                if (Directory.Exists(entry))
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }

                removed = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a file still held open elsewhere stays.
            }
        }

        if (!_existed && !Directory.EnumerateFileSystemEntries(Path).Any())
        {
            Directory.Delete(Path);
            removed = true;
        }

        return removed;
    }

    private bool HasResults()
    {
        if (File.Exists(System.IO.Path.Combine(Path, "summary.json")))
        {
            return true;
        }

        var equity = System.IO.Path.Combine(Path, "equity.csv");
        if (!File.Exists(equity) || _before.Contains(equity))
        {
            return false;
        }

        using var lines = File.ReadLines(equity).GetEnumerator();
        return lines.MoveNext() && lines.MoveNext(); // a header and at least one mark
    }
}
