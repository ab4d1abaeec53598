using System.Text.Json;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary><c>--json</c> on a failure: one JSON document <c>{"error", "exit_code"}</c> on stdout; suggestions on stderr.</summary>
public sealed class JsonErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-jsonerr-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (string Error, int ExitCode) ParseError(CliResult r)
    {
        using var doc = JsonDocument.Parse(r.StdOut); // the whole of stdout is one document
        var root = doc.RootElement;
        Assert.Equal(["error", "exit_code"], root.EnumerateObject().Select(p => p.Name));
        return (root.GetProperty("error").GetString()!, root.GetProperty("exit_code").GetInt32());
    }

    public static TheoryData<string[], int, string> Failures() => new()
    {
        { ["backtest", "--json", "--strategy", "orbb"], 2, "strategy.name: unknown strategy 'orbb'" },
        { ["backtest", "--json", "--outt", "x"], 2, "Unrecognized command or argument '--outt'" },
        { ["replay", "--json", "--strategy", "nope"], 2, "strategy.name" },
        { ["live", "--json", "--config", "/no/such/config.json"], 2, "/no/such/config.json" },
        { ["data", "info", "/no/such/file.csv", "--json"], 2, "/no/such/file.csv" },
        { ["calendar", "--json", "--from", "2024-13-01", "--to", "2024-12-31"], 2, "--from: '2024-13-01' is not a date" },
        { ["compare", "--json", "/no/such/run-a", "/no/such/run-b"], 2, "/no/such/run-a" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task EveryCommandWithJson_OnAnError_PrintsOneJsonDocument(string[] args, int exitCode, string message)
    {
        var r = await CliRunner.RunInProcessAsync(args);

        Assert.True(r.ExitCode == exitCode, r.ToString());
        var (error, code) = ParseError(r);
        Assert.Equal(exitCode, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains(message, r.StdErr, StringComparison.Ordinal); // the human-readable line stays on stderr
    }

    [Fact]
    public async Task DidYouMean_GoesToStderr_WithAndWithoutJson()
    {
        var plain = await CliRunner.RunInProcessAsync("backtest", "--jsno");
        Assert.Equal(2, plain.ExitCode);
        Assert.Equal(string.Empty, plain.StdOut);
        Assert.Contains("Did you mean", plain.StdErr, StringComparison.Ordinal);
        Assert.Contains("--json", plain.StdErr, StringComparison.Ordinal);

        var json = await CliRunner.RunInProcessAsync("backtest", "--json", "--outt", "x");
        Assert.DoesNotContain("Did you mean", json.StdOut, StringComparison.Ordinal);
        Assert.Contains("Did you mean", json.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, ParseError(json).ExitCode);
    }

    [Fact]
    public async Task AFailedRun_ExitOne_IsOneJsonDocumentToo()
    {
        // The output folder cannot be created (a file is in the way of its parent): exit 1.
        var blocker = Path.Combine(_dir, "file");
        File.WriteAllText(blocker, "x");
        var r = await CliRunner.RunInProcessAsync("backtest", "--json", "--out", Path.Combine(blocker, "run"));

        Assert.True(r.ExitCode == 1, r.ToString());
        var (error, code) = ParseError(r);
        Assert.Equal(1, code);
        Assert.NotEmpty(error);
    }

    [Fact]
    public async Task Success_IsStillTheCommandsOwnDocument()
    {
        var r = await CliRunner.RunInProcessAsync("calendar", "--json", "--from", "2024-07-01", "--to", "2024-07-05");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.False(doc.RootElement.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task ARefusedKey_IsExitThree_InTheJsonDocument_WithoutTheKey()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = ["the-right-key"] }, TestContext.Current.CancellationToken);
        const string wrong = "wrong-key-json-0042";
        var config = Path.Combine(_dir, "live.json");
        File.WriteAllText(config, $$"""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "5s" },
              "live_min_bars": 0,
              "providers": { "finnhub": { "api_key": "{{wrong}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } },
              "output": { "dir": "{{Path.Combine(_dir, "run").Replace("\\", "/", StringComparison.Ordinal)}}" } }
            """);

        var r = await CliRunner.RunInProcessAsync("live", "--json", "--config", config);

        Assert.True(r.ExitCode == 3, r.ToString());
        var (error, code) = ParseError(r);
        Assert.Equal(3, code);
        Assert.Contains("refused the API key", error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, r.StdOut + r.StdErr, StringComparison.Ordinal);
    }
}
