using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Golden;

/// <summary>
/// Run folders stay byte-identical across performance work: each case's files are hashed and compared with
/// <c>run-folders.golden.json</c>, recorded from the build before issue 12 (faster writers, report from memory,
/// prefetched bars, the trading path). They were re-recorded once, when <c>output.equity</c> arrived: the only
/// differences from the first recording were that key's line in the configuration echo (summary.json, report.html),
/// checked file by file; the cases write <c>"equity": "cycle"</c> so equity.csv keeps one row per mark, and one case
/// keeps the backtest default (one row per session). The machine-specific parts are normalised first: the run folder's path (the
/// configuration echoes <c>output.dir</c>) and the build version (<c>0.1.0+commit</c>).
/// </summary>
/// <remarks>
/// A change that alters results on purpose re-records the file: <c>STRATEGYLAB_WRITE_GOLDEN=1 dotnet test --filter
/// RunFolderGoldenTests</c> (with ../shared present), then review the diff of the golden file in the commit: every
/// changed hash must be explained by the change.
/// </remarks>
public sealed partial class RunFolderGoldenTests : IDisposable
{
    private static readonly string GoldenFile = Path.Combine(TestPaths.RepoRoot, "tests", "StrategyLab.Tests", "Golden", "run-folders.golden.json");
    private static readonly Lock WriteLock = new();

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-golden-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The cases: name, whether it needs ../shared, the configuration (LEAN path filled in).</summary>
    public static TheoryData<string> Cases() => new(CaseConfigs.Keys);

    private static readonly Dictionary<string, (bool NeedsLean, string Config)> CaseConfigs = new()
    {
        ["synthetic_orb"] = (false, """
            { "data": { "from": "2024-01-02", "to": "2024-01-12" }, "output": { "equity": "cycle" } }
            """),
        ["synthetic_orb_equity_per_session"] = (false, """
            { "data": { "from": "2024-01-02", "to": "2024-01-12" } }
            """),
        ["synthetic_sma_fixed_qty"] = (false, """
            { "data": { "symbols": ["SYNA", "SYNB"], "from": "2024-01-02", "to": "2024-01-19" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } },
              "trade_manager": { "sizing": "fixed_qty", "quantity": 10 }, "exchange": { "commission": { "model": "zero" } }, "output": { "equity": "cycle" } }
            """),
        ["lean_sma_4_symbols_stop_take_profit"] = (true, """
            { "data": { "provider": "lean", "path": "<lean>", "symbols": ["SPY","AIG","BAC","IBM"], "timeframe": "1m", "from": "2013-10-07", "to": "2013-10-11" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 5, "slow": 20 } },
              "risk": { "stop_loss_pct": 0.5, "take_profit_pct": 1.0 }, "trade_manager": { "max_positions": 3 }, "output": { "equity": "cycle" } }
            """),
        ["lean_rsi_short_5m"] = (true, """
            { "data": { "provider": "lean", "path": "<lean>", "symbols": ["SPY","AAPL"], "timeframe": "5m", "from": "2013-10-07", "to": "2013-10-11" },
              "strategy": { "name": "rsi_reversion", "params": { "allow_short": true } }, "exchange": { "account": "margin" }, "output": { "equity": "cycle" } }
            """),
        ["lean_daily_raw_21_years"] = (true, """
            { "data": { "provider": "lean", "path": "<lean>", "symbols": ["SPY","AAPL","IBM"], "timeframe": "1d", "from": "2000-01-01", "to": "2020-12-31", "adjustment": "raw" },
              "strategy": { "name": "sma_crossover", "params": { "fast": 10, "slow": 50 } },
              "trade_manager": { "sizing": "percent_equity", "position_size_pct": 30, "max_positions": 3 }, "exchange": { "initial_cash": 100000 }, "output": { "equity": "cycle" } }
            """),
        ["lean_orb_minute_bars_csv"] = (true, """
            { "data": { "provider": "lean", "path": "<lean>", "symbols": ["SPY","GOOG"], "timeframe": "1m" },
              "strategy": { "name": "orb" }, "output": { "bars_csv": true, "equity": "cycle" } }
            """),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RunFolder_IsByteIdenticalToTheGolden(string name)
    {
        var (needsLean, config) = CaseConfigs[name];
        if (needsLean)
        {
            config = config.Replace("<lean>", TestPaths.RequireLean().Replace("\\", "/", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        var configPath = Path.Combine(_dir, name + ".json");
        File.WriteAllText(configPath, config);
        var outDir = Path.Combine(_dir, name);
        var r = await CliRunner.RunInProcessAsync("backtest", "--config", configPath, "--out", outDir, "--quiet");
        Assert.True(r.ExitCode == 0, r.ToString());

        var actual = HashFolder(outDir, _dir);
        if (Environment.GetEnvironmentVariable("STRATEGYLAB_WRITE_GOLDEN") == "1")
        {
            Record(name, actual);
            return;
        }

        Assert.True(File.Exists(GoldenFile), $"{GoldenFile} is missing; record it with STRATEGYLAB_WRITE_GOLDEN=1.");
        var golden = JsonNode.Parse(File.ReadAllText(GoldenFile))!.AsObject();
        Assert.True(golden.ContainsKey(name), $"no golden for case {name}; record it with STRATEGYLAB_WRITE_GOLDEN=1.");
        var expected = golden[name]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        var differences = expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal)
            .Where(f => !expected.TryGetValue(f, out var e) || !actual.TryGetValue(f, out var a) || e != a)
            .Select(f => $"{f}: golden {expected.GetValueOrDefault(f, "(absent)")[..Math.Min(12, expected.GetValueOrDefault(f, "(absent)").Length)]}, now {actual.GetValueOrDefault(f, "(absent)")[..Math.Min(12, actual.GetValueOrDefault(f, "(absent)").Length)]}")
            .ToList();
        Assert.True(differences.Count == 0, $"case {name}: run folder differs from the golden ({outDir}):\n" + string.Join("\n", differences));
    }

    /// <summary>SHA-256 of each file of the folder after normalising the machine's paths and the build version.</summary>
    private static Dictionary<string, string> HashFolder(string folder, string temp)
    {
        var lean = TestPaths.LeanDir.Replace("\\", "/", StringComparison.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file, Encoding.UTF8)
                .Replace(folder.Replace("\\", "/", StringComparison.Ordinal), "<run>", StringComparison.Ordinal)
                .Replace(folder, "<run>", StringComparison.Ordinal)
                .Replace(temp.Replace("\\", "/", StringComparison.Ordinal), "<tmp>", StringComparison.Ordinal)
                .Replace(lean, "<lean>", StringComparison.Ordinal);
            text = Version().Replace(text, "<version>");
            hashes[Path.GetFileName(file)] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        }

        return hashes;
    }

    private static void Record(string name, Dictionary<string, string> hashes)
    {
        lock (WriteLock)
        {
            var golden = File.Exists(GoldenFile) ? JsonNode.Parse(File.ReadAllText(GoldenFile))!.AsObject() : [];
            var entry = new JsonObject();
            foreach (var (file, hash) in hashes.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                entry[file] = hash;
            }

            golden[name] = entry;
            var sorted = new JsonObject();
            foreach (var key in golden.Select(p => p.Key).Order(StringComparer.Ordinal).ToList())
            {
                sorted[key] = golden[key]!.DeepClone();
            }

            File.WriteAllText(GoldenFile, sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }
    }

    [GeneratedRegex(@"0\.1\.0\+[0-9a-f]{7,40}")]
    private static partial Regex Version();
}
