using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using StrategyLab.Core.Data;
using StrategyLab.FakeServers.Finnhub;
using StrategyLab.Providers.Streaming;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Streaming;

/// <summary>
/// The shared reconnecting session's back-off and silence watchdog on a fake clock: every wait is on it, so delays are
/// exact (read from the <c>liveMode.reconnecting</c> logs and from the waits started) and time only moves when the test
/// says so. Sockets are real (the fake Finnhub server, or a closed port).
/// </summary>
public sealed class ReconnectingWebSocketTests
{
    private const string Key = "session-test-key";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ReconnectingWebSocketOptions Options() => new()
    {
        InitialBackoff = TimeSpan.FromSeconds(1),
        MaxBackoff = TimeSpan.FromSeconds(4),
        BackoffJitter = false,
        StableConnectionTime = TimeSpan.FromSeconds(60),
        SilenceTimeout = TimeSpan.FromHours(1),
    };

    private static long DelayMs(CapturedLog log) =>
        long.Parse(log.Values.Single(v => v.StartsWith("DelayMs=", StringComparison.Ordinal))["DelayMs=".Length..], CultureInfo.InvariantCulture);

    [Fact]
    public async Task FailedConnects_BackOffDoublingToTheCap()
    {
        var time = new WatchedFakeTime();
        var logs = new CapturingLoggerProvider();
        var events = Channel.CreateUnbounded<MarketEvent>();
        await using var session = new ReconnectingWebSocket(
            "test", new Uri($"ws://127.0.0.1:{ClosedPort()}/?token={Key}"), new Handler(), events.Writer, Options(),
            new SecretRedactor(Key), logs.CreateFactory().CreateLogger("test"), time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var start = session.StartAsync(cts.Token);

        // Each refused connect is followed by one reconnecting log; the next attempt waits for the fake clock.
        long[] expected = [1000, 2000, 4000, 4000];
        for (var i = 0; i < expected.Length; i++)
        {
            var delay = TimeSpan.FromMilliseconds(expected[i]);
            await logs.WaitForAsync("liveMode.reconnecting", i + 1);
            var log = logs.Named("liveMode.reconnecting")[i];
            Assert.Equal(expected[i], DelayMs(log));
            Assert.Contains("Attempt=" + (i + 1).ToString(CultureInfo.InvariantCulture), log.Values);
            await time.WaitForDelayAsync(delay, expected.Take(i + 1).Count(d => d == expected[i]));
            time.Advance(delay);
        }

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start);
        Assert.Equal(0, session.ConnectionsOpened);
        logs.AssertNoneContains(Key);
    }

    [Fact]
    public async Task ShortConnections_KeepTheDelayGrowing_AStableOneResetsIt()
    {
        var time = new WatchedFakeTime();
        var logs = new CapturingLoggerProvider();
        var events = Channel.CreateUnbounded<MarketEvent>();
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key] }, Ct);
        await using var session = new ReconnectingWebSocket(
            "test", new Uri(server.WsUrl, "/?token=" + Key), new Handler(), events.Writer, Options(),
            new SecretRedactor(Key), logs.CreateFactory().CreateLogger("test"), time);

        await session.StartAsync(Ct);
        await NextStateAsync(events, FeedConnectionState.Connected);

        // 1st drop, right away: a failed attempt, 1 s.
        await DropAsync(server, events);
        await logs.WaitForAsync("liveMode.reconnecting", 1);
        Assert.Equal(1000, DelayMs(logs.Named("liveMode.reconnecting")[0]));
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        await NextStateAsync(events, FeedConnectionState.Connected);

        // 2nd drop, again right away: the delay doubles.
        await DropAsync(server, events);
        await logs.WaitForAsync("liveMode.reconnecting", 2);
        Assert.Equal(2000, DelayMs(logs.Named("liveMode.reconnecting")[1]));
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(2));
        await NextStateAsync(events, FeedConnectionState.Connected);

        // Up for a stable minute, then dropped: reconnect at once...
        time.Advance(TimeSpan.FromSeconds(60));
        await DropAsync(server, events);
        await NextStateAsync(events, FeedConnectionState.Connected);
        Assert.Equal(0, DelayMs(logs.Named("liveMode.reconnecting")[2]));

        // ...and the back-off starts over: the next short connection waits 1 s, not 4 s.
        await DropAsync(server, events);
        await logs.WaitForAsync("liveMode.reconnecting", 4);
        Assert.Equal(1000, DelayMs(logs.Named("liveMode.reconnecting")[3]));
        Assert.Equal(4, session.ConnectionsReady);
        Assert.Equal(4, server.ConnectionsAccepted);
        logs.AssertNoneContains(Key);
    }

    [Fact]
    public async Task Silence_CountsOnlyWhileItMatters_ThenAbortsAndReconnects()
    {
        var time = new WatchedFakeTime();
        var logs = new CapturingLoggerProvider();
        var events = Channel.CreateUnbounded<MarketEvent>();
        var handler = new Handler { SilenceMatters = false };
        var options = Options();
        options.SilenceTimeout = TimeSpan.FromSeconds(5); // checked every second
        await using var server = await FakeFinnhubServer.StartAsync(new FakeFinnhubOptions { ApiKeys = [Key], PingInterval = TimeSpan.Zero }, Ct);
        await using var session = new ReconnectingWebSocket(
            "test", new Uri(server.WsUrl, "/?token=" + Key), handler, events.Writer, options,
            new SecretRedactor(Key), logs.CreateFactory().CreateLogger("test"), time);
        await session.StartAsync(Ct);
        await NextStateAsync(events, FeedConnectionState.Connected);

        // Ten silent seconds while silence does not matter (market closed): the watchdog only restarts its count.
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(logs.Named("liveMode.silence"));

        // From now on it matters: four more silent seconds are still under the timeout, the fifth is not.
        handler.SilenceMatters = true;
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Empty(logs.Named("liveMode.silence"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(logs.Named("liveMode.silence"));

        var lost = await NextStateAsync(events, FeedConnectionState.Disconnected);
        Assert.Equal("no frame for 5 s (silence timeout 5 s)", lost.Reason);
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        await NextStateAsync(events, FeedConnectionState.Connected);
        await server.WaitUntilAsync(s => s.ConnectionsAccepted == 2, cancellationToken: Ct);
    }

    private static async Task DropAsync(FakeFinnhubServer server, Channel<MarketEvent> events)
    {
        await server.WaitUntilAsync(s => s.Connections.Count == 1, cancellationToken: Ct);
        server.AbortConnections();
        await NextStateAsync(events, FeedConnectionState.Disconnected);
    }

    private static async Task<ConnectionEvent> NextStateAsync(Channel<MarketEvent> events, FeedConnectionState state)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await events.Reader.ReadAsync(cts.Token) is ConnectionEvent e)
            {
                Assert.Equal(state, e.State);
                return e;
            }
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private sealed class Handler : IWebSocketSessionHandler
    {
        private volatile bool _silenceMatters = true;

        public bool SilenceMatters
        {
            get => _silenceMatters;
            set => _silenceMatters = value;
        }

        public Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken) =>
            sender.SendTextAsync("{\"type\":\"subscribe\",\"symbol\":\"AAPL\"}", cancellationToken);

        public void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc)
        {
        }

        public bool IsSilenceSignificant(DateTime utcNow) => SilenceMatters;
    }
}
