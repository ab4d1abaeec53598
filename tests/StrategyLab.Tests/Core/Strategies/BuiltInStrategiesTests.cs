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
}
