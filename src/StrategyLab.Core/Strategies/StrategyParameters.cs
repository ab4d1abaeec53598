using System.Globalization;

namespace StrategyLab.Core.Strategies;

/// <summary>The kind of value a strategy parameter takes.</summary>
public enum ParameterKind
{
    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A decimal number.</summary>
    Number,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>Text.</summary>
    Text,
}

/// <summary>Describes one strategy parameter: its name in configuration, type, default and valid range.</summary>
/// <param name="Name">The key under <c>strategy.params</c> (snake_case).</param>
/// <param name="Kind">The value type.</param>
/// <param name="Default">
/// The default value: an <see cref="int"/> or <see cref="long"/> (<see cref="ParameterKind.Integer"/>; a <see cref="long"/>
/// default makes the parameter take 64-bit values, bound as <see cref="long"/>), a <see cref="decimal"/>, a
/// <see cref="bool"/> or a <see cref="string"/>.
/// </param>
/// <param name="Description">What it does, for the README and <c>--help</c>.</param>
/// <param name="Minimum">Smallest allowed value for numbers (inclusive).</param>
/// <param name="Maximum">Largest allowed value for numbers (inclusive).</param>
/// <param name="EnablesShortSelling">
/// For a boolean: true makes the strategy open short positions. A configuration then needs a margin account, and one
/// with a cash account fails at load naming this parameter instead of every short being rejected during the run.
/// </param>
/// <param name="AllowedValues">For text: the only values accepted (exact spelling), e.g. an enum's member names; null for any text.</param>
public sealed record ParameterSpec(
    string Name,
    ParameterKind Kind,
    object Default,
    string Description,
    decimal? Minimum = null,
    decimal? Maximum = null,
    bool EnablesShortSelling = false,
    IReadOnlyList<string>? AllowedValues = null);

/// <summary>
/// Validated parameter values of one strategy: every declared parameter has a value (given or default).
/// </summary>
public sealed class StrategyParameters
{
    private readonly Dictionary<string, object> _values;

    private StrategyParameters(Dictionary<string, object> values) => _values = values;

