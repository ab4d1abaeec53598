using System.Threading.Channels;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;
using StrategyLab.FakeServers.Alpaca;
using StrategyLab.Providers.Alpaca;
using StrategyLab.Providers.Streaming;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Alpaca;

/// <summary>
/// The Alpaca market data feed against the fake server: handshake and bars, trades, history (and its resampling), a dropped
/// stream reconnecting, garbled frames skipped, refused keys (402) and a second connection (406) as clear logged events.
/// </summary>
public sealed class AlpacaDataFeedTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Symbol Spy = Symbol.Equity("SPY");

    /// <summary>Tuesday 2024-01-02, 09:30 New York.</summary>
    private static readonly DateTime Open = new(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc);

    private static FakeAlpacaBar Minute(int i, decimal close) => new("SPY", Open.AddMinutes(i), close - 0.05m, close + 0.10m, close - 0.10m, close, 1000 + i, 12, close);

    private static async Task<(FakeAlpacaServer Server, AlpacaDataFeed Feed, CapturingLoggerProvider Logs)> StartAsync(
        string secret = AlpacaHarness.Secret, AlpacaDataStream stream = AlpacaDataStream.MinuteBars, FakeAlpacaServer? server = null)
    {
        server ??= await FakeAlpacaServer.StartAsync(AlpacaHarness.ServerOptions(), Ct);
        var logs = new CapturingLoggerProvider();
        var feed = new AlpacaDataFeed(Options(server, secret, stream), logs.CreateFactory());
        return (server, feed, logs);
    }

    private static AlpacaDataFeedOptions Options(FakeAlpacaServer server, string secret, AlpacaDataStream stream) => new()
    {
        Alpaca = new AlpacaOptions
        {
            KeyId = AlpacaHarness.KeyId,
            SecretKey = secret,
            DataUrl = server.DataUrl,
            DataStreamUrl = server.DataStreamUrl,
            RateLimitBackoff = TimeSpan.FromMilliseconds(10),
            MaxRateLimitBackoff = TimeSpan.FromMilliseconds(50),
            Stream = new ReconnectingWebSocketOptions
            {
                InitialBackoff = TimeSpan.FromMilliseconds(20),
                MaxBackoff = TimeSpan.FromMilliseconds(200),
                BackoffJitter = false,
                HandshakeTimeout = TimeSpan.FromSeconds(5),
                CloseTimeout = TimeSpan.FromSeconds(1),
            },
        },
        Stream = stream,
        ConnectionLimitHoldOff = TimeSpan.FromMilliseconds(100),
    };

    private static async Task<T> NextAsync<T>(AlpacaDataFeed feed, Func<T, bool>? match = null)
        where T : MarketEvent
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        var seen = new List<MarketEvent>();
        try
        {
            while (true)
            {
                var e = await feed.Events.ReadAsync(cts.Token);
                seen.Add(e);
                if (e is T t && (match?.Invoke(t) ?? true))
                {
                    return t;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException && !Ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No {typeof(T).Name}; seen: {string.Join("; ", seen)}");
        }
    }

    [Fact]
    public async Task Connect_AuthenticatesAndSubscribesBars_ThenBarsArriveWithExactValues()
    {
        var (server, feed, logs) = await StartAsync();
        await using (server)
        await using (feed)
        {
            await feed.ConnectAsync([Spy], Ct);
            await server.WaitUntilAsync(s => s.DataStreamListeners == 1, cancellationToken: Ct);
            Assert.Contains(server.ClientMessages, m => m.Contains("\"bars\":[\"SPY\"]", StringComparison.Ordinal));

            server.PushBar(new FakeAlpacaBar("SPY", Open, 470.12m, 470.50m, 469.99m, 470.31m, 12_345, 87, 470.2201m));
            var bar = (await NextAsync<BarEvent>(feed)).Bar;
            Assert.Same(Spy, bar.Symbol);
            Assert.Equal((Open, Open.AddMinutes(1)), (bar.Start, bar.End));
            Assert.Equal((470.12m, 470.50m, 469.99m, 470.31m, 12_345m), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
            Assert.Equal((87, 470.2201m), (bar.TradeCount, bar.Vwap));
            Assert.Single(logs.Named("alpaca.data.subscribed"));
            logs.AssertNoneContains(AlpacaHarness.Secret);
        }
    }

    [Fact]
    public async Task TradesStream_DeliversPrintsWithIds()
    {
        var (server, feed, _) = await StartAsync(stream: AlpacaDataStream.Trades);
        await using (server)
        await using (feed)
        {
            await feed.ConnectAsync([Spy], Ct);
            await server.WaitUntilAsync(s => s.DataStreamListeners == 1, cancellationToken: Ct);
            server.PushTrade("SPY", 470.25m, 3m, Open.AddSeconds(5), id: 42);
            var trade = (await NextAsync<TradeEvent>(feed)).Trade;
            Assert.Equal((Spy, Open.AddSeconds(5), 470.25m, 3m, "V:42"), (trade.Symbol, trade.Time, trade.Price, trade.Size, trade.Id));
        }
    }

    [Fact]
    public async Task DroppedStream_Reconnects_Resubscribes_AndBarsFlowAgain()
    {
        var (server, feed, _) = await StartAsync();
        await using (server)
        await using (feed)
        {
            await feed.ConnectAsync([Spy], Ct);
            await server.WaitUntilAsync(s => s.DataStreamListeners == 1, cancellationToken: Ct);
            server.PushBar(Minute(0, 470m));
            await NextAsync<BarEvent>(feed);

            server.AbortDataStreams();
            await NextAsync<ConnectionEvent>(feed, c => c.State == FeedConnectionState.Disconnected);
            await NextAsync<ConnectionEvent>(feed, c => c.State == FeedConnectionState.Connected);
            await server.WaitUntilAsync(s => s.DataStreamListeners == 1, cancellationToken: Ct);
            Assert.Equal(2, server.ClientMessages.Count(m => m.Contains("\"subscribe\"", StringComparison.Ordinal)));

            server.PushBar(Minute(1, 471m));
            var bar = (await NextAsync<BarEvent>(feed)).Bar;
            Assert.Equal((Open.AddMinutes(1), 471m), (bar.Start, bar.Close));
        }
    }

    [Fact]
    public async Task GarbledFrames_AreLoggedAndSkipped_TheNextBarStillArrives()
    {
        var (server, feed, logs) = await StartAsync();
        await using (server)
        await using (feed)
        {
            await feed.ConnectAsync([Spy], Ct);
            await server.WaitUntilAsync(s => s.DataStreamListeners == 1, cancellationToken: Ct);

            server.PushDataFrame("[{\"T\":\"b\",\"S\":\"SPY\",\"o\":1,"); // cut short
            server.PushDataFrame("{\"T\":\"b\"}"); // not an array
            server.PushDataFrame("[{\"T\":\"b\",\"S\":\"SPY\",\"o\":1,\"h\":0.5,\"l\":1,\"c\":1,\"v\":1,\"t\":\"2024-01-02T14:30:00Z\"}]"); // high below low
            server.PushBar(Minute(2, 472m));

            var bar = (await NextAsync<BarEvent>(feed)).Bar;
            Assert.Equal(472m, bar.Close);
            Assert.Equal(3, feed.MalformedMessages);
            Assert.Equal(3, logs.Named("alpaca.data.frame.malformed").Count);
            Assert.Equal(1, feed.BarsReceived);
        }
    }

    [Fact]
    public async Task RefusedKeys_Error402_FailsTheConnect_WithAClearMessageAndLog_NeverTheSecret()
    {
        const string wrong = "wrong-secret-XYZ123";
        var (server, feed, logs) = await StartAsync(secret: wrong);
        await using (server)
        await using (feed)
        {
            var e = await Assert.ThrowsAsync<FeedAuthenticationException>(() => feed.ConnectAsync([Spy], Ct));
            Assert.Contains("402", e.Message, StringComparison.Ordinal);
            Assert.Contains(AlpacaOptions.KeyIdVariable, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, e.Message, StringComparison.Ordinal);
            Assert.Single(logs.Named("alpaca.data.auth_failed"));
            logs.AssertNoneContains(wrong);
        }
    }

    [Fact]
    public async Task SecondConnection_Error406_IsLoggedAsConnectionLimit_AndReported()
    {
        var (server, first, _) = await StartAsync();
        await using (server)
        await using (first)
        {
            await first.ConnectAsync([Spy], Ct);
            await server.WaitUntilAsync(s => s.DataStreamListeners == 1, cancellationToken: Ct);

            var (_, second, logs) = await StartAsync(server: server);
            await using (second)
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                var connect = second.ConnectAsync([Spy], cts.Token);
                await logs.WaitForAsync("alpaca.data.connection_limit");
                var notice = await NextAsync<ProviderNoticeEvent>(second);
                Assert.Contains("406", notice.Message, StringComparison.Ordinal);
                Assert.Contains("connection limit exceeded", notice.Message, StringComparison.Ordinal);
                await cts.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
            }
        }
    }

    [Fact]
    public async Task History_ReturnsEndedMinuteBars_AndResamplesFiveMinutesOnTheSessionGrid()
    {
        var (server, feed, _) = await StartAsync();
        await using (server)
        await using (feed)
        {
            server.AddBars(Enumerable.Range(0, 10).Select(i => Minute(i, 470m + i)));

            var minutes = await feed.GetHistoryAsync(Spy, Timeframe.OneMinute, Open, Open.AddMinutes(10), Ct);
            Assert.Equal(HistoryStatus.Ok, minutes.Status);
            Assert.Equal(10, minutes.Bars.Count);
            Assert.Equal((Open.AddMinutes(9), 479m, 1009m), (minutes.Bars[^1].Start, minutes.Bars[^1].Close, minutes.Bars[^1].Volume));

            var five = await feed.GetHistoryAsync(Spy, Timeframe.Parse("5m"), Open, Open.AddMinutes(10), Ct);
            Assert.Equal(2, five.Bars.Count);
            Assert.Equal((Open, Open.AddMinutes(5), 469.95m, 474m), (five.Bars[0].Start, five.Bars[0].End, five.Bars[0].Open, five.Bars[0].Close));
            Assert.Equal(1000m + 1001 + 1002 + 1003 + 1004, five.Bars[0].Volume);
        }
    }

    [Fact]
    public async Task History_WithRefusedKeys_IsKeyRefused()
    {
        var (server, feed, _) = await StartAsync(secret: "not-the-secret");
        await using (server)
        await using (feed)
        {
            var result = await feed.GetHistoryAsync(Spy, Timeframe.OneMinute, Open, Open.AddMinutes(10), Ct);
            Assert.Equal(HistoryStatus.KeyRefused, result.Status);
            Assert.DoesNotContain("not-the-secret", result.Detail, StringComparison.Ordinal);
        }
    }
}
