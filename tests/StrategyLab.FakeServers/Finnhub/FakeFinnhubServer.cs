using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StrategyLab.FakeServers.Common;

namespace StrategyLab.FakeServers.Finnhub;

/// <summary>How a REST call to the fake carried its key.</summary>
public enum FakeAuthStyle
{
    /// <summary>No key.</summary>
    None,

    /// <summary>The <c>token</c> query parameter.</summary>
    Query,

    /// <summary>The <c>X-Finnhub-Token</c> header.</summary>
    Header,
}

/// <summary>One REST call the fake answered.</summary>
/// <param name="Path">The path, e.g. <c>/api/v1/stock/candle</c>.</param>
/// <param name="QueryString">The raw query string as received (to check that no key travels in it).</param>
/// <param name="AuthStyle">How the key came.</param>
/// <param name="StatusCode">The status answered.</param>
public sealed record FakeRestRequest(string Path, string QueryString, FakeAuthStyle AuthStyle, int StatusCode);

/// <summary>A snapshot of one open socket.</summary>
/// <param name="Id">Connection number (1, 2, ... in accept order).</param>
/// <param name="Subscriptions">The symbols it is subscribed to.</param>
public sealed record FakeFinnhubConnection(int Id, IReadOnlySet<string> Subscriptions);

/// <summary>How to replay a tape (see <see cref="FakeFinnhubServer.PlayAsync"/>).</summary>
/// <param name="BatchSize">Most prints per frame.</param>
/// <param name="Speed">0: as fast as possible; 1: the tape's own pace; 60: sixty times faster.</param>
public sealed record FakePlayback(int BatchSize = 50, double Speed = 0);

/// <summary>A generated random-walk print stream (see <see cref="FakeFinnhubServer.StartRandomWalk"/>).</summary>
/// <param name="Symbol">The ticker, e.g. <c>BINANCE:BTCUSDT</c>.</param>
/// <param name="StartPrice">The first price.</param>
/// <param name="PrintsPerSecond">Average prints per second.</param>
/// <param name="Seed">Seed of the random steps (same seed, same walk).</param>
/// <param name="TickSize">One price step.</param>
/// <param name="VolumeDecimals">Decimals of the generated sizes (crypto sizes are fractional).</param>
public sealed record FakeRandomWalk(
    string Symbol, decimal StartPrice, double PrintsPerSecond = 10, int Seed = 1, decimal TickSize = 0.01m, int VolumeDecimals = 4);

/// <summary>
/// A loopback fake of Finnhub (Kestrel on 127.0.0.1, random port) that follows the wire contract of
/// <c>shared/docs/protocols.md</c> §1: the trade WebSocket on <c>/</c> (token check on upgrade, per-socket subscriptions,
/// no acks, unknown types ignored, trade batches with <c>t</c> in ms, pings, the symbol cap with Finnhub's error text, one
/// socket per key) and REST <c>/api/v1/quote</c> and <c>/api/v1/stock/candle</c> (both auth styles, <c>no_data</c>, zero
/// quotes for unknown symbols, a premium switch, a per-minute limit answering 429). Faults can be switched on
/// (<see cref="Faults"/>, <see cref="AbortConnections"/>, <see cref="CloseConnections"/>, <see cref="SendRaw"/>).
/// Counters and <see cref="WaitUntilAsync"/> let tests await what happened.
/// </summary>
public sealed partial class FakeFinnhubServer : IAsyncDisposable
{
    /// <summary>Finnhub's text when a socket subscribes beyond the cap.</summary>
    public const string TooManySymbolsMessage = "Subscribing to too many symbols";

    /// <summary>Finnhub's body for HTTP 429.</summary>
    public const string RateLimitBody = "{\"error\":\"API limit reached. Please try again later. Remaining Limit: 0\"}";

    /// <summary>Finnhub's body for a premium endpoint on a free key.</summary>
    public const string PremiumBody = "{\"error\":\"You don't have access to this resource.\"}";

    private const string InvalidKeyBody = "{\"error\":\"Invalid API key\"}";

    private readonly FakeFinnhubOptions _options;
    private readonly TimeProvider _time;
    private readonly PerMinuteRequestBudget _rateBudget;
    private readonly ConcurrentDictionary<string, bool> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Connection> _connections = new();
    private readonly ConcurrentQueue<FakeRestRequest> _restLog = new();
    private readonly StateSignal _signal = new();
    private readonly CancellationTokenSource _shutdown = new();
    private WebApplication? _app;
    private int _connectionIds;
    private int _connectionsAccepted;
    private int _unavailableResponses;
    private long _unavailableUntilTicks;
    private int _connectionsRejected;
    private int _connectionsEvicted;
    private long _subscribeMessages;
    private long _unsubscribeMessages;
    private long _clientMessages;
    private long _framesSent;
    private long _tradesSent;
    private long _pingsSent;
    private long _framesSuppressed;
    private long _rateLimited;

