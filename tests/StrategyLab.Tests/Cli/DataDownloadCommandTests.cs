using StrategyLab.Core.Domain;
using StrategyLab.Data.Store;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Tests.Data;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// <c>strategylab data download --provider polygon</c> end to end, in process, against the fake Polygon server: the store
/// it writes, resuming (only missing trading days are fetched, asserted on the server's request log), errors and secrets.
/// </summary>
public sealed class DataDownloadCommandTests
{
    private const string Key = "pk_Download+Key/9=z";

    private static readonly DateOnly[] Week = [new(2024, 3, 4), new(2024, 3, 5), new(2024, 3, 6), new(2024, 3, 7), new(2024, 3, 8)];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Five bars per ticker and day (EST, New York = UTC-5): 08:00 pre-market (13:00Z), 09:30, 09:31, 09:32 (14:30Z..),
    /// 16:30 after hours (21:30Z). Prices differ by ticker, day and minute.
    /// </summary>
    private static List<FakeAggregate> Script(string ticker, DateOnly day, decimal basePrice)
    {
        var midnightUtc = day.ToDateTime(new TimeOnly(5, 0), DateTimeKind.Utc);
        var minutes = new[] { 8 * 60, (9 * 60) + 30, (9 * 60) + 31, (9 * 60) + 32, (16 * 60) + 30 };
        var bars = new List<FakeAggregate>();
        for (var i = 0; i < minutes.Length; i++)
        {
            var start = (long)(midnightUtc.AddMinutes(minutes[i]) - DateTime.UnixEpoch).TotalMilliseconds;
            var open = basePrice + day.Day + (i * 0.25m);
            bars.Add(new FakeAggregate(ticker, start, start + 60_000, open, open + 0.5m, open - 0.5m, open + 0.1m, 100m + i, open + 0.05m, 3 + i));
        }

        return bars;
    }

