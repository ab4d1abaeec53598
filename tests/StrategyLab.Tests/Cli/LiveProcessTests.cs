using System.Globalization;
using System.Text.Json;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// End to end: the real <c>strategylab live</c> process against the loopback Finnhub fake streaming a crypto random walk
/// in real time, on 5-second bars, for about 20 seconds.
/// </summary>
public sealed class LiveProcessTests : IDisposable
{
    private const string Key = "fake-finnhub-key";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-liveproc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task LiveCryptoOnFiveSecondBars_WritesTheRunFolder()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key], PingInterval = TimeSpan.FromSeconds(5) }, TestContext.Current.CancellationToken);
        await using var walk = server.StartRandomWalk(new FakeRandomWalk("BINANCE:BTCUSDT", 42_000m, PrintsPerSecond: 20, Seed: 5));
        var stopAt = DateTimeOffset.UtcNow.AddSeconds(20).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var output = Path.Combine(_dir, "run");
        var config = Path.Combine(_dir, "live.json");
        File.WriteAllText(config, $$"""
            { "mode": "live",
              "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "5s" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 2, "slow": 3 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 0.01 },
              "live_min_bars": 5, "live_warmup_cycles": 1, "auto_stop_at": "{{stopAt}}",
              "market_hours": { "bar_sync_buffer_seconds": 1 },
              "providers": { "finnhub": { "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}", "late_grace_seconds": 0.5 } },
              "output": { "dir": "{{output.Replace("\\", "/", StringComparison.Ordinal)}}" } }
            """);

        var result = await CliRunner.RunProcessAsync(
            ["live", "--config", config],
            environment: new Dictionary<string, string> { ["FINNHUB_API_KEY"] = Key },
            timeout: TimeSpan.FromSeconds(90));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(Key, result.StdOut + result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.StdOut + result.StdErr); // no terminal control codes in a pipe

        var bars = File.ReadAllLines(Path.Combine(output, "bars.csv"));
        Assert.Equal("symbol,start,end,open,high,low,close,volume,trades", bars[0]);
        Assert.InRange(bars.Length - 1, 1, 5); // 20 s of 5 s bars, the first partial one included (fewer when a loaded machine starts the process slowly)
        Assert.All(bars.Skip(1), line => Assert.StartsWith("BINANCE:BTCUSDT,", line, StringComparison.Ordinal));
        Assert.Equal(
            "symbol,side,qty,entry_time,entry_price,exit_time,exit_price,pnl,commission,exit_reason,mae,mfe",
            File.ReadLines(Path.Combine(output, "trades.csv")).First());

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        var text = summary.RootElement.GetRawText();
        Assert.Contains("\"cycles\"", text, StringComparison.Ordinal);
        Assert.Contains("\"fills\"", text, StringComparison.Ordinal);
        Assert.Contains("\"open_positions\"", text, StringComparison.Ordinal);

        var events = File.ReadLines(Path.Combine(output, "log.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString())
            .ToHashSet();
        Assert.Contains("liveMode.connected", events);
        Assert.Contains("bar.sync", events);
        Assert.Contains("liveMode.disconnected", events);
        Assert.Contains("liveMode.autoStop", events);
        Assert.True(new FileInfo(Path.Combine(output, "report.html")).Length > 10_000, "report.html was not written");
        foreach (var file in Directory.EnumerateFiles(output))
        {
            Assert.DoesNotContain(Key, File.ReadAllText(file), StringComparison.Ordinal);
        }
    }
}