    private FakeFinnhubServer(FakeFinnhubOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _rateBudget = new PerMinuteRequestBudget(_time, options.RequestsPerMinute);
        foreach (var key in options.ApiKeys)
        {
            _keys[key] = true;
        }

        Tape = new FakeFinnhubTape(TimeZoneInfo.FindSystemTimeZoneById(options.ExchangeTimeZoneId));
    }

    /// <summary>The stream URL without token: <c>ws://127.0.0.1:PORT</c>.</summary>
    public Uri WsUrl { get; private set; } = null!;

    /// <summary>The REST base URL: <c>http://127.0.0.1:PORT/api/v1</c>.</summary>
    public Uri RestUrl { get; private set; } = null!;

    /// <summary>The settings it runs with.</summary>
    public FakeFinnhubOptions Options => _options;

    /// <summary>Fault switches, flippable at any time.</summary>
    public FakeFinnhubFaults Faults { get; } = new();

    /// <summary>Every print pushed, played or generated (and any added with <see cref="FakeFinnhubTape.Add"/>).</summary>
    public FakeFinnhubTape Tape { get; }

    /// <summary>Sockets accepted with a valid token.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Upgrades refused for a bad token (401 or immediate close).</summary>
    public int ConnectionsRejected => Volatile.Read(ref _connectionsRejected);

    /// <summary>Sockets dropped because another opened with the same key.</summary>
    public int ConnectionsEvicted => Volatile.Read(ref _connectionsEvicted);

    /// <summary><c>subscribe</c> messages received (all sockets).</summary>
    public long SubscribeMessages => Interlocked.Read(ref _subscribeMessages);

    /// <summary><c>unsubscribe</c> messages received (all sockets).</summary>
    public long UnsubscribeMessages => Interlocked.Read(ref _unsubscribeMessages);

    /// <summary>Messages received from clients (any content), counted once handled (a subscription is then in place).</summary>
    public long ClientMessages => Interlocked.Read(ref _clientMessages);

    /// <summary>Frames sent (trades, pings, errors, raw).</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Prints sent inside trade frames (duplicates counted again).</summary>
    public long TradesSent => Interlocked.Read(ref _tradesSent);

    /// <summary>Pings sent.</summary>
    public long PingsSent => Interlocked.Read(ref _pingsSent);

    /// <summary>Frames not sent because <see cref="FakeFinnhubFaults.Stall"/> was on.</summary>
    public long FramesSuppressed => Interlocked.Read(ref _framesSuppressed);

    /// <summary>REST answers with HTTP 429.</summary>
    public long RateLimitedResponses => Interlocked.Read(ref _rateLimited);

    /// <summary>The open sockets (snapshot, in accept order).</summary>
    public IReadOnlyList<FakeFinnhubConnection> Connections =>
        [.. _connections.Values.OrderBy(c => c.Id).Select(c => new FakeFinnhubConnection(c.Id, c.SnapshotSubscriptions()))];

    /// <summary>Every REST call answered, in order.</summary>
    public IReadOnlyList<FakeRestRequest> RestRequests => [.. _restLog];

    /// <summary>Starts a fake on 127.0.0.1 with a random port.</summary>
    public static async Task<FakeFinnhubServer> StartAsync(FakeFinnhubOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new FakeFinnhubServer(options ?? new FakeFinnhubOptions());
        await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>Makes a key valid or invalid from now on (open sockets stay open).</summary>
    public void SetKeyValid(string key, bool valid) => _keys[key] = valid;

    /// <summary>Returns once <paramref name="condition"/> holds; re-checked after every change of the server's state.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/> (default 10 s); the message describes the state.</exception>
    public Task WaitUntilAsync(Func<FakeFinnhubServer, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return _signal.WaitUntilAsync(() => condition(this), timeout ?? TimeSpan.FromSeconds(10), Describe, cancellationToken);
    }

    /// <summary>
    /// Records prints on the tape and sends them, as one trade frame per socket, to every socket subscribed to their symbols
    /// (honouring <see cref="FakeFinnhubFaults.DuplicateFrames"/>, <see cref="FakeFinnhubFaults.OutOfOrder"/> and
    /// <see cref="FakeFinnhubFaults.Stall"/>). Returns once the frames are queued.
    /// </summary>
    public void PushTrades(params IReadOnlyList<FakeTrade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        Tape.Add(trades);
        foreach (var connection in _connections.Values)
        {
            var selected = trades.Where(t => connection.IsSubscribed(t.Symbol)).ToList();
            if (selected.Count == 0)
            {
                continue;
            }

            if (Faults.OutOfOrder)
            {
                selected = [.. selected.OrderByDescending(t => t.TimeMs)];
            }

            var frame = TradeFrame(selected);
            Enqueue(connection, new Outgoing(frame, selected.Count));
            if (Faults.DuplicateFrames)
            {
                Enqueue(connection, new Outgoing(frame, selected.Count));
            }
        }

        _signal.Pulse();
    }

    /// <summary>Sends a text as one frame to every socket, as is (e.g. garbage, or a hand-written frame).</summary>
    public void SendRaw(string text, bool binary = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var connection in _connections.Values)
        {
            Enqueue(connection, new Outgoing(Encoding.UTF8.GetBytes(text), 0, Binary: binary));
        }
    }

