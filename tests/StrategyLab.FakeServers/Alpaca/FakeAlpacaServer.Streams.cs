using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using StrategyLab.FakeServers.Common;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace StrategyLab.FakeServers.Alpaca;

public sealed partial class FakeAlpacaServer
{
    private readonly ConcurrentDictionary<int, Socket> _tradeSockets = new();
    private readonly ConcurrentDictionary<int, Socket> _dataSockets = new();
    private readonly ConcurrentQueue<string> _clientMessages = new();
    private int _socketIds;
    private int _tradeConnections;
    private long _tradeEventsSent;
    private int _refusedUpgrades;

    /// <summary>Open <c>trade_updates</c> sockets that authenticated and listen.</summary>
    public int TradeStreamListeners => _tradeSockets.Values.Count(s => s.Authenticated && s.Listening);

    /// <summary><c>trade_updates</c> sockets accepted so far.</summary>
    public int TradeStreamConnections => Volatile.Read(ref _tradeConnections);

    /// <summary><c>trade_updates</c> events sent (an event sent to two sockets counts twice).</summary>
    public long TradeEventsSent => Interlocked.Read(ref _tradeEventsSent);

    /// <summary><c>/stream</c> upgrades refused by <see cref="FakeAlpacaFaults.RefuseStreamUpgrades"/>.</summary>
    public int RefusedUpgrades => Volatile.Read(ref _refusedUpgrades);

    /// <summary>Open market data sockets that authenticated.</summary>
    public int DataStreamListeners => _dataSockets.Values.Count(s => s.Authenticated);

    /// <summary>Every message clients sent on any socket (they carry the keys: for handshake tests only).</summary>
    public IReadOnlyList<string> ClientMessages => [.. _clientMessages];

    /// <summary>Drops every <c>trade_updates</c> socket abruptly (no close frame).</summary>
    public void AbortTradeStreams()
    {
        foreach (var s in _tradeSockets.Values)
        {
            s.Abort();
        }
    }

    /// <summary>Drops every market data socket abruptly.</summary>
    public void AbortDataStreams()
    {
        foreach (var s in _dataSockets.Values)
        {
            s.Abort();
        }
    }

    /// <summary>
    /// Sends a bar (<c>T:"b"</c>, or <c>T:"u"</c> when <paramref name="updated"/>) to every data socket subscribed to its
    /// symbol (or <c>*</c>), and records it for the historical bars endpoints.
    /// </summary>
    public void PushBar(FakeAlpacaBar bar, bool updated = false)
    {
        ArgumentNullException.ThrowIfNull(bar);
        AddBars([bar]);
        var frame = AlpacaJson.Write(w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("T", updated ? "u" : "b");
            w.WriteString("S", bar.Symbol);
            w.WriteNumber("o", bar.Open);
            w.WriteNumber("h", bar.High);
            w.WriteNumber("l", bar.Low);
            w.WriteNumber("c", bar.Close);
            w.WriteNumber("v", bar.Volume);
            w.WriteString("t", bar.StartUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("n", bar.Trades);
            w.WriteNumber("vw", bar.Vwap ?? bar.Close);
            w.WriteEndObject();
            w.WriteEndArray();
        });
        foreach (var s in _dataSockets.Values.Where(s => s.Authenticated && s.IsSubscribed(updated ? "updatedBars" : "bars", bar.Symbol)))
        {
            s.Send(frame, binary: false);
        }

        _signal.Pulse();
    }

