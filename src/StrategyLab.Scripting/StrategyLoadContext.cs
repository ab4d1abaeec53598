using System.Reflection;
using System.Runtime.Loader;

namespace StrategyLab.Scripting;

/// <summary>
/// The load context of one user strategy assembly. The engine's own assemblies (StrategyLab.Core, NodaTime and
/// Microsoft.Extensions.*) always resolve to the host's copies, whatever version the user's library was built
/// against: a strategy's <c>IStrategy</c> must be the engine's <c>IStrategy</c> (type identity). Any other
/// dependency of a class library comes from its <c>deps.json</c> (NuGet packages next to the dll), else from the host.
/// </summary>
internal sealed class StrategyLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver? _resolver;

    /// <summary>Creates the context.</summary>
    /// <param name="name">The context's name (diagnostics).</param>
    /// <param name="mainAssemblyPath">A class library's path (its <c>deps.json</c> resolves its dependencies); null for a compiled source.</param>
    public StrategyLoadContext(string name, string? mainAssemblyPath)
        : base(name, isCollectible: false)
    {
        _resolver = mainAssemblyPath is null ? null : new AssemblyDependencyResolver(mainAssemblyPath);
    }

    /// <summary>True for the assemblies that must be the host's (shared types cross between the engine and the strategy).</summary>
    internal static bool IsShared(string? name) =>
        name is not null
        && (name == "StrategyLab.Core"
            || name == "NodaTime"
            || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal));

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsShared(assemblyName.Name))
        {
            // By simple name: the host's copy even when the library asked for another version.
            return Default.LoadFromAssemblyName(new AssemblyName(assemblyName.Name!));
        }

        return _resolver?.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    /// <inheritdoc />
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver?.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