    /// <summary>Sends <c>{"type":"error","msg":...}</c> to every socket.</summary>
    public void SendError(string message) =>
        SendRaw("{\"type\":\"error\",\"msg\":" + JsonSerializer.Serialize(message) + "}");

    /// <summary>Drops every socket abruptly (TCP abort, no close frame).</summary>
    public void AbortConnections()
    {
        foreach (var connection in _connections.Values)
        {
            connection.Abort();
        }
    }

    /// <summary>
    /// An outage: drops every socket abruptly (as <see cref="AbortConnections"/>), then answers every HTTP request (WebSocket
    /// upgrades and REST calls alike) with 503 until <paramref name="duration"/> has passed on the server's clock.
    /// </summary>
    public void DropFor(TimeSpan duration)
    {
        Interlocked.Exchange(ref _unavailableUntilTicks, (_time.GetUtcNow().UtcDateTime + duration).Ticks);
        AbortConnections();
        _signal.Pulse();
    }

    /// <summary>HTTP requests answered 503 during a <see cref="DropFor"/> outage.</summary>
    public int UnavailableResponses => Volatile.Read(ref _unavailableResponses);

    /// <summary>Sends a close frame on every socket (the server then waits for the client's answer).</summary>
    public void CloseConnections(WebSocketCloseStatus status = WebSocketCloseStatus.EndpointUnavailable, string description = "server restart")
    {
        foreach (var connection in _connections.Values)
        {
            Enqueue(connection, new Outgoing([], 0, Close: (status, description)), ignoreStall: true);
        }
    }

