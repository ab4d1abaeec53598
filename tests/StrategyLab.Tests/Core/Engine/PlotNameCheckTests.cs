using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using static StrategyLab.Tests.Reporting.ArtifactRun;

namespace StrategyLab.Tests.Core.Engine;

/// <summary>The engine checks a plotted series name once per string instance; values are checked on every point.</summary>
public sealed class PlotNameCheckTests
{
    private static readonly Symbol Aaa = Symbol.Equity("AAA");

    [Fact]
    public void ANameAlreadyChecked_StillHasItsValueChecked_OnEveryPoint()
    {
        const string series = "ok";
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c => c.Plot(series, 1.0))
            .At("2024-01-08 09:32", c => c.Plot(series, double.NaN));
        var h = new EngineHarness(strategy, [Aaa]);

        var e = Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 4, 100m))).InnerException);
        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadName_IsRefused_AfterMoreGoodNamesThanTheEngineRemembers()
    {
        // Twelve distinct good names (more than the eight remembered), then names with the same text as a good one but
        // a control character: every new instance is checked.
        var names = Enumerable.Range(0, 12).Select(i => "series" + i).ToArray();
        var strategy = new ScriptedStrategy()
            .At("2024-01-08 09:31", c =>
            {
                foreach (var name in names)
                {
                    c.Plot(name, 1.0);
                }
            })
            .At("2024-01-08 09:32", c => c.Plot(names[0] + "\n", 1.0));
        var h = new EngineHarness(strategy, [Aaa]);

        var e = Assert.IsType<ArgumentException>(Assert.Throws<StrategyException>(() => h.Engine.Run(Minutes(Aaa, "2024-01-08", "09:30", 4, 100m))).InnerException);
        Assert.Contains("control character", e.Message, StringComparison.Ordinal);
    }
}