    /// <summary>
    /// Checks <paramref name="given"/> against <paramref name="specs"/> and fills in defaults.
    /// Values may be typed (int, long, decimal, double, bool) or strings (from <c>--param k=v</c>).
    /// </summary>
    /// <exception cref="StrategyConfigurationException">An unknown name, a wrong type or an out-of-range value; names the key.</exception>
    public static StrategyParameters Bind(string strategyName, IReadOnlyList<ParameterSpec> specs, IReadOnlyDictionary<string, object?> given)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(given);
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, _) in given)
        {
            if (!specs.Any(s => s.Name == key))
            {
                throw new StrategyConfigurationException(
                    $"strategy.params.{key}",
                    $"unknown parameter for strategy '{strategyName}'. Known: {string.Join(", ", specs.Select(s => s.Name))}.");
            }
        }

        foreach (var spec in specs)
        {
            var path = $"strategy.params.{spec.Name}";
            if (!given.TryGetValue(spec.Name, out var raw) || raw is null)
            {
                values[spec.Name] = spec.Default;
                continue;
            }

            var value = Convert(spec, raw, path);
            if (value is int or long or decimal)
            {
                var n = System.Convert.ToDecimal(value, CultureInfo.InvariantCulture);
                if ((spec.Minimum is { } min && n < min) || (spec.Maximum is { } max && n > max))
                {
                    throw new StrategyConfigurationException(
                        path,
                        $"{n.ToString(CultureInfo.InvariantCulture)} is outside [{spec.Minimum?.ToString(CultureInfo.InvariantCulture) ?? "-∞"}, {spec.Maximum?.ToString(CultureInfo.InvariantCulture) ?? "∞"}].");
                }
            }

            values[spec.Name] = value;
        }

        return new StrategyParameters(values);
    }

    /// <summary>A whole-number parameter.</summary>
    public int GetInt(string name) => (int)_values[name];

    /// <summary>A whole-number parameter, as 64 bits (an <see cref="int"/> or a <see cref="long"/> one).</summary>
    public long GetLong(string name) => _values[name] is int i ? i : (long)_values[name];

    /// <summary>A decimal parameter.</summary>
    public decimal GetDecimal(string name) => _values[name] switch
    {
        int i => i,
        long l => l,
        var other => (decimal)other,
    };

    /// <summary>A boolean parameter.</summary>
    public bool GetBool(string name) => (bool)_values[name];

    /// <summary>A text parameter.</summary>
    public string GetText(string name) => (string)_values[name];

    /// <summary>Every value, by name (for the run's summary).</summary>
    public IReadOnlyDictionary<string, object> Values => _values;

    private static object Convert(ParameterSpec spec, object raw, string path)
    {
        var text = raw as string;
        switch (spec.Kind)
        {
            case ParameterKind.Integer when spec.Default is long:
                switch (raw)
                {
                    case int n: return (long)n;
                    case long n: return n;
                    case decimal n when decimal.Truncate(n) == n && n is >= long.MinValue and <= long.MaxValue: return (long)n;
                    case double n when Math.Truncate(n) == n && n >= long.MinValue && n < long.MaxValue: return (long)n;
                }

                if (text is not null && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsedLong))
                {
                    return parsedLong;
                }

                break;
            case ParameterKind.Integer:
                if (raw is int i)
                {
                    return i;
                }

                if (raw is long l && l is >= int.MinValue and <= int.MaxValue)
                {
                    return (int)l;
                }

                if (raw is decimal d && decimal.Truncate(d) == d && d is >= int.MinValue and <= int.MaxValue)
                {
                    return (int)d;
                }

                if (raw is double dbl && Math.Truncate(dbl) == dbl && dbl is >= int.MinValue and <= int.MaxValue)
                {
                    return (int)dbl;
                }

                if (text is not null && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }

                break;
            case ParameterKind.Number:
                switch (raw)
                {
                    case decimal dec: return dec;
                    case int n: return (decimal)n;
                    case long n: return (decimal)n;
                    case double n when double.IsFinite(n) && Math.Abs(n) < (double)decimal.MaxValue: return (decimal)n;
                }

                if (text is not null && decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number))
                {
                    return number;
                }

                break;
            case ParameterKind.Boolean:
                if (raw is bool b)
                {
                    return b;
                }

                if (text is not null && bool.TryParse(text, out var flag))
                {
                    return flag;
                }

                break;
            case ParameterKind.Text:
                if (text is not null && spec.AllowedValues is { } allowed && !allowed.Contains(text, StringComparer.Ordinal))
                {
                    throw new StrategyConfigurationException(path, $"expected one of {string.Join(", ", allowed)}, got '{text}'.");
                }

                if (text is not null)
                {
                    return text;
                }

                break;
        }

        var expected = spec.Kind switch
        {
            ParameterKind.Integer => "a whole number",
            ParameterKind.Number => "a number",
            ParameterKind.Boolean => "true or false",
            _ when spec.AllowedValues is { } allowed => $"one of {string.Join(", ", allowed)}",
            _ => "a string",
        };
        throw new StrategyConfigurationException(path, $"expected {expected}, got '{System.Convert.ToString(raw, CultureInfo.InvariantCulture)}'.");
    }
}

/// <summary>A strategy parameter (or parameter combination) is invalid; <see cref="Key"/> names the configuration key.</summary>
public sealed class StrategyConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public StrategyConfigurationException(string key, string problem)
        : base($"{key}: {problem}")
    {
        Key = key;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyConfigurationException()
    {
        Key = string.Empty;
    }

    /// <summary>Creates the exception.</summary>
    public StrategyConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
    }

    /// <summary>The configuration key at fault, e.g. <c>strategy.params.fast</c>.</summary>
    public string Key { get; }
}

/// <summary>Creates one kind of strategy from validated parameters.</summary>
public interface IStrategyFactory
{
    /// <summary>The name used in configuration (<c>strategy.name</c>), e.g. <c>orb</c>.</summary>
    string Name { get; }

    /// <summary>One line on what the strategy does.</summary>
    string Description { get; }

    /// <summary>The parameters it takes.</summary>
    IReadOnlyList<ParameterSpec> Parameters { get; }

    /// <summary>
    /// Creates the strategy from parameters bound against <see cref="Parameters"/>. Checks between parameters (e.g.
    /// fast &lt; slow) are the strategy's <see cref="IStrategy.ValidateParameters"/>, which the runner calls on a probe
    /// instance (<see cref="StrategyFactoryExtensions.BindAndValidate"/>).
    /// </summary>
    IStrategy Create(StrategyParameters parameters);
}
