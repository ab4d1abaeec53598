using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Alpaca;

/// <summary>The fake's own wire behaviour, checked with a plain HTTP client and a plain WebSocket against protocols.md §3.</summary>
public sealed class FakeAlpacaServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rest_WithoutBothHeaders_Is401_WithAlpacasErrorBody()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        using var http = new HttpClient();
        using var onlyKey = new HttpRequestMessage(HttpMethod.Get, new Uri(server.TradingUrl, "/v2/account"));
        onlyKey.Headers.Add("APCA-API-KEY-ID", AlpacaHarness.KeyId);

        using var none = await http.GetAsync(new Uri(server.TradingUrl, "/v2/account"), Ct);
        using var half = await http.SendAsync(onlyKey, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, half.StatusCode);
        Assert.Equal("{\"code\":40110000,\"message\":\"request is not authorized\"}", await none.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Orders_AreInAlpacasShape_AndADuplicateClientOrderIdIs422_40010001()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        using var http = Authorized();
        const string Body = "{\"symbol\":\"AAPL\",\"qty\":\"2\",\"side\":\"buy\",\"type\":\"limit\",\"limit_price\":\"150.00\",\"time_in_force\":\"gtc\",\"client_order_id\":\"c-1\"}";

        using var first = await http.PostAsync(new Uri(server.TradingUrl, "/v2/orders"), Json(Body), Ct);
        using var second = await http.PostAsync(new Uri(server.TradingUrl, "/v2/orders"), Json(Body), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var order = JsonDocument.Parse(await first.Content.ReadAsStringAsync(Ct));
        var o = order.RootElement;
        Assert.Equal(("2", "0", "150.00", "", "new", "c-1"), (o.GetProperty("qty").GetString(), o.GetProperty("filled_qty").GetString(),
            o.GetProperty("limit_price").GetString(), o.GetProperty("order_class").GetString(), o.GetProperty("status").GetString(), o.GetProperty("client_order_id").GetString()));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", o.GetProperty("created_at").GetString()!);
        Assert.Equal(JsonValueKind.Null, o.GetProperty("filled_avg_price").ValueKind);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal("{\"code\":40010001,\"message\":\"client_order_id must be unique\"}", await second.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task RateLimit_Answers429_WithTheRateLimitHeaders()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(o => o with { RequestsPerMinute = 2 }), Ct);
        using var http = Authorized();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            last = await http.GetAsync(new Uri(server.TradingUrl, "/v2/clock"), Ct);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("2", last!.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("0", last.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.True(long.Parse(last.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        last.Dispose();
    }

    [Fact]
    public async Task HistoricalBars_AggregateTheTimeframe_AndPageWithATokenUntilNull()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        var start = new DateTime(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc);
        server.AddBars(Enumerable.Range(0, 10).Select(i => new FakeAlpacaBar("AAPL", start.AddMinutes(i), 100 + i, 101 + i, 99 + i, 100.5m + i, 10)));
        server.AddBars(Enumerable.Range(0, 10).Select(i => new FakeAlpacaBar("MSFT", start.AddMinutes(i), 300, 301, 299, 300, 5)));
        using var http = Authorized();

        using var single = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.DataUrl, "/v2/stocks/AAPL/bars?timeframe=5Min&start=2026-03-02&end=2026-03-02"), Ct));
        var bars = single.RootElement.GetProperty("bars");
        Assert.Equal(2, bars.GetArrayLength());
        Assert.Equal(("2026-03-02T14:30:00Z", 100m, 105m, 99m, 104.5m, 50L), (bars[0].GetProperty("t").GetString(), bars[0].GetProperty("o").GetDecimal(),
            bars[0].GetProperty("h").GetDecimal(), bars[0].GetProperty("l").GetDecimal(), bars[0].GetProperty("c").GetDecimal(), bars[0].GetProperty("v").GetInt64()));
        Assert.Equal("AAPL", single.RootElement.GetProperty("symbol").GetString());
        Assert.Equal(JsonValueKind.Null, single.RootElement.GetProperty("next_page_token").ValueKind);

        var pages = 0;
        var count = new Dictionary<string, int>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var url = "/v2/stocks/bars?symbols=MSFT,AAPL&timeframe=1Min&limit=7" + (token is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(token));
            using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.DataUrl, url), Ct));
            foreach (var s in page.RootElement.GetProperty("bars").EnumerateObject())
            {
                count[s.Name] = count.GetValueOrDefault(s.Name) + s.Value.GetArrayLength();
            }

            token = page.RootElement.GetProperty("next_page_token").GetString();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(10, count["AAPL"]);
        Assert.Equal(10, count["MSFT"]);
    }

    [Fact]
    public async Task DataStream_ConnectsAuthenticatesSubscribes_AndSendsBarsAsArrays()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(server.DataStreamUrl, "/v2/iex"), Ct);

        Assert.Equal("[{\"T\":\"success\",\"msg\":\"connected\"}]", await Receive(ws));
        await Send(ws, "{\"action\":\"auth\",\"key\":\"" + AlpacaHarness.KeyId + "\",\"secret\":\"" + AlpacaHarness.Secret.Replace("/", "\\/", StringComparison.Ordinal) + "\"}");
        Assert.Equal("[{\"T\":\"success\",\"msg\":\"authenticated\"}]", await Receive(ws));
        await Send(ws, "{\"action\":\"subscribe\",\"bars\":[\"AAPL\"],\"trades\":[\"AAPL\"]}");
        var subscription = await Receive(ws);
        Assert.Contains("\"T\":\"subscription\",\"trades\":[\"AAPL\"],\"quotes\":[],\"bars\":[\"AAPL\"]", subscription, StringComparison.Ordinal);

        server.PushBar(new FakeAlpacaBar("MSFT", new DateTime(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc), 1, 1, 1, 1, 1)); // not subscribed
        server.PushBar(new FakeAlpacaBar("AAPL", new DateTime(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc), 1.5m, 2, 1, 1.75m, 300, 4, 1.6m));
        server.PushTrade("AAPL", 1.8m, 10, new DateTime(2026, 3, 2, 14, 31, 0, DateTimeKind.Utc));

        Assert.Equal("[{\"T\":\"b\",\"S\":\"AAPL\",\"o\":1.5,\"h\":2,\"l\":1,\"c\":1.75,\"v\":300,\"t\":\"2026-03-02T14:30:00Z\",\"n\":4,\"vw\":1.6}]", await Receive(ws));
        Assert.StartsWith("[{\"T\":\"t\",\"S\":\"AAPL\",\"i\":1,\"x\":\"V\",\"p\":1.8,\"s\":10,\"t\":\"2026-03-02T14:31:00.000000000Z\"", await Receive(ws), StringComparison.Ordinal);
        await server.WaitUntilAsync(s => s.DataStreamListeners == 1, cancellationToken: Ct);
    }

    [Fact]
    public async Task DataStream_ForCrypto_RefusesAWrongKeyWith402()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(server.DataStreamUrl, "/v1beta3/crypto/us"), Ct);
        await Receive(ws);

        await Send(ws, "{\"action\":\"auth\",\"key\":\"nope\",\"secret\":\"nope\"}");

        Assert.Equal("[{\"T\":\"error\",\"code\":402,\"msg\":\"auth failed\"}]", await Receive(ws));
    }

    [Fact]
    public async Task DataStream_ASecondSocketForTheSameKeyAndFeed_IsRefusedWith406()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        var auth = "{\"action\":\"auth\",\"key\":\"" + AlpacaHarness.KeyId + "\",\"secret\":\"" + AlpacaHarness.Secret.Replace("/", "\\/", StringComparison.Ordinal) + "\"}";
        using var first = new ClientWebSocket();
        using var second = new ClientWebSocket();
        using var otherFeed = new ClientWebSocket();
        async Task<string> AuthenticateAsync(ClientWebSocket ws, string path)
        {
            await ws.ConnectAsync(new Uri(server.DataStreamUrl, path), Ct);
            await Receive(ws);
            await Send(ws, auth);
            return await Receive(ws);
        }

        // One after the other: the server sees the first authenticated before the second asks.
        Assert.Equal("[{\"T\":\"success\",\"msg\":\"authenticated\"}]", await AuthenticateAsync(first, "/v2/iex"));
        Assert.Equal("[{\"T\":\"error\",\"code\":406,\"msg\":\"connection limit exceeded\"}]", await AuthenticateAsync(second, "/v2/iex"));
        Assert.Equal("[{\"T\":\"success\",\"msg\":\"authenticated\"}]", await AuthenticateAsync(otherFeed, "/v2/test"));
    }

    [Fact]
    public async Task Calendar_ListsWeekdays_WithNewYorkSessionTimes()
    {
        await using var server = await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        using var http = Authorized();

        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(server.TradingUrl, "/v2/calendar?start=2026-07-30&end=2026-08-04"), Ct));

        var days = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["2026-07-30", "2026-07-31", "2026-08-03", "2026-08-04"], days.Select(d => d.GetProperty("date").GetString()));
        Assert.Equal(("09:30", "16:00", "2026-08-03"), (days[1].GetProperty("open").GetString(), days[1].GetProperty("close").GetString(), days[1].GetProperty("settlement_date").GetString()));
    }

    [Fact]
    public async Task MarketDataClient_ReadsEveryPageOfBars_ForStocksAndCrypto()
    {
        await using var h = await AlpacaHarness.StartAsync();
        var start = new DateTime(2026, 3, 2, 14, 30, 0, DateTimeKind.Utc);
        h.Server.AddBars(Enumerable.Range(0, 30).Select(i => new FakeAlpacaBar("AAPL", start.AddMinutes(i), 100, 101, 99, 100.25m, 7)));
        h.Server.AddBars(Enumerable.Range(0, 3).Select(i => new FakeAlpacaBar("BTC/USD", start.AddMinutes(i), 60000, 60010, 59990, 60005.5m, 1)));
        using var logs = new CapturingLoggerProvider();
        using var data = new AlpacaMarketDataClient(h.Options, logs.CreateFactory().CreateLogger("data"));

        h.Server.Faults.FailNext(429, 1);
        var stocks = await data.GetBarsAsync(["AAPL"], "15Min", start, start.AddHours(1), cancellationToken: Ct);
        var crypto = await data.GetBarsAsync(["BTC/USD"], "1Min", start, start.AddHours(1), cancellationToken: Ct);

        Assert.Equal([start, start.AddMinutes(15)], stocks.Select(b => b.StartUtc));
        Assert.Equal((100m, 101m, 99m, 100.25m, 105m), (stocks[0].Open, stocks[0].High, stocks[0].Low, stocks[0].Close, stocks[0].Volume));
        Assert.Equal(3, crypto.Count);
        Assert.Equal(60005.5m, crypto[0].Close);
        Assert.Contains(h.Server.Requests, r => r.Path == "/v1beta3/crypto/us/bars");
        Assert.Contains(h.Server.Requests, r => r.Path == "/v2/stocks/bars" && r.Query.Contains("feed=iex", StringComparison.Ordinal));
        logs.AssertNoneContains(AlpacaHarness.Secret);
    }

    private static HttpClient Authorized()
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Add("APCA-API-KEY-ID", AlpacaHarness.KeyId);
        http.DefaultRequestHeaders.Add("APCA-API-SECRET-KEY", AlpacaHarness.Secret);
        return http;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    private static Task Send(ClientWebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Ct);

    private static async Task<string> Receive(ClientWebSocket ws)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        var buffer = new byte[16384];
        var count = 0;
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(count), cts.Token);
            count += r.Count;
            if (r.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, count);
            }
        }
    }
}
