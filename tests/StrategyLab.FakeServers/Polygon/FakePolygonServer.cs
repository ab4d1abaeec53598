using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StrategyLab.FakeServers.Common;

namespace StrategyLab.FakeServers.Polygon;

/// <summary>How a REST call to the fake carried its key.</summary>
public enum FakePolygonAuthStyle
{
    /// <summary>No key.</summary>
    None,

    /// <summary>The <c>apiKey</c> query parameter.</summary>
    QueryApiKey,

    /// <summary>The <c>Authorization: Bearer</c> header.</summary>
    Bearer,
}

/// <summary>One REST call the fake answered.</summary>
/// <param name="Path">The path, e.g. <c>/v2/aggs/ticker/AAPL/range/1/minute/1709510400000/1709596799999</c>.</param>
/// <param name="QueryString">The raw query string as received (to check that no key travels in it).</param>
/// <param name="AuthStyle">How the key came.</param>
/// <param name="StatusCode">The status answered.</param>
/// <param name="Ticker">The ticker of an aggregates call.</param>
/// <param name="FromMs">The <c>from</c> of an aggregates call, as epoch ms (a date is read as its exchange-local midnight).</param>
/// <param name="ToMs">The <c>to</c> of an aggregates call, as epoch ms (a date: the end of that day).</param>
/// <param name="Results">Results in the answer.</param>
/// <param name="Cursor">True for a <c>next_url</c> page (it carried a <c>cursor</c>).</param>
public sealed record FakePolygonRestRequest(
    string Path, string QueryString, FakePolygonAuthStyle AuthStyle, int StatusCode, string? Ticker, long? FromMs, long? ToMs, int Results, bool Cursor);

/// <summary>A snapshot of one open socket.</summary>
/// <param name="Id">Connection number (1, 2, … in accept order).</param>
/// <param name="Authenticated">Whether it authenticated.</param>
/// <param name="Subscriptions">Its channels, e.g. <c>AM.AAPL</c>, <c>T.*</c>.</param>
public sealed record FakePolygonConnection(int Id, bool Authenticated, IReadOnlySet<string> Subscriptions);

/// <summary>
/// A loopback fake of Polygon/Massive (Kestrel on 127.0.0.1, random port) that follows the wire contract of
/// <c>shared/docs/protocols.md</c> §2: the stocks WebSocket on <c>/stocks</c> (<c>connected</c> on open, <c>auth</c> within
/// <see cref="FakePolygonOptions.AuthTimeout"/> else <c>auth_timeout</c> and close, <c>auth_success</c>/<c>auth_failed</c> by
/// key, subscribe refused before auth, one <c>success</c> per channel, every frame a JSON array, one authenticated socket per
/// key with <c>max_connections</c> and close 1008) and REST <c>/v2/aggs/ticker/…/range/…</c> (<c>apiKey</c> or Bearer
/// auth, <c>adjusted</c>/<c>sort</c>/<c>limit</c>, paging through <c>next_url?cursor=</c>, the 401/403/429 bodies, a
/// per-minute counter). Data comes from the <see cref="Tape"/>: <c>T</c> events when trades are pushed, <c>AM</c>/<c>A</c>
/// when the test emits a window (<see cref="FakeClockMode.Manual"/>) or every second (<see cref="FakeClockMode.Automatic"/>).
/// </summary>
public sealed partial class FakePolygonServer : IAsyncDisposable
{
    /// <summary>The 401 body.</summary>
    public const string UnknownKeyBody = "{\"status\":\"ERROR\",\"request_id\":\"fake-401\",\"error\":\"Unknown API Key\"}";

    /// <summary>The 403 body.</summary>
    public const string NotEntitledBody = "{\"status\":\"NOT_AUTHORIZED\",\"request_id\":\"fake-403\",\"message\":\"You are not entitled to this data. Please upgrade your plan.\"}";

    /// <summary>The 429 body.</summary>
    public const string RateLimitBody = "{\"status\":\"ERROR\",\"request_id\":\"fake-429\",\"error\":\"You've exceeded the maximum requests per minute, please wait or upgrade your subscription to continue.\"}";

    /// <summary>The <c>max_connections</c> status message.</summary>
    public const string MaxConnectionsMessage = "Maximum number of websocket connections exceeded. You may only use one connection per cluster.";

    private const string AggsPrefix = "/v2/aggs/ticker/";

