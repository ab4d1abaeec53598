using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Finnhub;

/// <summary>Finnhub REST (candles, quote) against the fake server. Expected bars are worked out by hand from the prints.</summary>
public sealed class FinnhubRestTests
{
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(string text) =>
        DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>
    /// Monday 2024-03-04 (EST, session 14:30Z-21:00Z) and Tuesday 2024-03-05.
    /// Minute 14:30: O 180.10 H 180.55 L 179.95 C 180.20 V 185. Minute 14:31: O 180.25 H 180.25 L 180.05 C 180.05 V 320
    /// (the size-0 print at 180.30 is a price update, not a trade). Minute 14:33: 181.00 x 1.
    /// Tuesday: 15:00 182.00 x 10, 20:59 183.50 x 5.
    /// </summary>
    private static readonly FakeTrade[] Prints =
    [
        new("AAPL", Utc("2024-03-04 14:30:05.000"), 180.10m, 100m, ["1"]),
        new("AAPL", Utc("2024-03-04 14:30:20.000"), 180.55m, 50m),
        new("AAPL", Utc("2024-03-04 14:30:40.000"), 179.95m, 25m),
        new("AAPL", Utc("2024-03-04 14:30:59.999"), 180.20m, 10m),
        new("AAPL", Utc("2024-03-04 14:31:00.000"), 180.25m, 300m),
        new("AAPL", Utc("2024-03-04 14:31:30.000"), 180.30m, 0m),
        new("AAPL", Utc("2024-03-04 14:31:45.000"), 180.05m, 20m),
        new("AAPL", Utc("2024-03-04 14:33:10.000"), 181.00m, 1m),
        new("AAPL", Utc("2024-03-05 15:00:00.000"), 182.00m, 10m),
        new("AAPL", Utc("2024-03-05 20:59:00.000"), 183.50m, 5m),
    ];

    private static async Task<FinnhubHarness> StartWithTapeAsync(FakeFinnhubOptions? server = null, Action<FinnhubOptions>? configure = null, TimeProvider? clientTime = null)
    {
        var h = await FinnhubHarness.StartAsync(server, configure, clientTime);
        h.Server.Tape.Add(Prints);
        return h;
    }

