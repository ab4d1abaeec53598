using System.Text.Json;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// Which LEAN resolution a backtest reads (../shared/data/lean: SPY daily and hour files 1998-01-02..2021-03-31, minute
/// files for six days of October 2013 and 2023-08-03): the coarsest that builds the run's bars exactly and covers the
/// range, said in summary.json and on the console, or forced with --source-timeframe.
/// </summary>
public sealed class LeanSourceTimeframeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-leansrc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(CliResult Result, string Out)> Backtest(string name, params string[] flags)
    {
        var lean = TestPaths.RequireLean().Replace("\\", "/", StringComparison.Ordinal);
        var config = Path.Combine(_dir, name + ".json");
        var output = Path.Combine(_dir, name);
        File.WriteAllText(config, $$"""
            { "data": { "provider": "lean", "path": "{{lean}}", "symbols": ["SPY"] },
              "strategy": { "name": "sma_crossover" },
              "output": { "bars_csv": true } }
            """);
        var result = await CliRunner.RunInProcessAsync(["backtest", "--config", config, "--out", output, .. flags]);
        return (result, output);
    }

    private static string DataSource(string runFolder)
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "summary.json")));
        return summary.RootElement.GetProperty("data").GetProperty("source").GetString()!;
    }

    private static List<string[]> Bars(string runFolder) =>
        [.. File.ReadLines(Path.Combine(runFolder, "bars.csv")).Skip(1).Select(l => l.Split(','))];

    [Fact]
    public async Task Daily_OverTheWholeHistory_ReadsTheDailyFiles()
    {
        var (r, output) = await Backtest("daily", "--timeframe", "1d", "--from", "1998-01-01", "--to", "2021-03-31");
        Assert.True(r.ExitCode == 0, r.ToString());
        var source = DataSource(output);
        Assert.StartsWith("LEAN daily bars", source, StringComparison.Ordinal);
        Assert.Contains("5849 of 5849 sessions", source, StringComparison.Ordinal);
        Assert.Contains("LEAN daily bars", r.StdOut, StringComparison.Ordinal); // the console says it too
        Assert.Equal(5849, Bars(output).Count);
    }

    [Fact]
    public async Task FiveMinutes_OverTheMinuteDays_ReadsTheMinuteFiles()
    {
        var (r, output) = await Backtest("five", "--timeframe", "5m", "--from", "2013-10-07", "--to", "2013-10-11", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        var source = DataSource(output);
        Assert.StartsWith("LEAN minute bars", source, StringComparison.Ordinal);
        Assert.Contains("resampled to 5m", source, StringComparison.Ordinal);
        Assert.Equal(5 * 78, Bars(output).Count); // five full sessions of 5-minute bars
    }

    [Fact]
    public async Task OneHour_OverTheWholeHistory_StopsBeforeTheRun_NamingTheHourFilesAndTheKey()
    {
        // The minute files build session-aligned hours but cover 6 days; the hour files cover the range but are
        // clock-aligned. Running on six days of minutes (thousands of missing sessions) would be no answer.
        var (r, output) = await Backtest("hour", "--timeframe", "1h", "--from", "1998-01-01", "--to", "2021-03-31");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("data.source_timeframe", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("hour files cover 5849", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("clock-aligned", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("minute files", r.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "summary.json")));
    }

    [Fact]
    public async Task OneHour_WhereTheMinutesCoverTheRange_BuildsSessionAlignedHoursFromThem()
    {
        var (r, output) = await Backtest("hour-minutes", "--timeframe", "1h", "--from", "2013-10-07", "--to", "2013-10-11", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("LEAN minute bars", DataSource(output), StringComparison.Ordinal);
        var first = Bars(output)[0];
        Assert.Equal(("2013-10-07T09:30:00-04:00", "2013-10-07T10:30:00-04:00"), (first[1], first[2]));
    }

    [Fact]
    public async Task ForcingTheHourFiles_RunsOnLeansClockAlignedHours()
    {
        var (r, output) = await Backtest("forced", "--timeframe", "1h", "--from", "2013-10-07", "--to", "2013-10-11", "--source-timeframe", "1h", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        var source = DataSource(output);
        Assert.StartsWith("LEAN hour bars", source, StringComparison.Ordinal);
        Assert.Contains("forced by data.source_timeframe", source, StringComparison.Ordinal);
        var bars = Bars(output);
        Assert.Equal(5 * 7, bars.Count);
        Assert.Equal(("2013-10-07T09:30:00-04:00", "2013-10-07T10:00:00-04:00"), (bars[0][1], bars[0][2])); // LEAN's "09:00" bar
    }

    [Fact]
    public async Task ForcingAResolutionLeanLacks_OrOneThatCannotBuildTheBars_IsAConfigError()
    {
        var (r, _) = await Backtest("lacks", "--timeframe", "1d", "--from", "2013-10-07", "--to", "2013-10-11", "--source-timeframe", "5m");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("data.source_timeframe", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("LEAN has no 5m files", r.StdErr, StringComparison.Ordinal);

        (r, _) = await Backtest("straddles", "--timeframe", "4h", "--from", "2013-10-07", "--to", "2013-10-11", "--source-timeframe", "1h");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("data.source_timeframe", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("clock-aligned", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForcingTheMinuteFiles_ForADailyRun_ReadsThem()
    {
        var (r, output) = await Backtest("daily-from-minutes", "--timeframe", "1d", "--from", "2013-10-07", "--to", "2013-10-11", "--source-timeframe", "1m", "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("LEAN minute bars", DataSource(output), StringComparison.Ordinal);
        Assert.Equal(5, Bars(output).Count);
    }
}
