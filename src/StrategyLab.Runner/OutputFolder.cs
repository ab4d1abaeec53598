using System.Globalization;

namespace StrategyLab.Runner;

/// <summary>Turns <c>output.dir</c> into a folder: <c>{timestamp}</c> and <c>{strategy}</c> are filled in, and a folder
/// that already holds a run is never overwritten (a <c>-2</c>, <c>-3</c>… suffix is added).</summary>
public static class OutputFolder
{
    /// <summary>Resolves <paramref name="template"/> at <paramref name="nowUtc"/> and creates the folder.</summary>
    public static string Create(string template, string strategy, DateTime nowUtc)
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

        Directory.CreateDirectory(candidate);
        return candidate;
    }
}