    private readonly FakePolygonOptions _options;
    private readonly TimeProvider _time;
    private readonly PerMinuteRequestBudget _rateBudget;
    private readonly ConcurrentDictionary<string, bool> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Connection> _connections = new();
    private readonly ConcurrentQueue<FakePolygonRestRequest> _restLog = new();
    private readonly ConcurrentQueue<string> _clientMessages = new();
    private readonly StateSignal _signal = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Lock _authGate = new();
    private readonly Lock _emitGate = new();
    private WebApplication? _app;
    private Task? _clock;
    private int _connectionIds;
    private int _unavailableResponses;
    private int _connectionsAccepted;
    private int _authSuccesses;
    private int _authFailures;
    private int _authTimeouts;
    private int _maxConnectionsSent;
    private long _framesSent;
    private long _eventsSent;
    private long _framesSuppressed;
    private long _rateLimited;
    private long _emittedUntilMs = long.MinValue;
    private long _unavailableUntilTicks;

    private FakePolygonServer(FakePolygonOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _rateBudget = new PerMinuteRequestBudget(_time, options.RequestsPerMinute);
        foreach (var key in options.ApiKeys)
        {
            _keys[key] = true;
        }

        Tape = new FakePolygonTape(TimeZoneInfo.FindSystemTimeZoneById(options.ExchangeTimeZoneId));
    }

    /// <summary>The stocks stream: <c>ws://127.0.0.1:PORT/stocks</c>.</summary>
    public Uri WsUrl { get; private set; } = null!;

    /// <summary>The REST base URL: <c>http://127.0.0.1:PORT</c>.</summary>
    public Uri RestUrl { get; private set; } = null!;

    /// <summary>The settings it runs with.</summary>
    public FakePolygonOptions Options => _options;

    /// <summary>Fault switches, flippable at any time.</summary>
    public FakePolygonFaults Faults { get; } = new();

    /// <summary>The data behind the stream and REST.</summary>
    public FakePolygonTape Tape { get; }

    /// <summary>Sockets accepted (upgrade done).</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary><c>auth_success</c> answers sent.</summary>
    public int AuthSuccesses => Volatile.Read(ref _authSuccesses);

    /// <summary><c>auth_failed</c> answers sent.</summary>
    public int AuthFailures => Volatile.Read(ref _authFailures);

    /// <summary><c>auth_timeout</c> closes.</summary>
    public int AuthTimeouts => Volatile.Read(ref _authTimeouts);

    /// <summary><c>max_connections</c> statuses sent.</summary>
    public int MaxConnectionsSent => Volatile.Read(ref _maxConnectionsSent);

    /// <summary>Frames sent.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Data events (AM, A, T) sent, duplicates counted again.</summary>
    public long EventsSent => Interlocked.Read(ref _eventsSent);

    /// <summary>Frames not sent because <see cref="FakePolygonFaults.Stall"/> was on.</summary>
    public long FramesSuppressed => Interlocked.Read(ref _framesSuppressed);

    /// <summary>REST answers with HTTP 429.</summary>
    public long RateLimitedResponses => Interlocked.Read(ref _rateLimited);

    /// <summary>Every message received from clients, in order (they carry the key: for tests that check the handshake).</summary>
    public IReadOnlyList<string> ClientMessages => [.. _clientMessages];

    /// <summary>The open sockets (snapshot, in accept order).</summary>
    public IReadOnlyList<FakePolygonConnection> Connections =>
        [.. _connections.Values.OrderBy(c => c.Id).Select(c => new FakePolygonConnection(c.Id, c.Authenticated, c.SnapshotSubscriptions()))];

    /// <summary>Every REST call answered, in order.</summary>
    public IReadOnlyList<FakePolygonRestRequest> RestRequests => [.. _restLog];

