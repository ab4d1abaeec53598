using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

public class CalendarCommandTests
{
    private static string Lines(params string[] lines) => string.Concat(lines.Select(l => l + Environment.NewLine));

    [Fact]
    public async Task Csv_ThanksgivingWeek_IsExact()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--from", "2019-11-25", "--to", "2019-12-03");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            Lines(
                "date,open,close",
                "2019-11-25,09:30,16:00",
                "2019-11-26,09:30,16:00",
                "2019-11-27,09:30,16:00",
                "2019-11-29,09:30,13:00",
                "2019-12-02,09:30,16:00",
                "2019-12-03,09:30,16:00"),
            r.StdOut);
        Assert.Equal(string.Empty, r.StdErr);
    }

    [Fact]
    public async Task Csv_YearEnd2021_ObservedChristmasAndNoNewYearHoliday()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--from", "2021-12-22", "--to", "2022-01-04", "--market", "nyse", "--format", "CSV");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            Lines(
                "date,open,close",
                "2021-12-22,09:30,16:00",
                "2021-12-23,09:30,16:00",
                "2021-12-27,09:30,16:00",
                "2021-12-28,09:30,16:00",
                "2021-12-29,09:30,16:00",
                "2021-12-30,09:30,16:00",
                "2021-12-31,09:30,16:00",
                "2022-01-03,09:30,16:00",
                "2022-01-04,09:30,16:00"),
            r.StdOut);
    }

    [Fact]
    public async Task Csv_Crypto_EveryDayMidnightToMidnight()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--from", "2024-02-28", "--to", "2024-03-01", "--market", "crypto");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(
            Lines("date,open,close", "2024-02-28,00:00,24:00", "2024-02-29,00:00,24:00", "2024-03-01,00:00,24:00"),
            r.StdOut);
    }

    [Fact]
    public async Task Csv_LongRange_HasOneRowPerSession()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--from", "2000-01-01", "--to", "2030-12-31");
        Assert.True(r.ExitCode == 0, r.ToString());
        var rows = r.StdOut.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,open,close", rows[0]);
        Assert.Equal("2000-01-03,09:30,16:00", rows[1]); // 2000-01-01 was a Saturday (no Friday-before holiday)
        Assert.Equal("2030-12-31,09:30,16:00", rows[^1]);
        Assert.Equal(250, rows.Count(l => l.StartsWith("2023-", StringComparison.Ordinal)));
        Assert.Equal(252, rows.Count(l => l.StartsWith("2024-", StringComparison.Ordinal)));

        // Two one-off days in the range: the noon open on the 9/11 anniversary and the 15:56 close of 2005-06-01.
        string[] oneOffs = ["2002-09-11,12:00,16:00", "2005-06-01,09:30,15:56"];
        Assert.All(oneOffs, o => Assert.Contains(o, rows));
        Assert.All(rows.Skip(1).Except(oneOffs), l => Assert.Matches(@"^\d{4}-\d{2}-\d{2},09:30,1[36]:00$", l));
    }

    [Fact]
    public async Task Table_RendersAlignedColumns_WithEarlyCloseMarker()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--from", "2024-07-01", "--to", "2024-07-08", "--format", "table");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdOut.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date        day  pre    open   close  after  note", lines[0]);
        Assert.Equal("2024-07-01  Mon  04:00  09:30  16:00  20:00", lines[2]);
        Assert.Equal("2024-07-03  Wed  04:00  09:30  13:00  17:00  early close", lines[4]);
        Assert.Equal("2024-07-05  Fri  04:00  09:30  16:00  20:00", lines[5]);
        Assert.DoesNotContain(lines, l => l.StartsWith("2024-07-04", StringComparison.Ordinal));
        Assert.Equal(8, lines.Length); // header, rule, 5 sessions, summary
        Assert.Contains("5 sessions", lines[^1], StringComparison.Ordinal);
        Assert.Contains("early closes: 1", lines[^1], StringComparison.Ordinal);
        Assert.Contains("America/New_York", lines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from", "--from", "2019-13-01", "--to", "2019-12-31")]
    [InlineData("--from", "--from", "2019/01/01", "--to", "2019-12-31")]
    [InlineData("--to", "--from", "2019-01-01", "--to", "tomorrow")]
    [InlineData("--from", "--from", "1989-12-01", "--to", "2019-12-31")]
    [InlineData("--to", "--from", "2019-01-01", "--to", "2101-01-01")]
    [InlineData("--from", "--from", "2020-01-01", "--to", "2019-12-31")]
    [InlineData("--market", "--from", "2019-01-01", "--to", "2019-12-31", "--market", "LSE")]
    [InlineData("--format", "--from", "2019-01-01", "--to", "2019-12-31", "--format", "xml")]
    [InlineData("--from", "--to", "2019-12-31")]
    [InlineData("--to", "--from", "2019-01-01")]
    public async Task BadInput_ExitsWith2_AndNamesTheOption(string option, params string[] args)
    {
        var r = await CliRunner.RunInProcessAsync(["calendar", .. args]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal(string.Empty, r.StdOut);
        Assert.Contains(option, r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_MessagesSayWhatIsWrong()
    {
        var unknown = await CliRunner.RunInProcessAsync("calendar", "--from", "2019-01-01", "--to", "2019-01-31", "--market", "LSE");
        Assert.Contains("--market: unknown calendar 'LSE'. Known calendars: NYSE, 24/7 (alias crypto).", unknown.StdErr, StringComparison.Ordinal);

        var order = await CliRunner.RunInProcessAsync("calendar", "--from", "2020-01-01", "--to", "2019-12-31");
        Assert.Contains("--from 2020-01-01 is after --to 2019-12-31.", order.StdErr, StringComparison.Ordinal);

        var range = await CliRunner.RunInProcessAsync("calendar", "--from", "1989-12-01", "--to", "2019-12-31");
        Assert.Contains("--from: 1989-12-01 is outside the years the calendars cover (1990–2100).", range.StdErr, StringComparison.Ordinal);

        var date = await CliRunner.RunInProcessAsync("calendar", "--from", "2019-02-30", "--to", "2019-12-31");
        Assert.Contains("--from: '2019-02-30' is not a date; expected yyyy-MM-dd", date.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_DescribesOptions()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var option in new[] { "--from", "--to", "--market", "--format", "NYSE", "24/7", "csv", "table" })
        {
            Assert.Contains(option, r.StdOut, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RealProcess_BadInputExitCode()
    {
        var r = await CliRunner.RunProcessAsync(["calendar", "--from", "2019-01-01", "--to", "2019-01-10", "--market", "nope"]);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("--market", r.StdErr, StringComparison.Ordinal);
    }
}
