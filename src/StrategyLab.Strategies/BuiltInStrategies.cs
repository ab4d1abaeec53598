using StrategyLab.Core.Strategies;

namespace StrategyLab.Strategies;

/// <summary>The built-in strategies, by configuration name (<c>strategy.name</c>).</summary>
/// <remarks>
/// Each is an ordinary strategy class read by <see cref="DeclaredStrategyFactory"/>, the same mechanism a user strategy
/// goes through. To add one, write the class with <see cref="StrategyAttribute"/> and <see cref="ParameterAttribute"/>
/// and list its type here.
/// </remarks>
public static class BuiltInStrategies
{
    // A factory is read from its class (attributes, a fresh instance for the defaults) when first asked for: a run needs
    // one strategy, and reading all of them was ~3 % of a small run's start (docs/performance.md: Start-up).
    private static readonly Entry[] Entries =
    [
        new(typeof(OrbStrategy)),
        new(typeof(SmaCrossoverStrategy)),
        new(typeof(RsiReversionStrategy)),
    ];

    private static IStrategyFactory[]? _all;

    /// <summary>Every built-in strategy factory, in catalog order.</summary>
    public static IReadOnlyList<IStrategyFactory> All => _all ??= Array.ConvertAll(Entries, e => e.Factory);

    /// <summary>The names of every built-in strategy, in catalog order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Entries, e => e.Name);

    /// <summary>Finds a factory by name (case-insensitive, surrounding spaces ignored).</summary>
    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IStrategyFactory? factory)
    {
        var key = name?.Trim();
        foreach (var e in Entries)
        {
            if (string.Equals(e.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                factory = e.Factory;
                return true;
            }
        }

        factory = null;
        return false;
    }

    /// <summary>The factory named <paramref name="name"/>.</summary>
    /// <exception cref="StrategyConfigurationException">No strategy has that name; the message names it and lists the known ones (key <c>strategy.name</c>).</exception>
    public static IStrategyFactory Get(string name)
    {
        if (TryGet(name, out var factory))
        {
            return factory;
        }

        throw new StrategyConfigurationException(
            "strategy.name",
            $"unknown strategy '{name}'. Known: {string.Join(", ", Names)}.");
    }

    /// <summary>
    /// Looks up <paramref name="name"/>, binds <paramref name="parameters"/> against its specs (defaults filled in),
    /// creates the strategy and checks it against <paramref name="setup"/> (<see cref="IStrategy.ValidateParameters"/>).
    /// </summary>
    /// <exception cref="StrategyConfigurationException">Unknown name, unknown or invalid parameter; the key names the culprit.</exception>
    public static IStrategy Create(string name, IReadOnlyDictionary<string, object?> parameters, StrategySetup setup) =>
        Get(name).CreateValidated(parameters, setup);

    /// <summary>One built-in strategy class: its name, read without making its factory, and the factory once asked for.</summary>
    private sealed class Entry(Type type)
    {
        private readonly Lazy<IStrategyFactory> _factory = new(() => DeclaredStrategyFactory.For(type));

        /// <summary>The name <see cref="DeclaredStrategyFactory.For(Type)"/> gives the class: its [Strategy] name, else the class name.</summary>
        public string Name { get; } = DeclaredName(type);

        public IStrategyFactory Factory => _factory.Value;

        private static string DeclaredName(Type type)
        {
            // The attribute's data, not the attribute: no instance, no reflection call of its property setters.
            foreach (var attribute in type.GetCustomAttributesData())
            {
                if (attribute.AttributeType == typeof(StrategyAttribute) && attribute.ConstructorArguments is [{ Value: string name }, ..])
                {
                    return name;
                }
            }

            return type.Name;
        }
    }
}
