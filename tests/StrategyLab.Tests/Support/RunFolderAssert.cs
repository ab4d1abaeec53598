namespace StrategyLab.Tests.Support;

/// <summary>Two run folders written by the same run in two ways (say, with and without read-ahead) hold the same files.</summary>
public static class RunFolderAssert
{
    /// <summary>
    /// Both folders exist or neither does; they hold the same file names, and each file the same lines once the folder's
    /// own path and the run's timings (lines with <c>elapsed</c>, <c>_seconds</c> or <c>wall</c>) are taken out.
    /// </summary>
    public static void Same(string expected, string actual)
    {
        Assert.Equal(Directory.Exists(expected), Directory.Exists(actual));
        if (!Directory.Exists(expected))
        {
            return;
        }

        var names = Directory.GetFiles(expected).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(names, Directory.GetFiles(actual).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        foreach (var name in names)
        {
            Assert.Equal(Comparable(Path.Combine(expected, name!), expected), Comparable(Path.Combine(actual, name!), actual));
        }
    }

    private static List<string> Comparable(string file, string folder) =>
        File.ReadAllLines(file)
            .Select(l => l.Replace(folder, "FOLDER", StringComparison.Ordinal))
            .Where(l => !l.Contains("elapsed", StringComparison.Ordinal) && !l.Contains("_seconds", StringComparison.Ordinal) && !l.Contains("wall", StringComparison.Ordinal))
            .ToList();
}
