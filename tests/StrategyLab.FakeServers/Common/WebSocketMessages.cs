using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace StrategyLab.FakeServers.Common;

/// <summary>The server side's read loop over a client socket: whole messages out of frames, until the client closes or the socket dies.</summary>
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
}
