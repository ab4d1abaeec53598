using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace StrategyLab.FakeServers.Common;

/// <summary>
/// The server side's loops over a client socket: reading whole messages out of frames, and sending queued frames, each
/// until the client closes, the socket dies or the connection is cancelled.
/// </summary>
internal static class WebSocketMessages
{
    /// <summary>
    /// Reads messages until the client sends a close frame (then calls <paramref name="onClose"/>, which answers it),
    /// the socket fails or <paramref name="cancellationToken"/> fires (both end the loop quietly: a client that vanishes
    /// is a case the fakes must survive, not an error).
    /// </summary>
    public static async Task ReadUntilClosedAsync(WebSocket socket, Action<byte[]> onMessage, Action onClose, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        using var message = new MemoryStream();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    onClose();
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                onMessage(message.ToArray());
                message.SetLength(0);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
        {
        }
    }

    /// <summary>
    /// Sends the frames queued in <paramref name="outbox"/> in order, as <paramref name="describe"/> reads them: a close
    /// frame starts the close handshake (when the socket still allows it), other frames go only while the socket is open
    /// (later ones are dropped: the client is gone), and <paramref name="onSent"/> counts each one sent. Ends quietly when
    /// the outbox completes, the socket fails or <paramref name="cancellationToken"/> fires.
    /// </summary>
    public static async Task SendAllAsync<TFrame>(
        WebSocket socket,
        ChannelReader<TFrame> outbox,
        Func<TFrame, (byte[] Payload, bool Binary, (WebSocketCloseStatus Status, string Description)? Close)> describe,
        Action<TFrame> onSent,
        CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var frame in outbox.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var (payload, binary, close) = describe(frame);
                if (close is { } c)
                {
                    if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(c.Status, c.Description, cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }

                if (socket.State != WebSocketState.Open)
                {
                    continue;
                }

                await socket.SendAsync(payload, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                onSent(frame);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
        {
        }
    }
}
