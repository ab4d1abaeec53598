using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;

namespace StrategyLab.Tests.Core.Strategies;

public class BuiltInStrategiesTests
{
    private static readonly StrategySetup OneMinuteSpy = new(Timeframe.OneMinute, [Symbol.Equity("SPY")]);

    private static IStrategy Create(string name, Dictionary<string, object?> parameters) =>
        BuiltInStrategies.Create(name, parameters, OneMinuteSpy);

    private static Dictionary<string, object?> Params(params (string Key, object? Value)[] values) =>
        values.ToDictionary(v => v.Key, v => v.Value);

    [Fact]
    public void All_ListsTheThreeBuiltIns()
    {
        Assert.Equal(["orb", "sma_crossover", "rsi_reversion"], BuiltInStrategies.All.Select(f => f.Name));
        Assert.Equal(["orb", "sma_crossover", "rsi_reversion"], BuiltInStrategies.Names);
    }

    [Fact]
    public void EachName_FindsTheOneFactoryOfThatName_TheSameInstanceAllLists()
    {
        // The names are read before the factories are made (a run makes only its own): they must be the factories' own.
        foreach (var (name, index) in BuiltInStrategies.Names.Select((n, i) => (n, i)))
        {
            Assert.True(BuiltInStrategies.TryGet(name, out var factory));
            Assert.Equal(name, factory.Name);
            Assert.Same(BuiltInStrategies.All[index], factory);
            Assert.Same(factory, BuiltInStrategies.Get(name.ToUpperInvariant()));
        }
    }

