using System.Globalization;
using System.IO.Compression;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Providers.Polygon;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Polygon;

/// <summary>Polygon REST aggregates against the fake server. Expected bars are worked out by hand from the trades.</summary>
public sealed class PolygonRestTests
{
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(int h, int mi, int s = 0, int ms = 0) => new(2024, 3, 4, h, mi, s, ms, DateTimeKind.Utc);

    /// <summary>2024-03-04 since the epoch: 1709510400 s.</summary>
    private static long Ms(DateTime utc) => (long)(utc - DateTime.UnixEpoch).TotalMilliseconds;

    /// <summary>
    /// Monday 2024-03-04, EST (14:30Z = 09:30 New York). 14:29 (pre-market): 179.00 × 5. Minute 14:30: O 180.10 H 180.55
    /// L 179.95 C 180.20 V 185 n 4, VWAP 33338.25 / 185 → 180.2068. Minute 14:31: O 180.25 L/C 180.05 V 320 n 2, VWAP
    /// 180.2375. 15:29:30: 181.00 × 10. 15:30:00: 182.00 × 1.
    /// </summary>
    private static readonly FakePolygonTrade[] Trades =
    [
        new("AAPL", Utc(14, 29, 30), 179.00m, 5m),
        new("AAPL", Utc(14, 30, 5), 180.10m, 100m),
        new("AAPL", Utc(14, 30, 20), 180.55m, 50m),
        new("AAPL", Utc(14, 30, 40), 179.95m, 25m),
        new("AAPL", Utc(14, 30, 59, 999), 180.20m, 10m),
        new("AAPL", Utc(14, 31, 0), 180.25m, 300m),
        new("AAPL", Utc(14, 31, 45), 180.05m, 20m),
        new("AAPL", Utc(15, 29, 30), 181.00m, 10m),
        new("AAPL", Utc(15, 30, 0), 182.00m, 1m),
    ];

    private static async Task<PolygonHarness> StartAsync(FakePolygonOptions? server = null, Action<PolygonOptions>? configure = null, TimeProvider? clientTime = null)
    {
        var h = await PolygonHarness.StartAsync(server, configure, clientTime);
        h.Server.Tape.Add(Trades);
        return h;
    }

    private static void AssertBar(Bar bar, DateTime start, TimeSpan length, decimal o, decimal hi, decimal lo, decimal c, decimal v, decimal vwap, int trades)
    {
        Assert.Equal(start, bar.Start);
        Assert.Equal(start + length, bar.End);
        Assert.Equal(DateTimeKind.Utc, bar.Start.Kind);
        Assert.Equal((o, hi, lo, c, v), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        Assert.Equal(vwap, bar.Vwap);
        Assert.Equal(trades, bar.TradeCount);
    }

    [Fact]
    public async Task OneMinute_EqualsTheTape_WithVwapAndTradeCount_KeyOnlyInTheBearerHeader()
    {
        await using var h = await StartAsync();

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 29), Utc(14, 32), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(3, result.Bars.Count);
        AssertBar(result.Bars[0], Utc(14, 29), TimeSpan.FromMinutes(1), 179m, 179m, 179m, 179m, 5m, 179m, 1);
        AssertBar(result.Bars[1], Utc(14, 30), TimeSpan.FromMinutes(1), 180.10m, 180.55m, 179.95m, 180.20m, 185m, 180.2068m, 4);
        AssertBar(result.Bars[2], Utc(14, 31), TimeSpan.FromMinutes(1), 180.25m, 180.25m, 180.05m, 180.05m, 320m, 180.2375m, 2);
        Assert.All(result.Bars, b => Assert.Same(Aapl, b.Symbol));

        var request = Assert.Single(h.Server.RestRequests);
        Assert.Equal("/v2/aggs/ticker/AAPL/range/1/minute/1709562540000/1709562719999", request.Path);
        Assert.Equal("?adjusted=true&sort=asc&limit=50000", request.QueryString);
        Assert.Equal(FakePolygonAuthStyle.Bearer, request.AuthStyle);
        Assert.Equal(Ms(Utc(14, 29)), request.FromMs);
    }

