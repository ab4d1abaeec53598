using System.Globalization;
using System.Reflection;
using System.Text;

namespace StrategyLab.Core.Strategies;

/// <summary>
/// The factory of a strategy class that declares itself with <see cref="StrategyAttribute"/> and
/// <see cref="ParameterAttribute"/>: the built-in strategies and user strategies alike. The class is read once, by
/// <see cref="For"/>; <see cref="Create"/> then makes a new instance and sets its parameter properties.
/// </summary>
/// <remarks>
/// <para>Name: <see cref="StrategyAttribute.Name"/>, or the class name when the attribute is absent. Parameters: every
/// public instance property with <see cref="ParameterAttribute"/>, in declaration order (base class first), keyed by
/// <see cref="ParameterAttribute.Name"/> or the property name in snake_case. Kinds: <see cref="int"/> and
/// <see cref="long"/> → <see cref="ParameterKind.Integer"/>, <see cref="decimal"/> and <see cref="double"/> →
/// <see cref="ParameterKind.Number"/>, <see cref="bool"/> → <see cref="ParameterKind.Boolean"/>,
/// <see cref="string"/> → <see cref="ParameterKind.Text"/>, an enum → <see cref="ParameterKind.Text"/> restricted to its
/// member names (<see cref="ParameterSpec.AllowedValues"/>). The default is the property's value on a new instance.</para>
/// <para>Reflection runs when the factory is made and once per <see cref="Create"/> (once per run), never per bar.</para>
/// </remarks>
public sealed class DeclaredStrategyFactory : IStrategyFactory
{
    private readonly ConstructorInfo _constructor;
    private readonly Binding[] _bindings;

    private DeclaredStrategyFactory(Type type, string name, string description, ConstructorInfo constructor, Binding[] bindings)
    {
        StrategyType = type;
        Name = name;
        Description = description;
        _constructor = constructor;
        _bindings = bindings;
        Parameters = Array.ConvertAll(bindings, b => b.Spec);
    }

    /// <summary>The strategy class.</summary>
    public Type StrategyType { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>Reads the strategy class <typeparamref name="T"/>.</summary>
    /// <exception cref="StrategyDefinitionException">The class is not a usable strategy.</exception>
    public static DeclaredStrategyFactory For<T>()
        where T : IStrategy, new() => For(typeof(T));

    /// <summary>Reads <paramref name="strategyType"/>: its name, description and parameters with their defaults.</summary>
    /// <exception cref="StrategyDefinitionException">
    /// The class is not a usable strategy: not an <see cref="IStrategy"/>, abstract or generic, no public parameterless
    /// constructor (or it threw), or a <see cref="ParameterAttribute"/> on a property that is not public, has no public
    /// setter or getter, has an unsupported type, a key already used, a range that does not fit its type or default.
    /// The message names the class and the property.
    /// </exception>
    public static DeclaredStrategyFactory For(Type strategyType)
    {
        ArgumentNullException.ThrowIfNull(strategyType);
        var typeName = strategyType.FullName ?? strategyType.Name;
        if (!typeof(IStrategy).IsAssignableFrom(strategyType) || strategyType.IsInterface)
        {
            throw new StrategyDefinitionException(typeName, null, $"does not implement {nameof(IStrategy)}.");
        }

        if (strategyType.IsAbstract || strategyType.ContainsGenericParameters)
        {
            throw new StrategyDefinitionException(typeName, null, "is abstract or an open generic type; a strategy must be a concrete class.");
        }

        var constructor = strategyType.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)
            ?? throw new StrategyDefinitionException(typeName, null, "has no public parameterless constructor; the engine creates the strategy and then sets its [Parameter] properties.");

        var attribute = strategyType.GetCustomAttribute<StrategyAttribute>(inherit: false);
        var name = attribute?.Name ?? strategyType.Name;
        if (string.IsNullOrWhiteSpace(name) || name.Trim() != name)
        {
            throw new StrategyDefinitionException(typeName, null, $"the [Strategy] name '{name}' is empty or has surrounding spaces.");
        }

        var fresh = Construct(constructor, typeName);
        var bindings = new List<Binding>();
        foreach (var property in ParameterProperties(strategyType))
        {
            var binding = Read(typeName, property, fresh);
            var clash = bindings.Find(b => b.Spec.Name == binding.Spec.Name);
            if (clash is not null)
            {
                throw new StrategyDefinitionException(
                    typeName,
                    property.Name,
                    $"its parameter key '{binding.Spec.Name}' is already used by property '{clash.Property.Name}'; give one of them [Parameter(Name = \"…\")].");
            }

            bindings.Add(binding);
        }

        return new DeclaredStrategyFactory(strategyType, name, attribute?.Description ?? string.Empty, constructor, [.. bindings]);
    }

