using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace StrategyLab.Providers.Streaming;

/// <summary>Sends text messages on one socket of a <see cref="ReconnectingWebSocket"/>, one at a time.</summary>
public sealed class WebSocketSender
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sendLock;
    private int _messagesSent;

    internal WebSocketSender(WebSocket socket, SemaphoreSlim sendLock)
    {
        _socket = socket;
        _sendLock = sendLock;
    }

    /// <summary>How many messages were sent on this socket.</summary>
    public int MessagesSent => Volatile.Read(ref _messagesSent);

    /// <summary>Sends <paramref name="text"/> as one UTF-8 text frame.</summary>
    /// <exception cref="WebSocketException">The socket is closed or broken.</exception>
    public async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(text, bytes);
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(bytes.AsMemory(0, count), WebSocketMessageType.Text, endOfMessage: true, cancellationToken)
                    .ConfigureAwait(false);
                Interlocked.Increment(ref _messagesSent);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Sends a close frame (does not wait for the answer); errors are ignored.</summary>
    internal async Task TryCloseOutputAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        try
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await _socket.CloseOutputAsync(status, description, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The socket is going away anyway; the caller aborts it.
        }
    }
}