    [Fact]
    public void Get_UnknownName_NamesItAndListsTheKnownOnes()
    {
        var ex = Assert.Throws<StrategyConfigurationException>(() => BuiltInStrategies.Get("breakout"));
        Assert.Equal("strategy.name", ex.Key);
        Assert.Contains("'breakout'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("orb, sma_crossover, rsi_reversion", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_IgnoresCaseAndSurroundingSpace()
    {
        Assert.Equal("orb", BuiltInStrategies.Get(" ORB ").Name);
    }

    [Fact]
    public void Defaults_WhenNothingIsGiven()
    {
        var orb = Assert.IsType<OrbStrategy>(Create("orb", Params()));
        Assert.Equal((15, 5, false), (orb.OpeningRangeMinutes, orb.FlattenMinutesBeforeClose, orb.AllowShort));

        var sma = Assert.IsType<SmaCrossoverStrategy>(Create("sma_crossover", Params()));
        Assert.Equal((10, 30, false), (sma.Fast, sma.Slow, sma.AllowShort));

        var rsi = Assert.IsType<RsiReversionStrategy>(Create("rsi_reversion", Params()));
        Assert.Equal((14, 30.0, 70.0, 50.0, false), (rsi.Period, rsi.Oversold, rsi.Overbought, rsi.ExitLevel, rsi.AllowShort));
    }

    [Fact]
    public void Values_FromCommandLineText_AreConverted()
    {
        var sma = Assert.IsType<SmaCrossoverStrategy>(
            Create("sma_crossover", Params(("fast", "5"), ("slow", "20"), ("allow_short", "true"))));
        Assert.Equal((5, 20, true), (sma.Fast, sma.Slow, sma.AllowShort));

        var rsi = Assert.IsType<RsiReversionStrategy>(
            Create("rsi_reversion", Params(("oversold", "25.5"), ("overbought", 80), ("exit_level", 55m))));
        Assert.Equal((25.5, 80.0, 55.0), (rsi.Oversold, rsi.Overbought, rsi.ExitLevel));
    }

    [Fact]
    public void UnknownParameter_IsNamed()
    {
        var ex = Assert.Throws<StrategyConfigurationException>(() => Create("orb", Params(("opening_range", 30))));
        Assert.Equal("strategy.params.opening_range", ex.Key);
        Assert.Contains("opening_range_minutes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sma_crossover", "fast", "ten")]
    [InlineData("sma_crossover", "fast", 2.5)]
    [InlineData("orb", "allow_short", "yes")]
    [InlineData("rsi_reversion", "oversold", "low")]
    public void WrongType_IsNamed(string strategy, string key, object value)
    {
        var ex = Assert.Throws<StrategyConfigurationException>(() => Create(strategy, Params((key, value))));
        Assert.Equal($"strategy.params.{key}", ex.Key);
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(40, 30)]
    public void FastNotBelowSlow_IsNamedAsFast(int fast, int slow)
    {
        var ex = Assert.Throws<StrategyConfigurationException>(
            () => Create("sma_crossover", Params(("fast", fast), ("slow", slow))));
        Assert.Equal("strategy.params.fast", ex.Key);
    }

    [Fact]
    public void FastEqualToTheDefaultSlow_IsRejected()
    {
        var ex = Assert.Throws<StrategyConfigurationException>(() => Create("sma_crossover", Params(("fast", 30))));
        Assert.Equal("strategy.params.fast", ex.Key);
    }

    [Theory]
    [InlineData("orb", "opening_range_minutes", 0)]
    [InlineData("orb", "flatten_minutes_before_close", -1)]
    [InlineData("rsi_reversion", "period", 0)]
    [InlineData("rsi_reversion", "overbought", 120)]
    public void OutOfRange_IsNamed(string strategy, string key, int value)
    {
        var ex = Assert.Throws<StrategyConfigurationException>(() => Create(strategy, Params((key, value))));
        Assert.Equal($"strategy.params.{key}", ex.Key);
    }

    [Fact]
    public void RsiLevelsOutOfOrder_AreNamed()
    {
        var ex = Assert.Throws<StrategyConfigurationException>(
            () => Create("rsi_reversion", Params(("oversold", 55))));
        Assert.Equal("strategy.params.oversold", ex.Key);

        ex = Assert.Throws<StrategyConfigurationException>(
            () => Create("rsi_reversion", Params(("exit_level", 75))));
        Assert.Equal("strategy.params.exit_level", ex.Key);
    }

    [Fact]
    public void EveryFactory_DescribesItselfAndItsParameters()
    {
        foreach (var factory in BuiltInStrategies.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(factory.Description), factory.Name);
            Assert.NotEmpty(factory.Parameters);
            Assert.All(factory.Parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.Description), $"{factory.Name}.{p.Name}"));
            Assert.Equal(factory.Parameters.Count, factory.Parameters.Select(p => p.Name).Distinct().Count());
        }
    }

    [Fact]
    public void TheBuiltIns_GoThroughDeclaredStrategyFactory()
    {
        Assert.Equal(
            [typeof(OrbStrategy), typeof(SmaCrossoverStrategy), typeof(RsiReversionStrategy)],
            BuiltInStrategies.All.Select(f => Assert.IsType<DeclaredStrategyFactory>(f).StrategyType));
    }

    [Fact]
    public void TheSpecs_AreTheDocumentedOnes()
    {
        // Names, kinds, defaults and ranges of docs/configuration.md; a change here changes every run's summary.json.
        Assert.Equal(
            [
                "orb.opening_range_minutes Integer 15 [1, 1440]",
                "orb.flatten_minutes_before_close Integer 5 [0, 1440]",
                "orb.allow_short Boolean False [, ] short",
                "sma_crossover.fast Integer 10 [1, 100000]",
                "sma_crossover.slow Integer 30 [2, 100000]",
                "sma_crossover.allow_short Boolean False [, ] short",
                "rsi_reversion.period Integer 14 [1, 100000]",
                "rsi_reversion.oversold Number 30 [0, 100]",
                "rsi_reversion.overbought Number 70 [0, 100]",
                "rsi_reversion.exit_level Number 50 [0, 100]",
                "rsi_reversion.allow_short Boolean False [, ] short",
            ],
            BuiltInStrategies.All.SelectMany(f => f.Parameters.Select(p =>
                $"{f.Name}.{p.Name} {p.Kind} {p.Default} [{p.Minimum}, {p.Maximum}]{(p.EnablesShortSelling ? " short" : string.Empty)}")));
        Assert.IsType<decimal>(BuiltInStrategies.Get("rsi_reversion").Parameters[1].Default);
    }

    [Fact]
    public void WarmUpBars_IsTheBarsBeforeTheFirstPossibleSignal()
    {
        Assert.Equal(0, ((IStrategy)new OrbStrategy()).WarmUpBars);
        Assert.Equal(20, ((IStrategy)new SmaCrossoverStrategy { Fast = 5, Slow = 20 }).WarmUpBars);
        Assert.Equal(8, ((IStrategy)new RsiReversionStrategy { Period = 7 }).WarmUpBars);
    }

    [Fact]
    public void TheBuiltInsAssembly_UsesCoresPublicApiOnly()
    {
        var strategies = typeof(BuiltInStrategies).Assembly;
        var core = typeof(IStrategy).Assembly;
        Assert.DoesNotContain(
            core.GetCustomAttributes(typeof(System.Runtime.CompilerServices.InternalsVisibleToAttribute), inherit: false)
                .Cast<System.Runtime.CompilerServices.InternalsVisibleToAttribute>(),
            a => a.AssemblyName.StartsWith(strategies.GetName().Name!, StringComparison.Ordinal));
        Assert.Equal(
            ["StrategyLab.Core"],
            strategies.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("StrategyLab", StringComparison.Ordinal)));
    }
}
