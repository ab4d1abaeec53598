namespace StrategyLab.Scripting;

/// <summary>
/// The compile options as data, apart from <see cref="StrategyCompiler"/>: the cache key reads them on every run, and
/// touching the compiler class (its static fields hold Roslyn types) would load Roslyn on a cache hit.
/// </summary>
internal static class CompileOptions
{
    /// <summary>The usings every user file gets, as <c>dotnet new classlib</c>'s implicit usings plus the engine's API.</summary>
    internal static readonly string[] GlobalUsings =
    [
        "System",
        "System.Collections.Generic",
        "System.IO",
        "System.Linq",
        "System.Threading",
        "System.Threading.Tasks",
    ];

    /// <summary>The options, as text for the cache key: change it whenever a compile option below changes.</summary>
    internal static readonly string OptionsText = "v1;csharp=latest;nullable=enable;optimize=release;deterministic;pdb=embedded;usings=" + string.Join(',', GlobalUsings);
}
