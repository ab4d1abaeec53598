using System.Text.Json;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>One cache folder for every test of user strategies (the cache is read from the environment).</summary>
public sealed class UserStrategyCacheFixture : IDisposable
{
    public UserStrategyCacheFixture()
    {
        Environment.SetEnvironmentVariable("STRATEGYLAB_CACHE", CacheDirectory);
    }

    public string CacheDirectory { get; } = Directory.CreateTempSubdirectory("sl-cache-").FullName;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("STRATEGYLAB_CACHE", null);
        Directory.Delete(CacheDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class UserStrategyCollection : ICollectionFixture<UserStrategyCacheFixture>
{
    public const string Name = "user strategies";
}

/// <summary>Strategies written by a user, outside the repository, run through the CLI.</summary>
[Collection(UserStrategyCollection.Name)]
public sealed class UserStrategyCliTests(UserStrategyCacheFixture cache) : IDisposable
{
    /// <summary>Enters every 30th bar of a symbol and exits 15 bars later: trades on any data.</summary>
    internal const string Toggle = """
        using StrategyLab.Core.Domain;
        using StrategyLab.Core.Strategies;

        namespace MyStrategies;

        [Strategy("toggle", Description = "Enters on every 30th bar of a symbol, exits 15 bars later.")]
        public sealed class Toggle : IStrategy
        {
            private readonly Dictionary<Symbol, int> _count = [];

            public void OnBar(in Bar bar, IStrategyContext context)
            {
                var n = _count.TryGetValue(bar.Symbol, out var c) ? c + 1 : 1;
                _count[bar.Symbol] = n;
                if (n % 30 == 0)
                {
                    context.EnterLong(bar.Symbol, "toggle_in");
                }
                else if (n % 30 == 15)
                {
                    context.Exit(bar.Symbol, "toggle_out");
                }
            }
        }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-user-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task SourceFileOutsideTheRepo_BacktestsOnTheSyntheticDefault_WithTrades()
    {
        var file = Write("strategies/Toggle.cs", Toggle);
        var outDir = Path.Combine(_dir, "run");
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", file, "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.ReadAllLines(Path.Combine(outDir, "trades.csv")).Length > 2, "no trades");
        Assert.Contains("toggle_in", File.ReadAllText(Path.Combine(outDir, "orders.csv")), StringComparison.Ordinal);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var strategy = FindStrategyEcho(summary.RootElement);
        Assert.Equal("toggle", strategy.GetProperty("name").GetString());
        var origin = strategy.GetProperty("origin");
        Assert.Equal("source", origin.GetProperty("kind").GetString());
        Assert.Equal(file, origin.GetProperty("files")[0].GetString());
        Assert.Equal(64, origin.GetProperty("hash").GetString()!.Length);
    }

    [Fact]
    public async Task DeclaredParameters_BindWithTheBuiltInsStrictness_AndAreEchoed()
    {
        var file = Write("Periodic.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            [Strategy("periodic", Description = "Enters every Period bars, exits half-way.")]
            public sealed class Periodic : IStrategy
            {
                private int _bars;

                [Parameter("Bars between entries.", Minimum = 2, Maximum = 1000)]
                public int Period { get; set; } = 30;

                public void OnBar(in Bar bar, IStrategyContext context)
                {
                    _bars++;
                    if (_bars % Period == 0) context.EnterLong(bar.Symbol);
                    else if (_bars % Period == Period / 2) context.Exit(bar.Symbol);
                }
            }
            """);
        var outDir = Path.Combine(_dir, "p");
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", file, "--param", "period=40", "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))))
        {
            Assert.Equal(40, FindStrategyEcho(summary.RootElement).GetProperty("params").GetProperty("period").GetInt32());
        }

        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", file, "--param", "period=1", "--out", Path.Combine(_dir, "p1"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.params.period", r.StdErr, StringComparison.Ordinal);
        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", file, "--param", "perio=5", "--out", Path.Combine(_dir, "p2"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.params.perio", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AThrowingConstructorOrValidation_IsReportedWithTheUsersLine()
    {
        var ctor = Write("Ctor.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            public sealed class Ctor : IStrategy
            {
                private readonly int[] _table = new int[int.Parse("x")];

                public void OnBar(in Bar bar, IStrategyContext context) { }
            }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", ctor, "--out", Path.Combine(_dir, "ctor"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("FormatException", r.StdErr, StringComparison.Ordinal);
        Assert.Contains($"{ctor}(6,", r.StdErr, StringComparison.Ordinal);

        var validate = Write("Validate.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            public sealed class Validate : IStrategy
            {
                public void ValidateParameters(StrategySetup setup)
                {
                    _ = int.Parse(setup.Symbols[0].Ticker, System.Globalization.CultureInfo.InvariantCulture);
                }

                public void OnBar(in Bar bar, IStrategyContext context) { }
            }
            """);
        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", validate, "--out", Path.Combine(_dir, "validate"), "--quiet");
        Assert.Equal(1, r.ExitCode);
        Assert.True(r.StdErr.Contains($"strategy 'Validate' failed in ValidateParameters at {validate}(8,9): FormatException", StringComparison.Ordinal), r.StdErr);
    }

    [Fact]
    public async Task ConfigRelativeSource_AFolderOfTwoFiles_CompilesTogether()
    {
        Write("proj/strategies/A_Helper.cs", """
            namespace MyStrategies;

            internal static class Every
            {
                public static bool Nth(int count, int n) => count % n == 0;
            }
            """);
        Write("proj/strategies/B_Strategy.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            namespace MyStrategies;

            public sealed class EveryTwenty : IStrategy
            {
                private int _bars;

                public void OnBar(in Bar bar, IStrategyContext context)
                {
                    _bars++;
                    if (Every.Nth(_bars, 40)) context.EnterLong(bar.Symbol);
                    else if (Every.Nth(_bars + 20, 40)) context.Exit(bar.Symbol);
                }
            }
            """);
        var outDir = Path.Combine(_dir, "run2");
        var config = Write("proj/run.json", $$"""
            { "strategy": { "source": "strategies" }, "output": { "dir": "{{Slash(outDir)}}" } }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", config, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.ReadAllLines(Path.Combine(outDir, "trades.csv")).Length > 2, "no trades");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var strategy = FindStrategyEcho(summary.RootElement);
        Assert.Equal("EveryTwenty", strategy.GetProperty("name").GetString());
        var files = strategy.GetProperty("origin").GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray();
        Assert.Equal([Path.Combine("strategies", "A_Helper.cs"), Path.Combine("strategies", "B_Strategy.cs")], files);
    }

    [Fact]
    public async Task CompileErrors_ExitTwo_OneLinePerErrorAsDotnetBuildPrintsThem()
    {
        var file = Write("Broken.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            public sealed class Broken : IStrategy
            {
                public void OnBar(in Bar bar, IStrategyContext context)
                {
                    context.EnterLong(bar.Symbol, undefinedName);
                    int x = "text";
                }
            }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", file, "--out", Path.Combine(_dir, "never"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        var lines = r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains($"{file}(8,39): error CS0103: The name 'undefinedName' does not exist in the current context", lines);
        Assert.Contains($"{file}(9,17): error CS0029: Cannot implicitly convert type 'string' to 'int'", lines);
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }

    [Fact]
    public async Task RuntimeError_ExitsOne_NamingStrategyCallbackAndLine_AndFlushesTheRunFolder()
    {
        var file = Write("Thrower.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            [Strategy("thrower")]
            public sealed class Thrower : IStrategy
            {
                private int _bars;

                public void OnBar(in Bar bar, IStrategyContext context)
                {
                    if (++_bars == 500)
                    {
                        throw new InvalidOperationException("bar 500 is cursed");
                    }

                    if (_bars == 10)
                    {
                        context.EnterLong(bar.Symbol);
                    }
                }
            }
            """);
        var outDir = Path.Combine(_dir, "err");
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", file, "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.True(r.StdErr.Contains($"strategy 'thrower' failed in OnBar at {file}(13,13): InvalidOperationException: bar 500 is cursed", StringComparison.Ordinal), r.StdErr);
        Assert.Contains(outDir, r.StdErr, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal("strategy_error", summary.RootElement.GetProperty("session").GetProperty("stop_reason").GetString());
        Assert.True(File.Exists(Path.Combine(outDir, "fills.csv")));
        Assert.True(File.ReadAllLines(Path.Combine(outDir, "fills.csv")).Length >= 2, "the fill before the error is recorded");
    }

    [Fact]
    public async Task ReplayOfTheSameFile_MakesTheBacktestsTrades_AndARuntimeErrorStopsIt()
    {
        var file = Write("Toggle.cs", Toggle);
        var backtest = Path.Combine(_dir, "bt");
        var replay = Path.Combine(_dir, "rp");
        string[] range = ["--from", "2024-01-02", "--to", "2024-01-03"];
        var b = await CliRunner.RunInProcessAsync(["backtest", "--strategy-source", file, "--out", backtest, "--quiet", .. range]);
        Assert.True(b.ExitCode == 0, b.ToString());
        var r = await CliRunner.RunInProcessAsync(["replay", "--strategy-source", file, "--speedup", "0", "--out", replay, "--quiet", .. range]);
        Assert.True(r.ExitCode == 0, r.ToString());
        var trades = File.ReadAllLines(Path.Combine(backtest, "trades.csv"));
        Assert.True(trades.Length > 2, "no trades");
        Assert.Equal(trades, File.ReadAllLines(Path.Combine(replay, "trades.csv")));

        var thrower = Write("ReplayThrower.cs", Toggle.Replace("context.Exit(bar.Symbol, \"toggle_out\");", "throw new ArgumentException(\"no exit today\");", StringComparison.Ordinal));
        var failed = Path.Combine(_dir, "rp-err");
        r = await CliRunner.RunInProcessAsync(["replay", "--strategy-source", thrower, "--speedup", "0", "--out", failed, "--quiet", .. range]);
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains($"strategy 'toggle' failed in OnBar at {thrower}(", r.StdErr, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(failed, "summary.json")));
        Assert.Equal("strategy_error", summary.RootElement.GetProperty("session").GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task MissingOrAmbiguousClass_ExitsTwoNamingStrategyName_AndListsWhatWasFound()
    {
        var two = Write("Two.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            [Strategy("first")]
            public sealed class First : IStrategy { public void OnBar(in Bar bar, IStrategyContext context) { } }

            public sealed class Second : IStrategy { public void OnBar(in Bar bar, IStrategyContext context) { } }
            """);
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", two, "--out", Path.Combine(_dir, "a"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.name", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("first (First)", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("Second", r.StdErr, StringComparison.Ordinal);

        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", two, "--strategy", "third", "--out", Path.Combine(_dir, "b"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.name: no strategy 'third'", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("first (First)", r.StdErr, StringComparison.Ordinal);

        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", two, "--strategy", "SECOND", "--out", Path.Combine(_dir, "c"), "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        var none = Write("None.cs", "public static class NotAStrategy { }");
        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", none, "--out", Path.Combine(_dir, "d"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.name", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("defines no strategy", r.StdErr, StringComparison.Ordinal);

        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-source", Path.Combine(_dir, "Missing.cs"), "--out", Path.Combine(_dir, "e"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.source", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondProcessRun_OfAnUnchangedFile_IsACacheHit()
    {
        // Separate processes: the in-process memo of loaded assemblies must not be what makes the second run a hit.
        var file = Write("Cached.cs", Toggle.Replace("toggle_in", "cached_in_" + Guid.NewGuid().ToString("N"), StringComparison.Ordinal));
        var env = new Dictionary<string, string> { ["STRATEGYLAB_CACHE"] = cache.CacheDirectory };
        string[] args = ["backtest", "--strategy-source", file, "--verbose", "--from", "2024-01-02", "--to", "2024-01-02"];
        var first = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "c1")], _dir, env);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("strategy.compiled", first.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("strategy.cache_hit", first.StdErr, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(cache.CacheDirectory, "strategies"), "*.dll"));

        var second = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "c2")], _dir, env);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("strategy.cache_hit", second.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("strategy.compiled", second.StdErr, StringComparison.Ordinal);

        File.AppendAllText(file, "\n// changed\n");
        var third = await CliRunner.RunProcessAsync([.. args, "--out", Path.Combine(_dir, "c3")], _dir, env);
        Assert.Contains("strategy.compiled", third.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClassLibrary_BuiltWithDotnetBuild_RunsAsAnAssemblyStrategy_WithItsPdbLines()
    {
        // The library references the engine's StrategyLab.Core.dll as built (the NuGet package route is separate).
        var core = Path.Combine(AppContext.BaseDirectory, "StrategyLab.Core.dll");
        Write("lib/MyStrategies.csproj", $$"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
              <ItemGroup><Reference Include="StrategyLab.Core"><HintPath>{{core}}</HintPath><Private>false</Private></Reference></ItemGroup>
            </Project>
            """);
        Write("lib/Toggle.cs", Toggle.Replace("[Strategy(\"toggle\"", "[Strategy(\"lib_toggle\"", StringComparison.Ordinal));
        Write("lib/Failing.cs", """
            using StrategyLab.Core.Domain;
            using StrategyLab.Core.Strategies;

            namespace MyStrategies;

            public sealed class Failing : IStrategy
            {
                public void Initialize(IStrategyContext context) => throw new NotSupportedException("not today");

                public void OnBar(in Bar bar, IStrategyContext context) { }
            }
            """);
        var build = await RunDotnetAsync(Path.Combine(_dir, "lib"), "build", "-c", "Release", "-o", "out");
        Assert.True(build.ExitCode == 0, build.ToString());
        var dll = Path.Combine(_dir, "lib", "out", "MyStrategies.dll");

        var outDir = Path.Combine(_dir, "lib-run");
        var r = await CliRunner.RunInProcessAsync("backtest", "--strategy-assembly", dll, "--strategy", "lib_toggle", "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.ReadAllLines(Path.Combine(outDir, "trades.csv")).Length > 2, "no trades");
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))))
        {
            var origin = FindStrategyEcho(summary.RootElement).GetProperty("origin");
            Assert.Equal("assembly", origin.GetProperty("kind").GetString());
            Assert.Equal(dll, origin.GetProperty("path").GetString());
        }

        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-assembly", dll, "--out", Path.Combine(_dir, "lib-two"), "--quiet");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("strategy.name", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("lib_toggle (MyStrategies.Toggle)", r.StdErr, StringComparison.Ordinal);

        r = await CliRunner.RunInProcessAsync("backtest", "--strategy-assembly", dll, "--strategy", "Failing", "--out", Path.Combine(_dir, "lib-fail"), "--quiet");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.Contains($"strategy 'Failing' failed in Initialize at {Path.Combine(_dir, "lib", "Failing.cs")}(8,", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveCryptoOnTheFakeFinnhub_RunsTheSameFile()
    {
        const string key = "fake-finnhub-key";
        await using var server = await StrategyLab.FakeServers.Finnhub.FakeFinnhubServer.StartAsync(
            new StrategyLab.FakeServers.Finnhub.FakeFinnhubOptions { ApiKeys = [key], PingInterval = TimeSpan.FromSeconds(5) },
            TestContext.Current.CancellationToken);
        await using var walk = server.StartRandomWalk(new StrategyLab.FakeServers.Finnhub.FakeRandomWalk("BINANCE:BTCUSDT", 42_000m, PrintsPerSecond: 20, Seed: 5));
        var file = Write("live/Toggle.cs", Toggle.Replace("% 30 == 0", "% 2 == 0", StringComparison.Ordinal).Replace("% 30 == 15", "% 2 == 1", StringComparison.Ordinal));
        var output = Path.Combine(_dir, "live-run");
        // No auto_stop_at: a fixed wall-clock stop is a race with the compile and the start on a loaded machine. The run
        // goes on until its log shows a fill, then stops on SIGTERM as a user's would.
        var config = Write("live/run.json", $$"""
            { "mode": "live",
              "data": { "provider": "finnhub", "symbols": ["BINANCE:BTCUSDT"], "timeframe": "1s" },
              "strategy": { "source": "Toggle.cs" },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 0.01 },
              "live_min_bars": 0, "live_warmup_cycles": 0,
              "market_hours": { "bar_sync_buffer_seconds": 0.2 },
              "providers": { "finnhub": { "ws_url": "{{server.WsUrl}}", "rest_url": "{{server.RestUrl}}", "late_grace_seconds": 0.1 } },
              "output": { "dir": "{{Slash(output)}}" } }
            """);
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _dir };
        foreach (var a in new[] { CliRunner.CliDllPath, "live", "--config", config })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["FINNHUB_API_KEY"] = key;
        psi.Environment["STRATEGYLAB_CACHE"] = cache.CacheDirectory;
        using (var process = System.Diagnostics.Process.Start(psi)!)
        {
            var stderr = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                var log = Path.Combine(output, "log.jsonl");
                var deadline = DateTime.UtcNow.AddSeconds(120);
                while (!(File.Exists(log) && File.ReadAllText(log).Contains("\"order.filled\"", StringComparison.Ordinal)))
                {
                    Assert.False(process.HasExited, "the live run exited before a fill: " + stderr);
                    Assert.True(DateTime.UtcNow < deadline, "no fill within 120 s: " + stderr);
                    await Task.Delay(200, TestContext.Current.CancellationToken);
                }

                System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, "exit " + process.ExitCode + ": " + stderr);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
        }

        Assert.Contains("toggle_in", File.ReadAllText(Path.Combine(output, "orders.csv")), StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "summary.json")));
        Assert.Equal("source", FindStrategyEcho(summary.RootElement).GetProperty("origin").GetProperty("kind").GetString());
    }

    internal static async Task<CliResult> RunDotnetAsync(string workingDirectory, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static JsonElement FindStrategyEcho(JsonElement summary)
    {
        foreach (var p in summary.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("strategy", out var s) && s.ValueKind == JsonValueKind.Object)
            {
                return s;
            }
        }

        throw new InvalidOperationException("summary.json has no configuration echo with a strategy: " + summary.GetRawText());
    }

    private static string Slash(string path) => path.Replace("\\", "/", StringComparison.Ordinal);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