public sealed class LiveAuthenticationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-liveauth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RefusedKey_EndsTheRunWithExitThree_AndAClearMessage_WithoutTheKey()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = ["the-right-key"] }, TestContext.Current.CancellationToken);
        const string wrong = "wrong-key-123456";
        var config = Path.Combine(_dir, "live.json");
        File.WriteAllText(config, $$"""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "5s" },
              "live_min_bars": 0,
              "providers": { "finnhub": { "api_key": "{{wrong}}", "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } },
              "output": { "dir": "{{Path.Combine(_dir, "run").Replace("\\", "/", StringComparison.Ordinal)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync("live", "--config", config);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("refused the API key", r.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, r.StdOut + r.StdErr, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_dir, "run")))
        {
            Assert.DoesNotContain(wrong, File.ReadAllText(file), StringComparison.Ordinal);
        }

        Assert.Contains("authentication_failed", File.ReadAllText(Path.Combine(_dir, "run", "summary.json")), StringComparison.Ordinal);
    }
}

/// <summary>
/// Ctrl+C / SIGTERM on the real process: a graceful stop writes the results. (A second Ctrl+C exiting at once is
/// <see cref="ShutdownSignalsTests"/>: two signals to a process race its graceful stop, which can end first.)
/// </summary>
public sealed class LiveSignalTests : IDisposable
{
    private const string Key = "fake-finnhub-key";
    private readonly string _dir = Directory.CreateTempSubdirectory("sl-livesig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (CliProcess Process, string Output) Start(FakeFinnhubServer server, string? output = null)
    {
        output ??= Path.Combine(_dir, "run-" + Guid.NewGuid().ToString("N")[..6]);
        var config = Path.Combine(_dir, Path.GetFileName(output) + "-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        File.WriteAllText(config, $$"""
            { "mode": "live", "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1s" },
              "live_min_bars": 0, "market_hours": { "bar_sync_buffer_seconds": 0.2 },
              "providers": { "finnhub": { "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}" } },
              "output": { "dir": "{{output.Replace("\\", "/", StringComparison.Ordinal)}}" } }
            """);
        var process = CliProcess.Start(["live", "--config", config], new Dictionary<string, string> { ["FINNHUB_API_KEY"] = Key });
        return (process, output);
    }

    /// <summary>
    /// Waits for the exit after a signal; on a timeout the failure carries the process's output and the run log's last
    /// events (a stop that never ends under a loaded machine must say where it stood).
    /// </summary>
    private static async Task<int> WaitForExit(CliProcess process, string output)
    {
        try
        {
            return await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            var log = Path.Combine(output, "log.jsonl");
            var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(15)) : "(no log.jsonl)";
            throw new TimeoutException($"{e.Message}\nlog.jsonl, last events:\n{tail}", e);
        }
    }

    private static async Task WaitForCycles(string output)
    {
        var log = Path.Combine(output, "log.jsonl");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(File.Exists(log) && File.ReadAllText(log).Contains("\"liveMode.cycle\"", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the live run never cycled");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task OneSignal_StopsGracefully_AndWritesTheResults(string signal)
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key] }, TestContext.Current.CancellationToken);
        await using var walk = server.StartRandomWalk(new FakeRandomWalk("BINANCE:BTCUSDT", 42_000m, PrintsPerSecond: 10));
        var (process, output) = Start(server);
        using (process)
        {
            await WaitForCycles(output);
            process.Signal(signal);
            Assert.True(await WaitForExit(process, output) == 0, process.ToString());
        }

        var summary = File.ReadAllText(Path.Combine(output, "summary.json"));
        Assert.Contains("\"stop_reason\": \"cancelled\"", summary, StringComparison.Ordinal);
        Assert.Contains("liveMode.disconnected", File.ReadAllText(Path.Combine(output, "log.jsonl")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterKillMinusNine_TheSameOutputDir_GoesToANewFolder_AndTheKilledRunsFilesStay()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key] }, TestContext.Current.CancellationToken);
        await using var walk = server.StartRandomWalk(new FakeRandomWalk("BINANCE:BTCUSDT", 42_000m, PrintsPerSecond: 10));
        var (first, output) = Start(server);
        using (first)
        {
            await WaitForCycles(output);
            first.Signal("KILL");
            await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
        }

        var killed = Directory.EnumerateFiles(output).ToDictionary(f => f, File.ReadAllBytes, StringComparer.Ordinal);
        Assert.False(File.Exists(Path.Combine(output, "summary.json")));

        var (second, _) = Start(server, output);
        using (second)
        {
            await WaitForCycles(output + "-2");
            second.Signal("TERM");
            Assert.True(await WaitForExit(second, output + "-2") == 0, second.ToString());
        }

        Assert.True(File.Exists(Path.Combine(output + "-2", "summary.json")));
        Assert.Equal(killed.Keys.Order(StringComparer.Ordinal), Directory.EnumerateFiles(output).Order(StringComparer.Ordinal));
        Assert.All(killed, f => Assert.True(f.Value.AsSpan().SequenceEqual(File.ReadAllBytes(f.Key)), $"{f.Key} was changed by the second run"));
    }
}

