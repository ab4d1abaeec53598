using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>Issue 10 findings on CSV input through the CLI: a clean exit 2 naming the CSV line, never a stack trace or a bad store.</summary>
public sealed class InputHardeningCliTests : IDisposable
{
    private const string Header = "time,open,high,low,close,volume\n";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertCleanError(CliResult r, string expected)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains(expected, r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception:", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARowPastTheParsersBuffer_ExitsTwoNamingFileAndLine_InInfoImportAndBacktest()
    {
        var csv = Path.Combine(_dir.Path, "SPY.csv");
        using (var w = new StreamWriter(csv))
        {
            w.Write(Header);
            w.Write("\"2024-01-02T14:30:00Z,1,1,1,1,1\n");
            var row = new string('9', 99) + "\n";
            for (var written = 0; written < (17 << 20); written += row.Length)
            {
                w.Write(row);
            }
        }

        AssertCleanError(await CliRunner.RunInProcessAsync("data", "info", csv, "--symbol", "SPY", "--timeframe", "1m"), csv + ":2:");
        AssertCleanError(await CliRunner.RunInProcessAsync("data", "info", csv, "--symbol", "SPY"), csv + ":2:"); // timeframe guessed
        AssertCleanError(
            await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "SPY", "--timeframe", "1m", "--out", Path.Combine(_dir.Path, "store")),
            csv + ":2:");
        var config = _dir.File("run.json", $$"""{ "data": { "provider": "csv", "path": "{{csv}}", "symbols": ["SPY"], "timeframe": "1m" } }""");
        AssertCleanError(await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", Path.Combine(_dir.Path, "run")), csv + ":2:");
    }

    [Fact]
    public async Task OneMinuteCsv_ImportedAsFiveMinutes_IsRefused_AndStoresNothing()
    {
        var csv = _dir.File("spy.csv", Header + "2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T14:31:00Z,1,1,1,1,1\n");
        var store = Path.Combine(_dir.Path, "store");
        var r = await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "SPY", "--timeframe", "5m", "--out", store);
        AssertCleanError(r, csv + ":3: field 'time'");
        Assert.Contains("probably 1m", r.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store) && Directory.EnumerateFiles(store, "*.parquet", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task ACsvWithoutTheSymbol_ImportFails_ListingTheSymbolsItHas()
    {
        var csv = _dir.File("qqq.csv", "symbol," + Header + "QQQ,2024-01-02T14:30:00Z,1,1,1,1,1\n");
        AssertCleanError(
            await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "SPY", "--timeframe", "1m", "--out", Path.Combine(_dir.Path, "s")),
            "the symbol column has no rows for SPY; it has QQQ");
        AssertCleanError(await CliRunner.RunInProcessAsync("data", "info", csv, "--symbol", "SPY", "--timeframe", "1m"), "it has QQQ");
    }

    [Fact]
    public async Task ANumberTooLongToStore_NamesTheCsvLine_NotTheParquetFile()
    {
        var csv = _dir.File("big.csv", Header + "2024-01-02T14:30:00Z,1,1,1,1,1\n2024-01-02T14:31:00Z,1,12345678901234567890123.5,1,1,1\n");
        var r = await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "SPY", "--timeframe", "1m", "--out", Path.Combine(_dir.Path, "s"));
        AssertCleanError(r, csv + ":3: field 'high'");
        Assert.DoesNotContain(".parquet", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataInfo_FromAfterTo_SaysSo()
    {
        var csv = _dir.File("spy.csv", Header + "2024-01-02T14:30:00Z,1,1,1,1,1\n");
        AssertCleanError(
            await CliRunner.RunInProcessAsync("data", "info", csv, "--symbol", "SPY", "--timeframe", "1m", "--from", "2024-01-05", "--to", "2024-01-02"),
            "--to: 2024-01-02 is before --from 2024-01-05");
        AssertCleanError(
            await CliRunner.RunInProcessAsync("data", "import", csv, "--symbol", "SPY", "--timeframe", "1m", "--from", "2024-01-05", "--to", "2024-01-02", "--out", Path.Combine(_dir.Path, "s")),
            "--to: 2024-01-02 is before --from 2024-01-05");
    }

    [Fact]
    public async Task ControlCharactersFromAConfigOrCsv_AreEscapedInTheError()
    {
        var config = _dir.File("esc.json", "{ \"data\": { \"provider\": \"x\\u001b[31mred\\u0007\" } }");
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--out", Path.Combine(_dir.Path, "run"));
        AssertCleanError(r, "x\\u001B[31mred\\u0007");
        Assert.DoesNotContain('\u001b', r.StdErr);

        var csv = _dir.File("esc.csv", Header + "2024-01-02T14:30:00Z,1,1\u001b]0;title\u0007,1,1,1\n");
        var info = await CliRunner.RunInProcessAsync("data", "info", csv, "--symbol", "SPY", "--timeframe", "1m");
        AssertCleanError(info, csv + ":2: field 'high'");
        Assert.DoesNotContain('\u001b', info.StdErr);
        Assert.DoesNotContain('\u0007', info.StdErr);
    }

    [Theory]
    [InlineData("1 m")]
    [InlineData("1 h")]
    public async Task ASpacedOneLetterTimeframe_IsRefused(string timeframe)
    {
        var r = await CliRunner.RunInProcessAsync("backtest", "--timeframe", timeframe, "--out", Path.Combine(_dir.Path, "run"));
        AssertCleanError(r, timeframe);
    }
}