    private static void AssertBar(Bar bar, string start, string end, decimal o, decimal hi, decimal lo, decimal c, decimal v)
    {
        Assert.Equal(Utc(start + ".000"), bar.Start);
        Assert.Equal(Utc(end + ".000"), bar.End);
        Assert.Equal(DateTimeKind.Utc, bar.Start.Kind);
        Assert.Equal((o, hi, lo, c, v), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
    }

    [Fact]
    public async Task Candles_OneMinute_EqualTheTape_KeyOnlyInTheHeader()
    {
        await using var h = await StartWithTapeAsync();

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(3, result.Bars.Count);
        AssertBar(result.Bars[0], "2024-03-04 14:30:00", "2024-03-04 14:31:00", 180.10m, 180.55m, 179.95m, 180.20m, 185m);
        AssertBar(result.Bars[1], "2024-03-04 14:31:00", "2024-03-04 14:32:00", 180.25m, 180.25m, 180.05m, 180.05m, 320m);
        AssertBar(result.Bars[2], "2024-03-04 14:33:00", "2024-03-04 14:34:00", 181.00m, 181.00m, 181.00m, 181.00m, 1m);
        Assert.All(result.Bars, b => Assert.Same(Aapl, b.Symbol));

        var request = Assert.Single(h.Server.RestRequests);
        Assert.Equal("/api/v1/stock/candle", request.Path);
        Assert.Equal(FakeAuthStyle.Header, request.AuthStyle);
        Assert.Contains("resolution=1&", request.QueryString, StringComparison.Ordinal);
        Assert.DoesNotContain("token", request.QueryString, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Uri.EscapeDataString(FinnhubHarness.Key), request.QueryString, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Candles_FiveMinutes_AndDaily_EqualTheTape()
    {
        await using var h = await StartWithTapeAsync();

        var five = await h.Feed.GetHistoryAsync(Aapl, Timeframe.FiveMinutes, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:35:00.000"), Ct);
        Assert.Equal(HistoryStatus.Ok, five.Status);
        AssertBar(Assert.Single(five.Bars), "2024-03-04 14:30:00", "2024-03-04 14:35:00", 180.10m, 181.00m, 179.95m, 181.00m, 506m);

        // Daily candles are stamped 00:00 UTC of their date; a bar spans the date's regular session.
        var daily = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneDay, Utc("2024-03-04 00:00:00.000"), Utc("2024-03-06 00:00:00.000"), Ct);
        Assert.Equal(HistoryStatus.Ok, daily.Status);
        Assert.Equal(2, daily.Bars.Count);
        AssertBar(daily.Bars[0], "2024-03-04 14:30:00", "2024-03-04 21:00:00", 180.10m, 181.00m, 179.95m, 181.00m, 506m);
        AssertBar(daily.Bars[1], "2024-03-05 14:30:00", "2024-03-05 21:00:00", 182.00m, 183.50m, 182.00m, 183.50m, 15m);
        Assert.Contains("resolution=D", h.Server.RestRequests[^1].QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Candles_DailyStampsAtNewYorkMidnightOrOpen_MapToTheSameSession()
    {
        // The other two stamps Finnhub has used for daily candles (Finnhub-API#449), served by a stub handler.
        foreach (var stamp in new[] { 1709528400L /* 2024-03-04 00:00 EST */, 1709562600L /* 2024-03-04 09:30 EST */ })
        {
            var body = "{\"s\":\"ok\",\"t\":[" + stamp.ToString(CultureInfo.InvariantCulture) + "],\"o\":[1.5],\"h\":[2],\"l\":[1],\"c\":[1.75],\"v\":[1000]}";
            await using var h = await FinnhubHarness.StartAsync(handler: new StubHandler(HttpStatusCode.OK, body));
            var daily = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneDay, Utc("2024-03-04 00:00:00.000"), Utc("2024-03-05 00:00:00.000"), Ct);
            Assert.Equal(HistoryStatus.Ok, daily.Status);
            AssertBar(Assert.Single(daily.Bars), "2024-03-04 14:30:00", "2024-03-04 21:00:00", 1.5m, 2m, 1m, 1.75m, 1000m);
        }
    }

    [Fact]
    public async Task Candles_LongRange_IsSplitIntoSeveralCalls()
    {
        await using var h = await StartWithTapeAsync(configure: o => o.MaxCandleRequestSpan = TimeSpan.FromDays(1));

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 00:00:00.000"), Utc("2024-03-07 00:00:00.000"), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(
            [Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:31:00.000"), Utc("2024-03-04 14:33:00.000"), Utc("2024-03-05 15:00:00.000"), Utc("2024-03-05 20:59:00.000")],
            result.Bars.Select(b => b.Start));
        var calls = h.Server.RestRequests;
        Assert.Equal(3, calls.Count);

        // 2024-03-04T00:00Z = 1709510400; each call covers one day, [from, from + 86400 - 1].
        Assert.Contains("from=1709510400&to=1709596799", calls[0].QueryString, StringComparison.Ordinal);
        Assert.Contains("from=1709596800&to=1709683199", calls[1].QueryString, StringComparison.Ordinal);
        Assert.Contains("from=1709683200&to=1709769599", calls[2].QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Candles_AnUnservedTimeframe_IsServedAsOneMinuteBars_AndSaysSo()
    {
        await using var h = await StartWithTapeAsync();

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.Parse("2m"), Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(3, result.Bars.Count);
        Assert.All(result.Bars, b => Assert.Equal(TimeSpan.FromMinutes(1), b.Duration));
        Assert.Contains("1-minute", result.Detail, StringComparison.Ordinal);
        Assert.Contains("resolution=1&", h.Server.RestRequests.Single().QueryString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Candles_StillForming_AreLeftOut()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2024, 3, 4, 14, 31, 30, TimeSpan.Zero));
        await using var h = await StartWithTapeAsync(clientTime: clock);

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        AssertBar(Assert.Single(result.Bars), "2024-03-04 14:30:00", "2024-03-04 14:31:00", 180.10m, 180.55m, 179.95m, 180.20m, 185m);
        Assert.Contains("still forming", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Candles_FromALeanTickDay_EqualMinuteBarsComputedFromTheFile()
    {
        var lean = TestPaths.RequireLean();
        var zip = Path.Combine(lean, "equity", "usa", "tick", "spy", "20131007_trade.zip");
        const int Count = 4000;
        var day = new DateOnly(2024, 3, 4); // EST: New York midnight is 05:00Z
        await using var h = await FinnhubHarness.StartAsync();
        h.Server.Tape.Add(LeanTickTape.Read(zip, "SPY", day, Count));
        var expected = MinuteBarsFromZip(zip, Count);
        var midnightUtc = new DateTime(2024, 3, 4, 5, 0, 0, DateTimeKind.Utc);
        var from = midnightUtc.AddMinutes(expected.Keys.First());
        var to = midnightUtc.AddMinutes(expected.Keys.Last() + 1);

        var result = await h.Feed.GetHistoryAsync(Symbol.Equity("SPY"), Timeframe.OneMinute, from, to, Ct);

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(expected.Count, result.Bars.Count);
        foreach (var bar in result.Bars)
        {
            var minute = (int)(bar.Start - midnightUtc).TotalMinutes;
            var (o, hi, lo, c, v) = expected[minute];
            Assert.Equal((o, hi, lo, c, v), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        }
    }

    /// <summary>Minute OHLCV of the first <paramref name="count"/> non-suspicious ticks, read straight from the zip.</summary>
    private static SortedDictionary<int, (decimal O, decimal H, decimal L, decimal C, decimal V)> MinuteBarsFromZip(string zip, int count)
    {
        var bars = new SortedDictionary<int, (decimal O, decimal H, decimal L, decimal C, decimal V)>();
        using var archive = ZipFile.OpenRead(zip);
        using var reader = new StreamReader(archive.Entries[0].Open());
        var taken = 0;
        while (taken < count && reader.ReadLine() is { } line)
        {
            var f = line.Split(',');
            if (f[5] == "1")
            {
                continue;
            }

            taken++;
            var minute = (int)(decimal.Parse(f[0], CultureInfo.InvariantCulture) / 60000m);
            var price = decimal.Parse(f[1], CultureInfo.InvariantCulture) / 10000m;
            var size = decimal.Parse(f[2], CultureInfo.InvariantCulture);
            bars[minute] = bars.TryGetValue(minute, out var b)
                ? (b.O, Math.Max(b.H, price), Math.Min(b.L, price), price, b.V + size)
                : (price, price, price, price, size);
        }

        return bars;
    }

    [Theory]
    [InlineData(403)]
    [InlineData(401)]
    public async Task Candles_Refused_AreNotEntitled_WithAClearDetail(int status)
    {
        await using var h = await StartWithTapeAsync(new FakeFinnhubOptions
        {
            ApiKeys = [FinnhubHarness.Key], CandlesRequirePremium = true, PremiumDeniedStatus = status,
        });

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);

        Assert.Equal(HistoryStatus.NotEntitled, result.Status);
        Assert.Empty(result.Bars);
        Assert.Contains("premium", result.Detail, StringComparison.Ordinal);
        Assert.Contains(status.ToString(CultureInfo.InvariantCulture), result.Detail, StringComparison.Ordinal);
        Assert.Contains("You don't have access to this resource.", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Candles_NoData_IsNoData()
    {
        await using var h = await StartWithTapeAsync();

        var result = await h.Feed.GetHistoryAsync(Symbol.Equity("ZZZZ"), Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);

        Assert.Equal(HistoryStatus.NoData, result.Status);
        Assert.Empty(result.Bars);
    }

    [Fact]
    public async Task Candles_RateLimited_AreRetried_ThenRateLimited()
    {
        var serverClock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 6, 15, 0, 0, TimeSpan.Zero));
        await using var h = await StartWithTapeAsync(new FakeFinnhubOptions
        {
            ApiKeys = [FinnhubHarness.Key], RequestsPerMinute = 1, TimeProvider = serverClock,
        });
        Assert.NotNull(await h.Feed.GetQuoteAsync(Aapl, Ct)); // uses this minute's only call

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);

        Assert.Equal(HistoryStatus.RateLimited, result.Status);
        Assert.Contains("API limit reached", result.Detail, StringComparison.Ordinal);
        Assert.Equal(3, h.Server.RateLimitedResponses); // the first try and 2 retries
        Assert.Equal(2, h.Logs.Named("finnhub.rest.rate-limited").Count);
    }

    [Fact]
    public async Task Candles_RateLimited_SucceedWhenTheMinuteTurns()
    {
        var serverClock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 6, 15, 0, 0, TimeSpan.Zero));
        await using var h = await StartWithTapeAsync(
            new FakeFinnhubOptions { ApiKeys = [FinnhubHarness.Key], RequestsPerMinute = 1, TimeProvider = serverClock },
            o =>
            {
                o.RateLimitRetries = 6;
                o.RateLimitBackoff = TimeSpan.FromMilliseconds(300);
                o.MaxRateLimitBackoff = TimeSpan.FromSeconds(1);
            });
        Assert.NotNull(await h.Feed.GetQuoteAsync(Aapl, Ct));

        var history = h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);
        await h.Server.WaitUntilAsync(s => s.RateLimitedResponses >= 1, cancellationToken: Ct);
        serverClock.Advance(TimeSpan.FromMinutes(1));
        var result = await history;

        Assert.Equal(HistoryStatus.Ok, result.Status);
        Assert.Equal(3, result.Bars.Count);
        Assert.NotEmpty(h.Logs.Named("finnhub.rest.rate-limited"));
    }

    [Fact]
    public async Task Candles_NetworkError_IsFailed()
    {
        var port = ClosedPort();
        await using var h = await FinnhubHarness.StartAsync(configure: o => o.RestUrl = new Uri($"http://127.0.0.1:{port}/api/v1"));

        var result = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);

        Assert.Equal(HistoryStatus.Failed, result.Status);
        Assert.Contains("network error", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Candles_UnreadableAnswers_AreFailed_OrSkipABar()
    {
        await using (var h = await FinnhubHarness.StartAsync(handler: new StubHandler(HttpStatusCode.OK, "{\"s\":\"ok\",\"t\":[1709562600],\"o\":[1]}")))
        {
            var missing = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);
            Assert.Equal(HistoryStatus.Failed, missing.Status);
        }

        await using (var h = await FinnhubHarness.StartAsync(handler: new StubHandler(HttpStatusCode.OK, "<html>")))
        {
            var html = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);
            Assert.Equal(HistoryStatus.Failed, html.Status);
            Assert.Contains("unreadable", html.Detail, StringComparison.Ordinal);
        }

        // Second bar: high below low. It is skipped and counted; the other one is kept, with values given as strings.
        const string Body = "{\"s\":\"ok\",\"t\":[1709562600,1709562660],\"o\":[\"10.5\",10],\"h\":[\"11.25\",9],\"l\":[\"10.0\",10],\"c\":[\"11\",10],\"v\":[\"1e3\",5]}";
        await using (var h = await FinnhubHarness.StartAsync(handler: new StubHandler(HttpStatusCode.OK, Body)))
        {
            var partial = await h.Feed.GetHistoryAsync(Aapl, Timeframe.OneMinute, Utc("2024-03-04 14:30:00.000"), Utc("2024-03-04 14:34:00.000"), Ct);
            Assert.Equal(HistoryStatus.Ok, partial.Status);
            AssertBar(Assert.Single(partial.Bars), "2024-03-04 14:30:00", "2024-03-04 14:31:00", 10.5m, 11.25m, 10.0m, 11m, 1000m);
            Assert.Contains("skipped 1", partial.Detail, StringComparison.Ordinal);
            Assert.Single(h.Logs.Named("finnhub.history.bar-skipped"));
        }
    }

    [Fact]
    public async Task Quote_FromTheTape_AndZeroQuoteIsNull()
    {
        await using var h = await StartWithTapeAsync();

        var quote = await h.Feed.GetQuoteAsync(Aapl, Ct);
        var none = await h.Feed.GetQuoteAsync(Symbol.Equity("ZZZZ"), Ct);

        // Last trade Tuesday 20:59Z at 183.50; Tuesday's prints 182.00 and 183.50; Monday's last 181.00:
        // change 2.50, 2.50 / 181 = 1.38121...% rounded to 1.3812.
        Assert.NotNull(quote);
        Assert.Equal(
            new FinnhubQuote(Aapl, 183.50m, 2.50m, 1.3812m, 183.50m, 182.00m, 182.00m, 181.00m, Utc("2024-03-05 20:59:00.000")),
            quote);
        Assert.Null(none);
        Assert.All(h.Server.RestRequests, r => Assert.Equal(FakeAuthStyle.Header, r.AuthStyle));
    }

    [Fact]
    public async Task Quote_RefusedKey_ThrowsWithTheStatus_NotTheKey()
    {
        await using var h = await FinnhubHarness.StartAsync(new FakeFinnhubOptions { ApiKeys = ["another-key"] });

        var e = await Assert.ThrowsAsync<FinnhubRequestException>(() => h.Feed.GetQuoteAsync(Aapl, Ct));
        h.Record(e);

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("401", e.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid API key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FakeServer_AcceptsTheQueryTokenToo_AndRefusesNoKey()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = ["abc"] }, Ct);
        server.Tape.Add(Prints);
        using var http = new HttpClient();

        var withToken = await http.GetAsync(new Uri(server.RestUrl + "/quote?symbol=AAPL&token=abc"), Ct);
        var without = await http.GetAsync(new Uri(server.RestUrl + "/quote?symbol=AAPL"), Ct);

        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.Contains("\"c\":183.50", await withToken.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal([FakeAuthStyle.Query, FakeAuthStyle.None], server.RestRequests.Select(r => r.AuthStyle));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Answers every request with one fixed status and body.</summary>
    private sealed class StubHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body) });
    }
}