    /// <summary>Starts a fake on 127.0.0.1 with a random port.</summary>
    public static async Task<FakePolygonServer> StartAsync(FakePolygonOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new FakePolygonServer(options ?? new FakePolygonOptions());
        await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    /// <summary>Makes a key valid or invalid from now on (open sockets stay open).</summary>
    public void SetKeyValid(string key, bool valid) => _keys[key] = valid;

    /// <summary>Returns once <paramref name="condition"/> holds; re-checked after every change of the server's state.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/> (default 10 s); the message describes the state.</exception>
    public Task WaitUntilAsync(Func<FakePolygonServer, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return _signal.WaitUntilAsync(() => condition(this), timeout ?? TimeSpan.FromSeconds(10), Describe, cancellationToken);
    }

    /// <summary>
    /// Records trades on the tape and sends them as <c>T</c> events, one frame per socket, to every socket subscribed to
    /// <c>T.&lt;ticker&gt;</c> or <c>T.*</c> (honouring <see cref="FakePolygonFaults.DuplicateTrades"/>). Returns the trades as
    /// recorded (with their ids).
    /// </summary>
    public IReadOnlyList<FakePolygonTrade> PushTrades(params IReadOnlyList<FakePolygonTrade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var recorded = Tape.Add(trades);
        var duplicates = Faults.DuplicateTrades;
        foreach (var connection in _connections.Values)
        {
            var selected = recorded.Where(t => connection.IsSubscribed("T", t.Symbol)).ToList();
            if (selected.Count == 0)
            {
                continue;
            }

            var events = duplicates == FakeDuplicateTrades.SameFrame ? selected.SelectMany(t => new[] { t, t }).ToList() : selected;
            var frame = Frame(w =>
            {
                foreach (var t in events)
                {
                    WriteTrade(w, t);
                }
            });
            Enqueue(connection, new Outgoing(frame, events.Count));
            if (duplicates == FakeDuplicateTrades.SeparateFrames)
            {
                Enqueue(connection, new Outgoing(frame, events.Count));
            }
        }

        _signal.Pulse();
        return recorded;
    }

    /// <summary>
    /// Sends the <c>AM</c> aggregate of the minute starting at <paramref name="minuteStartUtc"/> for every ticker that traded
    /// in it (computed from the tape now, so a late trade added before a second call re-emits the same <c>s</c> with
    /// corrected values) to every socket subscribed to it, all tickers in one frame per socket. Returns the aggregates.
    /// </summary>
    public IReadOnlyList<FakeAggregate> EmitMinute(DateTime minuteStartUtc) => Emit("AM", FakePolygonTape.ToMs(minuteStartUtc), 60_000, out _);

    /// <summary>Sends the <c>A</c> aggregates of the second starting at <paramref name="secondStartUtc"/> (see <see cref="EmitMinute"/>).</summary>
    public IReadOnlyList<FakeAggregate> EmitSecond(DateTime secondStartUtc) => Emit("A", FakePolygonTape.ToMs(secondStartUtc), 1_000, out _);

    /// <summary>Sends one aggregate as given (e.g. a correction with other values), as <c>AM</c> or <c>A</c>.</summary>
    public void SendAggregate(FakeAggregate aggregate, bool minute = true)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        var ev = minute ? "AM" : "A";
        foreach (var connection in _connections.Values.Where(c => c.IsSubscribed(ev, aggregate.Symbol)))
        {
            Enqueue(connection, new Outgoing(Frame(w => WriteAggregate(w, ev, aggregate)), 1));
        }

        _signal.Pulse();
    }

