using System.Globalization;
using System.IO.Compression;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// SMA crossover on real BAC minutes (LEAN sample data, 2013-10-04..11, a $14 stock quoted in cents, where equal
/// averages are common), run through the real CLI, against an exact-arithmetic reference written here: the closes
/// read straight from the zips, the averages in <see cref="decimal"/>, and the documented tie rule (equal keeps the
/// previous side). With doubles, rounding noise between two equal averages used to count as a cross.
/// </summary>
public sealed class ExactSignalTests : IDisposable
{
    private static readonly TimeSpan Open = new(9, 30, 0);
    private static readonly TimeSpan Close = new(16, 0, 0);
    private static readonly string[] Days = ["20131004", "20131007", "20131008", "20131009", "20131010", "20131011"];

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-exact-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>(decision time as written in orders.csv, cross direction) for every cross of the fast/slow SMAs of the closes.</summary>
    private static List<(string Time, string Reason)> ReferenceCrosses(string lean, int fast, int slow)
    {
        var closes = new List<decimal>();
        var crosses = new List<(string, string)>();
        var side = 0;
        var ties = 0;
        foreach (var day in Days)
        {
            var date = DateTime.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture);
            using var zip = ZipFile.OpenRead(Path.Combine(lean, "equity", "usa", "minute", "bac", day + "_trade.zip"));
            using var reader = new StreamReader(zip.Entries[0].Open());
            while (reader.ReadLine() is { Length: > 0 } line)
            {
                var f = line.Split(',');
                var start = TimeSpan.FromMilliseconds(long.Parse(f[0], CultureInfo.InvariantCulture));
                if (start < Open || start >= Close)
                {
                    continue; // the run is on regular hours
                }

                closes.Add(decimal.Parse(f[4], CultureInfo.InvariantCulture) / 10000m);
                if (closes.Count < slow)
                {
                    continue;
                }

                var fastMean = closes.TakeLast(fast).Average();
                var slowMean = closes.TakeLast(slow).Average();
                if (fastMean == slowMean)
                {
                    ties++;
                    continue; // equal keeps the previous side
                }

                var now = fastMean > slowMean ? 1 : -1;
                if (side != 0 && now != side)
                {
                    var decided = date.Add(start + TimeSpan.FromMinutes(1)).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "-04:00";
                    crosses.Add((decided, now > 0 ? "sma_cross_up" : "sma_cross_down"));
                }

                side = now;
            }
        }

        Assert.True(ties >= 10, $"only {ties} bars with equal averages: the test would not exercise the tie rule");
        return crosses;
    }

    [Fact]
    public async Task SmaCrossover_OnBacMinutes_MakesExactlyTheCrossesOfAnExactReference()
    {
        var lean = TestPaths.RequireLean();
        var expected = ReferenceCrosses(lean, 10, 30);

        // Shorts allowed on a margin account and no stop: every cross sends at least one order tagged with the cross,
        // whatever the fill rules do with it afterwards, so orders.csv lists each decision exactly once per tag.
        var config = Path.Combine(_dir, "bac.json");
        var output = Path.Combine(_dir, "bac");
        File.WriteAllText(config, $$"""
            { "data": { "provider": "lean", "path": "{{lean.Replace("\\", "/", StringComparison.Ordinal)}}", "symbols": ["BAC"], "timeframe": "1m", "from": "2013-10-04", "to": "2013-10-11" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 10, "slow": 30, "allow_short": true } },
              "risk": { "stop_loss_pct": null },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 100 },
              "exchange": { "account": "margin", "commission": { "model": "zero" } },
              "output": { "dir": "{{output.Replace("\\", "/", StringComparison.Ordinal)}}" } }
            """);
        var result = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(result.ExitCode == 0, result.ToString());

        var header = File.ReadLines(Path.Combine(output, "orders.csv")).First().Split(',');
        var created = Array.IndexOf(header, "created_time");
        var tag = Array.IndexOf(header, "tag");
        var actual = File.ReadLines(Path.Combine(output, "orders.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Select(f => (Time: f[created], Reason: f[tag]))
            .Where(o => o.Reason is "sma_cross_up" or "sma_cross_down")
            .Distinct()
            .OrderBy(o => o.Time, StringComparer.Ordinal)
            .ToList();

        Assert.True(expected.Count >= 20, $"only {expected.Count} crosses: the comparison would prove little");
        Assert.Equal(expected, actual);
    }
}
