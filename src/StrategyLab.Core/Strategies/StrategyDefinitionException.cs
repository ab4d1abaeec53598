namespace StrategyLab.Core.Strategies;

/// <summary>
/// A class cannot be used as a strategy: it is abstract, has no public parameterless constructor, or declares a
/// <see cref="ParameterAttribute"/> the engine cannot bind (no public setter, an unsupported type, a key used twice…).
/// This is a mistake in the strategy's code, not in the run's configuration; the message names the class and, when
/// one is at fault, the property.
/// </summary>
public sealed class StrategyDefinitionException : Exception
{
    /// <summary>Creates the exception for <paramref name="strategyType"/> (and <paramref name="property"/>, when one is at fault).</summary>
    public StrategyDefinitionException(string strategyType, string? property, string problem)
        : base(property is null ? $"strategy class '{strategyType}': {problem}" : $"strategy class '{strategyType}', property '{property}': {problem}")
    {
        StrategyType = strategyType;
        Property = property;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyDefinitionException()
    {
        StrategyType = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyDefinitionException(string message)
        : base(message)
    {
        StrategyType = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyDefinitionException(string message, Exception innerException)
        : base(message, innerException)
    {
        StrategyType = string.Empty;
    }

    /// <summary>The full name of the class at fault.</summary>
    public string StrategyType { get; }

    /// <summary>The property at fault, or null when the problem is the class itself.</summary>
    public string? Property { get; }
}
