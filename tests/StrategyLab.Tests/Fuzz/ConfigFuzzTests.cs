using System.Globalization;
using System.Text;
using CsCheck;

namespace StrategyLab.Tests.Fuzz;

/// <summary>
/// Family 2: generated run configurations (keys from the real key set of docs/configuration.md and a few unknown ones,
/// values of the right and wrong types, nesting, duplicate keys, broken JSON) through <c>backtest --config f --json</c>
/// on a one-day synthetic range. Every config carries an API key that must never show in any output.
/// </summary>
public sealed class ConfigFuzzTests : IDisposable
{
    private const long BoundedCases = 250;

    /// <summary>(section, key) of every documented key; "" is the top level. Nested keys are written "a.b".</summary>
    private static readonly (string Section, string Key)[] Keys =
    [
        ("", "mode"), ("", "live_mode"), ("", "replay.enabled"), ("", "speedup"), ("", "polling_seconds"), ("", "live_min_bars"),
        ("", "live_warmup_cycles"), ("", "auto_stop_at"), ("", "unknown_key"),
        ("data", "provider"), ("data", "path"), ("data", "symbols"), ("data", "timeframe"), ("data", "source_timeframe"),
        ("data", "from"), ("data", "to"), ("data", "time_is"), ("data", "skip_bad_rows"), ("data", "asset_class"),
        ("data", "adjustment"), ("data", "seed"), ("data", "symbol"),
        ("strategy", "name"), ("strategy", "params"), ("strategy", "params.fast"), ("strategy", "params.slow"),
        ("strategy", "params.period"), ("strategy", "params.oversold"), ("strategy", "params.overbought"),
        ("strategy", "params.exit_level"), ("strategy", "params.allow_short"), ("strategy", "params.opening_range_minutes"),
        ("strategy", "params.flatten_minutes_before_close"), ("strategy", "params.bogus"),
        ("risk", "stop_loss_pct"), ("risk", "take_profit_pct"), ("risk", "trailing_stop_pct"), ("risk", "daily_loss_limit_pct"),
        ("trade_manager", "sizing"), ("trade_manager", "position_size_pct"), ("trade_manager", "quantity"),
        ("trade_manager", "notional"), ("trade_manager", "max_positions"),
        ("exchange", "initial_cash"), ("exchange", "commission.model"), ("exchange", "commission.per_share"),
        ("exchange", "commission.minimum"), ("exchange", "commission.max_percent"), ("exchange", "commission.percent"),
        ("exchange", "slippage_bps"), ("exchange", "max_volume_pct"), ("exchange", "account"), ("exchange", "margin_leverage"),
        ("exchange", "orders_at_close"), ("exchange", "commission"),
        ("market_hours", "calendar"), ("market_hours", "extended_hours"), ("market_hours", "when_closed"),
        ("market_hours", "stop_entries_minutes_before_close"), ("market_hours", "bar_sync_buffer_seconds"),
        ("instruments", "SYNA.price_increment"), ("instruments", "SYNA.quantity_step"), ("instruments", "SPY"),
        ("engine", "close_positions_at_end"), ("engine", "history_bars"), ("engine", "cancel_orders_on_stop"),
        ("output", "bars_csv"), ("output", "report"), ("output", "dir"), ("output", "equity"),
        ("providers", "finnhub.silence_timeout_seconds"), ("providers", "polygon.late_grace_seconds"),
    ];

