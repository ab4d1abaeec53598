using System.Globalization;

namespace StrategyLab.Runner;

/// <summary>
/// Turns <c>output.dir</c> into a folder: <c>{timestamp}</c> and <c>{strategy}</c> are filled in, and the folder is
/// claimed atomically. A folder that is not empty (an earlier run, a crashed one, the user's own files) is never
/// reused: a <c>-2</c>, <c>-3</c>… suffix is added until a free one is claimed.
/// </summary>
public static class OutputFolder
{
    /// <summary>
    /// The marker a claim creates in the folder, create-exclusive: of two runs (threads or processes) that go for the
    /// same folder at once, only the one that created it owns the folder; the other moves on to the next suffix.
    /// </summary>
    public const string ClaimMarkerFileName = ".strategylab-run";

    // A bound, so a folder that cannot be claimed for a reason not foreseen here fails instead of looping.
    private const int MaxSuffix = 100_000;

    /// <summary>
    /// Resolves <paramref name="template"/> at <paramref name="nowUtc"/> and claims the folder: it exists, holds only
    /// <see cref="ClaimMarkerFileName"/>, and no other run claims it. <see cref="RunFolderClaim.DiscardIfEmpty"/> takes
    /// back what the run created if it fails before producing anything.
    /// </summary>
    /// <exception cref="IOException">No folder can be claimed (e.g. the parent cannot be created).</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be created for lack of permission.</exception>
    public static RunFolderClaim Claim(string template, string strategy, DateTime nowUtc)
    {
        var path = Resolve(template, strategy, nowUtc);
        for (var n = 1; n <= MaxSuffix; n++)
        {
            var candidate = n == 1 ? path : path + "-" + n.ToString(CultureInfo.InvariantCulture);
            if (RunFolderClaim.TryClaim(candidate) is { } claim)
            {
                return claim;
            }
        }

        throw new IOException($"could not claim a run folder: '{path}' and its -2…-{MaxSuffix} variants are all taken.");
    }

    private static string Resolve(string template, string strategy, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(template);
        var path = template
            .Replace("{timestamp}", nowUtc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{strategy}", strategy, StringComparison.Ordinal);
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
    }
}

/// <summary>
/// A run folder this run owns (see <see cref="OutputFolder.Claim"/>), so that a run that fails before producing
/// results leaves nothing behind: what it created there is removed, and the folder too when this run created it.
/// </summary>
public sealed class RunFolderClaim
{
    // How often a candidate is retried when another claimer removed it between our mkdir and our marker.
    private const int Attempts = 8;

    private readonly bool _created;

    private RunFolderClaim(string path, bool created)
    {
        Path = path;
        _created = created;
    }

    /// <summary>The run folder (full path); it exists and was empty when claimed.</summary>
    public string Path { get; }

    /// <summary>
    /// After a failed run: when the run produced nothing (no <c>summary.json</c>, no equity row in <c>equity.csv</c>),
    /// deletes what is in the folder (it was empty when claimed, so all of it is this run's) and then the folder itself
    /// if this run created it. A folder with results (a live session that stopped on an error after trading, say) is
    /// kept.
    /// </summary>
    /// <returns>True when something was removed.</returns>
    public bool DiscardIfEmpty()
    {
        if (!Directory.Exists(Path) || HasResults())
        {
            return false;
        }

        var removed = false;
        var marker = System.IO.Path.Combine(Path, OutputFolder.ClaimMarkerFileName);
        foreach (var entry in Directory.EnumerateFileSystemEntries(Path).Where(e => e != marker).ToList())
        {
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
                // Best effort: a file still held open elsewhere stays (and so does the claim).
            }
        }

        // The marker goes last: until then no other run can take the folder.
        if (Directory.EnumerateFileSystemEntries(Path).All(e => e == marker))
        {
            File.Delete(marker);
            removed = true;
            if (_created)
            {
                try
                {
                    Directory.Delete(Path);
                }
                catch (IOException)
                {
                    // Another run claimed the now empty folder in the meantime: it is theirs.
                }
            }
        }

        return removed;
    }

    /// <summary>Claims <paramref name="candidate"/> if it is free (absent, or an empty folder); null when it is taken.</summary>
    internal static RunFolderClaim? TryClaim(string candidate)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (File.Exists(candidate))
            {
                return null;
            }

            var existed = Directory.Exists(candidate);
            if (existed && Directory.EnumerateFileSystemEntries(candidate).Any())
            {
                return null;
            }

            Directory.CreateDirectory(candidate); // not exclusive: the marker below is what decides
            var marker = System.IO.Path.Combine(candidate, OutputFolder.ClaimMarkerFileName);
            try
            {
                using (new FileStream(marker, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                }

                return new RunFolderClaim(candidate, created: !existed);
            }
            catch (DirectoryNotFoundException)
            {
                // A failed run that had claimed it just removed it: look again.
            }
            catch (IOException) when (File.Exists(marker))
            {
                return null; // another run created the marker first
            }
            catch when (!existed)
            {
                TryDelete(candidate); // no empty folder left behind by a claim that failed
                throw;
            }
        }

        return null;
    }

    private static void TryDelete(string emptyFolder)
    {
        try
        {
            Directory.Delete(emptyFolder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is what the user needs to see.
        }
    }

    private bool HasResults()
    {
        if (File.Exists(System.IO.Path.Combine(Path, "summary.json")))
        {
            return true;
        }

        var equity = System.IO.Path.Combine(Path, "equity.csv");
        if (!File.Exists(equity))
        {
            return false;
        }

        using var lines = File.ReadLines(equity).GetEnumerator();
        return lines.MoveNext() && lines.MoveNext(); // a header and at least one mark
    }
}