    /// <summary>
    /// Replays prints (e.g. from <see cref="LeanTickTape.Read"/>) through <see cref="PushTrades"/>: in batches as fast as
    /// possible, or paced by their own timestamps (scaled by <see cref="FakePlayback.Speed"/>) on the server's clock.
    /// </summary>
    public async Task PlayAsync(IReadOnlyList<FakeTrade> tape, FakePlayback? playback = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var options = playback ?? new FakePlayback();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        if (tape.Count == 0)
        {
            return;
        }

        var first = tape[0].TimeMs;
        var started = _time.GetTimestamp();
        var i = 0;
        while (i < tape.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var groupStart = tape[i].TimeMs;
            var j = i;
            while (j < tape.Count && j - i < options.BatchSize && (options.Speed <= 0 || tape[j].TimeMs - groupStart < 100))
            {
                j++;
            }

            if (options.Speed > 0)
            {
                var due = TimeSpan.FromMilliseconds((groupStart - first) / options.Speed);
                var wait = due - _time.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }

            PushTrades([.. tape.Skip(i).Take(j - i)]);
            i = j;
            if (options.Speed <= 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>
    /// Starts generating a random walk of prints in real time (stamped with the server's clock, sent every 100 ms); about
    /// 1 in 20 prints has size 0 and about 1 in 3 omits <c>c</c>. Dispose the result to stop it.
    /// </summary>
    public IAsyncDisposable StartRandomWalk(FakeRandomWalk walk)
    {
        ArgumentNullException.ThrowIfNull(walk);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(walk.PrintsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(walk.StartPrice);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        var task = Task.Run(() => RandomWalkAsync(walk, cts.Token), CancellationToken.None);
        return new Generator(cts, task);
    }

    /// <summary>Stops the server and drops every socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        AbortConnections();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _shutdown.Dispose();
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        (_app, var port) = await LoopbackWebHost.StartAsync(HandleAsync, cancellationToken).ConfigureAwait(false);
        WsUrl = new Uri($"ws://127.0.0.1:{port}");
        RestUrl = new Uri($"http://127.0.0.1:{port}/api/v1");
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (_time.GetUtcNow().UtcDateTime.Ticks < Interlocked.Read(ref _unavailableUntilTicks))
        {
            Interlocked.Increment(ref _unavailableResponses);
            _signal.Pulse();
            return WriteJsonAsync(context, 503, "{\"error\":\"Service unavailable\"}");
        }

        if (context.WebSockets.IsWebSocketRequest)
        {
            return path is "/" or "" ? HandleSocketAsync(context) : WriteJsonAsync(context, 404, "{\"error\":\"Not found\"}");
        }

        return path switch
        {
            "/api/v1/quote" => HandleRestAsync(context, QuoteAsync),
            "/api/v1/stock/candle" => HandleRestAsync(context, CandleAsync),
            _ => WriteJsonAsync(context, 404, "{\"error\":\"Not found\"}"),
        };
    }

    private bool IsValidKey(string? key) => !string.IsNullOrEmpty(key) && _keys.TryGetValue(key, out var valid) && valid;

    // ---------------------------------------------------------------- WebSocket

    private async Task RandomWalkAsync(FakeRandomWalk walk, CancellationToken cancellationToken)
    {
        var random = new Random(walk.Seed);
        var price = walk.StartPrice;
        var interval = TimeSpan.FromMilliseconds(100);
        var due = 0.0;
        var scale = (decimal)Math.Pow(10, walk.VolumeDecimals);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
                due += walk.PrintsPerSecond * interval.TotalSeconds;
                var count = (int)due;
                due -= count;
                if (count == 0)
                {
                    continue;
                }

                var now = _time.GetUtcNow().UtcDateTime;
                var prints = new List<FakeTrade>(count);
                for (var k = 0; k < count; k++)
                {
                    price += walk.TickSize * random.Next(-1, 2);
                    if (price < walk.TickSize)
                    {
                        price = walk.TickSize;
                    }

                    var volume = random.Next(20) == 0 ? 0m : Math.Max(1, random.Next(1, (int)Math.Min(int.MaxValue, scale * 2))) / scale;
                    IReadOnlyList<string>? codes = random.Next(3) == 0 ? null : ["1"];

                    // Spread the batch over the last interval, in time order.
                    var stamp = now - TimeSpan.FromMilliseconds(interval.TotalMilliseconds * (count - 1 - k) / count);
                    prints.Add(new FakeTrade(walk.Symbol, stamp, price, volume, codes));
                }

                PushTrades(prints);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // ---------------------------------------------------------------- REST

    private string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"accepted={ConnectionsAccepted} rejected={ConnectionsRejected} evicted={ConnectionsEvicted} open=[{string.Join("; ", Connections.Select(c => $"#{c.Id}: {string.Join(',', c.Subscriptions.Order(StringComparer.Ordinal))}"))}] " +
        $"subscribes={SubscribeMessages} framesSent={FramesSent} tradesSent={TradesSent} pings={PingsSent} suppressed={FramesSuppressed} rest={_restLog.Count} rateLimited={RateLimitedResponses}");

    /// <summary>A frame waiting to be sent on one socket.</summary>
    private sealed record Outgoing(byte[] Payload, int Trades, bool IsPing = false, bool Binary = false, (WebSocketCloseStatus Status, string Description)? Close = null);

    private sealed class Connection(int id, string key, WebSocket socket, HttpContext context)
    {
        private readonly HashSet<string> _subscriptions = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();

        public int Id { get; } = id;

        public string Key { get; } = key;

        public WebSocket Socket { get; } = socket;

        public Channel<Outgoing> Outbox { get; } = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });

        public bool IsSubscribed(string symbol)
        {
            lock (_gate)
            {
                return _subscriptions.Contains(symbol);
            }
        }

        public bool TrySubscribe(string symbol, int cap)
        {
            lock (_gate)
            {
                if (_subscriptions.Contains(symbol))
                {
                    return true;
                }

                if (_subscriptions.Count >= cap)
                {
                    return false;
                }

                _subscriptions.Add(symbol);
                return true;
            }
        }

        public void Unsubscribe(string symbol)
        {
            lock (_gate)
            {
                _subscriptions.Remove(symbol);
            }
        }

        public IReadOnlySet<string> SnapshotSubscriptions()
        {
            lock (_gate)
            {
                return new HashSet<string>(_subscriptions, StringComparer.Ordinal);
            }
        }

        public void Abort()
        {
            try
            {
                context.Abort();
            }
            catch (ObjectDisposedException)
            {
            }

            Socket.Abort();
        }
    }

    private sealed class Generator(CancellationTokenSource cts, Task task) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await cts.CancelAsync().ConfigureAwait(false);
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cts.Dispose();
        }
    }
}
