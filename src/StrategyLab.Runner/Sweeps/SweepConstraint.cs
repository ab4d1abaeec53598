using System.Globalization;
using StrategyLab.Runner.Configuration;

namespace StrategyLab.Runner.Sweeps;

/// <summary>
/// A comparison every combination of a sweep must satisfy, e.g. <c>fast&lt;slow</c> or <c>slow&lt;=3*fast</c>: two
/// operands (a swept parameter, a number, or a number times a parameter) and one of <c>&lt; &lt;= &gt; &gt;= == !=</c>.
/// Numbers compare as numbers; other values (true, false, names) only with <c>==</c> and <c>!=</c>.
/// </summary>
public sealed class SweepConstraint
{
    private static readonly string[] Operators = ["<=", ">=", "==", "!=", "<", ">"];

    private readonly Operand _left;
    private readonly Operand _right;
    private readonly string _op;

    private SweepConstraint(string text, string source, Operand left, string op, Operand right)
    {
        Text = text;
        Source = source;
        _left = left;
        _op = op;
        _right = right;
    }

    /// <summary>The constraint as given.</summary>
    public string Text { get; }

    /// <summary>Where it was given (<c>--constraint</c>, <c>sweep.constraints</c>), for error messages.</summary>
    public string Source { get; }

    /// <summary>Reads <paramref name="text"/>; errors name <paramref name="source"/>.</summary>
    /// <exception cref="ConfigException">Not a comparison of two operands.</exception>
    public static SweepConstraint Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var op in Operators)
        {
            var at = text.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                var left = Operand.Parse(text[..at], text, source);
                var right = Operand.Parse(text[(at + op.Length)..], text, source);
                return new SweepConstraint(text.Trim(), source, left, op, right);
            }
        }

        throw new ConfigException(source, $"'{text}' is not a comparison: expected e.g. fast<slow (operators < <= > >= == !=).");
    }

    /// <summary>Checks that the constraint only names swept parameters.</summary>
    /// <exception cref="ConfigException">It names a parameter the sweep does not vary.</exception>
    public void Check(IReadOnlyList<SweepDimension> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        foreach (var name in new[] { _left.Name, _right.Name })
        {
            if (name is not null && !dimensions.Any(d => d.Name == name))
            {
                throw new ConfigException(Source, $"'{Text}' names '{name}', which the sweep does not vary (swept: {string.Join(", ", dimensions.Select(d => d.Name))}).");
            }
        }
    }

    /// <summary>True when <paramref name="parameters"/> satisfy the constraint.</summary>
    public bool Accepts(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var a = _left.Value(parameters);
        var b = _right.Value(parameters);
        if (TryNumber(a, out var x) && TryNumber(b, out var y))
        {
            x *= _left.Factor;
            y *= _right.Factor;
            return _op switch
            {
                "<" => x < y,
                "<=" => x <= y,
                ">" => x > y,
                ">=" => x >= y,
                "==" => x == y,
                _ => x != y,
            };
        }

        return _op switch
        {
            "==" => string.Equals(a, b, StringComparison.Ordinal),
            "!=" => !string.Equals(a, b, StringComparison.Ordinal),
            _ => false, // an order between non-numbers means nothing: the combination is left out
        };
    }

    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    /// <summary>A parameter (times a factor) or a literal.</summary>
    private sealed record Operand(string? Name, string? Literal, decimal Factor)
    {
        public static Operand Parse(string part, string text, string source)
        {
            var t = part.Trim();
            if (t.Length == 0)
            {
                throw new ConfigException(source, $"'{text}' is missing an operand.");
            }

            var star = t.IndexOf('*', StringComparison.Ordinal);
            if (star > 0 && TryNumber(t[..star].Trim(), out var factor) && IsName(t[(star + 1)..].Trim()))
            {
                return new Operand(t[(star + 1)..].Trim(), null, factor);
            }

            if (TryNumber(t, out _))
            {
                return new Operand(null, t, 1);
            }

            if (IsName(t))
            {
                return new Operand(t, null, 1);
            }

            throw new ConfigException(source, $"'{text}': '{t}' is neither a parameter name, a number, nor number*name.");
        }

        public string Value(IReadOnlyList<KeyValuePair<string, string>> parameters)
        {
            if (Name is null)
            {
                return Literal!;
            }

            foreach (var p in parameters)
            {
                if (p.Key == Name)
                {
                    return p.Value;
                }
            }

            return string.Empty;
        }

        private static bool IsName(string t) => t.Length > 0 && (char.IsLetter(t[0]) || t[0] == '_') && t.All(c => char.IsLetterOrDigit(c) || c == '_');
    }
}