    /// <summary>
    /// Test-driven clock: emits every complete second (<c>A</c>) and minute (<c>AM</c>) with data between the last call (at
    /// first: the earliest data on the tape) and <paramref name="nowUtc"/>, in time order. Returns how many events were sent
    /// (an aggregate sent to two sockets counts twice; one nobody subscribed to counts not at all).
    /// </summary>
    public int AdvanceTo(DateTime nowUtc)
    {
        var now = FakePolygonTape.ToMs(nowUtc);
        lock (_emitGate)
        {
            var symbols = Tape.Symbols;
            if (_emittedUntilMs == long.MinValue)
            {
                var first = symbols.SelectMany(s => Tape.Aggregates(s, 1, "second", long.MinValue, long.MaxValue, false)).Select(a => a.StartMs).DefaultIfEmpty(now).Min();
                _emittedUntilMs = first - (((first % 60_000) + 60_000) % 60_000);
            }

            var from = _emittedUntilMs;
            var secondsEnd = now - (((now % 1_000) + 1_000) % 1_000);
            var minutesEnd = now - (((now % 60_000) + 60_000) % 60_000);
            var sent = 0;
            var seconds = symbols.SelectMany(s => Tape.Aggregates(s, 1, "second", from, secondsEnd - 1, false)).Select(a => a.StartMs).Distinct().Order();
            var minutes = symbols.SelectMany(s => Tape.Aggregates(s, 1, "minute", from, minutesEnd - 1, false)).Select(a => a.StartMs).Distinct().Order();
            var timeline = seconds.Select(t => (End: t + 1_000, Ev: "A", Start: t))
                .Concat(minutes.Select(t => (End: t + 60_000, Ev: "AM", Start: t)))
                .OrderBy(x => x.End).ThenBy(x => x.Ev, StringComparer.Ordinal);
            foreach (var (_, ev, start) in timeline)
            {
                Emit(ev, start, ev == "AM" ? 60_000 : 1_000, out var events);
                sent += events;
            }

            _emittedUntilMs = Math.Max(from, minutesEnd);
            return sent;
        }
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

    /// <summary>Sends a close frame on every socket.</summary>
    public void CloseConnections(WebSocketCloseStatus status = WebSocketCloseStatus.EndpointUnavailable, string description = "server restart")
    {
        foreach (var connection in _connections.Values)
        {
            Enqueue(connection, new Outgoing([], 0, Close: (status, description)), ignoreStall: true);
        }
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
        if (_clock is not null)
        {
            await _clock.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

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
        WsUrl = new Uri($"ws://127.0.0.1:{port}/stocks");
        RestUrl = new Uri($"http://127.0.0.1:{port}");
        if (_options.ClockMode == FakeClockMode.Automatic)
        {
            _clock = Task.Run(() => ClockLoopAsync(_shutdown.Token), CancellationToken.None);
        }
    }

    private async Task ClockLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
                AdvanceTo(_time.GetUtcNow().UtcDateTime);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (_time.GetUtcNow().UtcDateTime.Ticks < Interlocked.Read(ref _unavailableUntilTicks))
        {
            Interlocked.Increment(ref _unavailableResponses);
            _signal.Pulse();
            return WriteJsonAsync(context, 503, "{\"status\":\"ERROR\",\"request_id\":\"fake-503\",\"error\":\"Service unavailable\"}");
        }

        if (context.WebSockets.IsWebSocketRequest)
        {
            return path == "/stocks" ? HandleSocketAsync(context) : WriteJsonAsync(context, 404, "{\"status\":\"NOT_FOUND\",\"message\":\"Not found\"}");
        }

        return path.StartsWith(AggsPrefix, StringComparison.Ordinal)
            ? HandleAggsAsync(context)
            : WriteJsonAsync(context, 404, "{\"status\":\"NOT_FOUND\",\"request_id\":\"fake-404\",\"message\":\"Not found\"}");
    }

    private bool IsValidKey(string? key) => !string.IsNullOrEmpty(key) && _keys.TryGetValue(key, out var valid) && valid;

    // ---------------------------------------------------------------- WebSocket

    private string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"accepted={ConnectionsAccepted} authOk={AuthSuccesses} authFailed={AuthFailures} authTimeouts={AuthTimeouts} maxConnections={MaxConnectionsSent} " +
        $"open=[{string.Join("; ", Connections.Select(c => $"#{c.Id}{(c.Authenticated ? "+" : "-")}: {string.Join(',', c.Subscriptions.Order(StringComparer.Ordinal))}"))}] " +
        $"framesSent={FramesSent} eventsSent={EventsSent} suppressed={FramesSuppressed} rest={_restLog.Count} rateLimited={RateLimitedResponses}");

    /// <summary>A frame waiting to be sent on one socket.</summary>
    private sealed record Outgoing(byte[] Payload, int Events, bool Binary = false, (WebSocketCloseStatus Status, string Description)? Close = null);

    private sealed class Connection(int id, WebSocket socket, HttpContext context)
    {
        private readonly HashSet<string> _subscriptions = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private volatile bool _authenticated;
        private volatile bool _closing;

        public int Id { get; } = id;

        public string? Key { get; set; }

        public bool Authenticated
        {
            get => _authenticated;
            set => _authenticated = value;
        }

        /// <summary>True once the server sent (or queued) a close frame.</summary>
        public bool Closing
        {
            get => _closing;
            set => _closing = value;
        }

        public WebSocket Socket { get; } = socket;

        public Channel<Outgoing> Outbox { get; } = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });

        public bool IsSubscribed(string prefix, string symbol)
        {
            lock (_gate)
            {
                return _subscriptions.Contains(prefix + "." + symbol) || _subscriptions.Contains(prefix + ".*");
            }
        }

        public void Subscribe(string channel)
        {
            lock (_gate)
            {
                _subscriptions.Add(channel);
            }
        }

        public void Unsubscribe(string channel)
        {
            lock (_gate)
            {
                _subscriptions.Remove(channel);
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
}