    /// <summary>Sends a trade print (<c>T:"t"</c>) to every data socket subscribed to the symbol's trades.</summary>
    public void PushTrade(string symbol, decimal price, decimal size, DateTime timeUtc, long id = 1)
    {
        var frame = AlpacaJson.Write(w =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteString("T", "t");
            w.WriteString("S", symbol);
            w.WriteNumber("i", id);
            w.WriteString("x", "V");
            w.WriteNumber("p", price);
            w.WriteNumber("s", size);
            w.WriteString("t", AlpacaJson.Time(timeUtc));
            w.WriteStartArray("c");
            w.WriteStringValue("@");
            w.WriteEndArray();
            w.WriteString("z", "C");
            w.WriteEndObject();
            w.WriteEndArray();
        });
        foreach (var s in _dataSockets.Values.Where(s => s.Authenticated && s.IsSubscribed("trades", symbol)))
        {
            s.Send(frame, binary: false);
        }

        _signal.Pulse();
    }

    private void SendOrderEvent(string ev, BookOrder order) => SendTradeUpdate(ev, order, Now(), null, null, null);

    private void SendTradeUpdate(string ev, BookOrder order, DateTime at, decimal? price, decimal? qty, decimal? positionQty)
    {
        var frame = AlpacaJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("stream", "trade_updates");
            w.WriteStartObject("data");
            w.WriteString("event", ev);
            if (price is { } p)
            {
                w.WriteString("execution_id", Guid.NewGuid().ToString());
                w.WriteString("price", AlpacaJson.Dec(p));
                w.WriteString("qty", AlpacaJson.Dec(qty!.Value));
                w.WriteString("position_qty", AlpacaJson.Dec(positionQty!.Value));
            }

            w.WriteString("timestamp", AlpacaJson.Time(at));
            w.WritePropertyName("order");
            AlpacaJson.Order(w, order, nested: true);
            w.WriteEndObject();
            w.WriteEndObject();
        });

        // Called under the book's lock, so events of all orders leave in the order they happened.
        foreach (var s in _tradeSockets.Values.Where(s => s.Authenticated && s.Listening))
        {
            s.Send(frame, _options.BinaryTradeUpdates);
            Interlocked.Increment(ref _tradeEventsSent);
        }
    }

    private async Task HandleSocketRequestAsync(HttpContext context, string path)
    {
        var trade = path == "/stream";
        var data = path.StartsWith("/v2/", StringComparison.Ordinal) || path.StartsWith("/v1beta3/crypto/", StringComparison.Ordinal);
        if (!trade && !data)
        {
            context.Response.StatusCode = 404;
            return;
        }

        if (trade && Faults.RefuseStreamUpgrades)
        {
            Interlocked.Increment(ref _refusedUpgrades);
            context.Response.StatusCode = 503;
            _signal.Pulse();
            return;
        }

        var ws = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var socket = new Socket(Interlocked.Increment(ref _socketIds), ws, context) { Path = path };
        var sockets = trade ? _tradeSockets : _dataSockets;
        sockets[socket.Id] = socket;
        if (trade)
        {
            Interlocked.Increment(ref _tradeConnections);
        }
        else
        {
            // The data stream speaks first, and (header auth) may authenticate on the upgrade itself.
            socket.Send(Encoding.UTF8.GetBytes("[{\"T\":\"success\",\"msg\":\"connected\"}]"), binary: false);
            if (Authorized(context.Request.Headers["APCA-API-KEY-ID"], context.Request.Headers["APCA-API-SECRET-KEY"]))
            {
                socket.KeyId = context.Request.Headers["APCA-API-KEY-ID"];
                socket.Authenticated = true;
                socket.Send(Encoding.UTF8.GetBytes("[{\"T\":\"success\",\"msg\":\"authenticated\"}]"), binary: false);
            }
        }

        _signal.Pulse();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, context.RequestAborted);
        var send = socket.SendLoopAsync(linked.Token);
        try
        {
            await socket.ReceiveLoopAsync(
                message =>
                {
                    _clientMessages.Enqueue(message);
                    if (trade)
                    {
                        OnTradeStreamMessage(socket, message);
                    }
                    else
                    {
                        OnDataStreamMessage(socket, message);
                    }

                    _signal.Pulse();
                },
                linked.Token).ConfigureAwait(false);
        }
        finally
        {
            sockets.TryRemove(socket.Id, out _);
            socket.Outbox.Writer.TryComplete();
            await linked.CancelAsync().ConfigureAwait(false);
            await send.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            ws.Dispose();
            _signal.Pulse();
        }
    }

    private void OnTradeStreamMessage(Socket socket, string message)
    {
        using var doc = JsonDocument.Parse(message);
        var root = doc.RootElement;
        var action = Str(root, "action");
        if (action is "authenticate" or "auth")
        {
            string? key;
            string? secret;
            if (action == "authenticate" && root.TryGetProperty("data", out var d))
            {
                key = Str(d, "key_id");
                secret = Str(d, "secret_key");
            }
            else
            {
                key = Str(root, "key");
                secret = Str(root, "secret");
            }

            var ok = Authorized(key, secret);
            socket.Authenticated = ok;
            var reply = ok
                ? "{\"stream\":\"authorization\",\"data\":{\"action\":\"authenticate\",\"status\":\"authorized\"}}"
                : "{\"stream\":\"authorization\",\"data\":{\"action\":\"authenticate\",\"status\":\"unauthorized\",\"message\":\"access key verification failed\"}}";
            socket.Send(Encoding.UTF8.GetBytes(reply), _options.BinaryTradeUpdates);
            if (!ok)
            {
                socket.Close(WebSocketCloseStatus.PolicyViolation, "access key verification failed");
            }
        }
        else if (action == "listen" && socket.Authenticated)
        {
            var streams = root.GetProperty("data").GetProperty("streams").EnumerateArray().Select(e => e.GetString()).ToList();

            // Registering the listener and the reply under the book's lock: no event can slip in between or be sent before it.
            lock (_gate)
            {
                socket.Listening = streams.Contains("trade_updates");
                socket.Send(
                    Encoding.UTF8.GetBytes("{\"stream\":\"listening\",\"data\":{\"streams\":[" + string.Join(',', streams.Select(s => JsonSerializer.Serialize(s))) + "]}}"),
                    _options.BinaryTradeUpdates);
            }
        }
    }

    private void OnDataStreamMessage(Socket socket, string message)
    {
        using var doc = JsonDocument.Parse(message);
        var root = doc.RootElement;
        var action = Str(root, "action");
        if (action == "auth")
        {
            if (socket.Authenticated)
            {
                socket.Send(Encoding.UTF8.GetBytes("[{\"T\":\"error\",\"code\":403,\"msg\":\"already authenticated\"}]"), binary: false);
            }
            else if (Authorized(Str(root, "key"), Str(root, "secret")))
            {
                // One connection per endpoint per key: a second one is refused as its auth reply (406), as Alpaca does.
                var key = Str(root, "key");
                if (_dataSockets.Values.Any(s => s != socket && s.Authenticated && s.Path == socket.Path && s.KeyId == key))
                {
                    socket.Send(Encoding.UTF8.GetBytes("[{\"T\":\"error\",\"code\":406,\"msg\":\"connection limit exceeded\"}]"), binary: false);
                    socket.Close(WebSocketCloseStatus.PolicyViolation, "connection limit exceeded");
                    return;
                }

                socket.KeyId = key;
                socket.Authenticated = true;
                socket.Send(Encoding.UTF8.GetBytes("[{\"T\":\"success\",\"msg\":\"authenticated\"}]"), binary: false);
            }
            else
            {
                socket.Send(Encoding.UTF8.GetBytes("[{\"T\":\"error\",\"code\":402,\"msg\":\"auth failed\"}]"), binary: false);
                socket.Close(WebSocketCloseStatus.PolicyViolation, "auth failed");
            }

            return;
        }

        if (!socket.Authenticated)
        {
            socket.Send(Encoding.UTF8.GetBytes("[{\"T\":\"error\",\"code\":401,\"msg\":\"not authenticated\"}]"), binary: false);
            return;
        }

        if (action is "subscribe" or "unsubscribe")
        {
            foreach (var channel in Socket.Channels)
            {
                if (root.TryGetProperty(channel, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var symbol in list.EnumerateArray().Select(e => e.GetString()!))
                    {
                        socket.SetSubscribed(channel, symbol, action == "subscribe");
                    }
                }
            }

            socket.Send(AlpacaJson.Write(w =>
            {
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("T", "subscription");
                foreach (var channel in Socket.Channels)
                {
                    w.WriteStartArray(channel);
                    foreach (var symbol in socket.Subscribed(channel))
                    {
                        w.WriteStringValue(symbol);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
                w.WriteEndArray();
            }), binary: false);
        }
    }

    /// <summary>One accepted socket: an outbox drained by a send loop, subscriptions, abort.</summary>
    private sealed class Socket(int id, WebSocket socket, HttpContext context)
    {
        public static readonly string[] Channels = ["trades", "quotes", "bars", "updatedBars", "dailyBars"];

        private readonly Dictionary<string, SortedSet<string>> _subscriptions = Channels.ToDictionary(c => c, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        private volatile bool _authenticated;
        private volatile bool _listening;

        public int Id { get; } = id;

        /// <summary>The endpoint path (<c>/stream</c>, <c>/v2/iex</c>…).</summary>
        public string Path { get; init; } = string.Empty;

        /// <summary>The key id it authenticated with.</summary>
        public string? KeyId { get; set; }

        public bool Authenticated
        {
            get => _authenticated;
            set => _authenticated = value;
        }

        public bool Listening
        {
            get => _listening;
            set => _listening = value;
        }

        public Channel<(byte[] Payload, bool Binary, WebSocketCloseStatus? Close, string? Reason)> Outbox { get; } =
            Channel.CreateUnbounded<(byte[], bool, WebSocketCloseStatus?, string?)>(new UnboundedChannelOptions { SingleReader = true });

        public void Send(byte[] payload, bool binary) => Outbox.Writer.TryWrite((payload, binary, null, null));

        public void Close(WebSocketCloseStatus status, string reason) => Outbox.Writer.TryWrite(([], false, status, reason));

        public bool IsSubscribed(string channel, string symbol)
        {
            lock (_subscriptions)
            {
                var set = _subscriptions[channel];
                return set.Contains(symbol) || set.Contains("*");
            }
        }

        public void SetSubscribed(string channel, string symbol, bool on)
        {
            lock (_subscriptions)
            {
                if (on)
                {
                    _subscriptions[channel].Add(symbol);
                }
                else
                {
                    _subscriptions[channel].Remove(symbol);
                }
            }
        }

        public IReadOnlyList<string> Subscribed(string channel)
        {
            lock (_subscriptions)
            {
                return [.. _subscriptions[channel]];
            }
        }

        public async Task SendLoopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var (payload, binary, close, reason) in Outbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (close is { } status)
                    {
                        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                        {
                            await socket.CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
                        }

                        continue;
                    }

                    if (socket.State == WebSocketState.Open)
                    {
                        await socket.SendAsync(payload, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
            {
            }
        }

        public Task ReceiveLoopAsync(Action<string> onMessage, CancellationToken cancellationToken) =>
            WebSocketMessages.ReadUntilClosedAsync(
                socket,
                message =>
                {
                    try
                    {
                        onMessage(Encoding.UTF8.GetString(message));
                    }
                    catch (JsonException)
                    {
                        Send(Encoding.UTF8.GetBytes("[{\"T\":\"error\",\"code\":400,\"msg\":\"invalid syntax\"}]"), binary: false);
                    }
                },
                () =>
                {
                    Close(WebSocketCloseStatus.NormalClosure, string.Empty);
                    Outbox.Writer.TryComplete();
                },
                cancellationToken);

        public void Abort()
        {
            try
            {
                context.Abort();
            }
            catch (ObjectDisposedException)
            {
            }

            socket.Abort();
        }
    }
}