    [Fact]
    public async Task OneHour_IsSessionAligned_FromMinuteBars_RegularHoursOnly()
    {
        await using var h = await StartAsync(configure: o => o.ExtendedHours = false);

        // 09:00-11:30 New York: the pre-market print at 09:29:30 is left out; hours run 09:30-10:30 and 10:30-11:30.
        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneHour, Utc(14, 0), Utc(16, 30), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(2, result.Bars.Count);
        var vwap = ((180.2068m * 185m) + (180.2375m * 320m) + (181m * 10m)) / 515m;
        AssertBar(result.Bars[0], Utc(14, 30), TimeSpan.FromHours(1), 180.10m, 181.00m, 179.95m, 181.00m, 515m, vwap, 7);
        AssertBar(result.Bars[1], Utc(15, 30), TimeSpan.FromHours(1), 182m, 182m, 182m, 182m, 1m, 182m, 1);
        Assert.Contains("session-aligned", result.Detail, StringComparison.Ordinal);
        Assert.Contains("outside the regular session", result.Detail, StringComparison.Ordinal);
        Assert.Contains("/range/1/minute/", Assert.Single(h.Server.RestRequests).Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_OverThreePages_ReturnsEveryBarExactlyOnce_ReAuthenticatingEachPage()
    {
        await using var h = await PolygonHarness.StartAsync(PolygonHarness.ServerOptions(o => new FakePolygonOptions { ApiKeys = o.ApiKeys, RequestsPerMinute = 0, PageSize = 4 }));
        var bars = Enumerable.Range(0, 10).Select(i =>
        {
            var start = Ms(Utc(14, 30 + i));
            var open = 100m + i;
            return new FakeAggregate("AAPL", start, start + 60_000, open, open + 0.5m, open - 0.25m, open + 0.125m, 1000m + i, open + 0.1m, 10 + i);
        }).ToList();
        h.Server.Tape.AddMinuteBars(bars);

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 0), Utc(15, 0), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(10, result.Bars.Count);
        for (var i = 0; i < 10; i++)
        {
            var open = 100m + i;
            AssertBar(result.Bars[i], Utc(14, 30 + i), TimeSpan.FromMinutes(1), open, open + 0.5m, open - 0.25m, open + 0.125m, 1000m + i, open + 0.1m, 10 + i);
        }

        var requests = h.Server.RestRequests;
        Assert.Equal([4, 4, 2], requests.Select(r => r.Results));
        Assert.Equal([false, true, true], requests.Select(r => r.Cursor));
        Assert.All(requests, r => Assert.Equal(FakePolygonAuthStyle.Bearer, r.AuthStyle));
        Assert.All(requests, r => Assert.DoesNotContain("apiKey", r.QueryString, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("3 page(s)", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimited_IsRetried_ThenSucceeds()
    {
        await using var h = await StartAsync();
        h.Server.Faults.RateLimitNext = 2;

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Single(result.Bars);
        Assert.Equal([429, 429, 200], h.Server.RestRequests.Select(r => r.StatusCode));
        Assert.Equal(2, h.Logs.Named("polygon.rest.rate-limited").Count);
    }

    [Fact]
    public async Task RateLimited_PastTheRetries_IsRateLimited_WithThePolygonText()
    {
        await using var h = await StartAsync();
        h.Server.Faults.RateLimitNext = 10;

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct);

        Assert.Equal(HistoryStatus.RateLimited, result.Status);
        Assert.Contains("maximum requests per minute", result.Detail, StringComparison.Ordinal);
        Assert.Equal(3, h.Server.RestRequests.Count); // the call and 2 retries
    }

    [Fact]
    public async Task ServerPerMinuteCounter_Answers429_OnTheSixthCall()
    {
        var serverTime = new FakeTimeProvider(new DateTimeOffset(2024, 3, 5, 12, 0, 10, TimeSpan.Zero));
        await using var h = await StartAsync(
            PolygonHarness.ServerOptions(o => new FakePolygonOptions { ApiKeys = o.ApiKeys, TimeProvider = serverTime }),
            o => o.RateLimitRetries = 0);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HistoryStatus.Ok, (await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct)).Status);
        }

        Assert.Equal(HistoryStatus.RateLimited, (await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct)).Status);
        serverTime.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HistoryStatus.Ok, (await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct)).Status);
        Assert.Equal([200, 200, 200, 200, 200, 429, 200], h.Server.RestRequests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task ClientPacing_WaitsOnTheClock_InsteadOfEarning429()
    {
        var time = new WatchedFakeTime();
        time.Clock.SetUtcNow(new DateTimeOffset(2024, 3, 5, 12, 0, 0, TimeSpan.Zero));
        await using var h = await StartAsync(configure: o => o.RequestsPerMinute = 1, clientTime: time);

        Assert.Equal(HistoryStatus.Ok, (await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct)).Status);
        time.Advance(TimeSpan.FromSeconds(15));
        var second = h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 31), Utc(14, 32), Ct);

        await time.WaitForDelayAsync(TimeSpan.FromSeconds(45));
        Assert.False(second.IsCompleted);
        Assert.Single(h.Server.RestRequests);
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(HistoryStatus.Ok, (await second).Status);
        Assert.Equal(2, h.Server.RestRequests.Count);
    }

    [Fact]
    public async Task ServerError_IsRetried()
    {
        await using var h = await StartAsync();
        h.Server.Faults.ServerErrorNext = 1;

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal([502, 200], h.Server.RestRequests.Select(r => r.StatusCode));
    }

    [Fact]
    public async Task UnknownKey_401_IsKeyRefused_AndSaysSo_WithoutIt()
    {
        await using var h = await StartAsync(new FakePolygonOptions { ApiKeys = ["another"], RequestsPerMinute = 0 });

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct);

        Assert.Equal(HistoryStatus.KeyRefused, result.Status); // not a plan limit: refused credentials (exit 3 in the CLI)
        Assert.Contains("refused the API key", result.Detail, StringComparison.Ordinal);
        Assert.Contains("Unknown API Key", result.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(PolygonHarness.Key, result.Detail, StringComparison.Ordinal);
        Assert.Equal(401, Assert.Single(h.Server.RestRequests).StatusCode);
    }

    [Fact]
    public async Task NotEntitled_403_IsNotEntitled_WithPolygonsMessage()
    {
        await using var h = await StartAsync();
        h.Server.Faults.NotEntitled = true;

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 31), Ct);

        Assert.Equal(HistoryStatus.NotEntitled, result.Status);
        Assert.Contains("You are not entitled to this data", result.Detail, StringComparison.Ordinal);
        Assert.Contains("403", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoResults_IsAnEmptyOk()
    {
        await using var h = await StartAsync();

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(18, 0), Utc(19, 0), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Empty(result.Bars);
        Assert.Equal(0, Assert.Single(h.Server.RestRequests).Results);
    }

    [Fact]
    public async Task StillForming_IsLeftOut()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 3, 4, 14, 31, 30, TimeSpan.Zero));
        await using var h = await StartAsync(clientTime: clock);

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 30), Utc(14, 35), Ct);

        Assert.Equal(Utc(14, 30), Assert.Single(result.Bars).Start);
        Assert.Contains("still forming", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adjusted_AsksForSplitAdjustedPrices_AndUnadjustedWhenTold()
    {
        await using var adjusted = await StartAsync();
        adjusted.Server.Tape.AddSplit("AAPL", new DateOnly(2024, 3, 5), 4m);
        var a = Assert.Single((await adjusted.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 29), Utc(14, 30), Ct)).Bars);
        Assert.Equal((44.75m, 20m), (a.Close, a.Volume)); // 179 / 4, 5 × 4

        await using var raw = await StartAsync(configure: o => o.Adjusted = false);
        raw.Server.Tape.AddSplit("AAPL", new DateOnly(2024, 3, 5), 4m);
        var r = Assert.Single((await raw.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc(14, 29), Utc(14, 30), Ct)).Bars);
        Assert.Equal((179m, 5m), (r.Close, r.Volume));
        Assert.Contains("adjusted=false", raw.Server.RestRequests[0].QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeanMinuteDay_ServedAsAggregates_EqualsTheFile()
    {
        var lean = TestPaths.RequireLean();
        var zip = Path.Combine(lean, "equity", "usa", "minute", "spy", "20131007_trade.zip");
        var day = new DateOnly(2024, 3, 4); // stamped on an EST Monday: New York midnight is 05:00Z
        await using var h = await PolygonHarness.StartAsync();
        h.Server.Tape.AddMinuteBars(FakePolygonTape.ReadLeanMinuteBars(zip, "SPY", day));
        var expected = ReadMinuteRows(zip);
        var midnight = new DateTime(2024, 3, 4, 5, 0, 0, DateTimeKind.Utc);

        var result = await h.Feed.GetHistoryAsync(Symbol.Equity("SPY"), Timeframe.OneMinute, midnight.AddHours(4), midnight.AddHours(20), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        var inSession = expected.Where(kv => kv.Key >= 240 && kv.Key < 1200).ToList(); // 04:00-20:00 New York
        Assert.Equal(inSession.Count, result.Bars.Count);
        foreach (var bar in result.Bars)
        {
            var (o, hi, lo, c, v) = expected[(int)(bar.Start - midnight).TotalMinutes];
            Assert.Equal((o, hi, lo, c, v), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        }
    }

    /// <summary>Minute rows of a LEAN minute zip by minute of the day, read straight from the file.</summary>
    private static Dictionary<int, (decimal O, decimal H, decimal L, decimal C, decimal V)> ReadMinuteRows(string zip)
    {
        var rows = new Dictionary<int, (decimal, decimal, decimal, decimal, decimal)>();
        using var archive = ZipFile.OpenRead(zip);
        using var reader = new StreamReader(archive.Entries[0].Open());
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var f = line.Split(',');
            decimal D(int i) => decimal.Parse(f[i], CultureInfo.InvariantCulture);
            rows[(int)(D(0) / 60000m)] = (D(1) / 10000m, D(2) / 10000m, D(3) / 10000m, D(4) / 10000m, D(5));
        }

        return rows;
    }
}
