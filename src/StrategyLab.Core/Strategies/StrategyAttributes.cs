namespace StrategyLab.Core.Strategies;

/// <summary>
/// Names a strategy class for configuration (<c>strategy.name</c>) and says in one line what it does. A strategy class
/// without it is known by its class name.
/// </summary>
/// <example>
/// <code>
/// [Strategy("vwap_reversion", Description = "Buys a close far below the session VWAP, exits at the VWAP.")]
/// public sealed class VwapReversion : IStrategy { … }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class StrategyAttribute : Attribute
{
    /// <summary>Names the strategy.</summary>
    /// <param name="name">The configuration name, e.g. <c>sma_crossover</c>.</param>
    public StrategyAttribute(string name) => Name = name;

    /// <summary>The configuration name.</summary>
    public string Name { get; }

    /// <summary>One line on what the strategy does (shown by <c>strategylab strategies</c>).</summary>
    public string Description { get; set; } = string.Empty;
}

/// <summary>
/// Declares a settable property of a strategy as a parameter: the engine binds <c>strategy.params.&lt;name&gt;</c> and
/// <c>--param name=value</c> to it, with the same strictness as the rest of the configuration (unknown name, wrong
/// type, out of range: a load error naming the key). The property's value on a new instance is the default.
/// </summary>
/// <remarks>
/// Supported property types: <see cref="int"/>, <see cref="long"/>, <see cref="decimal"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/> and enums (given by member name). Bounds are inclusive; they are
/// <see cref="double"/> because attribute arguments cannot be <see cref="decimal"/>, and are compared exactly after
/// conversion to decimal.
/// </remarks>
/// <example>
/// <code>
/// [Parameter("Period of the fast SMA of closes (bars).", Minimum = 1, Maximum = 100_000)]
/// public int Fast { get; init; } = 10;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class ParameterAttribute : Attribute
{
    /// <summary>Declares the parameter.</summary>
    /// <param name="description">What it does, for <c>strategylab strategies</c> and the docs.</param>
    public ParameterAttribute(string description) => Description = description;

    /// <summary>What the parameter does.</summary>
    public string Description { get; }

    /// <summary>The key under <c>strategy.params</c>; by default the property name in snake_case (<c>FastPeriod</c> → <c>fast_period</c>).</summary>
    public string? Name { get; set; }

    /// <summary>Smallest allowed value (inclusive); <see cref="double.NaN"/> (the default) for none.</summary>
    public double Minimum { get; set; } = double.NaN;

    /// <summary>Largest allowed value (inclusive); <see cref="double.NaN"/> (the default) for none.</summary>
    public double Maximum { get; set; } = double.NaN;

    /// <summary>
    /// For a boolean: true makes the strategy open short positions, so a configuration with a cash account fails at load
    /// naming this parameter (instead of every short entry being rejected during the run).
    /// </summary>
    public bool EnablesShortSelling { get; set; }
}

/// <summary>What a strategy's parameters are checked against once bound, before any data is loaded.</summary>
/// <param name="Timeframe">The timeframe of the bars the strategy will receive.</param>
/// <param name="Symbols">The symbols of the run.</param>
public sealed record StrategySetup(Domain.Timeframe Timeframe, IReadOnlyList<Domain.Symbol> Symbols);

/// <summary>
/// User code in a strategy threw: the run stops (exit 1, <c>stop_reason: "strategy_error"</c>). The message names the
/// strategy, the callback and, when the strategy was compiled with a PDB, the file and line that threw.
/// </summary>
public sealed class StrategyException : Exception
{
    /// <summary>Wraps what <paramref name="callback"/> of <paramref name="strategyName"/> threw.</summary>
    public StrategyException(string strategyName, string callback, Exception innerException)
        : base($"strategy '{strategyName}' failed in {callback}: {innerException?.GetType().Name}: {innerException?.Message}", innerException)
    {
        StrategyName = strategyName;
        Callback = callback;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyException()
    {
        StrategyName = string.Empty;
        Callback = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyException(string message)
        : base(message)
    {
        StrategyName = string.Empty;
        Callback = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyException(string message, Exception innerException)
        : base(message, innerException)
    {
        StrategyName = string.Empty;
        Callback = string.Empty;
    }

    /// <summary>The strategy's configuration name.</summary>
    public string StrategyName { get; }

    /// <summary>The callback that threw (<c>OnBar</c>, <c>Initialize</c>, a scheduled event's name…).</summary>
    public string Callback { get; }
}
