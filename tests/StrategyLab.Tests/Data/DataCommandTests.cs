using StrategyLab.Core.Domain;
using StrategyLab.Data.Store;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Data;

public class DataCommandTests
{
    [Fact]
    public async Task ImportLean_ThenInfoOnTheStore()
    {
        var lean = TestPaths.RequireLean();
        using var dir = new TempDir();
        var store = Path.Combine(dir.Path, "store");
        var r = await CliRunner.RunInProcessAsync(
            "data", "import", lean, "--symbol", "SPY", "--timeframe", "1m", "--out", store, "--from", "2013-10-04", "--to", "2013-10-11");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Imported 4839 bars", r.StdOut, StringComparison.Ordinal); // 711+828+828+813+883+776
        Assert.Contains("2013-10: 4839 bars", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("missing trading days: 0", r.StdOut, StringComparison.Ordinal);

        var info = await CliRunner.RunInProcessAsync("data", "info", store);
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("SPY (UsEquity) 1m", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("bars: 4839", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("first bar: 2013-10-04T08:06:00Z (2013-10-04 04:06:00 exchange)  O=167.65", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("last bar:  2013-10-11T23:59:00Z (2013-10-11 19:59:00 exchange)  O=170.41", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("sessions covered: 6 of 6 trading sessions 2013-10-04..2013-10-11 (NYSE)", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("missing sessions: 0", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("intraday gaps (regular hours): 0 interval(s)", info.StdOut, StringComparison.Ordinal);

        // The store reads back what LEAN holds.
        var spy = Symbol.Equity("SPY");
        var fromStore = new ParquetBarStore(store).ReadBars(spy, Timeframe.OneMinute).ToList();
        var fromLean = new StrategyLab.Data.Lean.LeanDataFolder(lean)
            .ReadBars(spy, StrategyLab.Data.Lean.LeanResolution.Minute, new DateOnly(2013, 10, 4), new DateOnly(2013, 10, 11)).ToList();
        Assert.Equal(fromLean, fromStore);
    }

    [Fact]
    public async Task ImportLean_FromATickerFolder_TakesSymbolAndTimeframeFromThePath()
    {
        var lean = TestPaths.RequireLean();
        using var dir = new TempDir();
        var fromRoot = Path.Combine(dir.Path, "root");
        var fromTicker = Path.Combine(dir.Path, "ticker");
        var minuteSpy = Path.Combine(lean, "equity", "usa", "minute", "spy");
        var a = await CliRunner.RunInProcessAsync("data", "import", lean, "--symbol", "SPY", "--timeframe", "1m", "--out", fromRoot, "--from", "2013-10-07", "--to", "2013-10-08");
        var b = await CliRunner.RunInProcessAsync("data", "import", minuteSpy, "--out", fromTicker, "--from", "2013-10-07", "--to", "2013-10-08");
        Assert.True(a.ExitCode == 0, a.ToString());
        Assert.True(b.ExitCode == 0, b.ToString());
        Assert.Contains("SPY 1m: 1 month(s)", b.StdOut, StringComparison.Ordinal);
        var spy = StrategyLab.Core.Domain.Symbol.Equity("SPY");
        Assert.Equal(new ParquetBarStore(fromRoot).ReadBars(spy, Timeframe.OneMinute).ToList(), new ParquetBarStore(fromTicker).ReadBars(spy, Timeframe.OneMinute).ToList());

        // A daily zip names its ticker and resolution too.
        var daily = await CliRunner.RunInProcessAsync("data", "import", Path.Combine(lean, "equity", "usa", "daily", "spy.zip"), "--out", fromTicker, "--from", "2013-10-01", "--to", "2013-10-31", "--quiet");
        Assert.True(daily.ExitCode == 0, daily.ToString());
        Assert.Contains("SPY 1d: 1 month(s) 2013-10..2013-10, 23 bars", daily.StdOut, StringComparison.Ordinal);

        // And data info reads the ticker folder the same way.
        var info = await CliRunner.RunInProcessAsync("data", "info", minuteSpy, "--from", "2013-10-07", "--to", "2013-10-08");
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("SPY (UsEquity) 1m", info.StdOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--symbol", "AIG", "--symbol AIG does not match")]
    [InlineData("--timeframe", "1h", "--timeframe 1h does not match")]
    public async Task ImportLean_FromATickerFolder_RefusesAnOptionThatContradictsThePath(string option, string value, string error)
    {
        var lean = TestPaths.RequireLean();
        using var dir = new TempDir();
        var r = await CliRunner.RunInProcessAsync("data", "import", Path.Combine(lean, "equity", "usa", "minute", "spy"), option, value, "--out", Path.Combine(dir.Path, "s"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(error, r.StdErr, StringComparison.Ordinal);
        Assert.Contains("which holds", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportLean_FromAResolutionFolder_StillNeedsTheSymbol()
    {
        var lean = TestPaths.RequireLean();
        using var dir = new TempDir();
        var r = await CliRunner.RunInProcessAsync("data", "import", Path.Combine(lean, "equity", "usa", "minute"), "--out", Path.Combine(dir.Path, "s"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--symbol is required for the LEAN folder", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfoOnLean_ListsTheGap()
    {
        var lean = TestPaths.RequireLean();
        var r = await CliRunner.RunInProcessAsync(
            "data", "info", lean, "--symbol", "IBM", "--timeframe", "1m", "--from", "2013-10-03", "--to", "2013-10-08");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("sessions covered: 3 of 4 trading sessions 2013-10-03..2013-10-08", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("missing sessions: 1\n    2013-10-03\n", r.StdOut.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("intraday gaps (regular hours): 1 interval(s), 1 min in total", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("2013-10-04 12:39:00-12:40:00 (1 min)", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("data.day.missing", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportCsv_WithEndStamps_AndInfoOnTheCsv()
    {
        using var dir = new TempDir();
        var csv = dir.File("btc.csv",
            "time,open,high,low,close,volume\n" +
            "2024-01-01T00:00:00Z,42000.5,42100,41900,42050,1.25\n" +
            "2024-01-02T00:00:00Z,42050,42200,42000,42150,0.5\n" +
            "2024-01-04T00:00:00Z,42150,42300,42100,42250,2\n");
        var store = Path.Combine(dir.Path, "store");
        var r = await CliRunner.RunInProcessAsync(
            "data", "import", csv, "--symbol", "BTC-USD", "--timeframe", "1d", "--out", store, "--time-is", "end");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Imported 3 bars", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("2023-12: 1 bars", r.StdOut, StringComparison.Ordinal); // end-stamped 2024-01-01 00:00 is the 2023-12-31 bar
        Assert.Contains("2024-01: 2 bars", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("skipped rows: 0", r.StdOut, StringComparison.Ordinal);
        var bars = new ParquetBarStore(store).ReadBars(Symbol.Crypto("BTC-USD"), Timeframe.OneDay).ToList();
        Assert.Equal([Utc.At(2023, 12, 31), Utc.At(2024, 1, 1), Utc.At(2024, 1, 3)], bars.Select(b => b.Start));
        Assert.Equal(42000.5m, bars[0].Open);

        var info = await CliRunner.RunInProcessAsync("data", "info", csv, "--symbol", "BTC-USD"); // 1d guessed from the stamps
        Assert.True(info.ExitCode == 0, info.ToString());
        Assert.Contains("BTC-USD (Crypto) 1d", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("sessions covered: 3 of 4 trading sessions 2024-01-01..2024-01-04 (24/7)", info.StdOut, StringComparison.Ordinal);
        Assert.Contains("missing sessions: 1\n    2024-01-03\n", info.StdOut.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadCsvRow_ExitsWith2_AndNamesFileLineField()
    {
        using var dir = new TempDir();
        var csv = dir.File("bad.csv", "time,open,high,low,close,volume\n2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T14:31:00Z,1,oops,1,1,1\n");
        var r = await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "SPY", "--timeframe", "1m", "--out", Path.Combine(dir.Path, "s"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{csv}:3: field 'high': 'oops' is not a number", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);

        var skipped = await CliRunner.RunInProcessAsync(
            "data", "import", csv, "--symbol", "SPY", "--timeframe", "1m", "--out", Path.Combine(dir.Path, "s"), "--skip-bad-rows");
        Assert.True(skipped.ExitCode == 0, skipped.ToString());
        Assert.Contains("Imported 1 bars", skipped.StdOut, StringComparison.Ordinal);
        Assert.Contains("skipped rows: 1", skipped.StdOut, StringComparison.Ordinal);
        Assert.Contains("warn data.row.skipped: Skipped " + csv + ":3: field 'high'", skipped.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data", "info", "NOFILE.csv")] // no such file
    [InlineData("data", "info", "NOFILE.csv", "--timeframe", "7m")]
    [InlineData("data", "import", "NOFILE.csv", "--timeframe", "1m", "--out", "x", "--symbol", "SPY")]
    [InlineData("data", "import", "NOFILE.csv", "--timeframe", "1m", "--out", "x", "--symbol", "SPY", "--time-is", "middle")]
    [InlineData("data", "import", "NOFILE.csv", "--timeframe", "1m", "--out", "x", "--symbol", "SPY", "--from", "01/02/2024")]
    public async Task BadArguments_ExitWith2(params string[] args)
    {
        var r = await CliRunner.RunInProcessAsync(args);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.StartsWith("error: ", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_DescribesTheOptions()
    {
        var r = await CliRunner.RunInProcessAsync("data", "import", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var option in new[] { "--symbol", "--timeframe", "--out", "--from", "--to", "--time-is", "--skip-bad-rows", "--asset-class" })
        {
            Assert.Contains(option, r.StdOut, StringComparison.Ordinal);
        }

        var info = await CliRunner.RunInProcessAsync("data", "info", "--help");
        Assert.Equal(0, info.ExitCode);
        Assert.Contains("--max-gaps", info.StdOut, StringComparison.Ordinal);
    }
}
