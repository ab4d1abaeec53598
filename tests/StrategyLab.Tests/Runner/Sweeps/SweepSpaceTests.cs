using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Sweeps;

namespace StrategyLab.Tests.Runner.Sweeps;

public sealed class SweepSpaceTests
{
    [Fact]
    public void Range_WithStep_IsInclusive_AndListsKeepTheirOrder()
    {
        Assert.Equal(["5", "10", "15", "20", "25", "30"], SweepSpace.ParseFlag("fast=5..30:5").Values);
        Assert.Equal(["1", "2", "3"], SweepSpace.ParseFlag("x=1..3").Values);
        Assert.Equal(["0.5", "1", "1.5"], SweepSpace.ParseFlag("pct=0.5..1.5:0.5").Values);
        Assert.Equal(["60", "20", "40"], SweepSpace.ParseFlag("slow=60,20,40").Values);
        Assert.Equal(["true"], SweepSpace.ParseFlag("allow_short=true").Values);
    }

    [Theory]
    [InlineData("fast=30..5", "ends before it starts")]
    [InlineData("fast=5..30:0", "step must be positive")]
    [InlineData("fast=a..b", "a range is start..end")]
    [InlineData("fast", "expected name=values")]
    [InlineData("fast=1,,2", "empty value")]
    [InlineData("fast=1,2,1", "listed twice")]
    public void MalformedFlags_AreConfigErrors_NamingTheFlag(string flag, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => SweepSpace.ParseFlag(flag));
        Assert.StartsWith("--param: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grid_FirstParameterVariesSlowest_AndConstraintsFilter_IndexesCountTheKept()
    {
        var dims = new[] { SweepSpace.ParseFlag("fast=10..30:10"), SweepSpace.ParseFlag("slow=20,40") };
        var grid = SweepSpace.Grid(dims, [SweepConstraint.Parse("fast<slow", "--constraint")]);
        Assert.Equal(["fast=10,slow=20", "fast=10,slow=40", "fast=20,slow=40", "fast=30,slow=40"], grid.Select(c => c.Label));
        Assert.Equal([0, 1, 2, 3], grid.Select(c => c.Index));
    }

    [Fact]
    public void Constraint_WithAFactor_AndEquality()
    {
        var c = SweepConstraint.Parse("slow>=2*fast", "--constraint");
        Assert.True(c.Accepts([new("fast", "10"), new("slow", "20")]));
        Assert.False(c.Accepts([new("fast", "11"), new("slow", "20")]));
        Assert.True(SweepConstraint.Parse("mode!=off", "x").Accepts([new("mode", "on")]));
    }

    [Fact]
    public void ConstraintThatRemovesEverything_IsAConfigError_NamingTheFlag()
    {
        var dims = new[] { SweepSpace.ParseFlag("fast=50,60"), SweepSpace.ParseFlag("slow=20,40") };
        var e = Assert.Throws<ConfigException>(() => SweepSpace.Grid(dims, [SweepConstraint.Parse("fast<slow", "--constraint")]));
        Assert.StartsWith("--constraint: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("reject every one of the 4 combinations", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constraint_NamingAnUnsweptParameter_IsAConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => SweepSpace.Grid([SweepSpace.ParseFlag("fast=1,2")], [SweepConstraint.Parse("fast<slow", "--constraint")]));
        Assert.Contains("'slow', which the sweep does not vary", e.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => SweepConstraint.Parse("fast slow", "--constraint"));
    }

    [Fact]
    public void RandomSearch_IsSeeded_WithoutRepetition_InGridOrder()
    {
        var grid = SweepSpace.Grid([SweepSpace.ParseFlag("a=1..10"), SweepSpace.ParseFlag("b=1..10")], []);
        var first = SweepSpace.Random(grid, 15, seed: 7);
        var again = SweepSpace.Random(grid, 15, seed: 7);
        var other = SweepSpace.Random(grid, 15, seed: 8);
        Assert.Equal(first.Select(c => c.Index), again.Select(c => c.Index));
        Assert.NotEqual(first.Select(c => c.Index), other.Select(c => c.Index));
        Assert.Equal(15, first.Select(c => c.Index).Distinct().Count());
        Assert.Equal(first.Select(c => c.Index).Order(), first.Select(c => c.Index));
        Assert.All(first, c => Assert.Same(grid[c.Index], c));
    }

    [Fact]
    public void Plan_FromTheConfigSection_FlagsWin()
    {
        var section = new SweepConfig
        {
            Params = new System.Text.Json.Nodes.JsonObject { ["fast"] = "5..10:5", ["slow"] = new System.Text.Json.Nodes.JsonArray(20, 40) },
            Constraints = ["fast<slow"],
            Objective = "total_return",
            Top = 1,
        };
        var plan = SweepPlan.Build(section, ["slow=30"], []);
        Assert.Equal(["fast=5,slow=30", "fast=10,slow=30"], plan.Combinations.Select(c => c.Label));
        Assert.Equal("total_return", plan.Objective.Name);
        Assert.Equal(1, plan.Top);
        var e = Assert.Throws<ConfigException>(() => SweepPlan.Build(section, [], [], objective: "luck"));
        Assert.StartsWith("--objective: unknown objective 'luck'", e.Message, StringComparison.Ordinal);
        var random = SweepPlan.Build(section with { Method = "random", Samples = 2, Seed = 3 }, [], []);
        Assert.Equal(2, random.Combinations.Count);
        Assert.Throws<ConfigException>(() => SweepPlan.Build(section with { Method = "random" }, [], []));
    }

    [Fact]
    public void WalkForward_Windows_TileTheTradingDays()
    {
        var spec = WalkForwardSpec.Parse("train=4d,test=2d");
        Assert.Equal(new WalkForwardSpec(4, 2, 2), spec);
        var days = Enumerable.Range(0, 9).Select(i => new DateOnly(2024, 1, 1).AddDays(i)).ToList();
        var windows = spec.Windows(days);
        Assert.Equal(3, windows.Count);
        Assert.Equal(new SweepWindow(days[0], days[3]), windows[0].Train);
        Assert.Equal(new SweepWindow(days[4], days[5]), windows[0].Test);
        Assert.Equal(new SweepWindow(days[2], days[5]), windows[1].Train);
        Assert.Equal(new SweepWindow(days[8], days[8]), windows[2].Test); // the last test window is cut at the data's end
        Assert.Equal(new WalkForwardSpec(252, 63, 21), WalkForwardSpec.Parse("train=252d,test=63d,step=21d"));
        var e = Assert.Throws<ConfigException>(() => WalkForwardSpec.Parse("train=0d,test=2d"));
        Assert.StartsWith("--walk-forward: ", e.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigException>(() => WalkForwardSpec.Parse("test=2d"));
        Assert.Contains("needs at least 21 trading days", Assert.Throws<ConfigException>(() => new WalkForwardSpec(20, 5, 5).Windows(days)).Message, StringComparison.Ordinal);
    }
}