    private static async Task<FakePolygonServer> StartServerAsync(IEnumerable<DateOnly> days, IReadOnlyCollection<string>? keys = null)
    {
        var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = keys ?? [Key], RequestsPerMinute = 0 }, Ct);
        foreach (var day in days)
        {
            server.Tape.AddMinuteBars(Script("AAPL", day, 180m));
            server.Tape.AddMinuteBars(Script("MSFT", day, 400m));
        }

        return server;
    }

    private static Task<CliResult> DownloadAsync(FakePolygonServer server, string store, string keyVariable, string to = "2024-03-08", params string[] extra) =>
        CliRunner.RunInProcessAsync([
            "data", "download", "--provider", "polygon", "--symbols", "AAPL,MSFT", "--timeframe", "1m",
            "--from", "2024-03-04", "--to", to, "--out", store, "--rest-url", server.RestUrl.ToString(), "--api-key-env", keyVariable, .. extra]);

    private static void AssertStoreHolds(string store, string ticker, IEnumerable<DateOnly> days, decimal basePrice)
    {
        var expected = days.SelectMany(d => Script(ticker, d, basePrice)).ToList();
        var bars = new ParquetBarStore(store).ReadBars(Symbol.Equity(ticker), Timeframe.OneMinute).ToList();
        Assert.Equal(expected.Count, bars.Count);
        for (var i = 0; i < bars.Count; i++)
        {
            var e = expected[i];
            var b = bars[i];
            Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(e.StartMs), b.Start);
            Assert.Equal(TimeSpan.FromMinutes(1), b.Duration);
            Assert.Equal((e.Open, e.High, e.Low, e.Close, e.Volume), (b.Open, b.High, b.Low, b.Close, b.Volume));
            Assert.Equal(e.Vwap, b.Vwap);
            Assert.Equal(e.Trades, b.TradeCount);
        }
    }

    /// <summary>Rewrites a store series without one exchange-local date (the store has no delete).</summary>
    private static async Task DeleteDayAsync(string store, string ticker, DateOnly day)
    {
        var s = new ParquetBarStore(store);
        var symbol = Symbol.Equity(ticker);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var kept = s.ReadBars(symbol, Timeframe.OneMinute)
            .Where(b => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(b.Start, zone)) != day).ToList();
        foreach (var partition in s.GetPartitions(symbol, Timeframe.OneMinute))
        {
            File.Delete(partition.Path);
        }

        await s.WriteAsync(kept, Timeframe.OneMinute, "test", Ct);
        Assert.DoesNotContain(day, s.GetDates(symbol, Timeframe.OneMinute));
    }

    private static void AssertNoKey(CliResult r)
    {
        foreach (var form in new[] { Key, Uri.EscapeDataString(Key) })
        {
            Assert.DoesNotContain(form, r.StdOut, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(form, r.StdErr, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static long Ms(DateTime utc) => (long)(utc - DateTime.UnixEpoch).TotalMilliseconds;

    [Fact]
    public async Task Download_WritesTheStore_ThenResumes_FetchingOnlyTheMissingDays()
    {
        var variable = "SL_TEST_POLYGON_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Key);
        try
        {
            using var dir = new TempDir();
            var store = Path.Combine(dir.Path, "store");
            await using var server = await StartServerAsync([.. Week, new DateOnly(2024, 3, 11)]);

            // 1. The whole week: one call per symbol (five neighbouring sessions), every bar stored exactly.
            var first = await DownloadAsync(server, store, variable);
            Assert.True(first.ExitCode == 0, first.ToString());
            AssertStoreHolds(store, "AAPL", Week, 180m);
            AssertStoreHolds(store, "MSFT", Week, 400m);
            Assert.Equal(2, server.RestRequests.Count);
            Assert.All(server.RestRequests, r => Assert.Equal(FakePolygonAuthStyle.Bearer, r.AuthStyle));
            Assert.Contains("AAPL: 5 of 5 missing session(s) downloaded, 25 bars; 0 already in the store", first.StdOut, StringComparison.Ordinal);
            Assert.Contains("data.download", first.StdErr, StringComparison.Ordinal);
            AssertNoKey(first);

            // 2. Wednesday disappears from AAPL: a second run asks for that session only (04:00-20:00 New York = 09:00Z-01:00Z).
            await DeleteDayAsync(store, "AAPL", Week[2]);
            var second = await DownloadAsync(server, store, variable);
            Assert.True(second.ExitCode == 0, second.ToString());
            var gap = Assert.Single(server.RestRequests.Skip(2));
            Assert.Equal("AAPL", gap.Ticker);
            Assert.Equal(Ms(new DateTime(2024, 3, 6, 9, 0, 0, DateTimeKind.Utc)), gap.FromMs);
            Assert.Equal(Ms(new DateTime(2024, 3, 7, 1, 0, 0, DateTimeKind.Utc)) - 1, gap.ToMs);
            AssertStoreHolds(store, "AAPL", Week, 180m);
            Assert.Contains("AAPL: 1 of 1 missing session(s) downloaded, 5 bars; 4 already in the store", second.StdOut, StringComparison.Ordinal);
            Assert.Contains("MSFT: 0 of 0 missing session(s) downloaded, 0 bars; 5 already in the store", second.StdOut, StringComparison.Ordinal);

            // 3. The range grows by a weekend and a Monday: one call per symbol, for Monday 2024-03-11 only.
            var third = await DownloadAsync(server, store, variable, "2024-03-11");
            Assert.True(third.ExitCode == 0, third.ToString());
            var extended = server.RestRequests.Skip(3).ToList();
            Assert.Equal(["AAPL", "MSFT"], extended.Select(r => r.Ticker));
            Assert.All(extended, r => Assert.Equal(Ms(new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc)), r.FromMs)); // EDT from 03-10: 04:00 = 08:00Z
            AssertStoreHolds(store, "MSFT", [.. Week, new DateOnly(2024, 3, 11)], 400m);
            AssertNoKey(second);
            AssertNoKey(third);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Download_RegularHoursFiveMinutes_ResamplesOnTheSessionGrid()
    {
        var variable = "SL_TEST_POLYGON_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Key);
        try
        {
            using var dir = new TempDir();
            var store = Path.Combine(dir.Path, "store");
            await using var server = await StartServerAsync([Week[0]]);

            var r = await CliRunner.RunInProcessAsync(
                "data", "download", "--provider", "polygon", "--symbols", "AAPL", "--timeframe", "5m", "--regular-hours", "--quiet",
                "--from", "2024-03-04", "--to", "2024-03-04", "--out", store, "--rest-url", server.RestUrl.ToString(), "--api-key-env", variable);

            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.DoesNotContain("data.download", r.StdErr, StringComparison.Ordinal); // --quiet
            var bar = Assert.Single(new ParquetBarStore(store).ReadBars(Symbol.Equity("AAPL"), Timeframe.FiveMinutes));

            // 09:30-09:35 from the 09:30, 09:31, 09:32 minutes (opens 184.25, 184.50, 184.75); pre-market and after hours left out.
            Assert.Equal(new DateTime(2024, 3, 4, 14, 30, 0, DateTimeKind.Utc), bar.Start);
            Assert.Equal(new DateTime(2024, 3, 4, 14, 35, 0, DateTimeKind.Utc), bar.End);
            Assert.Equal((184.25m, 185.25m, 183.75m, 184.85m, 306m), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
            Assert.Equal(4 + 5 + 6, bar.TradeCount);

            // The VWAP over the three minutes' VWAPs (184.30, 184.55, 184.80), rounded to the store's 8 decimals.
            Assert.Equal(184.55163399m, bar.Vwap);
            Assert.Equal(Math.Round(((184.30m * 101m) + (184.55m * 102m) + (184.80m * 103m)) / 306m, 8), bar.Vwap);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Download_RefusedKey_ExitsWith3_AsInLive_AndAClearError_WithoutTheKey()
    {
        var variable = "SL_TEST_POLYGON_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Key);
        try
        {
            using var dir = new TempDir();
            await using var server = await StartServerAsync(Week, keys: ["some-other-key"]);

            var r = await DownloadAsync(server, Path.Combine(dir.Path, "store"), variable);

            Assert.Equal(3, r.ExitCode); // refused credentials: the same code as `live`
            Assert.Contains("error: AAPL: Polygon refused the API key (HTTP 401: Unknown API Key)", r.StdErr, StringComparison.Ordinal);
            Assert.Contains(variable, r.StdErr, StringComparison.Ordinal);
            Assert.Single(server.RestRequests); // not retried, and MSFT not attempted
            AssertNoKey(r);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Download_WithoutAKey_OrWithAnUnknownProvider_ExitsWith2()
    {
        var missing = await CliRunner.RunInProcessAsync(
            "data", "download", "--provider", "polygon", "--symbols", "AAPL", "--from", "2024-03-04", "--to", "2024-03-04",
            "--out", "unused", "--api-key-env", "SL_TEST_POLYGON_UNSET_" + Guid.NewGuid().ToString("N"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no Polygon API key", missing.StdErr, StringComparison.Ordinal);

        var provider = await CliRunner.RunInProcessAsync(
            "data", "download", "--provider", "finnhub", "--symbols", "AAPL", "--from", "2024-03-04", "--to", "2024-03-04", "--out", "unused");
        Assert.Equal(2, provider.ExitCode);
        Assert.Contains("supported: polygon", provider.StdErr, StringComparison.Ordinal);

        var dates = await CliRunner.RunInProcessAsync(
            "data", "download", "--provider", "polygon", "--symbols", "AAPL", "--from", "2024-03-05", "--to", "2024-03-04", "--out", "unused");
        Assert.Equal(2, dates.ExitCode);
        Assert.Contains("before --from", dates.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_SendsAdjustedPerTheAdjustmentFlag_AndStoresThosePrices()
    {
        var variable = "SL_TEST_POLYGON_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Key);
        try
        {
            using var dir = new TempDir();
            await using var server = await StartServerAsync(Week);

            // A 2-for-1 split of AAPL effective Wednesday: split-adjusted aggregates before it are halved by the server.
            server.Tape.AddSplit("AAPL", Week[2], 2m);

            // raw: adjusted=false on every call, and the store holds the prices as traded.
            var rawStore = Path.Combine(dir.Path, "raw");
            var raw = await DownloadAsync(server, rawStore, variable, "2024-03-08", "--adjustment", "raw");
            Assert.True(raw.ExitCode == 0, raw.ToString());
            Assert.All(server.RestRequests, r => Assert.Contains("adjusted=false", r.QueryString, StringComparison.Ordinal));
            AssertStoreHolds(rawStore, "AAPL", Week, 180m);
            var calls = server.RestRequests.Count;

            // default (split_adjusted): adjusted=true, and Monday's bars are half the raw prices.
            var adjustedStore = Path.Combine(dir.Path, "adjusted");
            var adjusted = await DownloadAsync(server, adjustedStore, variable);
            Assert.True(adjusted.ExitCode == 0, adjusted.ToString());
            Assert.All(server.RestRequests.Skip(calls), r => Assert.Contains("adjusted=true", r.QueryString, StringComparison.Ordinal));
            var monday = new ParquetBarStore(adjustedStore).ReadBars(Symbol.Equity("AAPL"), Timeframe.OneMinute).First();
            var rawMonday = Script("AAPL", Week[0], 180m)[0];
            Assert.Equal(rawMonday.Close / 2m, monday.Close, 4);
            var wednesday = new ParquetBarStore(adjustedStore).ReadBars(Symbol.Equity("AAPL"), Timeframe.OneMinute).Skip(10).First();
            Assert.Equal(Script("AAPL", Week[2], 180m)[0].Close, wednesday.Close);

            // Polygon has no dividend-adjusted aggregates: asking for them is a usage error, before any call.
            calls = server.RestRequests.Count;
            var dividends = await DownloadAsync(server, Path.Combine(dir.Path, "x"), variable, "2024-03-08", "--adjustment", "adjusted");
            Assert.Equal(2, dividends.ExitCode);
            Assert.Contains("splits only", dividends.StdErr, StringComparison.Ordinal);
            Assert.Equal(calls, server.RestRequests.Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
