using StrategyLab.Core.Strategies;

namespace StrategyLab.Scripting;

/// <summary>One C# file of a user strategy.</summary>
/// <param name="FullPath">The absolute path (what the compiler and the debug information record).</param>
/// <param name="DisplayPath">The path as the user gave it (a folder's files: the folder as given, then the file name), for messages.</param>
public sealed record StrategySourceFile(string FullPath, string DisplayPath);

/// <summary>
/// The C# files of a user strategy: one <c>.cs</c> file, or every <c>.cs</c> file directly in a folder, sorted by name
/// (ordinal) so the compilation, and so the cache key, never depends on the order the file system lists them in.
/// </summary>
public sealed class StrategySources
{
    private StrategySources(string given, IReadOnlyList<StrategySourceFile> files)
    {
        Given = given;
        Files = files;
    }

    /// <summary>The path as given (<c>strategy.source</c> or <c>--strategy-source</c>).</summary>
    public string Given { get; }

    /// <summary>The files, in compilation order.</summary>
    public IReadOnlyList<StrategySourceFile> Files { get; }

    /// <summary>Finds the files of <paramref name="given"/>, a relative path being taken from <paramref name="baseDirectory"/>.</summary>
    /// <param name="given">A <c>.cs</c> file or a folder of them.</param>
    /// <param name="baseDirectory">The folder relative paths start from (the configuration file's, or the current one).</param>
    /// <param name="key">The configuration key named by errors.</param>
    /// <exception cref="StrategyConfigurationException">The path does not exist, is not a <c>.cs</c> file, or is a folder without one.</exception>
    public static StrategySources Resolve(string given, string baseDirectory, string key = "strategy.source")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(given);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var full = Path.GetFullPath(given, baseDirectory);
        if (Directory.Exists(full))
        {
            var files = Directory.GetFiles(full, "*.cs", SearchOption.TopDirectoryOnly)
                .Order(StringComparer.Ordinal)
                .Select(f => new StrategySourceFile(f, Path.Combine(given, Path.GetFileName(f))))
                .ToArray();
            if (files.Length == 0)
            {
                throw new StrategyConfigurationException(key, $"the folder '{given}' holds no .cs file.");
            }

            return new StrategySources(given, files);
        }

        if (!File.Exists(full))
        {
            throw new StrategyConfigurationException(key, $"'{given}' does not exist (looked for {full}).");
        }

        if (!full.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
        {
            throw new StrategyConfigurationException(key, $"'{given}' is not a C# file (.cs); give a .cs file or a folder of them (a compiled class library goes in strategy.assembly).");
        }

        return new StrategySources(given, [new StrategySourceFile(full, given)]);
    }

    /// <summary>The path as the user gave it for a file the compiler or a stack trace names by its full path; the full path when not one of these files.</summary>
    public string DisplayPathOf(string fullPath)
    {
        foreach (var f in Files)
        {
            if (string.Equals(f.FullPath, fullPath, StringComparison.Ordinal))
            {
                return f.DisplayPath;
            }
        }

        return fullPath;
    }
}
