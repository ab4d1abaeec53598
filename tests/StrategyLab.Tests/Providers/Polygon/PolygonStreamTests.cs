using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Polygon;
using StrategyLab.Providers.Polygon;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Polygon;

/// <summary>
/// The Polygon stream against the fake server: handshake, minute/second aggregates, late corrections, trades and their
/// ids, statuses, faults, reconnects and authentication. Expected bars are worked out by hand from the trades pushed.
/// </summary>
public sealed class PolygonStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(int h, int mi, int s, int ms = 0) => new(2024, 3, 4, h, mi, s, ms, DateTimeKind.Utc);

    /// <summary>
    /// Monday 2024-03-04 (EST: 14:30Z is the 09:30 open). AAPL minute 14:30: O 180.10 H 180.55 L 179.95 C 180.20 V 185,
    /// VWAP 33338.25 / 185 = 180.20675… → 180.2068. AAPL minute 14:31: O 180.25 H 180.25 L 180.05 C 180.05 V 320,
    /// VWAP 57676 / 320 = 180.2375. MSFT minute 14:30: one trade 400.01 × 7.
    /// </summary>
    private static readonly FakePolygonTrade[] Trades =
    [
        new("AAPL", Utc(14, 30, 5), 180.10m, 100m),
        new("MSFT", Utc(14, 30, 10), 400.01m, 7m),
        new("AAPL", Utc(14, 30, 20), 180.55m, 50m),
        new("AAPL", Utc(14, 30, 40), 179.95m, 25m),
        new("AAPL", Utc(14, 30, 59, 999), 180.20m, 10m),
        new("AAPL", Utc(14, 31, 0), 180.25m, 300m),
        new("AAPL", Utc(14, 31, 45), 180.05m, 20m),
    ];

    private static void AssertBar(Bar bar, string ticker, DateTime start, TimeSpan length, decimal o, decimal h, decimal l, decimal c, decimal v, decimal vwap)
    {
        Assert.Equal(ticker, bar.Symbol.Ticker);
        Assert.Equal(start, bar.Start);
        Assert.Equal(start + length, bar.End);
        Assert.Equal(DateTimeKind.Utc, bar.Start.Kind);
        Assert.Equal((o, h, l, c, v), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        Assert.Equal(vwap, bar.Vwap);
        Assert.Null(bar.TradeCount); // the stream's aggregates carry none
    }

    [Fact]
    public async Task Connect_WaitsForConnected_AuthenticatesInTheMessage_SubscribesEveryChannelInOneMessage()
    {
        await using var h = await PolygonHarness.StartAsync(configure: o => o.Streams = PolygonStreams.MinuteAggregates | PolygonStreams.Trades);

        await h.Feed.ConnectAsync([Symbol.Equity("AAPL"), Symbol.Equity("MSFT")], Ct);

        Assert.Equal(FeedConnectionState.Connected, (await h.NextAsync<ConnectionEvent>()).State);
        var connection = Assert.Single(h.Server.Connections);
        Assert.True(connection.Authenticated);
        Assert.Equal(new HashSet<string> { "AM.AAPL", "T.AAPL", "AM.MSFT", "T.MSFT" }, connection.Subscriptions);
        var messages = h.Server.ClientMessages;
        Assert.Equal(2, messages.Count);
        using (var auth = System.Text.Json.JsonDocument.Parse(messages[0]))
        {
            Assert.Equal("auth", auth.RootElement.GetProperty("action").GetString());
            Assert.Equal(PolygonHarness.Key, auth.RootElement.GetProperty("params").GetString());
        }

        Assert.Equal("{\"action\":\"subscribe\",\"params\":\"AM.AAPL,T.AAPL,AM.MSFT,T.MSFT\"}", messages[1]);
        var subscribed = Assert.Single(h.Logs.Named("polygon.subscribed"));
        Assert.Contains("4 channel(s)", subscribed.Message, StringComparison.Ordinal);
        Assert.True(h.Feed.IsConnected);
    }

    [Fact]
    public async Task MinuteAggregates_AreTheScriptedBars_ExactDecimals_StartEndFromSAndE()
    {
        await using var h = await PolygonHarness.StartAsync();
        await h.ConnectAsync("AAPL", "MSFT");
        h.Server.PushTrades(Trades);

        h.Server.EmitMinute(Utc(14, 30, 0));
        h.Server.EmitMinute(Utc(14, 31, 0));

        var bars = (await h.ManyAsync<BarEvent>(3)).Select(e => e.Bar).ToList();
        AssertBar(bars[0], "AAPL", Utc(14, 30, 0), TimeSpan.FromMinutes(1), 180.10m, 180.55m, 179.95m, 180.20m, 185m, 180.2068m);
        AssertBar(bars[1], "MSFT", Utc(14, 30, 0), TimeSpan.FromMinutes(1), 400.01m, 400.01m, 400.01m, 400.01m, 7m, 400.01m);
        AssertBar(bars[2], "AAPL", Utc(14, 31, 0), TimeSpan.FromMinutes(1), 180.25m, 180.25m, 180.05m, 180.05m, 320m, 180.2375m);
        Assert.Equal(3, h.Feed.Counters.MinuteBars);
        Assert.Equal(0, h.Feed.Counters.Trades); // T was not subscribed: no trade went out
        Assert.Equal(0, h.Feed.Counters.MalformedFrames);
    }

    [Fact]
    public async Task ClockDrivenEmission_AdvanceTo_SendsEveryCompleteMinuteOnce()
    {
        await using var h = await PolygonHarness.StartAsync();
        await h.ConnectAsync("AAPL");
        h.Server.PushTrades(Trades);

        Assert.Equal(1, h.Server.AdvanceTo(Utc(14, 31, 30))); // only 14:30 is complete; MSFT is not subscribed, A not either
        var first = await h.NextAsync<BarEvent>();
        Assert.Equal(Utc(14, 30, 0), first.Bar.Start);

        // Nothing new until 14:32 passes; then 14:31 alone.
        Assert.Equal(0, h.Server.AdvanceTo(Utc(14, 31, 59)));
        h.Server.AdvanceTo(Utc(14, 32, 0));
        var second = await h.NextAsync<BarEvent>();
        AssertBar(second.Bar, "AAPL", Utc(14, 31, 0), TimeSpan.FromMinutes(1), 180.25m, 180.25m, 180.05m, 180.05m, 320m, 180.2375m);
    }

    [Fact]
    public async Task LateAggregate_IsDeliveredAgain_WithTheSameStart_AndCorrectedValues()
    {
        await using var h = await PolygonHarness.StartAsync();
        await h.ConnectAsync("AAPL");
        h.Server.PushTrades(Trades);
        h.Server.EmitMinute(Utc(14, 30, 0));
        var original = await h.NextAsync<BarEvent>();

        // A late print (a FINRA report) changes the minute: 180.60 × 15 at 14:30:50. New H 180.60, V 200,
        // VWAP (33338.25 + 2709) / 200 = 180.23625 → 180.2363; the close stays the 14:30:59.999 print.
        h.Server.PushTrades(new FakePolygonTrade("AAPL", Utc(14, 30, 50), 180.60m, 15m));
        h.Server.EmitMinute(Utc(14, 30, 0));
        var corrected = await h.NextAsync<BarEvent>();

        Assert.Equal(original.Bar.Start, corrected.Bar.Start);
        AssertBar(corrected.Bar, "AAPL", Utc(14, 30, 0), TimeSpan.FromMinutes(1), 180.10m, 180.60m, 179.95m, 180.20m, 200m, 180.2363m);
        Assert.Equal(2, h.Feed.Counters.MinuteBars);
    }

    [Fact]
    public async Task SecondAggregates_AreOneSecondBars()
    {
        await using var h = await PolygonHarness.StartAsync(configure: o => o.Streams = PolygonStreams.SecondAggregates);
        await h.ConnectAsync("AAPL");
        h.Server.PushTrades(Trades);

        h.Server.EmitSecond(Utc(14, 30, 59));

        var bar = (await h.NextAsync<BarEvent>()).Bar;
        AssertBar(bar, "AAPL", Utc(14, 30, 59), TimeSpan.FromSeconds(1), 180.20m, 180.20m, 180.20m, 180.20m, 10m, 180.20m);
        Assert.Equal(1, h.Feed.Counters.SecondBars);
    }

    [Theory]
    [InlineData(FakeDuplicateTrades.SeparateFrames)]
    [InlineData(FakeDuplicateTrades.SameFrame)]
    public async Task Trades_ExactDecimals_AndDuplicatesCarryTheSameId(FakeDuplicateTrades mode)
    {
        await using var h = await PolygonHarness.StartAsync(configure: o => o.Streams = PolygonStreams.Trades);
        await h.ConnectAsync("AAPL");
        h.Server.Faults.DuplicateTrades = mode;

        h.Server.PushTrades(
            new FakePolygonTrade("AAPL", Utc(14, 30, 5, 123), 180.1234m, 100m, Id: "52983525029461", Exchange: 11, Conditions: [12, 37]),
            new FakePolygonTrade("AAPL", Utc(14, 30, 5, 123), 180.1234m, 100m, Id: "52983525029462", Exchange: 11));

        var trades = (await h.ManyAsync<TradeEvent>(4)).Select(e => e.Trade).ToList();
        var ids = trades.Select(t => t.Id).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        Assert.Equal(2, ids.Count(i => i == "AAPL|52983525029461|11"));
        Assert.Equal(2, ids.Count(i => i == "AAPL|52983525029462|11"));
        var first = trades.First(t => t.Id == "AAPL|52983525029461|11");
        Assert.Equal(180.1234m, first.Price);
        Assert.Equal(100m, first.Size);
        Assert.Equal(Utc(14, 30, 5, 123), first.Time);
        Assert.Equal(["12", "37"], first.Conditions!);
        Assert.Empty(trades.First(t => t.Id == "AAPL|52983525029462|11").Conditions!);
        Assert.Equal(4, h.Feed.Counters.Trades);
    }

    [Fact]
    public async Task MalformedFramesAndEvents_AreLoggedAndSkipped_TheRestOfTheFrameIsKept()
    {
        await using var h = await PolygonHarness.StartAsync();
        await h.ConnectAsync("AAPL");

        h.Server.SendRaw("not json");
        h.Server.SendRaw("{\"ev\":\"AM\"}"); // an object, not an array
        h.Server.SendRaw(
            "[{\"ev\":\"AM\",\"sym\":\"AAPL\",\"o\":\"x\",\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"s\":1709562600000,\"e\":1709562660000}," +
            "{\"ev\":\"AM\",\"sym\":\"AAPL\",\"o\":2,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"s\":1709562600000,\"e\":1709562660000}," +
            "{\"ev\":\"Q\",\"sym\":\"AAPL\"}," +
            "{\"ev\":\"AM\",\"sym\":\"AAPL\",\"o\":\"1.5\",\"h\":2,\"l\":1,\"c\":1.75,\"v\":1000,\"vw\":1.6,\"z\":50,\"s\":1709562600000,\"e\":1709562660000}]",
            binary: true);

        var bar = (await h.NextAsync<BarEvent>()).Bar;
        AssertBar(bar, "AAPL", Utc(14, 30, 0), TimeSpan.FromMinutes(1), 1.5m, 2m, 1m, 1.75m, 1000m, 1.6m);
        await h.Logs.WaitForAsync("polygon.frame.malformed", 3);
        Assert.Equal(3, h.Feed.Counters.MalformedFrames);
        Assert.Equal(2, h.Feed.Counters.SkippedEvents);
        Assert.Equal(1, h.Feed.Counters.OtherEvents);
        var malformed = h.Logs.Named("polygon.frame.malformed");
        Assert.All(malformed, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.Contains(malformed, e => e.Message.Contains("'o' is not a number", StringComparison.Ordinal));
        Assert.Contains(malformed, e => e.Message.Contains("not a JSON array", StringComparison.Ordinal));
        Assert.Equal(1, h.Server.ConnectionsAccepted); // nothing was fatal
    }

    [Fact]
    public async Task UnknownStatus_IsLoggedAndReportedAsANotice()
    {
        await using var h = await PolygonHarness.StartAsync();
        await h.ConnectAsync("AAPL");

        h.Server.SendRaw("[{\"ev\":\"status\",\"status\":\"slow_consumer\",\"message\":\"you are falling behind\"}]");

        var notice = await h.NextAsync<ProviderNoticeEvent>();
        Assert.Contains("slow_consumer", notice.Message, StringComparison.Ordinal);
        Assert.Contains("you are falling behind", notice.Message, StringComparison.Ordinal);
        Assert.Single(h.Logs.Named("polygon.status"));
    }

    [Fact]
    public async Task AuthFailed_ThrowsFeedAuthenticationException_WithoutTheKey_NeverRetried()
    {
        await using var h = await PolygonHarness.StartAsync(PolygonHarness.ServerOptions(o => new FakePolygonOptions { ApiKeys = ["another-key"], RequestsPerMinute = 0 }));

        var e = await Assert.ThrowsAsync<FeedAuthenticationException>(() => h.Feed.ConnectAsync([Symbol.Equity("AAPL")], Ct));
        h.Record(e);

        Assert.Contains("auth_failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("POLYGON_API_KEY", e.Message, StringComparison.Ordinal);
        var failed = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Failed, failed.State);
        Assert.False(await h.Feed.Events.WaitToReadAsync(Ct)); // completed

        // "Never retried" is read from this feed's own log: the server's counters can also see another test's client,
        // reconnecting to its own fake's old loopback port once the OS has given that port to this server (the likely cause of
        // a CI run that counted 2 here while this feed logged no retry).
        Assert.True(h.Server.AuthFailures >= 1);
        Assert.Empty(h.Logs.Named("liveMode.reconnecting"));
        Assert.Single(h.Logs.Named("liveMode.failed"));
    }

    [Fact]
    public async Task AbruptDrop_DisconnectedThenConnected_ReauthenticatedAndResubscribed()
    {
        await using var h = await PolygonHarness.StartAsync(configure: o => o.Streams = PolygonStreams.MinuteAggregates | PolygonStreams.Trades);
        await h.ConnectAsync("AAPL", "MSFT");
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);

        h.Server.AbortConnections();

        var lost = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Disconnected, lost.State);
        Assert.Contains("connection lost", lost.Reason, StringComparison.Ordinal);
        Assert.Equal(FeedConnectionState.Connected, (await h.NextAsync<ConnectionEvent>()).State);
        await h.Server.WaitUntilAsync(
            s => s.ConnectionsAccepted == 2 && s.Connections.Count == 1 && s.Connections[0].Id == 2 && s.Connections[0].Authenticated
                 && s.Connections[0].Subscriptions.SetEquals(["AM.AAPL", "T.AAPL", "AM.MSFT", "T.MSFT"]),
            cancellationToken: Ct);
        Assert.Equal(2, h.Server.AuthSuccesses);
        var messages = h.Server.ClientMessages;
        Assert.Equal(4, messages.Count); // auth, subscribe; auth, subscribe
        Assert.StartsWith("{\"action\":\"auth\"", messages[2], StringComparison.Ordinal);
        Assert.Equal(messages[1], messages[3]);

        // Data flows on the new socket.
        h.Server.PushTrades(new FakePolygonTrade("MSFT", Utc(14, 31, 0), 400.02m, 5m));
        Assert.Equal(400.02m, (await h.NextAsync<TradeEvent>()).Trade.Price);
    }

    [Fact]
    public async Task Silence_WatchdogClosesAndReconnects()
    {
        await using var h = await PolygonHarness.StartAsync(configure: o => o.Stream.SilenceTimeout = TimeSpan.FromMilliseconds(600));
        await h.ConnectAsync("AAPL");
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);
        h.Server.Faults.Stall = true;

        var lost = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Disconnected, lost.State);
        Assert.Contains("no frame for", lost.Reason, StringComparison.Ordinal);
        h.Server.Faults.Stall = false;
        Assert.Equal(FeedConnectionState.Connected, (await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected)).State);
        Assert.NotEmpty(h.Logs.Named("liveMode.silence"));
    }

    [Fact]
    public async Task MaxConnections_AnotherClientEvictsTheFeed_LoggedAsError_ThenHoldOffBeforeReconnecting()
    {
        await using var h = await PolygonHarness.StartAsync();
        await h.ConnectAsync("AAPL");
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);

        // Another process authenticates with the same key: the server evicts the older socket (the feed's).
        using var other = await RawClientAsync(h.Server, PolygonHarness.Key);

        var notice = await h.NextAsync<ProviderNoticeEvent>();
        Assert.Contains("max_connections", notice.Message, StringComparison.Ordinal);
        var lost = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Disconnected, lost.State);
        Assert.Contains("1008", lost.Reason, StringComparison.Ordinal);
        var error = Assert.Single(h.Logs.Named("polygon.max_connections"));
        Assert.Equal(LogLevel.Error, error.Level);
        await h.Logs.WaitForAsync("liveMode.reconnecting");
        var reconnecting = h.Logs.Named("liveMode.reconnecting")[0];
        Assert.Contains("DelayMs=300", reconnecting.Values);
        Assert.Equal(1, h.Feed.Counters.MaxConnections);
    }

    [Fact]
    public async Task MaxConnections_DuringTheHandshake_WaitsTheHoldOffOnTheClock_ThenConnects()
    {
        var time = new WatchedFakeTime();
        time.Clock.SetUtcNow(new DateTimeOffset(2024, 3, 4, 15, 0, 0, TimeSpan.Zero));
        await using var h = await PolygonHarness.StartAsync(
            PolygonHarness.ServerOptions(o => new FakePolygonOptions { ApiKeys = [PolygonHarness.Key], RequestsPerMinute = 0, ConnectionLimitMode = FakeConnectionLimitMode.EvictNew }),
            o => o.MaxConnectionsHoldOff = TimeSpan.FromSeconds(30),
            time);
        var other = await RawClientAsync(h.Server, PolygonHarness.Key);

        var connect = h.Feed.ConnectAsync([Symbol.Equity("AAPL")], Ct);

        await h.Logs.WaitForAsync("polygon.max_connections");
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(30));
        Assert.False(connect.IsCompleted);
        Assert.Equal(2, h.Server.ConnectionsAccepted); // no new attempt while holding off
        Assert.Contains("DelayMs=30000", h.Logs.Named("liveMode.reconnecting")[0].Values);

        // The other client goes away; once the hold-off has passed the feed gets the stream.
        other.Abort();
        other.Dispose();
        await h.Server.WaitUntilAsync(s => s.Connections.All(c => c.Id != 1), cancellationToken: Ct);
        time.Advance(TimeSpan.FromSeconds(30));
        await connect;
        Assert.Equal(3, h.Server.ConnectionsAccepted);
        Assert.True(h.Feed.IsConnected);
    }

    [Fact]
    public async Task Disconnect_ClosesTheSocket_CompletesTheEvents_AndDoesNotReconnect()
    {
        await using var h = await PolygonHarness.StartAsync();
        await h.ConnectAsync("AAPL");
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);

        await h.Feed.DisconnectAsync(Ct);

        Assert.False(await h.Feed.Events.WaitToReadAsync(Ct));
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 0, cancellationToken: Ct);
        Assert.Equal(1, h.Server.ConnectionsAccepted);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Feed.ConnectAsync([Symbol.Equity("AAPL")], Ct));
    }

    [Fact]
    public async Task CryptoSymbols_AreRefused_AndOptionsAreValidatedWithoutTheKey()
    {
        await using var h = await PolygonHarness.StartAsync();
        var crypto = await Assert.ThrowsAsync<ArgumentException>(() => h.Feed.ConnectAsync([Symbol.Crypto("X:BTCUSD")], Ct));
        Assert.Contains("stocks cluster", crypto.Message, StringComparison.Ordinal);

        Assert.Contains("ApiKey", Assert.Throws<ArgumentException>(() => new PolygonFeed(new PolygonOptions())).Message, StringComparison.Ordinal);
        var badUrl = Assert.Throws<ArgumentException>(() => new PolygonFeed(new PolygonOptions { ApiKey = PolygonHarness.Key, RestUrl = new Uri("http://x/?apiKey=" + PolygonHarness.Key) }));
        Assert.Contains("RestUrl", badUrl.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PolygonHarness.Key, badUrl.Message, StringComparison.Ordinal);
        Assert.Contains("Streams", Assert.Throws<ArgumentException>(() => new PolygonFeed(new PolygonOptions { ApiKey = "k", Streams = PolygonStreams.None })).Message, StringComparison.Ordinal);
    }

    /// <summary>A plain client that connects and authenticates (another process holding the account's stream).</summary>
    private static async Task<ClientWebSocket> RawClientAsync(FakePolygonServer server, string key)
    {
        var answered = server.AuthSuccesses + server.AuthFailures + server.MaxConnectionsSent;
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.WsUrl, Ct);
        var auth = Encoding.UTF8.GetBytes("{\"action\":\"auth\",\"params\":\"" + key + "\"}");
        await socket.SendAsync(auth, WebSocketMessageType.Text, endOfMessage: true, Ct);
        await server.WaitUntilAsync(s => s.AuthSuccesses + s.AuthFailures + s.MaxConnectionsSent > answered, cancellationToken: Ct);
        _ = ReadAllAsync(socket);
        return socket;
    }

    private static async Task ReadAllAsync(ClientWebSocket socket)
    {
        var buffer = new byte[4096];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var r = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