    /// <summary>Enumeration values of every key, and near misses.</summary>
    private static readonly string[] Words =
    [
        "backtest", "replay", "live", "synthetic", "csv", "lean", "store", "finnhub", "polygon", "orb", "sma_crossover",
        "rsi_reversion", "cycle", "session", "percent_equity", "fixed_qty", "fixed_notional", "per_share", "percent", "zero", "cash", "margin",
        "next_open", "expire", "auto", "NYSE", "24/7", "wait", "exit", "raw", "split_adjusted", "adjusted", "start", "end",
        "equity", "crypto", "1s", "5s", "1m", "2m", "5m", "1h", "4h", "1d", "1w", "1mo", "1M", "1 m", "0m", "-1m", "15:55",
        "25:99", "2024-01-02T15:55:00-05:00", "2024-01-02", "2024-01-03", "2024-01-06", "2023-12-25", "2024-02-30", "SPY",
        "SYNA", "BTC-USD", "BINANCE:BTCUSDT", "", " ", "ORB", "runs/{timestamp}", "{strategy}", "/dev/null", "\u001b[31mred",
        "a\u0007b", "a\u0000b", "abc", "NaN", "Infinity", "1e20", "true", "null", new string('x', 2000),
    ];

    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "2", "3", "5", "14", "30", "70", "0.5", "2.5", "99.9", "100", "101", "1000", "25000", "100000",
        "1e20", "-1e20", "1e308", "1e309", "-1e400", "1e-30", "0.0000001", "9223372036854775807", "9223372036854775808",
        "79228162514264337593543950336", "1.0000000000000000000000000000001", "12345678901234567890",
    ];

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (4, Gen.OneOfConst(Words).Select(w => System.Text.Json.JsonSerializer.Serialize(w))),
        (4, Gen.OneOfConst(Numbers)),
        (1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0")),
        (1, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        (2, Gen.OneOfConst("true", "false", "null")));

    /// <summary>A JSON value: mostly scalars, sometimes arrays and objects (nested).</summary>
    private static readonly Gen<string> Value = Gen.Recursive<string>((depth, self) => depth >= 3
        ? Scalar
        : Gen.Frequency(
            (8, Scalar),
            (1, self.Array[0, 3].Select(a => "[" + string.Join(',', a) + "]")),
            (1, Gen.Select(Gen.OneOfConst(Keys).Array[0, 3], self.Array[3])
                .Select((k, v) => "{" + string.Join(',', k.Select((p, i) => $"\"{p.Key.Split('.')[^1]}\":{v[i]}")) + "}"))));

    /// <summary>The config text and the entries it was made of.</summary>
    private static readonly Gen<string> Configs =
        Gen.Select(Gen.Select(Gen.OneOfConst(Keys), Value).Array[0, 8], Gen.Int[0, 19], Gen.Int[0, 1000])
        .Select((entries, damage, cut) =>
        {
            var all = new List<(string Section, string Key, string Value)>
            {
                ("data", "from", "\"2024-01-02\""),
                ("data", "to", "\"2024-01-02\""),
                ("output", "report", "false"),
                ("providers", "finnhub.api_key", $"\"{FuzzHarness.Secret}\""),
                ("providers", "polygon.api_key", $"\"{FuzzHarness.Secret}\""),
                ("providers", "finnhub.rest_url", "\"http://127.0.0.1:9\""),
                ("providers", "polygon.rest_url", "\"http://127.0.0.1:9\""),
                ("providers", "finnhub.ws_url", "\"ws://127.0.0.1:9\""),
                ("providers", "polygon.ws_url", "\"ws://127.0.0.1:9\""),
            };
            foreach (var ((section, key), value) in entries)
            {
                if (damage != 0)
                {
                    all.RemoveAll(e => e.Section == section && e.Key == key && !e.Key.EndsWith("api_key", StringComparison.Ordinal));
                }

                all.Add((section, key, value)); // with damage 0 a base key may come twice: a duplicate
            }

            var text = Render(all);
            return damage switch
            {
                1 => text[..(cut % text.Length)], // truncated
                2 => text + "\n{}", // trailing content
                3 => "[" + text + "]", // not an object
                4 => text.Replace("{", "{ // comment\n", StringComparison.Ordinal), // comments
                5 => text.Replace("}", ",}", StringComparison.Ordinal), // trailing commas
                _ => text,
            };
        });

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-fuzz-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Render(List<(string Section, string Key, string Value)> entries)
    {
        // section → inner object (possibly one level more, "commission.model") written as text, keeping duplicates.
        var sb = new StringBuilder("{");
        var firstSection = true;
        foreach (var section in entries.Select(e => e.Section).Distinct(StringComparer.Ordinal))
        {
            var inSection = entries.Where(e => e.Section == section).ToList();
            var body = RenderObject(inSection.Select(e => (e.Key, e.Value)).ToList());
            if (section.Length == 0)
            {
                body = body[1..^1];
                if (body.Length == 0)
                {
                    continue;
                }
            }

            sb.Append(firstSection ? string.Empty : ",").Append(section.Length == 0 ? body : $"\"{section}\":{body}");
            firstSection = false;
        }

        return sb.Append('}').ToString();
    }

    private static string RenderObject(List<(string Key, string Value)> entries)
    {
        var parts = new List<string>();
        foreach (var head in entries.Select(e => e.Key.Split('.')[0]).Distinct(StringComparer.Ordinal))
        {
            var direct = entries.Where(e => e.Key == head).Select(e => $"\"{head}\":{e.Value}");
            var nested = entries.Where(e => e.Key.StartsWith(head + ".", StringComparison.Ordinal)).Select(e => (e.Key[(head.Length + 1)..], e.Value)).ToList();
            parts.AddRange(direct);
            if (nested.Count > 0)
            {
                parts.Add($"\"{head}\":{RenderObject(nested)}");
            }
        }

        return "{" + string.Join(',', parts) + "}";
    }

    [Fact]
    public async Task Configs_ThroughBacktest_NeverCrash_NeverLeakTheKey()
    {
        var findings = new FuzzFindings("config");
        var next = 0;
        await Configs.SampleAsync(
            async text =>
            {
                var n = Interlocked.Increment(ref next);
                var dir = Directory.CreateDirectory(Path.Combine(_dir, n.ToString(CultureInfo.InvariantCulture))).FullName;
                try
                {
                    var config = Path.Combine(dir, "run.json");
                    await File.WriteAllTextAsync(config, text, TestContext.Current.CancellationToken);
                    var run = await FuzzHarness.RunCliAsync(
                        ["backtest", "--config", config, "--json", "--quiet", "--out", Path.Combine(dir, "run")], TimeSpan.FromSeconds(30));
                    if (FuzzHarness.Check(run, json: true) is { } failure)
                    {
                        findings.Add(failure, text, run.StdErr + run.StdOut);
                    }

                    findings.CountCase();
                }
                finally
                {
                    Directory.Delete(dir, recursive: true);
                }
            },
            iter: FuzzHarness.Cases(BoundedCases),
            threads: 2);
        findings.AssertNone();
    }
}
