namespace StrategyLab.Core.Strategies;

/// <summary>Binding and checking a strategy's parameters the way a run does, for any <see cref="IStrategyFactory"/>.</summary>
public static class StrategyFactoryExtensions
{
    /// <summary>
    /// Binds <paramref name="given"/> against the factory's specs (defaults filled in), then creates a probe instance and
    /// runs its <see cref="IStrategy.ValidateParameters"/> against <paramref name="setup"/>: everything a configuration
    /// can get wrong about the strategy, found before any data loads.
    /// </summary>
    /// <returns>The bound values, for <see cref="IStrategyFactory.Create"/> and the run's summary.</returns>
    /// <exception cref="StrategyConfigurationException">An unknown, mistyped, out-of-range or inconsistent parameter; the key names it.</exception>
    public static StrategyParameters BindAndValidate(this IStrategyFactory factory, IReadOnlyDictionary<string, object?> given, StrategySetup setup)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(setup);
        var parameters = StrategyParameters.Bind(factory.Name, factory.Parameters, given);
        factory.Create(parameters).ValidateParameters(setup);
        return parameters;
    }

    /// <summary>Binds and checks <paramref name="given"/> (<see cref="BindAndValidate"/>) and returns a strategy made from them.</summary>
    /// <exception cref="StrategyConfigurationException">An unknown, mistyped, out-of-range or inconsistent parameter; the key names it.</exception>
    public static IStrategy CreateValidated(this IStrategyFactory factory, IReadOnlyDictionary<string, object?> given, StrategySetup setup)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(setup);
        var parameters = StrategyParameters.Bind(factory.Name, factory.Parameters, given);
        var strategy = factory.Create(parameters);
        strategy.ValidateParameters(setup);
        return strategy;
    }
}
