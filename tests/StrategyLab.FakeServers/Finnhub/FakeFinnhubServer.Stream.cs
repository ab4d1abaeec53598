using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using StrategyLab.FakeServers.Common;
using Microsoft.AspNetCore.Http;

namespace StrategyLab.FakeServers.Finnhub;

// The trade WebSocket: the upgrade's token check, one socket per key, per-socket subscriptions and the symbol cap,
// the send loop with trade batches and pings.
public sealed partial class FakeFinnhubServer
{
    private async Task HandleSocketAsync(HttpContext context)
    {
        var token = context.Request.Query["token"].ToString();
        if (!IsValidKey(token))
        {
            Interlocked.Increment(ref _connectionsRejected);
            _signal.Pulse();
            if (_options.TokenRejection == FakeTokenRejection.Http401)
            {
                await WriteJsonAsync(context, 401, InvalidKeyBody).ConfigureAwait(false);
                return;
            }

            using var rejected = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await rejected.CloseAsync(WebSocketCloseStatus.PolicyViolation, "Invalid API key", closeTimeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }

            return;
        }

        var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new Connection(Interlocked.Increment(ref _connectionIds), token, socket, context);
        foreach (var other in _connections.Values.Where(c => c.Key == token))
        {
            if (_options.SecondSocketPolicy == FakeSecondSocketPolicy.Allow)
            {
                continue;
            }

            Interlocked.Increment(ref _connectionsEvicted);
            other.Abort();
            if (_options.SecondSocketPolicy == FakeSecondSocketPolicy.DropBoth)
            {
                Interlocked.Increment(ref _connectionsEvicted);
                connection.Abort();
            }
        }

        _connections[connection.Id] = connection;
        Interlocked.Increment(ref _connectionsAccepted);
        _signal.Pulse();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token, context.RequestAborted);
        var send = SendLoopAsync(connection, linked.Token);
        var ping = PingLoopAsync(connection, linked.Token);
        try
        {
            await ReceiveLoopAsync(connection, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            connection.Outbox.Writer.TryComplete();
            await linked.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(send, ping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            socket.Dispose();
            _signal.Pulse();
        }
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
        string? type = null;
        string? symbol = null;
        try
        {
            using var doc = JsonDocument.Parse(message);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                type = doc.RootElement.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                symbol = doc.RootElement.TryGetProperty("symbol", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            }
        }
        catch (JsonException)
        {
            // Finnhub ignores what it cannot read.
        }

        switch (type)
        {
            case "subscribe" when !string.IsNullOrEmpty(symbol):
                if (!connection.TrySubscribe(symbol, _options.SymbolCap))
                {
                    SendErrorTo(connection, TooManySymbolsMessage);
                }

                Interlocked.Increment(ref _subscribeMessages);

                break;
            case "unsubscribe" when !string.IsNullOrEmpty(symbol):
                connection.Unsubscribe(symbol);
                Interlocked.Increment(ref _unsubscribeMessages);
                break;
            default:
                break; // unknown types (and premium news subscriptions) are ignored, without an answer
        }

        // Counted once handled: a test that waits for its messages to be counted and then pushes trades must find the
        // subscription in place (counted on arrival, a CI run pushed the trade before the subscribe was applied).
        Interlocked.Increment(ref _clientMessages);
        _signal.Pulse();
    }

    private void SendErrorTo(Connection connection, string message) =>
        Enqueue(connection, new Outgoing(Encoding.UTF8.GetBytes("{\"type\":\"error\",\"msg\":" + JsonSerializer.Serialize(message) + "}"), 0));

    private void Enqueue(Connection connection, Outgoing frame, bool ignoreStall = false)
    {
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
                Interlocked.Add(ref _tradesSent, frame.Trades);
                if (frame.IsPing)
                {
                    Interlocked.Increment(ref _pingsSent);
                }

                _signal.Pulse();
            },
            cancellationToken);

    private async Task PingLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        if (_options.PingInterval <= TimeSpan.Zero)
        {
            return;
        }

        var ping = "{\"type\":\"ping\"}"u8.ToArray();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_options.PingInterval, _time, cancellationToken).ConfigureAwait(false);
                Enqueue(connection, new Outgoing(ping, 0, IsPing: true));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private byte[] TradeFrame(IReadOnlyList<FakeTrade> trades)
    {
        var buffer = new ArrayBufferWriter<byte>(64 + (trades.Count * 96));
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("data");
            foreach (var t in trades)
            {
                w.WriteStartObject();
                w.WriteString("s", t.Symbol);
                WriteDecimal(w, "p", t.Price);
                w.WriteNumber("t", t.TimeMs);
                WriteDecimal(w, "v", t.Volume);
                if (t.Conditions is { } codes)
                {
                    w.WriteStartArray("c");
                    foreach (var code in codes)
                    {
                        w.WriteStringValue(code);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("type", "trade");
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void WriteDecimal(Utf8JsonWriter writer, string name, decimal value)
    {
        if (_options.NumbersAsStrings)
        {
            writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }
}