    /// <summary>Makes a new instance of the class and sets every parameter property from <paramref name="parameters"/>.</summary>
    /// <param name="parameters">Values bound against <see cref="Parameters"/> (<see cref="StrategyParameters.Bind"/>).</param>
    /// <remarks>Cross-parameter checks are the strategy's <see cref="IStrategy.ValidateParameters"/>, which the caller runs.</remarks>
    public IStrategy Create(StrategyParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var strategy = Construct(_constructor, StrategyType.FullName ?? StrategyType.Name);
        foreach (var binding in _bindings)
        {
            var value = parameters.Values[binding.Spec.Name];
            binding.Property.SetValue(strategy, binding.ToProperty(value));
        }

        return strategy;
    }

    /// <summary>The snake_case form of a property name: <c>FastPeriod</c> → <c>fast_period</c>, <c>RSILevel</c> → <c>rsi_level</c>.</summary>
    public static string ToSnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                var previous = name[i - 1];
                var nextIsLower = i + 1 < name.Length && char.IsLower(name[i + 1]);
                if (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && nextIsLower))
                {
                    text.Append('_');
                }
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }

    private static IStrategy Construct(ConstructorInfo constructor, string typeName)
    {
        try
        {
            return (IStrategy)constructor.Invoke(null);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new StrategyDefinitionException($"strategy class '{typeName}': its constructor threw {e.InnerException.GetType().Name}: {e.InnerException.Message}", e.InnerException);
        }
    }

    /// <summary>The [Parameter] properties, base class first, each in declaration order (metadata order).</summary>
    private static IEnumerable<PropertyInfo> ParameterProperties(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            chain.Insert(0, t);
        }

        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in chain)
        {
            foreach (var property in t.GetProperties(Declared).OrderBy(p => p.MetadataToken))
            {
                if (property.GetCustomAttribute<ParameterAttribute>(inherit: true) is null)
                {
                    continue;
                }

                // An override in a derived class is the same parameter: keep the most derived declaration only.
                if (seen.Add(property.Name))
                {
                    yield return type.GetProperty(property.Name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static) ?? property;
                }
            }
        }
    }

    private static Binding Read(string typeName, PropertyInfo property, IStrategy fresh)
    {
        StrategyDefinitionException Bad(string problem) => new(typeName, property.Name, problem);

        var attribute = property.GetCustomAttribute<ParameterAttribute>(inherit: true)!;
        var getter = property.GetGetMethod(nonPublic: false);
        var setter = property.GetSetMethod(nonPublic: false);
        if (getter is null || getter.IsStatic || (property.GetMethod?.IsStatic ?? property.SetMethod?.IsStatic ?? false))
        {
            throw Bad("a [Parameter] must be a public instance property with a public getter (it gives the default).");
        }

        if (setter is null)
        {
            throw Bad("a [Parameter] needs a public setter (set or init) for the engine to bind the configured value.");
        }

        if (property.GetIndexParameters().Length > 0)
        {
            throw Bad("an indexer cannot be a [Parameter].");
        }

        var key = attribute.Name ?? ToSnakeCase(property.Name);
        if (string.IsNullOrWhiteSpace(key) || key.Any(c => char.IsWhiteSpace(c) || c is '=' or '.'))
        {
            throw Bad($"the parameter key '{key}' is empty or contains a space, '=' or '.'.");
        }

        var type = property.PropertyType;
        var current = property.GetValue(fresh);
        ParameterKind kind;
        object defaultValue;
        IReadOnlyList<string>? allowed = null;
        Func<object, object?> toProperty;
        if (type == typeof(int))
        {
            (kind, defaultValue, toProperty) = (ParameterKind.Integer, (int)current!, v => System.Convert.ToInt32(v, CultureInfo.InvariantCulture));
        }
        else if (type == typeof(long))
        {
            (kind, defaultValue, toProperty) = (ParameterKind.Integer, (long)current!, v => System.Convert.ToInt64(v, CultureInfo.InvariantCulture));
        }
        else if (type == typeof(decimal))
        {
            (kind, defaultValue, toProperty) = (ParameterKind.Number, (decimal)current!, v => System.Convert.ToDecimal(v, CultureInfo.InvariantCulture));
        }
        else if (type == typeof(double))
        {
            var d = (double)current!;
            if (!double.IsFinite(d) || Math.Abs(d) > (double)decimal.MaxValue)
            {
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"its default {d} is not a finite number a decimal can hold."));
            }

            (kind, defaultValue, toProperty) = (ParameterKind.Number, (decimal)d, v => System.Convert.ToDouble(v, CultureInfo.InvariantCulture));
        }
        else if (type == typeof(bool))
        {
            (kind, defaultValue, toProperty) = (ParameterKind.Boolean, (bool)current!, v => v);
        }
        else if (type == typeof(string))
        {
            (kind, defaultValue, toProperty) = (ParameterKind.Text, current ?? throw Bad("a text parameter needs a non-null default (e.g. string.Empty)."), v => v);
        }
        else if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            var name = Enum.GetName(type, current!)
                ?? throw Bad($"its default {current} is not a named member of {type.Name}.");
            (kind, defaultValue, allowed, toProperty) = (ParameterKind.Text, name, names, v => Enum.Parse(type, (string)v, ignoreCase: false));
        }
        else
        {
            throw Bad($"type {type.Name} is not supported; use int, long, decimal, double, bool, string or an enum.");
        }

        var minimum = Bound(attribute.Minimum, "Minimum", Bad);
        var maximum = Bound(attribute.Maximum, "Maximum", Bad);
        if ((minimum is not null || maximum is not null) && kind is not (ParameterKind.Integer or ParameterKind.Number))
        {
            throw Bad("Minimum and Maximum apply to number parameters only.");
        }

        if (minimum > maximum)
        {
            throw Bad(string.Create(CultureInfo.InvariantCulture, $"Minimum {minimum} is above Maximum {maximum}."));
        }

        if (kind is ParameterKind.Integer or ParameterKind.Number)
        {
            var n = System.Convert.ToDecimal(defaultValue, CultureInfo.InvariantCulture);
            if (n < minimum || n > maximum)
            {
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"its default {n} is outside [{minimum?.ToString(CultureInfo.InvariantCulture) ?? "-∞"}, {maximum?.ToString(CultureInfo.InvariantCulture) ?? "∞"}]."));
            }
        }

        if (attribute.EnablesShortSelling && kind != ParameterKind.Boolean)
        {
            throw Bad("EnablesShortSelling applies to a bool parameter only.");
        }

        var spec = new ParameterSpec(key, kind, defaultValue, attribute.Description, minimum, maximum, attribute.EnablesShortSelling, allowed);
        return new Binding(spec, property, toProperty);
    }

    private static decimal? Bound(double value, string which, Func<string, StrategyDefinitionException> bad)
    {
        if (double.IsNaN(value))
        {
            return null;
        }

        if (!double.IsFinite(value) || Math.Abs(value) > (double)decimal.MaxValue)
        {
            throw bad(string.Create(CultureInfo.InvariantCulture, $"{which} {value} is not a finite number a decimal can hold; leave it unset for no bound."));
        }

        return (decimal)value;
    }

    /// <summary>One parameter: its spec, the property it sets and the conversion from the bound value.</summary>
    private sealed record Binding(ParameterSpec Spec, PropertyInfo Property, Func<object, object?> ToProperty);
}
