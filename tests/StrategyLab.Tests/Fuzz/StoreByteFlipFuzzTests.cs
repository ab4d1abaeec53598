using System.Globalization;
using System.Text;
using CsCheck;

namespace StrategyLab.Tests.Fuzz;

/// <summary>
/// Family 4: a small Parquet store written by the real import (one session of SPY minutes), copied, with random bytes
/// flipped in its partition file (anywhere, or in the footer), then <c>data info &lt;store&gt; --json</c> and a
/// <c>backtest --json</c> on it, in-process. Silent wrong bars (issue 10 #10) are the store's checksum's business;
/// this family checks that no flip crashes the CLI.
/// </summary>
public sealed class StoreByteFlipFuzzTests : IDisposable
{
    private const long BoundedCases = 80;

    /// <summary>
    /// Failures inside the store reader (src/StrategyLab.Data/Store, Parquet.Net), owned by the Parquet-store work of
    /// issue 10 (#4, #10): the test skips while they are the only findings. Delete an entry once its fix is merged.
    /// </summary>
    private static readonly Dictionary<string, string> KnownFailures = new(StringComparer.Ordinal);

    private readonly string _dir = Directory.CreateTempSubdirectory("sl-fuzz-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Flips: (position, xor mask) pairs; a position is a fraction of the file, or an offset from its end.</summary>
    private static readonly Gen<(bool FromEnd, int Position, byte Mask)[]> Flips =
        Gen.Select(Gen.Bool, Gen.Int[0, int.MaxValue], Gen.Byte.Where(b => b != 0)).Array[1, 4];

    private async Task<string> WriteStoreAsync()
    {
        var csv = new StringBuilder("time,open,high,low,close,volume\n");
        var start = new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc);
        for (var i = 0; i < 390; i++)
        {
            var p = 470m + (i % 13 * 0.37m) - (i % 5 * 0.11m);
            csv.Append(CultureInfo.InvariantCulture, $"{start.AddMinutes(i):yyyy-MM-dd'T'HH:mm:ss'Z'},{p},{p + 0.4m},{p - 0.3m},{p + 0.1m},{1000 + (i * 7)}\n");
        }

        var file = Path.Combine(_dir, "SPY.csv");
        await File.WriteAllTextAsync(file, csv.ToString(), TestContext.Current.CancellationToken);
        var store = Path.Combine(_dir, "store");
        var r = await FuzzHarness.RunCliAsync(["data", "import", file, "--symbol", "SPY", "--timeframe", "1m", "--out", store, "--quiet"]);
        Assert.True(r.ExitCode == 0 && r.Escaped is null, r.StdErr + r.StdOut + r.Escaped);
        return store;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// The flips that made <c>data info</c> spin forever inside Parquet.Net's footer parser: the checksum is now verified
    /// before the footer is parsed, so the damage is reported instead.
    /// </summary>
    [Fact]
    public async Task TheFooterFlipsThatHungDataInfo_AreACorruptPartitionError()
    {
        var store = await WriteStoreAsync();
        var path = Path.Combine(store, "1m", "SPY", "2024.parquet");
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);

        // The hang was found on a monthly file of 23,343 bytes with these three flips (two in the footer); the same
        // places relative to the end of the yearly file's footer.
        var shift = bytes.Length - 23343;
        bytes[13836 + shift] = 0x72;
        bytes[23316 + shift] = 0x6D;
        bytes[23334 + shift] = 0xE6;
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var r = await FuzzHarness.RunCliAsync(["data", "info", store, "--json"]);

        Assert.True(r.ExitCode == 2, r.StdErr + r.StdOut);
        Assert.Contains("corrupt partition", r.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlippedPartitionBytes_ThroughDataInfoAndBacktest_NeverCrash()
    {
        var store = await WriteStoreAsync();
        var partition = Path.Combine("1m", "SPY", "2024.parquet");
        var original = await File.ReadAllBytesAsync(Path.Combine(store, partition), TestContext.Current.CancellationToken);
        var findings = new FuzzFindings("parquet byte flips");
        var next = 0;
        await Flips.SampleAsync(
            async flips =>
            {
                var n = Interlocked.Increment(ref next);
                var caseDir = Path.Combine(_dir, n.ToString(CultureInfo.InvariantCulture));
                var copy = Path.Combine(caseDir, "store");
                try
                {
                    CopyTree(store, copy);
                    var bytes = (byte[])original.Clone();
                    var described = new List<string>();
                    foreach (var (fromEnd, position, mask) in flips)
                    {
                        // From the end: within the footer and its length/magic (the last 1 KiB).
                        var at = fromEnd ? bytes.Length - 1 - (position % Math.Min(1024, bytes.Length)) : position % bytes.Length;
                        bytes[at] ^= mask;
                        described.Add(string.Create(CultureInfo.InvariantCulture, $"byte {at} of {bytes.Length} ^= 0x{mask:X2}"));
                    }

                    await File.WriteAllBytesAsync(Path.Combine(copy, partition), bytes, TestContext.Current.CancellationToken);
                    var input = string.Join("; ", described);

                    var info = await FuzzHarness.RunCliAsync(["data", "info", copy, "--json"], TimeSpan.FromSeconds(30));
                    if (FuzzHarness.Check(info, json: true) is { } f1)
                    {
                        findings.Add("data info: " + f1, input, info.StdErr + info.StdOut);
                    }

                    var run = await FuzzHarness.RunCliAsync(
                    [
                        "backtest", "--json", "--quiet", "--out", Path.Combine(caseDir, "run"),
                        "--param", "opening_range_minutes=5", "--from", "2024-01-02", "--to", "2024-01-02", "--symbols", "SPY",
                        "--config", await ConfigAsync(caseDir, copy),
                    ],
                    TimeSpan.FromSeconds(30));
                    if (FuzzHarness.Check(run, json: true) is { } f2)
                    {
                        findings.Add("backtest: " + f2, input, run.StdErr + run.StdOut);
                    }

                    findings.CountCase();
                }
                finally
                {
                    Directory.Delete(caseDir, recursive: true);
                }
            },
            iter: FuzzHarness.Cases(BoundedCases),
            threads: 2);
        findings.AssertNone(KnownFailures);
    }

    private static async Task<string> ConfigAsync(string caseDir, string store)
    {
        var config = Path.Combine(caseDir, "run.json");
        await File.WriteAllTextAsync(
            config,
            $$"""{ "data": { "provider": "store", "path": {{System.Text.Json.JsonSerializer.Serialize(store)}} }, "output": { "report": false } }""",
            TestContext.Current.CancellationToken);
        return config;
    }
}
