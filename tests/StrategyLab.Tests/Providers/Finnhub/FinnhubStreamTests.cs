using System.Net.WebSockets;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Tests.Providers.Finnhub;

/// <summary>The Finnhub trade stream against the fake server: subscribe, parse, faults, reconnects, authentication.</summary>
public sealed class FinnhubStreamTests
{
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");
    private static readonly Symbol Msft = Symbol.Equity("MSFT");
    private static readonly Symbol Btc = Symbol.Crypto("BINANCE:BTCUSDT");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTime Utc(int y, int mo, int d, int h, int mi, int s, int ms) => new(y, mo, d, h, mi, s, ms, DateTimeKind.Utc);

    [Fact]
    public async Task Connect_SubscribesEverySymbol_OneMessageEach()
    {
        await using var h = await FinnhubHarness.StartAsync();

        await h.Feed.ConnectAsync([Aapl, Btc, Msft], Ct);

        var connected = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Connected, connected.State);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 3, cancellationToken: Ct);
        Assert.Equal(new HashSet<string> { "AAPL", "BINANCE:BTCUSDT", "MSFT" }, h.Server.Connections[0].Subscriptions);
        Assert.Equal(3, h.Server.SubscribeMessages);
        Assert.Equal(3, h.Feed.Counters.SubscribesSent);
        Assert.True(h.Feed.IsConnected);
        var log = Assert.Single(h.Logs.Named("liveMode.connected"));
        Assert.Contains("token=***", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trades_ArriveWithExactDecimals_UtcTimes_Conditions_AndTheCallersSymbols()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl, Btc], Ct);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 2, cancellationToken: Ct);

        h.Server.PushTrades(
            new FakeTrade("AAPL", Utc(2023, 1, 2, 14, 30, 0, 123), 129.58m, 1m, ["1", "24", "12"]),
            new FakeTrade("BINANCE:BTCUSDT", Utc(2023, 1, 2, 14, 30, 0, 124), 16543.123456789m, 0.00012345m),
            new FakeTrade("AAPL", Utc(2023, 1, 2, 14, 30, 1, 999), 129.6m, 0m, []));

        var trades = await h.TradesAsync(3);

        var a = trades[0].Trade;
        Assert.Same(Aapl, a.Symbol);
        Assert.Equal(129.58m, a.Price);
        Assert.Equal(1m, a.Size);
        Assert.Equal(Utc(2023, 1, 2, 14, 30, 0, 123), a.Time);
        Assert.Equal(DateTimeKind.Utc, a.Time.Kind);
        Assert.Equal(["1", "24", "12"], a.Conditions!);

        var b = trades[1].Trade;
        Assert.Same(Btc, b.Symbol);
        Assert.Equal(AssetClass.Crypto, b.Symbol.AssetClass);
        Assert.Equal(16543.123456789m, b.Price);
        Assert.Equal(0.00012345m, b.Size);
        Assert.Empty(b.Conditions!); // "c" omitted

        var c = trades[2].Trade;
        Assert.Equal(0m, c.Size); // a price-only update is kept as a size-0 trade
        Assert.Equal(129.6m, c.Price);
        Assert.Equal(Utc(2023, 1, 2, 14, 30, 1, 999), c.Time);

        Assert.Equal(3, h.Feed.Counters.Trades);
        Assert.Equal(0, h.Feed.Counters.MalformedFrames);
    }

    [Fact]
    public async Task Trades_SentAsStringsInBinaryFrames_ParseTheSame()
    {
        await using var h = await FinnhubHarness.StartAsync(new FakeFinnhubOptions
        {
            ApiKeys = [FinnhubHarness.Key], NumbersAsStrings = true, SendBinaryFrames = true,
        });
        await h.Feed.ConnectAsync([Aapl], Ct);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 1, cancellationToken: Ct);

        h.Server.PushTrades(new FakeTrade("AAPL", Utc(2024, 5, 1, 13, 30, 0, 5), 187.0001m, 250.5m, ["12"]));
        h.Server.SendRaw("{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"p\":1.875e2,\"t\":1714570200006,\"v\":\"3\"}]}", binary: true);

        var trades = await h.TradesAsync(2);
        Assert.Equal(187.0001m, trades[0].Trade.Price);
        Assert.Equal(250.5m, trades[0].Trade.Size);
        Assert.Equal(187.5m, trades[1].Trade.Price); // exponent form read exactly
        Assert.Equal(3m, trades[1].Trade.Size);
        Assert.Equal(Utc(2024, 5, 1, 13, 30, 0, 6), trades[1].Trade.Time);
    }

    [Fact]
    public async Task DuplicateFrames_CarryTheSameId_AndDifferentPrintsDifferentIds()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl], Ct);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 1, cancellationToken: Ct);
        h.Server.Faults.DuplicateFrames = true;

        var time = Utc(2024, 5, 1, 13, 30, 0, 5);
        h.Server.PushTrades(new FakeTrade("AAPL", time, 187.25m, 100m, ["1"]));
        h.Server.PushTrades(new FakeTrade("AAPL", time, 187.25m, 200m, ["1"])); // same s, t, p: another trade
        h.Server.Faults.DuplicateFrames = false;

        // The same print with the price written differently ("187.250" as a string) is the same trade.
        h.Server.SendRaw("{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"p\":\"187.250\",\"t\":1714570200005,\"v\":100,\"c\":[\"1\"]}]}");

        var trades = await h.TradesAsync(5);
        Assert.Equal(trades[0].Trade.Id, trades[1].Trade.Id);
        Assert.Equal(trades[2].Trade.Id, trades[3].Trade.Id);
        Assert.NotEqual(trades[0].Trade.Id, trades[2].Trade.Id);
        Assert.Equal(trades[0].Trade.Id, trades[4].Trade.Id);
        Assert.False(string.IsNullOrEmpty(trades[0].Trade.Id));
    }

    [Fact]
    public async Task OutOfOrderPrints_AreDeliveredAsSent_WithTheirOwnTimes()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl], Ct);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 1, cancellationToken: Ct);
        h.Server.Faults.OutOfOrder = true;

        h.Server.PushTrades(
            new FakeTrade("AAPL", Utc(2024, 5, 1, 13, 30, 0, 1), 10m, 1m),
            new FakeTrade("AAPL", Utc(2024, 5, 1, 13, 30, 0, 2), 11m, 1m));

        var trades = await h.TradesAsync(2);
        Assert.Equal([11m, 10m], trades.Select(t => t.Trade.Price));
        Assert.Equal([Utc(2024, 5, 1, 13, 30, 0, 2), Utc(2024, 5, 1, 13, 30, 0, 1)], trades.Select(t => t.Trade.Time));
    }

    [Fact]
    public async Task GarbageFrames_AreLoggedCountedAndSkipped_TheStreamGoesOn()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl], Ct);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 1, cancellationToken: Ct);

        h.Server.SendRaw("this is not json");
        h.Server.SendRaw("[1,2,3]");
        h.Server.SendRaw("{\"type\":\"trade\",\"data\":{\"s\":\"AAPL\"}}");
        h.Server.SendRaw("{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"p\":\"abc\",\"t\":1714570200005,\"v\":1}," +
                         "{\"s\":\"AAPL\",\"p\":42.5,\"t\":1714570200006,\"v\":2}]}");
        h.Server.SendRaw("{\"type\":\"ping\"}");
        h.Server.SendRaw("{\"type\":\"news\",\"data\":[]}");
        h.Server.PushTrades(new FakeTrade("AAPL", Utc(2024, 5, 1, 13, 30, 1, 0), 43m, 3m));

        var trades = await h.TradesAsync(2);
        Assert.Equal([42.5m, 43m], trades.Select(t => t.Trade.Price));
        await h.Logs.WaitForAsync("finnhub.frame.malformed", 4);
        Assert.Equal(4, h.Feed.Counters.MalformedFrames);
        Assert.Equal(1, h.Feed.Counters.SkippedPrints);
        Assert.Equal(1, h.Feed.Counters.Pings);
        Assert.Equal(1, h.Feed.Counters.OtherFrames);
        var malformed = h.Logs.Named("finnhub.frame.malformed");
        Assert.All(malformed, e => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, e.Level));
        Assert.Contains(malformed, e => e.Message.Contains("this is not json", StringComparison.Ordinal));
        Assert.Contains(malformed, e => e.Message.Contains("'p' is not a positive number", StringComparison.Ordinal));

        // Nothing was fatal: still the first connection, no disconnect.
        Assert.DoesNotContain(h.Seen, e => e is ConnectionEvent { State: not FeedConnectionState.Connected });
        Assert.Equal(1, h.Server.ConnectionsAccepted);
    }

    [Fact]
    public async Task ErrorFrame_BecomesANotice_AndTheLogNamesTheLastSymbolRequested()
    {
        await using var h = await FinnhubHarness.StartAsync(new FakeFinnhubOptions { ApiKeys = [FinnhubHarness.Key], SymbolCap = 2 });

        await h.Feed.ConnectAsync([Aapl, Msft, Btc], Ct);

        var notice = await h.NextAsync<ProviderNoticeEvent>();
        Assert.Contains(FakeFinnhubServer.TooManySymbolsMessage, notice.Message, StringComparison.Ordinal);
        await h.Logs.WaitForAsync("finnhub.error");
        var log = Assert.Single(h.Logs.Named("finnhub.error"));
        Assert.Contains("BINANCE:BTCUSDT", log.Message, StringComparison.Ordinal);
        Assert.Contains(FakeFinnhubServer.TooManySymbolsMessage, log.Message, StringComparison.Ordinal);
        Assert.Equal(new HashSet<string> { "AAPL", "MSFT" }, h.Server.Connections.Single().Subscriptions);
        Assert.Equal(1, h.Feed.Counters.Errors);
    }

    [Fact]
    public async Task AbruptDrop_DisconnectedThenConnected_EverySymbolResubscribed()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl, Msft, Btc], Ct);
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 3, cancellationToken: Ct);

        h.Server.AbortConnections();

        var lost = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Disconnected, lost.State);
        Assert.Contains("connection lost", lost.Reason, StringComparison.Ordinal);
        var back = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Connected, back.State);
        await h.Server.WaitUntilAsync(
            s => s.ConnectionsAccepted == 2 && s.Connections.Count == 1 && s.Connections[0].Id == 2 && s.Connections[0].Subscriptions.Count == 3,
            cancellationToken: Ct);
        Assert.Equal(new HashSet<string> { "AAPL", "MSFT", "BINANCE:BTCUSDT" }, h.Server.Connections[0].Subscriptions);
        Assert.Equal(6, h.Server.SubscribeMessages);

        // Data flows on the new socket.
        h.Server.PushTrades(new FakeTrade("MSFT", Utc(2024, 5, 1, 13, 31, 0, 0), 400.01m, 5m));
        var trade = await h.NextAsync<TradeEvent>();
        Assert.Equal(400.01m, trade.Trade.Price);
        Assert.NotEmpty(h.Logs.Named("liveMode.disconnected"));
        Assert.NotEmpty(h.Logs.Named("liveMode.reconnecting"));
        Assert.Equal(2, h.Logs.Named("liveMode.connected").Count);
    }

    [Fact]
    public async Task CloseFrame_DisconnectedWithTheServersReason_ThenReconnectedAndResubscribed()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl, Btc], Ct);
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 2, cancellationToken: Ct);

        h.Server.CloseConnections(WebSocketCloseStatus.EndpointUnavailable, "going away for maintenance");

        var lost = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Disconnected, lost.State);
        Assert.Contains("going away for maintenance", lost.Reason, StringComparison.Ordinal);
        Assert.Contains("1001", lost.Reason, StringComparison.Ordinal);
        Assert.Equal(FeedConnectionState.Connected, (await h.NextAsync<ConnectionEvent>()).State);
        await h.Server.WaitUntilAsync(
            s => s.ConnectionsAccepted == 2 && s.Connections.Count == 1 && s.Connections[0].Subscriptions.SetEquals(["AAPL", "BINANCE:BTCUSDT"]),
            cancellationToken: Ct);
    }

    [Fact]
    public async Task Silence_WatchdogClosesAndReconnects()
    {
        await using var h = await FinnhubHarness.StartAsync(
            new FakeFinnhubOptions { ApiKeys = [FinnhubHarness.Key], PingInterval = TimeSpan.FromMilliseconds(100) },
            o => o.Stream.SilenceTimeout = TimeSpan.FromMilliseconds(800));
        await h.Feed.ConnectAsync([Aapl], Ct);
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);
        await h.Server.WaitUntilAsync(s => s.PingsSent >= 2, cancellationToken: Ct);

        h.Server.Faults.Stall = true; // socket open, nothing sent: not even pings

        var lost = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Disconnected, lost.State);
        Assert.Contains("no frame for", lost.Reason, StringComparison.Ordinal);
        Assert.NotEmpty(h.Logs.Named("liveMode.silence"));
        h.Server.Faults.Stall = false;
        Assert.Equal(FeedConnectionState.Connected, (await h.NextAsync<ConnectionEvent>()).State);
        await h.Server.WaitUntilAsync(
            s => s.ConnectionsAccepted >= 2 && s.Connections.Count == 1 && s.Connections[0].Subscriptions.Contains("AAPL"),
            cancellationToken: Ct);
        Assert.True(h.Feed.Counters.Pings >= 2);
    }

    [Fact]
    public async Task BadToken_Http401_ThrowsFeedAuthenticationException_WithoutTheKey_AndTheFeedFails()
    {
        await using var h = await FinnhubHarness.StartAsync(new FakeFinnhubOptions { ApiKeys = ["another-key"] });

        var e = await Assert.ThrowsAsync<FeedAuthenticationException>(() => h.Feed.ConnectAsync([Aapl], Ct));
        h.Record(e);

        Assert.Contains("401", e.Message, StringComparison.Ordinal);
        Assert.Contains("token=***", e.Message, StringComparison.Ordinal);
        var failed = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Failed, failed.State);
        Assert.False(await h.Feed.Events.WaitToReadAsync(Ct)); // completed
        Assert.Equal(1, h.Server.ConnectionsRejected);
        Assert.NotEmpty(h.Logs.Named("liveMode.failed"));
    }

    [Fact]
    public async Task BadToken_ImmediateClose_IsRetriedWithBackoff_AndNeverShowsTheKey()
    {
        await using var h = await FinnhubHarness.StartAsync(
            new FakeFinnhubOptions { ApiKeys = ["another-key"], TokenRejection = FakeTokenRejection.CloseImmediately });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var connect = h.Feed.ConnectAsync([Aapl], cts.Token);
        await h.Server.WaitUntilAsync(s => s.ConnectionsRejected >= 3, cancellationToken: Ct);
        await cts.CancelAsync();
        try
        {
            await connect;
        }
        catch (OperationCanceledException e)
        {
            h.Record(e);
        }

        Assert.Equal(0, h.Server.ConnectionsAccepted);
        Assert.True(h.Logs.Named("liveMode.reconnecting").Count >= 2);
        Assert.Contains(h.Logs.Entries, l => l.Message.Contains("Invalid API key", StringComparison.Ordinal) || l.Message.Contains("handshake", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyRevokedWhileRunning_ReconnectFails_FailedEventAndTheChannelCompletes()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl], Ct);
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);

        h.Server.SetKeyValid(FinnhubHarness.Key, false);
        h.Server.AbortConnections();

        Assert.Equal(FeedConnectionState.Disconnected, (await h.NextAsync<ConnectionEvent>()).State);
        var failed = await h.NextAsync<ConnectionEvent>();
        Assert.Equal(FeedConnectionState.Failed, failed.State);
        Assert.Contains("refused the API key", failed.Reason, StringComparison.Ordinal);
        Assert.False(await h.Feed.Events.WaitToReadAsync(Ct));
    }

    [Fact]
    public async Task Disconnect_ClosesTheSocket_CompletesTheEvents_AndDoesNotReconnect()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Aapl], Ct);
        await h.NextAsync<ConnectionEvent>(e => e.State == FeedConnectionState.Connected);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1, cancellationToken: Ct);

        await h.Feed.DisconnectAsync(Ct);

        Assert.False(await h.Feed.Events.WaitToReadAsync(Ct));
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 0, cancellationToken: Ct);
        Assert.Equal(1, h.Server.ConnectionsAccepted);
        Assert.False(h.Feed.IsConnected);
        Assert.Contains(h.Logs.Named("liveMode.disconnected"), l => l.Message.Contains("stopped by the client", StringComparison.Ordinal));
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Feed.ConnectAsync([Aapl], Ct));
    }

    [Fact]
    public async Task RandomWalk_StreamsRealTimePrints_ForACryptoSymbol()
    {
        await using var h = await FinnhubHarness.StartAsync();
        await h.Feed.ConnectAsync([Btc], Ct);
        await h.Server.WaitUntilAsync(s => s.Connections.Count == 1 && s.Connections[0].Subscriptions.Count == 1, cancellationToken: Ct);
        var before = DateTime.UtcNow.AddSeconds(-1);

        await using (h.Server.StartRandomWalk(new FakeRandomWalk("BINANCE:BTCUSDT", 65000.00m, PrintsPerSecond: 50, Seed: 7)))
        {
            var trades = await h.TradesAsync(20);
            Assert.All(trades, t =>
            {
                Assert.Same(Btc, t.Trade.Symbol);
                Assert.True(t.Trade.Time >= before, $"{t.Trade.Time:O} is before the walk started");
                Assert.True(t.Trade.Price > 0);
                Assert.Equal(0, (t.Trade.Price * 100) % 1); // a whole number of 0.01 ticks
            });
        }
    }

    [Fact]
    public async Task Options_AreValidated_WithTheSettingNamed_AndNeverTheKey()
    {
        var empty = Assert.Throws<ArgumentException>(() => new FinnhubFeed(new FinnhubOptions()));
        Assert.Contains("ApiKey", empty.Message, StringComparison.Ordinal);

        var badUrl = Assert.Throws<ArgumentException>(() => new FinnhubFeed(new FinnhubOptions { ApiKey = FinnhubHarness.Key, WebSocketUrl = new Uri("http://x") }));
        Assert.Contains("WebSocketUrl", badUrl.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(FinnhubHarness.Key, badUrl.Message, StringComparison.Ordinal);

        var badBackoff = Assert.Throws<ArgumentException>(() => new FinnhubFeed(new FinnhubOptions
        {
            ApiKey = FinnhubHarness.Key,
            Stream = new ReconnectingWebSocketOptions { InitialBackoff = TimeSpan.FromSeconds(5), MaxBackoff = TimeSpan.FromSeconds(1) },
        }));
        Assert.Contains("MaxBackoff", badBackoff.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }
}
