using System.Net.WebSockets;
using System.Text;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Finnhub;

/// <summary>The fake Finnhub server's own contract, seen through raw sockets (and through the feed for tape replay).</summary>
public sealed class FakeFinnhubServerTests
{
    private const string Key = "raw-socket-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ClientWebSocket> OpenAsync(FakeFinnhubServer server, string key = Key)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(server.WsUrl, "/?token=" + key), Ct);
        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, Ct);

    private static async Task<string> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await socket.ReceiveAsync(buffer, cts.Token);
        Assert.True(result.EndOfMessage);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    [Fact]
    public async Task Subscribe_GetsNoAck_UnknownTypesAreIgnored_TheFirstFrameIsTheTrade()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key] }, Ct);
        using var socket = await OpenAsync(server);

        await SendAsync(socket, "{\"type\":\"hello\"}");
        await SendAsync(socket, "not json at all");
        await SendAsync(socket, "{\"type\":\"subscribe-news\",\"symbol\":\"AAPL\"}");
        await SendAsync(socket, "{\"type\":\"subscribe\",\"symbol\":\"AAPL\"}");
        await server.WaitUntilAsync(s => s.ClientMessages == 4, cancellationToken: Ct);
        server.PushTrades(new FakeTrade("AAPL", new DateTime(2023, 1, 2, 14, 30, 0, 123, DateTimeKind.Utc), 129.58m, 1m, ["1", "24", "12"]));

        Assert.Equal(
            "{\"data\":[{\"s\":\"AAPL\",\"p\":129.58,\"t\":1672669800123,\"v\":1,\"c\":[\"1\",\"24\",\"12\"]}],\"type\":\"trade\"}",
            await ReceiveAsync(socket));
        Assert.Equal(1, server.SubscribeMessages);
    }

    [Fact]
    public async Task SymbolCap_RefusesTheNextSymbol_WithFinnhubsText_AndUnsubscribeFreesASlot()
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key], SymbolCap = 1 }, Ct);
        using var socket = await OpenAsync(server);

        await SendAsync(socket, "{\"type\":\"subscribe\",\"symbol\":\"AAPL\"}");
        await SendAsync(socket, "{\"type\":\"subscribe\",\"symbol\":\"MSFT\"}");
        Assert.Equal("{\"type\":\"error\",\"msg\":\"Subscribing to too many symbols\"}", await ReceiveAsync(socket));

        await SendAsync(socket, "{\"type\":\"unsubscribe\",\"symbol\":\"AAPL\"}");
        await SendAsync(socket, "{\"type\":\"subscribe\",\"symbol\":\"MSFT\"}");
        await server.WaitUntilAsync(s => s.Connections.Single().Subscriptions.SetEquals(["MSFT"]), cancellationToken: Ct);
    }

    [Theory]
    [InlineData(FakeSecondSocketPolicy.DropOld, false, true, 1)]
    [InlineData(FakeSecondSocketPolicy.DropBoth, false, false, 2)]
    [InlineData(FakeSecondSocketPolicy.Allow, true, true, 0)]
    public async Task SecondSocketWithTheSameKey_FollowsThePolicy(FakeSecondSocketPolicy policy, bool firstSurvives, bool secondSurvives, int evicted)
    {
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key], SecondSocketPolicy = policy }, Ct);
        using var first = await OpenAsync(server);
        await server.WaitUntilAsync(s => s.Connections.Count == 1, cancellationToken: Ct);

        using var second = new ClientWebSocket();
        try
        {
            await second.ConnectAsync(new Uri(server.WsUrl, "/?token=" + Key), Ct);
        }
        catch (WebSocketException) when (!secondSurvives)
        {
            // Dropped so fast that the upgrade answer may not even arrive.
        }

        await server.WaitUntilAsync(s => s.ConnectionsAccepted == 2 && s.Connections.Count == (firstSurvives ? 1 : 0) + (secondSurvives ? 1 : 0), cancellationToken: Ct);

        Assert.Equal(evicted, server.ConnectionsEvicted);
        var open = server.Connections.Select(c => c.Id).ToList();
        Assert.Equal(firstSurvives, open.Contains(1));
        Assert.Equal(secondSurvives, open.Contains(2));
    }

    [Fact]
    public async Task Pings_ComeOnTheConfiguredInterval_OfTheServersClock()
    {
        var clock = new WatchedFakeTime();
        await using var server = await FakeFinnhubServer.StartAsync(
            new FakeFinnhubOptions { ApiKeys = [Key], PingInterval = TimeSpan.FromSeconds(60), TimeProvider = clock }, Ct);
        using var socket = await OpenAsync(server);
        await clock.WaitForDelayAsync(TimeSpan.FromSeconds(60));

        clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal("{\"type\":\"ping\"}", await ReceiveAsync(socket));
        Assert.Equal(1, server.PingsSent);
    }

    [Fact]
    public async Task ALeanTickDay_PlayedThroughTheStream_ArrivesPrintForPrint()
    {
        var lean = TestPaths.RequireLean();
        var zip = Path.Combine(lean, "equity", "usa", "tick", "spy", "20131007_trade.zip");
        var tape = LeanTickTape.Read(zip, "SPY", new DateOnly(2024, 3, 4), maxTrades: 600);
        await using var h = await FinnhubHarness.StartAsync();
        var spy = Symbol.Equity("SPY");
        await h.Feed.ConnectAsync([spy], Ct);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 1, cancellationToken: Ct);

        await h.Server.PlayAsync(tape, new FakePlayback(BatchSize: 37), Ct);
        var trades = await h.TradesAsync(tape.Count);

        // First row of the file: "14400464,1674100,100,P,20002000,0": 04:00:00.464 New York (EST on 2024-03-04: 09:00:00.464Z), $167.41 x 100.
        Assert.Equal(new DateTime(2024, 3, 4, 9, 0, 0, 464, DateTimeKind.Utc), trades[0].Trade.Time);
        Assert.Equal(167.41m, trades[0].Trade.Price);
        Assert.Equal(100m, trades[0].Trade.Size);
        Assert.Equal(["20002000"], trades[0].Trade.Conditions!);
        for (var i = 0; i < tape.Count; i++)
        {
            Assert.Equal((tape[i].TimeUtc, tape[i].Price, tape[i].Volume), (trades[i].Trade.Time, trades[i].Trade.Price, trades[i].Trade.Size));
        }

        Assert.Equal(tape.Count, h.Server.TradesSent);
        Assert.True(h.Server.FramesSent >= tape.Count / 37);
        Assert.DoesNotContain(h.Seen, e => e is ConnectionEvent { State: FeedConnectionState.Disconnected });
    }
}
