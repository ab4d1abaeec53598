using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// A configuration that cannot work fails before the run with the key named, a run with nothing to trade fails with a
/// reason, neither leaves a run folder behind, and bars outside the sessions are reported once.
/// </summary>
public sealed class LoadChecksTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-load-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Slash(string path) => path.Replace("\\", "/", StringComparison.Ordinal);

    /// <summary>One-minute SPY bars, 09:30 onwards, <paramref name="minutes"/> a day, on each of <paramref name="days"/>.</summary>
    private string MinuteCsv(string name, int minutes, params string[] days)
    {
        var text = new StringBuilder("time,open,high,low,close,volume\n");
        foreach (var day in days)
        {
            var open = DateTime.Parse(day + "T09:30:00", CultureInfo.InvariantCulture);
            for (var i = 0; i < minutes; i++)
            {
                var p = 100m + (i * 7 % 13 / 10m);
                text.Append(CultureInfo.InvariantCulture, $"{open.AddMinutes(i):yyyy-MM-ddTHH:mm:ss},{p},{p + 0.2m},{p - 0.2m},{p + 0.1m},1000\n");
            }
        }

        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private string Config(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task ShortsOnACashAccount_ExitTwoNamingTheKey_AndLeaveNoFolder()
    {
        var outDir = Path.Combine(_dir, "short");
        var r = await CliRunner.RunInProcessAsync(
            "backtest", "--strategy", "sma_crossover", "--param", "allow_short=true", "--out", outDir, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.params.allow_short", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("exchange.account: \"margin\"", r.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task AWeekendOnlyRange_ExitsTwoNamingTheKey_AndLeavesNoFolder()
    {
        var outDir = Path.Combine(_dir, "weekend");
        var r = await CliRunner.RunInProcessAsync("backtest", "--from", "2024-01-06", "--to", "2024-01-07", "--out", outDir, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("data.from", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("2024-01-06..2024-01-07", r.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Theory]
    [InlineData("backtest")]
    [InlineData("replay")]
    public async Task ARangeTheCsvDoesNotHold_ExitsTwoNamingTheSourceAndRange_AndLeavesNoFolder(string command)
    {
        var csv = MinuteCsv("spy.csv", 60, "2020-01-17", "2020-01-21");
        var outDir = Path.Combine(_dir, "empty-" + command);
        var config = Config("empty.json", $$"""
            { "data": { "provider": "csv", "path": "{{Slash(csv)}}", "symbols": ["SPY"], "timeframe": "1m", "from": "2021-03-01", "to": "2021-03-05" },
              "speedup": 0, "output": { "dir": "{{Slash(outDir)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync(command, "--config", config, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: data.from: no bars of SPY for 2021-03-01..2021-03-05", r.StdErr, StringComparison.Ordinal);
        Assert.Contains(Slash(csv), Slash(r.StdErr), StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), string.Join(", ", Directory.Exists(outDir) ? Directory.GetFileSystemEntries(outDir) : []));
    }

    [Fact]
    public async Task OnlyBarsOnAHoliday_ExitTwo_AndOnlyTheRunsOwnFilesAreRemoved()
    {
        // Every bar is on 2020-01-20: the engine reads them and leaves them all out, after the folder was made. The
        // folder existed before with a file of the user's: that file and the folder stay, nothing of the run does.
        var csv = MinuteCsv("holiday.csv", 30, "2020-01-20");
        var outDir = Directory.CreateDirectory(Path.Combine(_dir, "mine")).FullName;
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "keep me");
        var config = Config("holiday.json", $$"""
            { "data": { "provider": "csv", "path": "{{Slash(csv)}}", "symbols": ["SPY"], "timeframe": "1m" }, "output": { "dir": "{{Slash(outDir)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("lies outside the trading sessions (30 left out", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("2020-01-20 (30)", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName));
        Assert.False(Directory.Exists(outDir + "-2")); // the run went to a folder of its own, and took it back
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
    }

    [Fact]
    public async Task BarsOnAHoliday_AreReportedOnce_WithTheDateAndCount_InTheLogAndTheSummary()
    {
        var csv = MinuteCsv("spy.csv", 60, "2020-01-17", "2020-01-20", "2020-01-21");
        var outDir = Path.Combine(_dir, "holiday");
        var config = Config("h.json", $$"""
            { "data": { "provider": "csv", "path": "{{Slash(csv)}}", "symbols": ["SPY"], "timeframe": "1m" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } }, "output": { "dir": "{{Slash(outDir)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        var warnings = r.StdErr.Split('\n').Where(l => l.Contains("data.bars.outside_session", StringComparison.Ordinal)).ToList();
        var warning = Assert.Single(warnings);
        Assert.StartsWith("warn ", warning, StringComparison.Ordinal);
        Assert.Contains("60 dated on days with no session", warning, StringComparison.Ordinal);
        Assert.Contains("2020-01-20 (60)", warning, StringComparison.Ordinal);
        Assert.Contains("SPY 60", warning, StringComparison.Ordinal);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal(120, root.GetProperty("counts").GetProperty("bars").GetInt64());
        Assert.Equal(60, root.GetProperty("counts").GetProperty("bars_dropped").GetInt64());
        var outside = root.GetProperty("bars_outside_session");
        Assert.Equal(60, outside.GetProperty("count").GetInt64());
        var closed = outside.GetProperty("closed_days");
        Assert.Equal(60, closed.GetProperty("count").GetInt64());
        var first = Assert.Single(closed.GetProperty("first_dates").EnumerateArray());
        Assert.Equal("2020-01-20", first.GetProperty("date").GetString());
        Assert.Equal(60, first.GetProperty("bars").GetInt64());
        Assert.Equal(60, closed.GetProperty("by_symbol").GetProperty("SPY").GetInt64());
        Assert.Equal(0, outside.GetProperty("extended_hours").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task BarsOnAHoliday_InAReplay_ReachLogJsonl_Once()
    {
        var csv = MinuteCsv("spy.csv", 30, "2020-01-17", "2020-01-20", "2020-01-21");
        var outDir = Path.Combine(_dir, "replay");
        var config = Config("r.json", $$"""
            { "data": { "provider": "csv", "path": "{{Slash(csv)}}", "symbols": ["SPY"], "timeframe": "5m", "source_timeframe": "1m" }, "speedup": 0,
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } }, "output": { "dir": "{{Slash(outDir)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync("replay", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        // 5m bars from 1m input: the holiday minutes are left out while resampling, and still reported.
        var events = File.ReadLines(Path.Combine(outDir, "log.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "data.bars.outside_session")
            .ToList();
        var e = Assert.Single(events);
        Assert.Contains("2020-01-20 (30)", e.GetRawText(), StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(30, summary.RootElement.GetProperty("bars_outside_session").GetProperty("closed_days").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task LeanMinutes_OnRegularHours_LeaveOutTheExtendedHoursQuietly_AndCountThemInTheSummary()
    {
        var lean = TestPaths.RequireLean();

        // Independently: the rows of the day's file that start before 09:30 or at/after 16:00 (ms since midnight).
        var zip = Path.Combine(lean, "equity", "usa", "minute", "spy", "20131007_trade.zip");
        using var archive = ZipFile.OpenRead(zip);
        using var reader = new StreamReader(archive.Entries[0].Open());
        var rows = new List<long>();
        while (reader.ReadLine() is { Length: > 0 } row)
        {
            rows.Add(long.Parse(row.Split(',')[0], CultureInfo.InvariantCulture));
        }

        var extended = rows.Count(ms => ms < 34_200_000 || ms >= 57_600_000);
        Assert.True(extended > 100, $"{extended} extended-hours rows");

        var outDir = Path.Combine(_dir, "lean");
        var config = Config("lean.json", $$"""
            { "data": { "provider": "lean", "path": "{{Slash(lean)}}", "symbols": ["SPY"], "timeframe": "1m", "from": "2013-10-07", "to": "2013-10-07" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } }, "output": { "dir": "{{Slash(outDir)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("data.bars.outside_session", r.StdErr, StringComparison.Ordinal); // normal data: no warning

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        Assert.Equal(rows.Count - extended, root.GetProperty("counts").GetProperty("bars").GetInt64());
        var outside = root.GetProperty("bars_outside_session");
        Assert.Equal(extended, outside.GetProperty("extended_hours").GetProperty("count").GetInt64());
        Assert.Equal(0, outside.GetProperty("closed_days").GetProperty("count").GetInt64());
        Assert.Equal(0, outside.GetProperty("outside_hours").GetProperty("count").GetInt64());

        // With --verbose the information line says it, once.
        r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet", "--verbose", "--out", Path.Combine(_dir, "lean-v"));
        Assert.True(r.ExitCode == 0, r.ToString());
        var line = Assert.Single(r.StdErr.Split('\n'), l => l.Contains("data.bars.outside_session", StringComparison.Ordinal));
        Assert.StartsWith("info ", line, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"2013-10-07 ({extended})"), line, StringComparison.Ordinal);
    }
}
