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
    private static readonly IStrategyFactory[] Factories =
    [
        DeclaredStrategyFactory.For<OrbStrategy>(),
        DeclaredStrategyFactory.For<SmaCrossoverStrategy>(),
        DeclaredStrategyFactory.For<RsiReversionStrategy>(),
    ];

    /// <summary>Every built-in strategy factory, in catalog order.</summary>
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
    /// Looks up <paramref name="name"/>, binds <paramref name="parameters"/> against its specs (defaults filled in),
    /// creates the strategy and checks it against <paramref name="setup"/> (<see cref="IStrategy.ValidateParameters"/>).
    /// </summary>
    /// <exception cref="StrategyConfigurationException">Unknown name, unknown or invalid parameter; the key names the culprit.</exception>
    public static IStrategy Create(string name, IReadOnlyDictionary<string, object?> parameters, StrategySetup setup) =>
        Get(name).CreateValidated(parameters, setup);
}
