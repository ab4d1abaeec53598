namespace StrategyLab.Core.Strategies;

/// <summary>The built-in strategies, by configuration name (<c>strategy.name</c>).</summary>
/// <remarks>To add a strategy, write its <see cref="IStrategy"/> and <see cref="IStrategyFactory"/> and list the factory here.</remarks>
public static class StrategyCatalog
{
    private static readonly IStrategyFactory[] Factories =
    [
        new OrbStrategyFactory(),
        new SmaCrossoverStrategyFactory(),
        new RsiReversionStrategyFactory(),
    ];

    /// <summary>Every built-in strategy factory.</summary>
    public static IReadOnlyList<IStrategyFactory> All => Factories;

    /// <summary>The names of every built-in strategy, in catalog order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Factories, f => f.Name);

    /// <summary>Finds a factory by name (case-insensitive, surrounding spaces ignored).</summary>
    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IStrategyFactory? factory)
    {
        var key = name?.Trim();
        foreach (var f in Factories)
        {
            if (string.Equals(f.Name, key, StringComparison.OrdinalIgnoreCase))
            {
                factory = f;
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
    /// Looks up <paramref name="name"/>, binds <paramref name="parameters"/> against its specs (defaults filled in) and
    /// creates the strategy.
    /// </summary>
    /// <exception cref="StrategyConfigurationException">Unknown name, unknown or invalid parameter; the key names the culprit.</exception>
    public static IStrategy Create(string name, IReadOnlyDictionary<string, object?> parameters)
    {
        var factory = Get(name);
        var bound = StrategyParameters.Bind(factory.Name, factory.Parameters, parameters);
        return factory.Create(bound);
    }
}
