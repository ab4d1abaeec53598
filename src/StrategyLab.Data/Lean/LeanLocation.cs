namespace StrategyLab.Data.Lean;

/// <summary>
/// Where a path a user gave points inside a LEAN data folder: the data root itself, or a folder or file below it
/// (<c>…/equity/usa</c>, <c>…/equity/usa/minute</c>, <c>…/equity/usa/minute/spy</c>, <c>…/equity/usa/daily/spy.zip</c>).
/// The parts the path names (resolution, ticker) are known without the user repeating them.
/// </summary>
/// <param name="Root">The LEAN data root (the folder holding <c>equity/</c>).</param>
/// <param name="Resolution">The resolution the path is inside of, when it names one.</param>
/// <param name="Ticker">The ticker the path names (lower case, as LEAN files it), when it names one.</param>
public sealed record LeanLocation(string Root, LeanResolution? Resolution, string? Ticker)
{
    /// <summary>
    /// The LEAN location of <paramref name="path"/>, or null when neither it nor a folder above it is a LEAN data
    /// root, or when it lies deeper than a ticker's folder or zip.
    /// </summary>
    /// <param name="path">A folder or file path, absolute or relative.</param>
    public static LeanLocation? Find(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (!Directory.Exists(full) && !File.Exists(full))
        {
            return null;
        }

        // Below the root the layout is fixed: equity/usa/<resolution>/<ticker>[.zip]; at most four names deep.
        var below = new List<string>();
        for (var current = full; current is not null && below.Count <= 4; current = Path.GetDirectoryName(current))
        {
            if (LeanDataFolder.IsLeanFolder(current) && Matches(below))
            {
                return new LeanLocation(current, ResolutionOf(below), TickerOf(below));
            }

            below.Insert(0, Path.GetFileName(current));
        }

        return null;
    }

    private static bool Matches(List<string> below) =>
        below.Count switch
        {
            0 => true,
            1 => below[0] == "equity",
            2 => below[0] == "equity" && below[1] == "usa",
            3 or 4 => below[0] == "equity" && below[1] == "usa" && TryParseFolder(below[2], out _),
            _ => false,
        };

    private static LeanResolution? ResolutionOf(List<string> below) =>
        below.Count >= 3 && TryParseFolder(below[2], out var resolution) ? resolution : null;

    private static string? TickerOf(List<string> below) =>
        below.Count == 4 ? (below[3].EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ? below[3][..^4] : below[3]) : null;

    private static bool TryParseFolder(string name, out LeanResolution resolution)
    {
        foreach (var candidate in Enum.GetValues<LeanResolution>())
        {
            if (candidate.FolderName() == name)
            {
                resolution = candidate;
                return true;
            }
        }

        resolution = default;
        return false;
    }
}
