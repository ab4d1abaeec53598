using System.Reflection;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Scripting;

/// <summary>A loaded user assembly (compiled from source or a class library) and the strategies it defines.</summary>
public sealed class UserStrategyAssembly
{
    internal UserStrategyAssembly(Assembly assembly, string description, StrategySources? sources, string? hash, string? assemblyPath)
    {
        Assembly = assembly;
        Description = description;
        Sources = sources;
        Hash = hash;
        AssemblyPath = assemblyPath;
        StrategyTypes = FindStrategyTypes(assembly);
    }

    /// <summary>The assembly.</summary>
    public Assembly Assembly { get; }

    /// <summary>What it was loaded from, for messages (<c>strategies/Foo.cs</c>, a folder, a dll path).</summary>
    public string Description { get; }

    /// <summary>The source files when compiled from source; null for a class library.</summary>
    public StrategySources? Sources { get; }

    /// <summary>The content hash (cache key, hex SHA-256) when compiled from source.</summary>
    public string? Hash { get; }

    /// <summary>The full path of the class library; null when compiled from source.</summary>
    public string? AssemblyPath { get; }

    /// <summary>Every concrete class implementing <see cref="IStrategy"/>, by full name.</summary>
    public IReadOnlyList<Type> StrategyTypes { get; }

    /// <summary>The configuration name of a strategy class: its <see cref="StrategyAttribute"/> name, else the class name.</summary>
    public static string NameOf(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.GetCustomAttribute<StrategyAttribute>()?.Name is { Length: > 0 } name ? name : type.Name;
    }

    /// <summary>
    /// The strategy class named <paramref name="name"/> (its <see cref="StrategyAttribute"/> name, class name or full
    /// name, case-insensitive); with no name, the only one.
    /// </summary>
    /// <exception cref="StrategyConfigurationException">None or several match (key <c>strategy.name</c>); the message lists what was found.</exception>
    public Type Select(string? name)
    {
        const string key = "strategy.name";
        var found = StrategyTypes.Count == 0 ? "none" : string.Join(", ", StrategyTypes.Select(Describe));
        if (StrategyTypes.Count == 0)
        {
            throw new StrategyConfigurationException(key, $"{Description} defines no strategy: no public or internal non-abstract class implementing IStrategy.");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return StrategyTypes.Count == 1
                ? StrategyTypes[0]
                : throw new StrategyConfigurationException(key, $"{Description} defines {StrategyTypes.Count} strategies; set strategy.name to one of: {found}.");
        }

        var wanted = name.Trim();
        var matches = StrategyTypes.Where(t =>
            string.Equals(NameOf(t), wanted, StringComparison.OrdinalIgnoreCase)
            || string.Equals(t.Name, wanted, StringComparison.OrdinalIgnoreCase)
            || string.Equals(t.FullName, wanted, StringComparison.OrdinalIgnoreCase)).ToArray();
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new StrategyConfigurationException(key, $"no strategy '{wanted}' in {Description}. Found: {found}."),
            _ => throw new StrategyConfigurationException(key, $"'{wanted}' is ambiguous in {Description}: {string.Join(", ", matches.Select(Describe))}; give the full class name."),
        };
    }

    private static string Describe(Type t)
    {
        var name = NameOf(t);
        return name == t.Name ? t.FullName ?? t.Name : $"{name} ({t.FullName})";
    }

    private static Type[] FindStrategyTypes(Assembly assembly)
    {
        Type?[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types; // the loadable ones; a missing dependency shows when its strategy runs
        }

        return [.. types
            .Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false } && typeof(IStrategy).IsAssignableFrom(t))
            .Select(t => t!)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];
    }
}
