using System.Globalization;
using System.Text.Json;
using StrategyLab.Cli.Commands;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Strategies;
using StrategyLab.Strategies;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

public class StrategiesCommandTests
{
    public enum Mode
    {
        Fast,
        Slow,
    }

    [Fact]
    public async Task Text_ListsEveryBuiltIn_WithAnAlignedParameterTable()
    {
        var r = await CliRunner.RunInProcessAsync("strategies");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(string.Empty, r.StdErr);
        var lines = r.StdOut.Split(Environment.NewLine);
        var sma = Array.IndexOf(lines, "sma_crossover");
        Assert.True(sma > 0, r.StdOut);
        Assert.Equal("  SMA crossover: long when the fast SMA of closes crosses above the slow one, exit (or short) when it crosses below.", lines[sma + 1]);
        Assert.Equal("  parameter    type     default  range        description", lines[sma + 2]);
        Assert.Equal("  fast         integer  10       [1, 100000]  Period of the fast SMA of closes (bars); must be below slow.", lines[sma + 4]);
        Assert.Equal("  allow_short  boolean  false                 Reverse to short on a cross down instead of only exiting. True needs a margin account.", lines[sma + 6]);
        Assert.Contains("  oversold     number   30       [0, 100]     Go long when the RSI falls below this level.", lines);
        Assert.Contains(lines, l => l.StartsWith("  opening_range_minutes         integer  15       [1, 1440]", StringComparison.Ordinal));
        Assert.StartsWith("3 strategies.", lines.Last(l => l.Length > 0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_DescribesEveryBuiltInAndParameter_AsTheFactoriesDeclareThem()
    {
        var r = await CliRunner.RunInProcessAsync("strategies", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        var strategies = doc.RootElement.GetProperty("strategies").EnumerateArray().ToList();
        Assert.Equal(BuiltInStrategies.Names, strategies.Select(s => s.GetProperty("name").GetString()));
        foreach (var (json, factory) in strategies.Zip(BuiltInStrategies.All))
        {
            Assert.Equal("built-in", json.GetProperty("source").GetString());
            Assert.Equal(factory.Description, json.GetProperty("description").GetString());
            var parameters = json.GetProperty("parameters").EnumerateArray().ToList();
            Assert.Equal(factory.Parameters.Select(p => p.Name), parameters.Select(p => p.GetProperty("name").GetString()));
            foreach (var (p, spec) in parameters.Zip(factory.Parameters))
            {
                Assert.Equal(
                    ["name", "type", "default", "minimum", "maximum", "allowed_values", "enables_short_selling", "description"],
                    p.EnumerateObject().Select(o => o.Name));
                Assert.Equal(spec.Kind.ToString(), p.GetProperty("type").GetString(), ignoreCase: true);
                Assert.Equal(Convert.ToString(spec.Default, CultureInfo.InvariantCulture)!.ToLowerInvariant(), p.GetProperty("default").ToString().ToLowerInvariant());
                Assert.Equal(spec.Minimum, p.GetProperty("minimum").ValueKind == JsonValueKind.Null ? null : p.GetProperty("minimum").GetDecimal());
                Assert.Equal(spec.Maximum, p.GetProperty("maximum").ValueKind == JsonValueKind.Null ? null : p.GetProperty("maximum").GetDecimal());
                Assert.Equal(JsonValueKind.Null, p.GetProperty("allowed_values").ValueKind);
                Assert.Equal(spec.EnablesShortSelling, p.GetProperty("enables_short_selling").GetBoolean());
                Assert.Equal(spec.Description, p.GetProperty("description").GetString());
            }
        }

        var oversold = strategies[2].GetProperty("parameters")[1];
        Assert.Equal("""{"name":"oversold","type":"number","default":30,"minimum":0,"maximum":100,"allowed_values":null,"enables_short_selling":false,"description":"Go long when the RSI falls below this level."}""", JsonSerializer.Serialize(oversold));
    }

    [Fact]
    public void AUserStrategy_ShowsItsSource_AllowedValues_AndNoParameters()
    {
        IStrategyFactory[] factories = [DeclaredStrategyFactory.For<EnumStrategy>(), DeclaredStrategyFactory.For<Bare>()];

        using var text = new StringWriter();
        StrategiesCommand.WriteText(text, factories);
        var json = StrategiesCommand.Document(factories).ToJsonString();

        var lines = text.ToString().Split(Environment.NewLine);
        Assert.Equal("with_enum (user)", lines[0]);
        Assert.Equal("  mode       text    Slow     Fast|Slow  How fast.", lines[4]);
        Assert.Equal("  threshold  number  0.5      >= 0       Signal threshold.", lines[5]);
        Assert.Contains($"{nameof(Bare)} (user)", lines);
        Assert.Contains("  (no parameters)", lines);
        Assert.StartsWith("2 strategies.", lines.Last(l => l.Length > 0), StringComparison.Ordinal);
        Assert.Contains("""{"name":"mode","type":"text","default":"Slow","minimum":null,"maximum":null,"allowed_values":["Fast","Slow"],""", json, StringComparison.Ordinal);
        Assert.Contains("""{"name":"Bare","source":"user","description":"","parameters":[]}""", json, StringComparison.Ordinal);
    }

    [Strategy("with_enum", Description = "Has an enum.")]
    public sealed class EnumStrategy : IStrategy
    {
        [Parameter("How fast.")]
        public Mode Mode { get; init; } = Mode.Slow;

        [Parameter("Signal threshold.", Minimum = 0)]
        public decimal Threshold { get; init; } = 0.5m;

        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }

    public sealed class Bare : IStrategy
    {
        public void OnBar(in Bar bar, IStrategyContext context)
        {
        }
    }
}
