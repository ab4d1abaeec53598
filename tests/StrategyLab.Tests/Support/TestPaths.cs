namespace StrategyLab.Tests.Support;

/// <summary>Where the repository and the shared market data are, seen from a running test.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding StrategyLab.slnx).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>
    /// The shared data folder, <c>../shared</c> beside the repository (override with STRATEGYLAB_SHARED).
    /// </summary>
    public static string SharedDir =>
        Environment.GetEnvironmentVariable("STRATEGYLAB_SHARED") is { Length: > 0 } env
            ? Path.GetFullPath(env)
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>The LEAN sample data folder: <c>../shared/data/lean</c>.</summary>
    public static string LeanDir => Path.Combine(SharedDir, "data", "lean");

    /// <summary>Skips the calling test with a clear message when the shared LEAN data is absent.</summary>
    public static string RequireLean()
    {
        var dir = LeanDir;
        if (!Directory.Exists(Path.Combine(dir, "equity", "usa")))
        {
            Assert.Skip($"Shared market data not found at '{dir}'. Check out ../shared beside the repository " +
                        "(CI has it) or set STRATEGYLAB_SHARED.");
        }

        return dir;
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StrategyLab.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException(
            $"Could not find StrategyLab.slnx above {AppContext.BaseDirectory}.");
    }
}
