using System.Globalization;
using System.IO.Compression;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// SMA(10/30) crossover on real LEAN daily bars, checked against an independent reference written here from the
/// documented rules alone: exact decimal averages (a tie keeps the previous side), decisions at the close, fills at
/// the next session's open, and — for adjusted runs — LEAN's factor-file semantics read from the file by this test.
/// </summary>
public sealed class DailyReferenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-daily-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>One daily bar as the reference sees it.</summary>
    private sealed record DailyBar(DateOnly Date, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume);

    /// <summary>A closed round trip: entry and exit dates and prices.</summary>
    private sealed record Trip(DateOnly EntryDate, decimal EntryPrice, DateOnly ExitDate, decimal ExitPrice);

    private static List<DailyBar> ReadLeanDaily(string lean, string ticker)
    {
        var bars = new List<DailyBar>();
        using var zip = ZipFile.OpenRead(Path.Combine(lean, "equity", "usa", "daily", ticker + ".zip"));
        using var reader = new StreamReader(zip.Entries[0].Open());
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var f = line.Split(',');
            bars.Add(new DailyBar(
                DateOnly.ParseExact(f[0][..8], "yyyyMMdd", CultureInfo.InvariantCulture),
                decimal.Parse(f[1], CultureInfo.InvariantCulture) / 10000m,
                decimal.Parse(f[2], CultureInfo.InvariantCulture) / 10000m,
                decimal.Parse(f[3], CultureInfo.InvariantCulture) / 10000m,
                decimal.Parse(f[4], CultureInfo.InvariantCulture) / 10000m,
                decimal.Parse(f[5], CultureInfo.InvariantCulture)));
        }

        return bars;
    }

    /// <summary>Back-adjusts prices the way LEAN's data README says: the factor row in effect is the first dated on or after the bar.</summary>
    private static List<DailyBar> Adjust(string lean, string ticker, List<DailyBar> raw)
    {
        var rows = File.ReadAllLines(Path.Combine(lean, "equity", "usa", "factor_files", ticker + ".csv"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .Select(f => (Date: DateOnly.ParseExact(f[0], "yyyyMMdd", CultureInfo.InvariantCulture),
                Factor: decimal.Parse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture) * decimal.Parse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture)))
            .OrderBy(r => r.Date)
            .ToList();
        return raw.Select(b =>
        {
            var factor = rows.First(r => r.Date >= b.Date).Factor;
            return b with { Open = b.Open * factor, High = b.High * factor, Low = b.Low * factor, Close = b.Close * factor };
        }).ToList();
    }

    /// <summary>The reference: exact SMA sums compared by cross-multiplication; fills at the next bar's open.</summary>
    private static List<Trip> Reference(IReadOnlyList<DailyBar> bars, int fast, int slow)
    {
        var trips = new List<Trip>();
        var side = 0;
        (DateOnly Date, decimal Price)? entry = null;
        var pending = 0; // +1 buy, -1 sell at the next open
        for (var i = 0; i < bars.Count; i++)
        {
            if (pending != 0)
            {
                if (pending > 0)
                {
                    entry = (bars[i].Date, bars[i].Open);
                }
                else
                {
                    trips.Add(new Trip(entry!.Value.Date, entry.Value.Price, bars[i].Date, bars[i].Open));
                    entry = null;
                }

                pending = 0;
            }

            if (i + 1 < slow)
            {
                continue;
            }

            var fastSum = 0m;
            var slowSum = 0m;
            for (var k = 0; k < slow; k++)
            {
                slowSum += bars[i - k].Close;
                if (k < fast)
                {
                    fastSum += bars[i - k].Close;
                }
            }

            var sign = (fastSum * slow).CompareTo(slowSum * fast);
            if (sign == 0)
            {
                continue;
            }

            var previous = side;
            side = sign;
            if (previous == 0 || previous == sign)
            {
                continue;
            }

            pending = sign > 0 ? (entry is null ? 1 : 0) : (entry is not null ? -1 : 0);
        }

        // The run folder writes prices rounded half away from zero at 10 decimals (docs/run-artifacts.md).
        static decimal Written(decimal d) => Math.Round(d, 10, MidpointRounding.AwayFromZero);
        return [.. trips.Select(t => t with { EntryPrice = Written(t.EntryPrice), ExitPrice = Written(t.ExitPrice) })];
    }

    private static List<Trip> TradesCsv(string runFolder) =>
        File.ReadAllLines(Path.Combine(runFolder, "trades.csv")).Skip(1).Select(l => l.Split(',')).Select(f => new Trip(
            DateOnly.FromDateTime(DateTimeOffset.Parse(f[3], CultureInfo.InvariantCulture).DateTime),
            decimal.Parse(f[4], CultureInfo.InvariantCulture),
            DateOnly.FromDateTime(DateTimeOffset.Parse(f[5], CultureInfo.InvariantCulture).DateTime),
            decimal.Parse(f[6], CultureInfo.InvariantCulture))).ToList();

    private async Task<List<Trip>> Backtest(string name, string data)
    {
        var config = Path.Combine(_dir, name + ".json");
        var output = Path.Combine(_dir, name);
        File.WriteAllText(config, $$"""
            { "data": {{data}},
              "strategy": { "name": "sma_crossover", "params": { "fast": 10, "slow": 30 } },
              "risk": { "stop_loss_pct": null },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 10, "max_positions": 1 },
              "exchange": { "initial_cash": 10000000, "commission": { "model": "zero" } },
              "output": { "dir": "{{output.Replace("\\", "/", StringComparison.Ordinal)}}", "report": false } }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        return TradesCsv(output);
    }

    private static string Json(string path) => path.Replace("\\", "/", StringComparison.Ordinal);

    [Theory]
    [InlineData("aapl")]
    [InlineData("spy")]
    public async Task SmaCrossover_AdjustedDaily_1998To2021_FromLeanAndFromCsv_MatchesTheReference(string ticker)
    {
        var lean = TestPaths.RequireLean();
        var bars = Adjust(lean, ticker, ReadLeanDaily(lean, ticker));
        var expected = Reference(bars, 10, 30);
        Assert.True(expected.Count > 50, $"the reference has only {expected.Count} trades");

        // From the LEAN folder: "adjusted" is the default for LEAN.
        var fromLean = await Backtest(ticker + "-lean", $$"""
            { "provider": "lean", "path": "{{Json(lean)}}", "symbols": ["{{ticker.ToUpperInvariant()}}"],
              "timeframe": "1d", "from": "1998-01-01", "to": "2021-03-31" }
            """);
        Assert.Equal(expected, fromLean);
        var orders = File.ReadAllLines(Path.Combine(_dir, ticker + "-lean", "orders.csv"));
        Assert.DoesNotContain(orders, l => l.Contains(",expired,", StringComparison.Ordinal));

        // The same adjusted bars as a CSV the user made: taken as given.
        var csv = Path.Combine(_dir, ticker + ".csv");
        File.WriteAllLines(csv, ["time,open,high,low,close,volume", .. bars.Select(b => string.Create(
            CultureInfo.InvariantCulture, $"{b.Date:yyyy-MM-dd},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}"))]);
        var fromCsv = await Backtest(ticker + "-csv", $$"""
            { "provider": "csv", "path": "{{Json(csv)}}", "symbols": ["{{ticker.ToUpperInvariant()}}"], "timeframe": "1d" }
            """);
        Assert.Equal(expected, fromCsv);
    }
}
