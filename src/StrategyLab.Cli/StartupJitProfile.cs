using System.CommandLine;
using System.Runtime;

namespace StrategyLab.Cli;

/// <summary>
/// Multi-core JIT for the command's start: the runtime records which methods a command needed compiled and, on the next
/// start of the same command, compiles them on another core before the main thread asks for them
/// (<see cref="ProfileOptimization"/>). One profile a command (<c>backtest.jitprofile</c>, <c>data-info.jitprofile</c>)
/// in the user's cache folder: <c>$XDG_CACHE_HOME/strategylab/jit</c>, else <c>~/.cache/strategylab/jit</c> (on
/// Windows the local application data folder). Never inside a run folder.
/// </summary>
/// <remarks>
/// Anything that stops it (no home, a folder that cannot be made or written, a damaged profile, one core) only means no
/// profile: the runtime reads and writes the file itself and carries on without it; the command's results never depend
/// on it. <c>STRATEGYLAB_JIT_PROFILE=0</c> turns it off, <c>1</c> on for every command; unset, it is on except for the
/// commands in <see cref="WithoutProfileByDefault"/>.
/// </remarks>
internal static class StartupJitProfile
{
    /// <summary>The environment variable that turns the profile off when it is <c>0</c>, and on for every command when it is <c>1</c>.</summary>
    public const string SwitchVariable = "STRATEGYLAB_JIT_PROFILE";

    /// <summary>
    /// The profiles not used unless <c>STRATEGYLAB_JIT_PROFILE=1</c>: <c>backtest</c> measured faster without one once its
    /// configuration no longer JIT-compiled the serializer's metadata (a 390-bar run 0.33 -> 0.28 s of CPU, 200,000 bars
    /// 0.70 -> 0.645 s, walls no longer; docs/performance.md, "Start-up (session 30)"): the profile's thread then mostly
    /// compiles what the main thread would have run precompiled or at tier 0, and the file costs a read and a write.
    /// </summary>
    internal static readonly string[] WithoutProfileByDefault = ["backtest.jitprofile"];

    /// <summary>Starts recording (and playing back the last recording of) the command <paramref name="args"/> names; no-op when it names none.</summary>
    /// <returns>The profile file used, or null when none is.</returns>
    public static string? Start(RootCommand root, string[] args)
    {
        var setting = Environment.GetEnvironmentVariable(SwitchVariable);
        if (setting == "0"
            || NameOf(root, args) is not { } name
            || (setting != "1" && Array.IndexOf(WithoutProfileByDefault, name) >= 0)
            || Folder(Environment.GetEnvironmentVariable) is not { } folder)
        {
            return null;
        }

        try
        {
            ProfileOptimization.SetProfileRoot(folder);
            ProfileOptimization.StartProfile(name);
            return Path.Combine(folder, name);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The profile's file name: the command words of <paramref name="args"/> as the command tree knows them, joined by
    /// <c>-</c> (<c>backtest.jitprofile</c>, <c>data-info.jitprofile</c>); null when the first word names no command
    /// (<c>--help</c>, a typo), so nothing a user types becomes a file name.
    /// </summary>
    public static string? NameOf(RootCommand root, string[] args)
    {
        Command command = root;
        var words = new List<string>(2);
        foreach (var arg in args)
        {
            Command? next = null;
            foreach (var sub in command.Subcommands)
            {
                if (sub.Name == arg)
                {
                    next = sub;
                    break;
                }
            }

            if (next is null)
            {
                break;
            }

            words.Add(next.Name);
            command = next;
        }

        return words.Count == 0 ? null : string.Join('-', words) + ".jitprofile";
    }

    /// <summary>
    /// The folder the profiles live in, created when missing; null when there is no usable one (no home, a path that
    /// is a file, no permission). <paramref name="environment"/> reads an environment variable.
    /// </summary>
    public static string? Folder(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var cache = environment("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache) || !Path.IsPathFullyQualified(cache))
        {
            // The XDG rule: a relative XDG_CACHE_HOME is ignored.
            var home = OperatingSystem.IsWindows()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : environment("HOME");
            if (string.IsNullOrEmpty(home) || !Path.IsPathFullyQualified(home))
            {
                return null;
            }

            cache = OperatingSystem.IsWindows() ? home : Path.Combine(home, ".cache");
        }

        var folder = Path.Combine(cache, "strategylab", "jit");
        try
        {
            Directory.CreateDirectory(folder);
            return folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }
}
