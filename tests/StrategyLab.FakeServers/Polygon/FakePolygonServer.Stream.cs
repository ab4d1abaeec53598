using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using StrategyLab.FakeServers.Common;
using Microsoft.AspNetCore.Http;

namespace StrategyLab.FakeServers.Polygon;

// The WebSocket: auth within the timeout, max_connections, channel subscriptions, and the send loop with
// status messages, trades and aggregates.
public sealed partial class FakePolygonServer
{
    private async Task HandleSocketAsync(HttpContext context)
    {
        var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new Connection(Interlocked.Increment(ref _connectionIds), socket, context);
        _connections[connection.Id] = connection;
        Interlocked.Increment(ref _connectionsAccepted);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, context.RequestAborted);

        // The auth timer starts before "connected" goes out, so a client (or a test's fake clock) that reacts to
        // "connected" always finds the timer already running.
        var authTimer = AuthTimeoutAsync(connection, linked.Token);
        Enqueue(connection, Status("connected", "Connected Successfully"), ignoreStall: true);
        _signal.Pulse();
        var send = SendLoopAsync(connection, linked.Token);
        try
        {
            await ReceiveLoopAsync(connection, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            connection.Outbox.Writer.TryComplete();
            await linked.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(send, authTimer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            socket.Dispose();
            _signal.Pulse();
        }
    }

    private async Task AuthTimeoutAsync(Connection connection, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(_options.AuthTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (connection.Authenticated || connection.Closing)
        {
            return;
        }

        Interlocked.Increment(ref _authTimeouts);
        Enqueue(connection, Status("auth_timeout", "No authentication request received."), ignoreStall: true);
        Enqueue(connection, new Outgoing([], 0, Close: (WebSocketCloseStatus.PolicyViolation, "authentication timeout")), ignoreStall: true);
        _signal.Pulse();
    }

    private Task ReceiveLoopAsync(Connection connection, CancellationToken cancellationToken) =>
        WebSocketMessages.ReadUntilClosedAsync(
            connection.Socket,
            message => HandleClientMessage(connection, message),
            () =>
            {
                // Answer the client's close (or complete our own close handshake).
                Enqueue(connection, new Outgoing([], 0, Close: (WebSocketCloseStatus.NormalClosure, string.Empty)), ignoreStall: true);
                connection.Outbox.Writer.TryComplete();
            },
            cancellationToken);

    private void HandleClientMessage(Connection connection, byte[] message)
    {
        _clientMessages.Enqueue(Encoding.UTF8.GetString(message));
        string? action = null;
        string? parameters = null;
        try
        {
            using var doc = JsonDocument.Parse(message);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                action = doc.RootElement.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                parameters = doc.RootElement.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            }
        }
        catch (JsonException)
        {
        }

        switch (action)
        {
            case "auth":
                Authenticate(connection, parameters);
                break;
            case "subscribe" or "unsubscribe" when !connection.Authenticated:
                Enqueue(connection, Status("error", "not authorized"));
                break;
            case "subscribe":
                foreach (var channel in Channels(parameters))
                {
                    if (!IsKnownChannel(channel))
                    {
                        Enqueue(connection, Status("error", "unknown channel: " + channel));
                        continue;
                    }

                    connection.Subscribe(channel);
                    Enqueue(connection, Status("success", "subscribed to: " + channel));
                }

                break;
            case "unsubscribe":
                foreach (var channel in Channels(parameters))
                {
                    connection.Unsubscribe(channel);
                    Enqueue(connection, Status("success", "unsubscribed to: " + channel));
                }

                break;
            default:
                Enqueue(connection, Status("error", "unknown action"));
                break;
        }

        _signal.Pulse();
    }

    private void Authenticate(Connection connection, string? key)
    {
        if (!IsValidKey(key))
        {
            Interlocked.Increment(ref _authFailures);
            Enqueue(connection, Status("auth_failed", "authentication failed"), ignoreStall: true);
            if (_options.CloseAfterAuthFailed)
            {
                Enqueue(connection, new Outgoing([], 0, Close: (WebSocketCloseStatus.PolicyViolation, "authentication failed")), ignoreStall: true);
            }

            return;
        }

        Connection? evicted = null;
        var refused = false;
        lock (_authGate)
        {
            var others = _connections.Values.Where(c => c.Id != connection.Id && c.Authenticated && c.Key == key).OrderBy(c => c.Id).ToList();
            if (_options.ConnectionLimitMode != FakeConnectionLimitMode.Allow && others.Count >= _options.ConnectionsPerKey)
            {
                if (_options.ConnectionLimitMode == FakeConnectionLimitMode.EvictNew)
                {
                    refused = true;
                }
                else
                {
                    evicted = others[0];
                    evicted.Authenticated = false;
                }
            }

            if (!refused)
            {
                connection.Key = key;
                connection.Authenticated = true;
            }
        }

        if (evicted is not null)
        {
            SendMaxConnections(evicted);
        }

        if (refused)
        {
            SendMaxConnections(connection);
            return;
        }

        Interlocked.Increment(ref _authSuccesses);
        Enqueue(connection, Status("auth_success", "authenticated"), ignoreStall: true);
    }

    private void SendMaxConnections(Connection connection)
    {
        Interlocked.Increment(ref _maxConnectionsSent);
        Enqueue(connection, Status("max_connections", MaxConnectionsMessage), ignoreStall: true);
        Enqueue(connection, new Outgoing([], 0, Close: (WebSocketCloseStatus.PolicyViolation, "max_connections")), ignoreStall: true);
    }

    private static IEnumerable<string> Channels(string? parameters) =>
        (parameters ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static bool IsKnownChannel(string channel)
    {
        var dot = channel.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && dot < channel.Length - 1 && channel[..dot] is "AM" or "A" or "T" or "Q" or "LULD" or "NOI";
    }

    private IReadOnlyList<FakeAggregate> Emit(string ev, long startMs, long lengthMs, out int sent)
    {
        sent = 0;
        var aggregates = Tape.Symbols.Select(s => Tape.Aggregate(s, startMs, lengthMs)).OfType<FakeAggregate>().ToList();
        foreach (var connection in _connections.Values)
        {
            var selected = aggregates.Where(a => connection.IsSubscribed(ev, a.Symbol)).ToList();
            if (selected.Count == 0)
            {
                continue;
            }

            sent += selected.Count;
            Enqueue(connection, new Outgoing(Frame(w =>
            {
                foreach (var a in selected)
                {
                    WriteAggregate(w, ev, a);
                }
            }), selected.Count));
        }

        _signal.Pulse();
        return aggregates;
    }

    private void Enqueue(Connection connection, Outgoing frame, bool ignoreStall = false)
    {
        if (frame.Close is not null)
        {
            connection.Closing = true;
        }

        if (Faults.Stall && !ignoreStall)
        {
            Interlocked.Increment(ref _framesSuppressed);
            return;
        }

        connection.Outbox.Writer.TryWrite(frame);
    }

    private Task SendLoopAsync(Connection connection, CancellationToken cancellationToken) =>
        WebSocketMessages.SendAllAsync(
            connection.Socket,
            connection.Outbox.Reader,
            frame => (frame.Payload, frame.Binary || _options.SendBinaryFrames, frame.Close),
            frame =>
            {
                Interlocked.Increment(ref _framesSent);
                Interlocked.Add(ref _eventsSent, frame.Events);
                _signal.Pulse();
            },
            cancellationToken);

    private static Outgoing Status(string status, string message) => new(Frame(w =>
    {
        w.WriteStartObject();
        w.WriteString("ev", "status");
        w.WriteString("status", status);
        w.WriteString("message", message);
        w.WriteEndObject();
    }), 0);

    private static byte[] Frame(Action<Utf8JsonWriter> writeEvents)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            writeEvents(w);
            w.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTrade(Utf8JsonWriter w, FakePolygonTrade t)
    {
        w.WriteStartObject();
        w.WriteString("ev", "T");
        w.WriteString("sym", t.Symbol);
        w.WriteNumber("x", t.Exchange);
        w.WriteString("i", t.Id);
        w.WriteNumber("z", 3);
        w.WriteNumber("p", t.Price);
        w.WriteNumber("s", t.Size);
        if (t.Conditions is { } codes)
        {
            w.WriteStartArray("c");
            foreach (var code in codes)
            {
                w.WriteNumberValue(code);
            }

            w.WriteEndArray();
        }

        w.WriteNumber("t", t.TimeMs);
        w.WriteNumber("q", t.TimeMs);
        w.WriteEndObject();
    }

    private static void WriteAggregate(Utf8JsonWriter w, string ev, FakeAggregate a)
    {
        w.WriteStartObject();
        w.WriteString("ev", ev);
        w.WriteString("sym", a.Symbol);
        w.WriteNumber("v", a.Volume);
        w.WriteNumber("av", a.Volume);
        w.WriteNumber("op", a.Open);
        w.WriteNumber("vw", a.Vwap);
        w.WriteNumber("o", a.Open);
        w.WriteNumber("c", a.Close);
        w.WriteNumber("h", a.High);
        w.WriteNumber("l", a.Low);
        w.WriteNumber("a", a.Vwap);
        w.WriteNumber("z", a.Trades == 0 ? 0 : Math.Round(a.Volume / a.Trades, 0, MidpointRounding.AwayFromZero));
        w.WriteNumber("s", a.StartMs);
        w.WriteNumber("e", a.EndMs);
        w.WriteEndObject();
    }

    // ---------------------------------------------------------------- REST
}
