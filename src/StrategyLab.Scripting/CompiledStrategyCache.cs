using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Scripting;

/// <summary>
/// Compiled user strategies, one assembly per content hash, so an unchanged source starts without the compiler.
/// The key covers everything the image depends on: each source's path and bytes, the engine assembly the code
/// was compiled against (its MVID), the compiler's version, the runtime's version and the compile options.
/// Nothing here may touch a Roslyn type: a cache hit must not load the compiler.
/// </summary>
public static class CompiledStrategyCache
{
    /// <summary>The environment variable naming the cache folder.</summary>
    public const string DirectoryVariable = "STRATEGYLAB_CACHE";

    /// <summary>
    /// The cache folder: <c>$STRATEGYLAB_CACHE</c>, else <c>$XDG_CACHE_HOME/strategylab</c>, else
    /// <c>~/.cache/strategylab</c>.
    /// </summary>
    public static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } own)
        {
            return Path.GetFullPath(own);
        }

        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg)
        {
            return Path.Combine(Path.GetFullPath(xdg), "strategylab");
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "strategylab");
    }

    /// <summary>The hex SHA-256 key of <paramref name="sources"/> (their full paths and bytes, in order) with the build inputs.</summary>
    internal static string Key(IReadOnlyList<(string FullPath, byte[] Bytes)> sources, string options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        Text(options);
        Text(typeof(IStrategy).Assembly.ManifestModule.ModuleVersionId.ToString("N"));
        Text(CompilerVersion());
        Text(Environment.Version.ToString());
        foreach (var (path, bytes) in sources)
        {
            Text(path);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Where the assembly of <paramref name="key"/> lives in <paramref name="directory"/>.</summary>
    internal static string PathOf(string directory, string key) => Path.Combine(directory, "strategies", key + ".dll");

    /// <summary>
    /// Writes <paramref name="image"/> to <paramref name="path"/> atomically: a temporary file in the same folder, then a
    /// rename, so a concurrent run sees either no file or the whole one.
    /// </summary>
    internal static void Write(string path, byte[] image)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, image);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// The compiler's file version, read from its file next to this assembly (reading the version does not load it).
    /// </summary>
    private static string CompilerVersion()
    {
        var folder = Path.GetDirectoryName(typeof(CompiledStrategyCache).Assembly.Location);
        var roslyn = folder is null ? null : Path.Combine(folder, "Microsoft.CodeAnalysis.CSharp.dll");
        return roslyn is not null && File.Exists(roslyn) ? FileVersionInfo.GetVersionInfo(roslyn).FileVersion ?? "unknown" : "unknown";
    }
}
