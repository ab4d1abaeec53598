using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;

namespace StrategyLab.Tests.Core.Strategies;

public class DeclaredStrategyFactoryTests
{
    public enum Side
    {
        Long,
        Short,
        Both,
    }

    private static Dictionary<string, object?> Params(params (string Key, object? Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value);

    private static IStrategy Create(IStrategyFactory factory, params (string Key, object? Value)[] values) =>
        factory.Create(StrategyParameters.Bind(factory.Name, factory.Parameters, Params(values)));

    [Fact]
    public void ReadsNameDescriptionAndEveryKindOfParameter()
    {
        var factory = DeclaredStrategyFactory.For(typeof(AllKinds));

        Assert.Equal("all_kinds", factory.Name);
        Assert.Equal("Every supported parameter type.", factory.Description);
        Assert.Equal(typeof(AllKinds), factory.StrategyType);
        Assert.Equal(
            [
                ("period", ParameterKind.Integer, (object)7, 1m, (decimal?)50m),
                ("big_count", ParameterKind.Integer, 5_000_000_000L, null, null),
                ("stop_pct", ParameterKind.Number, 1.5m, 0m, 100m),
                ("level", ParameterKind.Number, 30m, null, null),
                ("allow_short", ParameterKind.Boolean, false, null, null),
                ("label", ParameterKind.Text, "abc", null, null),
                ("side", ParameterKind.Text, "Both", null, null),
            ],
            factory.Parameters.Select(p => (p.Name, p.Kind, p.Default, p.Minimum, p.Maximum)));
        Assert.Equal(["Long", "Short", "Both"], factory.Parameters.Single(p => p.Name == "side").AllowedValues!);
        Assert.Null(factory.Parameters.Single(p => p.Name == "label").AllowedValues);
        Assert.True(factory.Parameters.Single(p => p.Name == "allow_short").EnablesShortSelling);
        Assert.Equal("Bars in the window.", factory.Parameters[0].Description);
    }

    [Fact]
    public void Create_WithNothingGiven_KeepsTheDefaults_AndMakesANewInstanceEachTime()
    {
        var factory = DeclaredStrategyFactory.For<AllKinds>();

        var a = Assert.IsType<AllKinds>(Create(factory));
        var b = Assert.IsType<AllKinds>(Create(factory));

        Assert.NotSame(a, b);
        Assert.Equal((7, 5_000_000_000L, 1.5m, 30.0, false, "abc", Side.Both), (a.Period, a.BigCount, a.StopPct, a.Level, a.AllowShort, a.Label, a.Side));
    }

    [Fact]
    public void Create_SetsEveryProperty_InitSettersIncluded_FromTypedOrTextValues()
    {
        var factory = DeclaredStrategyFactory.For<AllKinds>();

        var s = Assert.IsType<AllKinds>(Create(
            factory,
            ("period", "12"),
            ("big_count", "9000000000"),
            ("stop_pct", 2.25m),
            ("level", "25.5"),
            ("allow_short", true),
            ("label", "xyz"),
            ("side", "Short")));

        Assert.Equal((12, 9_000_000_000L, 2.25m, 25.5, true, "xyz", Side.Short), (s.Period, s.BigCount, s.StopPct, s.Level, s.AllowShort, s.Label, s.Side));
    }

    [Theory]
    [InlineData("period", 0, "strategy.params.period")] // below Minimum
    [InlineData("period", 51, "strategy.params.period")] // above Maximum
    [InlineData("period", "seven", "strategy.params.period")]
    [InlineData("big_count", 1.5, "strategy.params.big_count")]
    [InlineData("stop_pct", "lots", "strategy.params.stop_pct")]
    [InlineData("allow_short", "maybe", "strategy.params.allow_short")]
    [InlineData("side", "short", "strategy.params.side")] // member names are exact
    [InlineData("nope", 1, "strategy.params.nope")]
    public void Bind_IsStrict_AndNamesTheKey(string key, object value, string expectedKey)
    {
        var factory = DeclaredStrategyFactory.For<AllKinds>();

        var ex = Assert.Throws<StrategyConfigurationException>(() => Create(factory, (key, value)));

        Assert.Equal(expectedKey, ex.Key);
    }

    [Fact]
    public void EnumValue_NotAMember_ListsTheMembers()
    {
        var factory = DeclaredStrategyFactory.For<AllKinds>();

        var ex = Assert.Throws<StrategyConfigurationException>(() => Create(factory, ("side", "Sideways")));

        Assert.Equal("strategy.params.side: expected one of Long, Short, Both, got 'Sideways'.", ex.Message);
    }

    [Fact]
    public void WithoutStrategyAttribute_TheClassNameIsTheName_AndKeysAreSnakeCase()
    {
        var factory = DeclaredStrategyFactory.For<Undecorated>();

        Assert.Equal(nameof(Undecorated), factory.Name);
        Assert.Equal(string.Empty, factory.Description);
        Assert.Equal(["fast_period", "rsi_level", "custom"], factory.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void InheritedParameters_ComeFirst()
    {
        var factory = DeclaredStrategyFactory.For<Derived>();

        Assert.Equal(["base_value", "own_value"], factory.Parameters.Select(p => p.Name));
        var s = Assert.IsType<Derived>(Create(factory, ("base_value", 4), ("own_value", 5)));
        Assert.Equal((4, 5), (s.BaseValue, s.OwnValue));
    }

    [Theory]
    [InlineData("FastPeriod", "fast_period")]
    [InlineData("RSILevel", "rsi_level")]
    [InlineData("Sma2Period", "sma2_period")]
    [InlineData("x", "x")]
    [InlineData("OpeningRangeMinutes", "opening_range_minutes")]
    public void ToSnakeCase_SplitsWords(string name, string expected) =>
        Assert.Equal(expected, DeclaredStrategyFactory.ToSnakeCase(name));

    [Theory]
    [InlineData(typeof(NoParameterlessConstructor), null, "no public parameterless constructor")]
    [InlineData(typeof(AbstractStrategy), null, "abstract")]
    [InlineData(typeof(NotAStrategy), null, "does not implement IStrategy")]
    [InlineData(typeof(ThrowingConstructor), null, "constructor threw InvalidOperationException: boom")]
    [InlineData(typeof(GetterOnly), "Period", "needs a public setter")]
    [InlineData(typeof(PrivateSetter), "Period", "needs a public setter")]
    [InlineData(typeof(UnsupportedType), "When", "type DateTime is not supported")]
    [InlineData(typeof(NullableType), "Period", "is not supported")]
    [InlineData(typeof(DuplicateKey), "Second", "key 'period' is already used by property 'First'")]
    [InlineData(typeof(NullTextDefault), "Label", "non-null default")]
    [InlineData(typeof(DefaultOutOfRange), "Period", "default 0 is outside [1, 10]")]
    [InlineData(typeof(RangeOnBool), "Flag", "Minimum and Maximum apply to number parameters only")]
    [InlineData(typeof(ShortOnInt), "Period", "EnablesShortSelling applies to a bool parameter only")]
    [InlineData(typeof(StaticParameter), "Period", "public instance property")]
    [InlineData(typeof(BadKey), "Period", "key 'a b'")]
    public void NotAUsableStrategy_IsADefinitionError_NamingTheClassAndProperty(Type type, string? property, string problem)
    {
        var ex = Assert.Throws<StrategyDefinitionException>(() => DeclaredStrategyFactory.For(type));

        Assert.Contains($"'{type.FullName}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        if (property is not null)
        {
            Assert.Equal(property, ex.Property);
            Assert.Contains($"property '{property}'", ex.Message, StringComparison.Ordinal);
        }
    }

    [Strategy("all_kinds", Description = "Every supported parameter type.")]
    public sealed class AllKinds : IStrategy
    {
        [Parameter("Bars in the window.", Minimum = 1, Maximum = 50)]
        public int Period { get; init; } = 7;

        [Parameter("A count beyond 32 bits.")]
        public long BigCount { get; set; } = 5_000_000_000L;

        [Parameter("Stop distance in percent.", Minimum = 0, Maximum = 100)]
        public decimal StopPct { get; init; } = 1.5m;

        [Parameter("A double level.")]
        public double Level { get; init; } = 30;

        [Parameter("Trade short too.", EnablesShortSelling = true)]
        public bool AllowShort { get; init; }

        [Parameter("Free text.")]
        public string Label { get; init; } = "abc";

        [Parameter("Which side trades.")]
        public Side Side { get; init; } = Side.Both;

        public int NotAParameter { get; set; } = 3;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class Undecorated : IStrategy
    {
        [Parameter("fast")]
        public int FastPeriod { get; set; } = 1;

        [Parameter("acronym")]
        public double RSILevel { get; set; } = 2;

        [Parameter("renamed", Name = "custom")]
        public bool Flag { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public class BaseStrategy : IStrategy
    {
        [Parameter("from the base")]
        public int BaseValue { get; set; } = 1;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class Derived : BaseStrategy
    {
        [Parameter("its own")]
        public int OwnValue { get; set; } = 2;
    }

    public sealed class NoParameterlessConstructor(int period) : IStrategy
    {
        public int Period { get; } = period;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public abstract class AbstractStrategy : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class NotAStrategy
    {
    }

    public sealed class ThrowingConstructor : IStrategy
    {
        public ThrowingConstructor() => throw new InvalidOperationException("boom");

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class GetterOnly : IStrategy
    {
        [Parameter("no setter")]
        public int Period { get; } = 3;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class PrivateSetter : IStrategy
    {
        [Parameter("private setter")]
        public int Period { get; private set; } = 3;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class UnsupportedType : IStrategy
    {
        [Parameter("a date")]
        public DateTime When { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class NullableType : IStrategy
    {
        [Parameter("nullable")]
        public int? Period { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class DuplicateKey : IStrategy
    {
        [Parameter("one", Name = "period")]
        public int First { get; set; } = 1;

        [Parameter("two", Name = "period")]
        public int Second { get; set; } = 2;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class NullTextDefault : IStrategy
    {
        [Parameter("text")]
        public string? Label { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class DefaultOutOfRange : IStrategy
    {
        [Parameter("range", Minimum = 1, Maximum = 10)]
        public int Period { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class RangeOnBool : IStrategy
    {
        [Parameter("flag", Minimum = 0)]
        public bool Flag { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class ShortOnInt : IStrategy
    {
        [Parameter("count", EnablesShortSelling = true)]
        public int Period { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class StaticParameter : IStrategy
    {
        [Parameter("static")]
        public static int Period { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class BadKey : IStrategy
    {
        [Parameter("spaced", Name = "a b")]
        public int Period { get; set; }

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }
}
