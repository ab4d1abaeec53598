using System.Globalization;
using System.Text;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// A 2 % stop-loss through the real CLI on a synthetic $0.10 crypto pair and a $0.85 stock: every stop sits 2 % below
/// its entry (to within one price increment) and no stop-loss exit happens at or above its entry.
/// </summary>
public sealed class SubDollarStopTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-subdollar-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A minute walk written as a CSV (start stamps with offset), prices on <paramref name="tick"/>.</summary>
    private string WriteWalk(string name, decimal price, decimal tick, bool weekdaysOnly, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("time,open,high,low,close,volume\n");
        var close = price;
        var day = new DateTime(2024, 1, 8, 0, 0, 0, DateTimeKind.Unspecified);
        var written = 0;
        while (written < 3000)
        {
            if (weekdaysOnly && day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                day = day.AddDays(1);
                continue;
            }

            // Equities: the regular session in New York (January: UTC-5); crypto: the same hours, stamped in UTC.
            var (first, count, offset) = weekdaysOnly ? (new TimeSpan(9, 30, 0), 390, "-05:00") : (TimeSpan.Zero, 1440, "Z");
            for (var i = 0; i < count && written < 3000; i++, written++)
            {
                var open = close;
                var move = (decimal)((random.NextDouble() - 0.5) * 0.02);
                close = Math.Max(tick * 10, decimal.Round(open * (1 + move) / tick) * tick);
                var high = Math.Max(open, close) + (tick * random.Next(0, 4));
                var low = Math.Max(tick, Math.Min(open, close) - (tick * random.Next(0, 4)));
                var stamp = day.Add(first).AddMinutes(i).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + offset;
                csv.Append(CultureInfo.InvariantCulture, $"{stamp},{open},{high},{low},{close},100000\n");
            }

            day = day.AddDays(1);
        }

        var path = Path.Combine(_dir, name + ".csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Theory]
    [InlineData("BINANCE:DOGEUSDT", 0.10, 0.00001, false)]
    [InlineData("SUBD", 0.85, 0.0001, true)]
    public async Task TwoPercentStops_SitTwoPercentBelowTheEntry_AndNeverExitAtOrAboveIt(string symbol, double price, double tick, bool equity)
    {
        var increment = (decimal)tick;
        var csv = WriteWalk(symbol.Replace(':', '_'), (decimal)price, increment, equity, seed: 11);
        var output = Path.Combine(_dir, "run-" + symbol.Replace(':', '_'));
        var config = Path.Combine(_dir, "run.json");
        File.WriteAllText(config, $$"""
            { "data": { "provider": "csv", "path": "{{csv.Replace("\\", "/", StringComparison.Ordinal)}}", "symbols": ["{{symbol}}"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 3, "slow": 8 } },
              "risk": { "stop_loss_pct": 2.0 },
              "trade_manager": { "sizing": "fixed_notional", "notional": 1000 },
              "exchange": { "commission": { "model": "zero" } },
              "output": { "dir": "{{output.Replace("\\", "/", StringComparison.Ordinal)}}", "report": false } }
            """);

        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        var orders = File.ReadAllLines(Path.Combine(output, "orders.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var fillPrice = orders.Where(o => o[12] == "filled").ToDictionary(o => o[0], o => decimal.Parse(o[14], CultureInfo.InvariantCulture));
        var stops = orders.Where(o => o[10] == "stop_loss").ToList();
        Assert.True(stops.Count > 20, $"only {stops.Count} stop-loss orders");
        foreach (var stop in stops)
        {
            var entry = fillPrice[stop[11]["oco-".Length..]];
            var level = decimal.Parse(stop[8], CultureInfo.InvariantCulture);
            var exact = entry * 0.98m;
            var step = equity && exact >= 1m ? 0.01m : increment; // the sub-penny rule: cents from $1 up
            Assert.InRange(level, exact - step, exact);
            Assert.True(level < entry, $"stop {level} for an entry at {entry}");
        }

        var trades = File.ReadAllLines(Path.Combine(output, "trades.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var stopped = trades.Where(t => t[9] == "stop_loss").ToList();
        Assert.NotEmpty(stopped);
        Assert.All(stopped, t => Assert.True(
            decimal.Parse(t[6], CultureInfo.InvariantCulture) < decimal.Parse(t[4], CultureInfo.InvariantCulture),
            $"stop-loss exit at {t[6]} for an entry at {t[4]}"));
    }
}
