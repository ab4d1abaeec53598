using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StrategyLab.FakeServers.Polygon;

namespace StrategyLab.Tests.Providers.Polygon;

/// <summary>
/// The fake Polygon server's own contract (protocols.md §2.5), checked with plain sockets and HTTP so that the client
/// tests rest on a fake that behaves like the real service.
/// </summary>
public sealed class FakePolygonServerTests
{
    private const string Key = "fake-contract-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[8192];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await socket.ReceiveAsync(buffer, cts.Token);
        return result.MessageType == WebSocketMessageType.Close
            ? $"close {(int?)socket.CloseStatus} {socket.CloseStatusDescription}"
            : Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, Ct);

    private static (string Status, string Message) Status(string frame)
    {
        using var doc = JsonDocument.Parse(frame);
        var e = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal("status", e.GetProperty("ev").GetString());
        return (e.GetProperty("status").GetString()!, e.GetProperty("message").GetString()!);
    }

    [Fact]
    public async Task Handshake_ConnectedFirst_SubscribeRefusedBeforeAuth_OneSuccessPerChannel()
    {
        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key] }, Ct);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WsUrl, Ct);

        Assert.Equal(("connected", "Connected Successfully"), Status(await ReceiveAsync(socket)));
        await SendAsync(socket, "{\"action\":\"subscribe\",\"params\":\"AM.AAPL\"}");
        Assert.Equal("error", Status(await ReceiveAsync(socket)).Status);
        await SendAsync(socket, "{\"action\":\"auth\",\"params\":\"" + Key + "\"}");
        Assert.Equal(("auth_success", "authenticated"), Status(await ReceiveAsync(socket)));
        await SendAsync(socket, "{\"action\":\"subscribe\",\"params\":\"AM.AAPL,T.MSFT,A.*\"}");
        Assert.Equal(("success", "subscribed to: AM.AAPL"), Status(await ReceiveAsync(socket)));
        Assert.Equal(("success", "subscribed to: T.MSFT"), Status(await ReceiveAsync(socket)));
        Assert.Equal(("success", "subscribed to: A.*"), Status(await ReceiveAsync(socket)));
        Assert.Equal(new HashSet<string> { "AM.AAPL", "T.MSFT", "A.*" }, Assert.Single(server.Connections).Subscriptions);

        // A.* receives every ticker's second aggregates; the frame is an array.
        server.PushTrades(new FakePolygonTrade("IBM", new DateTime(2024, 3, 4, 15, 0, 0, 250, DateTimeKind.Utc), 190.5m, 3m));
        server.EmitSecond(new DateTime(2024, 3, 4, 15, 0, 0, DateTimeKind.Utc));
        using var doc = JsonDocument.Parse(await ReceiveAsync(socket));
        var a = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal("A", a.GetProperty("ev").GetString());
        Assert.Equal("IBM", a.GetProperty("sym").GetString());
        Assert.Equal(1000, a.GetProperty("e").GetInt64() - a.GetProperty("s").GetInt64());
    }

    [Fact]
    public async Task NoAuthInTime_AuthTimeout_ThenClose()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 3, 4, 15, 0, 0, TimeSpan.Zero));
        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key], AuthTimeout = TimeSpan.FromSeconds(10), TimeProvider = time }, Ct);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WsUrl, Ct);
        Assert.Equal("connected", Status(await ReceiveAsync(socket)).Status);

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(("auth_timeout", "No authentication request received."), Status(await ReceiveAsync(socket)));
        Assert.StartsWith("close 1008", await ReceiveAsync(socket), StringComparison.Ordinal);
        Assert.Equal(1, server.AuthTimeouts);
    }

    [Fact]
    public async Task BadKey_AuthFailed_ThenClose()
    {
        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key] }, Ct);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WsUrl, Ct);
        await ReceiveAsync(socket);

        await SendAsync(socket, "{\"action\":\"auth\",\"params\":\"wrong\"}");

        Assert.Equal(("auth_failed", "authentication failed"), Status(await ReceiveAsync(socket)));
        Assert.StartsWith("close 1008", await ReceiveAsync(socket), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecondSocket_EvictNew_GetsMaxConnectionsAndClose1008_TheFirstStays()
    {
        await using var server = await FakePolygonServer.StartAsync(
            new FakePolygonOptions { ApiKeys = [Key], ConnectionLimitMode = FakeConnectionLimitMode.EvictNew }, Ct);
        using var first = new ClientWebSocket();
        await first.ConnectAsync(server.WsUrl, Ct);
        await ReceiveAsync(first);
        await SendAsync(first, "{\"action\":\"auth\",\"params\":\"" + Key + "\"}");
        Assert.Equal("auth_success", Status(await ReceiveAsync(first)).Status);

        using var second = new ClientWebSocket();
        await second.ConnectAsync(server.WsUrl, Ct);
        await ReceiveAsync(second);
        await SendAsync(second, "{\"action\":\"auth\",\"params\":\"" + Key + "\"}");

        Assert.Equal(("max_connections", FakePolygonServer.MaxConnectionsMessage), Status(await ReceiveAsync(second)));
        Assert.StartsWith("close 1008", await ReceiveAsync(second), StringComparison.Ordinal);
        await second.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, Ct);
        await server.WaitUntilAsync(s => s.Connections.Count == 1, cancellationToken: Ct);
        Assert.Equal(1, server.Connections[0].Id);
        Assert.Equal(WebSocketState.Open, first.State);
    }

    [Fact]
    public async Task Rest_ApiKeyQuery_DateRange_SortDesc_AndErrorBodies()
    {
        await using var server = await FakePolygonServer.StartAsync(new FakePolygonOptions { ApiKeys = [Key], RequestsPerMinute = 0 }, Ct);
        server.PushTrades(
            new FakePolygonTrade("AAPL", new DateTime(2024, 3, 4, 15, 0, 10, DateTimeKind.Utc), 10m, 1m),
            new FakePolygonTrade("AAPL", new DateTime(2024, 3, 4, 15, 1, 10, DateTimeKind.Utc), 11m, 2m),
            new FakePolygonTrade("AAPL", new DateTime(2024, 3, 5, 15, 1, 10, DateTimeKind.Utc), 12m, 3m));
        using var http = new HttpClient { BaseAddress = server.RestUrl };

        var body = await http.GetStringAsync($"/v2/aggs/ticker/AAPL/range/1/minute/2024-03-04/2024-03-04?sort=desc&apiKey={Key}", Ct);
        using (var doc = JsonDocument.Parse(body))
        {
            var results = doc.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("c").GetDecimal()).ToList();
            Assert.Equal([11m, 10m], results); // the 5th is another day; newest first
            Assert.Equal("OK", doc.RootElement.GetProperty("status").GetString());
        }

        Assert.Equal(FakePolygonAuthStyle.QueryApiKey, server.RestRequests[^1].AuthStyle);

        var day = await http.GetStringAsync($"/v2/aggs/ticker/AAPL/range/1/day/2024-03-04/2024-03-05?apiKey={Key}", Ct);
        using (var doc = JsonDocument.Parse(day))
        {
            var t = doc.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("t").GetInt64()).ToList();
            Assert.Equal([1709528400000L, 1709614800000L], t); // midnight New York (05:00Z) of each date
        }

        using var unauthorized = await http.GetAsync("/v2/aggs/ticker/AAPL/range/1/minute/2024-03-04/2024-03-04", Ct);
        Assert.Equal(401, (int)unauthorized.StatusCode);
        Assert.Equal(FakePolygonServer.UnknownKeyBody, await unauthorized.Content.ReadAsStringAsync(Ct));

        server.Faults.NotEntitled = true;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/aggs/ticker/AAPL/range/1/minute/2024-03-04/2024-03-04");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var forbidden = await http.SendAsync(request, Ct);
        Assert.Equal(403, (int)forbidden.StatusCode);
        Assert.Equal(FakePolygonServer.NotEntitledBody, await forbidden.Content.ReadAsStringAsync(Ct));
        Assert.Equal(FakePolygonAuthStyle.Bearer, server.RestRequests[^1].AuthStyle);
    }
}
