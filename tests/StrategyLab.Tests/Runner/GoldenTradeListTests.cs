using System.Globalization;
using System.IO.Compression;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Runner;

/// <summary>
/// ORB and SMA crossover over real SPY minutes (LEAN sample data), run through the real CLI, compared with trade lists
/// worked out by a separate, deliberately plain simulation written here: it reads the LEAN zips itself and applies the
/// documented rules (signals at a bar's end, market orders at the next bar's open, entries DAY, exits GTC, a 2% stop
/// attached at the entry fill and live on that same bar, ORB flattening 5 minutes before the close).
/// </summary>
public sealed class GoldenTradeListTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-golden-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record MinuteBar(DateTime Day, TimeSpan Start, decimal Open, decimal High, decimal Low, decimal Close)
    {
        public TimeSpan End => Start + TimeSpan.FromMinutes(1);
    }

    private sealed record Trade(string EntryTime, decimal EntryPrice, string ExitTime, decimal ExitPrice, string Reason);

    private static readonly TimeSpan Open = new(9, 30, 0);
    private static readonly TimeSpan Close = new(16, 0, 0);

    /// <summary>Regular-session minute bars of SPY for the given days, read straight from the LEAN zips.</summary>
    private static List<MinuteBar> ReadSpy(string lean, params string[] days)
    {
        var bars = new List<MinuteBar>();
        foreach (var day in days)
        {
            var date = DateTime.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture);
            using var zip = ZipFile.OpenRead(Path.Combine(lean, "equity", "usa", "minute", "spy", day + "_trade.zip"));
            using var reader = new StreamReader(zip.Entries[0].Open());
            while (reader.ReadLine() is { Length: > 0 } line)
            {
                var f = line.Split(',');
                var start = TimeSpan.FromMilliseconds(long.Parse(f[0], CultureInfo.InvariantCulture));
                if (start < Open || start >= Close)
                {
                    continue;
                }

                decimal P(int i) => decimal.Parse(f[i], CultureInfo.InvariantCulture) / 10000m;
                bars.Add(new MinuteBar(date, start, P(1), P(2), P(3), P(4)));
            }
        }

        return bars;
    }

    private static string Stamp(DateTime day, TimeSpan time) =>
        day.Add(time).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + "-04:00"; // October: EDT

    /// <summary>The simulation: one long position at a time, 100 shares, 2% stop, no fees.</summary>
    private static List<Trade> Simulate(List<MinuteBar> bars, Func<int, MinuteBar, bool, string?> decide)
    {
        var trades = new List<Trade>();
        var held = false;
        decimal entryPrice = 0, stop = 0;
        string entryTime = string.Empty;
        (DateTime Day, bool Pending) entry = (default, false);
        string? exitReason = null;
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];

            // 1. orders decided at the previous bar's end fill at this bar's open (a DAY entry only in its own session)
            if (entry.Pending && !held)
            {
                if (entry.Day == b.Day)
                {
                    held = true;
                    entryPrice = b.Open;
                    entryTime = Stamp(b.Day, b.Start);
                    stop = Math.Round(entryPrice * 0.98m / 0.01m, MidpointRounding.AwayFromZero) * 0.01m;
                }

                entry = (default, false);
            }
            else if (exitReason is not null && held)
            {
                trades.Add(new Trade(entryTime, entryPrice, Stamp(b.Day, b.Start), b.Open, exitReason));
                held = false;
                exitReason = null;
            }

            // 2. the stop, live from the entry bar on: a gap below it fills at the open
            if (held && exitReason is null && (b.Open <= stop || b.Low <= stop))
            {
                var gap = b.Open <= stop;
                trades.Add(new Trade(entryTime, entryPrice, Stamp(b.Day, gap ? b.Start : b.End), gap ? b.Open : stop, "stop_loss"));
                held = false;
            }

            // 3. the decision at the bar's end
            var signal = decide(i, b, held);
            if (signal == "enter" && !held && !entry.Pending)
            {
                entry = (b.Day, b.End < Close); // a DAY entry decided at the close expires unfilled
            }
            else if (signal is { } reason && reason != "enter" && held)
            {
                exitReason = reason;
            }
        }

        return trades;
    }

    private async Task<List<Trade>> RunCli(string lean, string strategy, string from, string to)
    {
        var config = Path.Combine(_dir, strategy + ".json");
        var output = Path.Combine(_dir, strategy);
        File.WriteAllText(config, $$"""
            { "data": { "provider": "lean", "path": "{{lean.Replace("\\", "/", StringComparison.Ordinal)}}", "symbols": ["SPY"], "timeframe": "1m", "from": "{{from}}", "to": "{{to}}", "adjustment": "raw" }, // the reference reads the raw zips
              "strategy": { "name": "{{strategy}}" },
              "risk": { "stop_loss_pct": 2 },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 100 },
              "exchange": { "commission": { "model": "zero" } },
              "output": { "dir": "{{output.Replace("\\", "/", StringComparison.Ordinal)}}" } }
            """);
        var result = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(result.ExitCode == 0, result.ToString());
        return [.. File.ReadLines(Path.Combine(output, "trades.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => new Trade(f[3], decimal.Parse(f[4], CultureInfo.InvariantCulture), f[5], decimal.Parse(f[6], CultureInfo.InvariantCulture), f[9]))];
    }

    [Fact]
    public async Task Orb_OverFiveSpyDays_MatchesThePlainSimulation()
    {
        var lean = TestPaths.RequireLean();
        var bars = ReadSpy(lean, "20131007", "20131008", "20131009", "20131010", "20131011");
        DateTime day = default;
        decimal high = 0, low = 0;
        var entered = false;
        var expected = Simulate(bars, (_, b, held) =>
        {
            if (b.Day != day)
            {
                (day, high, low, entered) = (b.Day, decimal.MinValue, decimal.MaxValue, false);
            }

            if (b.End <= Open + TimeSpan.FromMinutes(15))
            {
                (high, low) = (Math.Max(high, b.High), Math.Min(low, b.Low));
                return null;
            }

            if (b.End >= Close - TimeSpan.FromMinutes(5))
            {
                return held ? "flatten" : null;
            }

            if (!entered && !held && b.Close > high)
            {
                entered = true;
                return "enter";
            }

            return null;
        });

        var actual = await RunCli(lean, "orb", "2013-10-07", "2013-10-11");
        Assert.True(expected.Count >= 3, $"only {expected.Count} trades: the comparison would prove little");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task SmaCrossover_OverThreeSpyDays_MatchesThePlainSimulation()
    {
        var lean = TestPaths.RequireLean();
        var bars = ReadSpy(lean, "20131007", "20131008", "20131009");
        var closes = new List<decimal>();
        var side = 0; // −1 fast below slow, +1 above, 0 not yet known
        var readyBefore = false;
        var expected = Simulate(bars, (_, b, held) =>
        {
            closes.Add(b.Close);
            if (closes.Count < 30)
            {
                return null;
            }

            var fast = closes.TakeLast(10).Average();
            var slow = closes.TakeLast(30).Average();
            var now = fast > slow ? 1 : fast < slow ? -1 : side;
            var wasReady = readyBefore;
            var before = side;
            (side, readyBefore) = (now, true);
            if (!wasReady || before == now || before == 0)
            {
                return null;
            }

            return now > 0 ? "enter" : "sma_cross_down";
        });

        var actual = await RunCli(lean, "sma_crossover", "2013-10-07", "2013-10-09");
        Assert.True(expected.Count >= 10, $"only {expected.Count} trades");
        Assert.Equal(expected, actual);
    }
}
