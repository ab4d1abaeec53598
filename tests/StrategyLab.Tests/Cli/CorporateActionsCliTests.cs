using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Runner.Configuration;
using StrategyLab.Runner.Data;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// <c>data.adjustment</c> end to end on the shared LEAN sample: raw-mode backtests that hold AAPL across its 2014-06-09
/// 7:1 split and SPY across its ex-dividend dates, the summary, and a store import that serves every mode as LEAN does.
/// </summary>
public sealed class CorporateActionsCliTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Config(string name, string data, string strategy = """{ "name": "sma_crossover", "params": { "fast": 3, "slow": 6 } }""")
    {
        var output = Path.Combine(_dir.Path, name).Replace('\\', '/');
        return _dir.File(name + ".json", $$"""
            { "data": {{data}},
              "strategy": {{strategy}},
              "trade_manager": { "sizing": "fixed_qty", "quantity": 100 },
              "exchange": { "commission": { "model": "zero" } },
              "output": { "dir": "{{output}}", "report": false, "equity": "cycle" } }
            """);
    }

    private static string LeanPath() => TestPaths.RequireLean().Replace('\\', '/');

    private static async Task<(CliResult Result, JsonElement Summary, string Folder)> BacktestAsync(string config, params string[] extra)
    {
        var result = await CliRunner.RunInProcessAsync(["backtest", "--config", config, "--quiet", .. extra]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var folder = JsonDocument.Parse(File.ReadAllText(config)).RootElement.GetProperty("output").GetProperty("dir").GetString()!;
        return (result, JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json"))).RootElement, folder);
    }

    private static List<string[]> Csv(string folder, string file) =>
        [.. File.ReadLines(Path.Combine(folder, file)).Skip(1).Select(l => l.Split(','))];

    private static decimal Dec(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public async Task RawMode_AaplHeldAcrossTheSplit_KeepsItsValue_AndTheStopFollows()
    {
        var lean = LeanPath();
        var config = Config("raw-aapl", $$"""
            { "provider": "lean", "path": "{{lean}}", "symbols": ["AAPL"], "timeframe": "30m", "from": "2014-06-05", "to": "2014-06-09", "adjustment": "raw" }
            """);
        var (result, summary, folder) = await BacktestAsync(config, "--verbose");

        Assert.Equal("raw", summary.GetProperty("data").GetProperty("adjustment").GetString());
        var action = Assert.Single(summary.GetProperty("corporate_actions").EnumerateArray());
        Assert.Equal("2014-06-09", action.GetProperty("date").GetString());
        Assert.Equal("AAPL", action.GetProperty("symbol").GetString());
        Assert.Equal("split", action.GetProperty("kind").GetString());
        Assert.Equal(7m, action.GetProperty("ratio").GetDecimal());

        // The strategy (SMA 3/6 on 30-minute bars) is long 100 shares at Friday's close: Monday it holds 700, and the
        // 2% protective stop moved with the price instead of firing at Monday's open.
        Assert.Equal(100m, action.GetProperty("qty_before").GetDecimal());
        Assert.Equal(700m, action.GetProperty("qty_after").GetDecimal());
        Assert.Equal(1, action.GetProperty("orders_adjusted").GetInt32());
        Assert.Contains("corporate.split", result.StdErr, StringComparison.Ordinal);

        var trades = Csv(folder, "trades.csv");
        Assert.DoesNotContain(trades, t => t[9] == "stop_loss");
        var across = Assert.Single(trades, t => t[3].StartsWith("2014-06-06", StringComparison.Ordinal) && t[5].StartsWith("2014-06-09", StringComparison.Ordinal));
        Assert.Equal("700", across[2]);
        var fills = Csv(folder, "fills.csv");
        var entryFill = Dec(fills.Single(f => f[0] == across[3] && f[3] == "buy")[5]);
        Assert.Equal(entryFill / 7m, Dec(across[4]), 8); // the entry price in post-split shares
        var pnl = Dec(across[7]);
        Assert.InRange(Math.Abs(pnl), 0m, 0.01m * 700m * Dec(across[4])); // the market's move, not an 85% loss

        // Equity: Friday's last mark to Monday's first moves by the market's move (< 1%), cash untouched by the split.
        var equity = Csv(folder, "equity.csv");
        var friday = equity.Last(e => e[0].StartsWith("2014-06-06", StringComparison.Ordinal));
        var monday = equity.First(e => e[0].StartsWith("2014-06-09", StringComparison.Ordinal));
        Assert.InRange(Dec(monday[3]) / Dec(friday[3]), 0.99m, 1.01m);
        Assert.Equal(Dec(friday[1]), Dec(monday[1]));
    }

    [Fact]
    public async Task RawMode_SpyDividendsAppearAsCash_AsTheFactorFileImplies()
    {
        var lean = LeanPath();
        var config = Config("raw-spy", $$"""
            { "provider": "lean", "path": "{{lean}}", "symbols": ["SPY"], "timeframe": "1h", "source_timeframe": "1h", "from": "2013-06-01", "to": "2014-07-31", "adjustment": "raw" }
            """, """{ "name": "sma_crossover", "params": { "fast": 10, "slow": 30 } }""");
        var (_, summary, folder) = await BacktestAsync(config);

        // The dividends the README's rule gives for factor_files/spy.csv, recomputed here from its rows.
        var rows = File.ReadLines(Path.Combine(lean, "equity", "usa", "factor_files", "spy.csv")).Select(l => l.Split(',')).ToList();
        var expected = new Dictionary<string, decimal>();
        var calendar = StrategyLab.Core.Calendar.MarketCalendars.For(Symbol.Equity("SPY"));
        for (var i = 0; i + 1 < rows.Count; i++)
        {
            var d = DateOnly.ParseExact(rows[i][0], "yyyyMMdd", CultureInfo.InvariantCulture);
            var ex = d.AddDays(1);
            while (calendar.GetSession(ex) is null)
            {
                ex = ex.AddDays(1);
            }

            if (ex > new DateOnly(2013, 6, 1) && ex <= new DateOnly(2014, 7, 31) && rows[i][1] != rows[i + 1][1])
            {
                expected[ex.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)] =
                    Math.Round(Dec(rows[i][3]) * (1 - (Dec(rows[i][1]) / Dec(rows[i + 1][1]))), 4);
            }
        }

        Assert.Equal(5, expected.Count); // 2013-06-21, 09-20, 12-20, 2014-03-21, 06-20
        var actions = summary.GetProperty("corporate_actions").EnumerateArray().ToList();
        Assert.Equal(expected.Keys, actions.Select(a => a.GetProperty("date").GetString()));
        Assert.All(actions, a =>
        {
            Assert.Equal("dividend", a.GetProperty("kind").GetString());
            var amount = a.GetProperty("amount").GetDecimal();
            Assert.Equal(expected[a.GetProperty("date").GetString()!], amount);
            Assert.Equal(a.GetProperty("qty_before").GetDecimal() * amount, a.GetProperty("cash").GetDecimal());
        });

        // The strategy is long over several ex-dates: those dividends are cash in the account.
        var paid = actions.Where(a => a.GetProperty("qty_before").GetDecimal() == 100m).ToList();
        Assert.True(paid.Count >= 2, $"expected the run to hold SPY over ex-dates; it held over {paid.Count}");
        var dividends = paid.Sum(a => a.GetProperty("cash").GetDecimal());
        var counts = summary.GetProperty("counts");
        var trades = Csv(folder, "trades.csv").Sum(t => Dec(t[7]));
        var open = summary.GetProperty("open_positions").EnumerateArray().Sum(p => p.GetProperty("unrealized_pnl").GetDecimal());
        Assert.Equal(100_000m + trades + open + dividends, counts.GetProperty("final_equity").GetDecimal(), 6);
    }

    [Fact]
    public async Task DefaultForLean_IsAdjusted_WithNoActionsToApply()
    {
        var lean = LeanPath();
        var config = Config("adjusted-aapl", $$"""
            { "provider": "lean", "path": "{{lean}}", "symbols": ["AAPL"], "timeframe": "30m", "from": "2014-06-05", "to": "2014-06-09" }
            """);
        var (_, summary, folder) = await BacktestAsync(config);
        Assert.Equal("adjusted", summary.GetProperty("data").GetProperty("adjustment").GetString());
        Assert.Empty(summary.GetProperty("corporate_actions").EnumerateArray());

        // Fills are at prices adjusted to the file's latest terms (÷ 28 for the 7:1 and 2020 4:1 splits, × 0.90 for
        // the dividends since): about 20.7, on either side of the 2014 split, not the raw ~647 then ~93.
        var fills = Csv(folder, "fills.csv");
        Assert.NotEmpty(fills);
        Assert.Contains(fills, f => f[0].StartsWith("2014-06-09", StringComparison.Ordinal));
        Assert.All(fills, f => Assert.InRange(Dec(f[5]), 20m, 21.5m));
    }

    [Fact]
    public async Task CsvInput_IsTakenAsGiven_AdjustingItIsAConfigError()
    {
        var csv = _dir.File("bars.csv", "time,open,high,low,close,volume\n2024-01-02T09:30:00-05:00,1,1,1,1,1\n");
        var config = Config("csv", $$"""
            { "provider": "csv", "path": "{{csv.Replace('\\', '/')}}", "symbols": ["X"], "adjustment": "adjusted" }
            """);
        var result = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("data.adjustment", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("taken as given", result.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1d", "2014-01-01", "2014-12-31")]
    [InlineData("1m", "2014-06-05", "2014-06-09")]
    public async Task StoreImportedFromLean_ServesEveryModeAsLeanDoes(string timeframe, string from, string to)
    {
        var lean = LeanPath();
        var store = Path.Combine(_dir.Path, "store-" + timeframe).Replace('\\', '/');
        var import = await CliRunner.RunInProcessAsync("data", "import", lean, "--symbol", "AAPL", "--timeframe", timeframe, "--from", from, "--to", to, "--out", store, "--quiet");
        Assert.True(import.ExitCode == 0, import.ToString());
        Assert.Contains("factors:", import.StdOut, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(store, "factors", "AAPL.csv")));

        foreach (var mode in new[] { "raw", "split_adjusted", "adjusted", null })
        {
            var adjustment = mode is null ? string.Empty : $", \"adjustment\": \"{mode}\"";
            var fromLean = Open($$"""{ "provider": "lean", "path": "{{lean}}", "symbols": ["AAPL"], "timeframe": "{{timeframe}}", "from": "{{from}}", "to": "{{to}}"{{adjustment}} }""");
            var fromStore = Open($$"""{ "provider": "store", "path": "{{store}}", "symbols": ["AAPL"], "timeframe": "{{timeframe}}", "from": "{{from}}", "to": "{{to}}"{{adjustment}} }""");
            Assert.Equal(mode ?? "adjusted", fromStore.Adjustment);
            Assert.Equal(fromLean.Adjustment, fromStore.Adjustment);
            Assert.Equal(fromLean.Actions, fromStore.Actions);
            var a = fromLean.Bars.ToList();
            var b = fromStore.Bars.ToList();
            Assert.NotEmpty(a);
            Assert.Equal(a.Count, b.Count);
            for (var i = 0; i < a.Count; i++)
            {
                Assert.Equal((a[i].Symbol, a[i].Start, a[i].End, a[i].Open, a[i].High, a[i].Low, a[i].Close, a[i].Volume), (b[i].Symbol, b[i].Start, b[i].End, b[i].Open, b[i].High, b[i].Low, b[i].Close, b[i].Volume));
            }

            if (mode == "raw")
            {
                Assert.Contains(fromStore.Actions, x => x.Kind == CorporateActionKind.Split && x.ExDate == new DateOnly(2014, 6, 9) && x.SplitRatio == 7m);
            }
        }
    }

    private HistoricalData Open(string data)
    {
        var path = Config("open-" + Guid.NewGuid().ToString("N"), data);
        var (config, effective) = ConfigLoader.Load(path);
        return HistoricalDataFactory.Open(ResolvedRun.Resolve(config, effective), NullLoggerFactory.Instance);
    }
}
