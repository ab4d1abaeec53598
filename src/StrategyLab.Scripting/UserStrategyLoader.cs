using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Scripting;

/// <summary>
/// Loads user strategies: C# source compiled on first use and cached by content hash, or a class library. Each
/// assembly is loaded once per process, in its own <see cref="StrategyLoadContext"/>.
/// </summary>
public static class UserStrategyLoader
{
    private static readonly ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Assembly, UserStrategyAssembly> Users = new();

    /// <summary>
    /// The assembly of <paramref name="sources"/>: from the cache in <paramref name="cacheDirectory"/> when the sources
    /// are unchanged (without loading the compiler), else compiled and cached.
    /// </summary>
    /// <exception cref="StrategyCompilationException">The source does not compile; each error is a line.</exception>
    public static UserStrategyAssembly FromSource(StrategySources sources, string cacheDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        var started = Stopwatch.GetTimestamp();
        var inputs = sources.Files.Select(f => (f.FullPath, File.ReadAllBytes(f.FullPath))).ToArray();
        var hash = CompiledStrategyCache.Key(inputs, CompileOptions.OptionsText);
        var path = CompiledStrategyCache.PathOf(cacheDirectory, hash);
        var description = sources.Files.Count == 1 ? sources.Files[0].DisplayPath : $"{sources.Given} ({sources.Files.Count} files)";
        if (Loaded.TryGetValue(hash, out var known) || TryLoadCached(hash, path, out known))
        {
            logger.LogInformation(ScriptingEvents.CacheHit, "{Source} unchanged: compiled assembly {Hash} from the cache in {Ms} ms", description, hash[..16], Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return Remember(new UserStrategyAssembly(known, description, sources, hash, null));
        }

        var image = Compile(hash, inputs, sources, logger);
        try
        {
            CompiledStrategyCache.Write(path, image);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ScriptingEvents.CacheWriteFailed, "the compiled strategy could not be cached in {Path}: {Problem}", path, e.Message);
        }

        var assembly = Loaded.GetOrAdd(hash, _ => new StrategyLoadContext("strategy " + hash[..16], null).LoadFromStream(new MemoryStream(image)));
        logger.LogInformation(ScriptingEvents.Compiled, "{Source} compiled in {Ms} ms (assembly {Hash})", description, Stopwatch.GetElapsedTime(started).TotalMilliseconds, hash[..16]);
        return Remember(new UserStrategyAssembly(assembly, description, sources, hash, null));
    }

    /// <summary>Loads the class library <paramref name="given"/> (relative to <paramref name="baseDirectory"/>).</summary>
    /// <exception cref="StrategyConfigurationException">The file does not exist or is not a .NET assembly (key <c>strategy.assembly</c>).</exception>
    public static UserStrategyAssembly FromAssembly(string given, string baseDirectory, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(given);
        ArgumentNullException.ThrowIfNull(logger);
        const string key = "strategy.assembly";
        var full = Path.GetFullPath(given, baseDirectory);
        if (!File.Exists(full))
        {
            throw new StrategyConfigurationException(key, $"'{given}' does not exist (looked for {full}).");
        }

        Assembly assembly;
        try
        {
            assembly = Loaded.GetOrAdd("file:" + full, _ => new StrategyLoadContext("strategy " + Path.GetFileName(full), full).LoadFromAssemblyPath(full));
        }
        catch (BadImageFormatException)
        {
            throw new StrategyConfigurationException(key, $"'{given}' is not a .NET assembly (give the class library's .dll).");
        }

        logger.LogInformation(ScriptingEvents.AssemblyLoaded, "strategy assembly {Path} loaded ({Name})", full, assembly.GetName().Name);
        return Remember(new UserStrategyAssembly(assembly, given, null, null, full));
    }

    /// <summary>
    /// Where user code threw: <c>file(line,col)</c> of the deepest stack frame of <paramref name="exception"/> (or of its
    /// inner exceptions) in a loaded user assembly's code with debug information (a compiled source's embedded portable
    /// PDB, or a class library's PDB), the file as the user gave it; null when there is none.
    /// </summary>
    public static string? Locate(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            foreach (var frame in new StackTrace(e, fNeedFileInfo: true).GetFrames())
            {
                if (frame.GetFileName() is { Length: > 0 } file
                    && frame.GetMethod()?.Module.Assembly is { } assembly
                    && Users.TryGetValue(assembly, out var user))
                {
                    var shown = user.Sources?.DisplayPathOf(file) ?? file;
                    return string.Create(CultureInfo.InvariantCulture, $"{shown}({frame.GetFileLineNumber()},{frame.GetFileColumnNumber()})");
                }
            }
        }

        return null;
    }

    private static UserStrategyAssembly Remember(UserStrategyAssembly user)
    {
        Users[user.Assembly] = user;
        return user;
    }

    private static bool TryLoadCached(string hash, string path, out Assembly assembly)
    {
        assembly = null!;
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            // Read into memory: the cache file may be replaced by a concurrent run at any time.
            var image = File.ReadAllBytes(path);
            assembly = Loaded.GetOrAdd(hash, _ => new StrategyLoadContext("strategy " + hash[..16], null).LoadFromStream(new MemoryStream(image)));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            return false; // unreadable or damaged: compile again (and overwrite it)
        }
    }

    /// <summary>
    /// The compiler's entry, kept out of <see cref="FromSource"/>'s body (no inlining) so that a cache hit does not make
    /// the JIT load Roslyn.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[] Compile(string hash, (string FullPath, byte[] Bytes)[] inputs, StrategySources sources, ILogger logger)
    {
        var result = StrategyCompiler.Compile("StrategyLab.User." + hash[..16], inputs, sources.DisplayPathOf);
        foreach (var warning in result.Warnings)
        {
            logger.LogWarning(ScriptingEvents.CompileWarning, "{Warning}", warning);
        }

        return result.Image ?? throw new StrategyCompilationException(result.Errors);
    }
}
