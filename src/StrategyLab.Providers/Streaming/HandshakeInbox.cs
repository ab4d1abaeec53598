using System.Threading.Channels;

namespace StrategyLab.Providers.Streaming;

/// <summary>
/// Hands the control messages of one connection (status replies such as <c>connected</c>, <c>auth_success</c>,
/// <c>subscribed to …</c>) from the read loop to the handshake that waits for them, in arrival order. Open it when the
/// socket opens (<see cref="IWebSocketSessionHandler.OnSocketOpened"/>), read from it in
/// <see cref="IWebSocketSessionHandler.OnConnectedAsync"/>, and close it when the handshake is done: from then on
/// <see cref="TryPost"/> returns false and the frame handler deals with such messages itself.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
/// <remarks>
/// The reconnecting session runs one socket at a time, so one inbox serves every connection: <see cref="Open"/> drops
/// whatever the previous connection left behind.
/// </remarks>
public sealed class HandshakeInbox<T>
{
    private Channel<T>? _channel;

    /// <summary>True while a handshake is waiting for messages.</summary>
    public bool IsOpen => Volatile.Read(ref _channel) is not null;

    /// <summary>Starts a new handshake: earlier messages are dropped and new ones are kept.</summary>
    public void Open()
    {
        var fresh = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Interlocked.Exchange(ref _channel, fresh)?.Writer.TryComplete();
    }

    /// <summary>Ends the handshake: later messages are not kept.</summary>
    public void Close() => Interlocked.Exchange(ref _channel, null)?.Writer.TryComplete();

    /// <summary>Keeps <paramref name="message"/> for the handshake; false when no handshake is open.</summary>
    public bool TryPost(T message) => Volatile.Read(ref _channel)?.Writer.TryWrite(message) ?? false;

    /// <summary>Takes a message already received, without waiting (e.g. to read what came just before the socket closed).</summary>
    public bool TryReceive(out T message)
    {
        if (Volatile.Read(ref _channel) is { } channel && channel.Reader.TryRead(out var item))
        {
            message = item;
            return true;
        }

        message = default!;
        return false;
    }

    /// <summary>
    /// Sends a handshake message with <paramref name="send"/>. When the send ends in cancellation or a socket error but a
    /// reply is already waiting here, the send is taken as done and the reply is left for <see cref="ReceiveAsync"/>: a
    /// server that answers and closes at once (an <c>auth_failed</c> and a close) can cancel the handshake before the
    /// send's own completion is seen, and the answer, not the close, must decide (a refused key is never retried).
    /// </summary>
    /// <param name="send">Sends the message (e.g. <c>t =&gt; sender.SendTextAsync(text, t)</c>).</param>
    /// <param name="cancellationToken">The handshake's token.</param>
    public async Task SendAsync(Func<CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        try
        {
            await send(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException && HasWaiting)
        {
            // Answered already: the caller reads the answer next.
        }
    }

    private bool HasWaiting => Volatile.Read(ref _channel) is { } channel && channel.Reader.TryPeek(out _);

    /// <summary>
    /// The next message of the open handshake. One already received is returned even when <paramref name="cancellationToken"/>
    /// is cancelled: the handshake is cancelled when the socket closes, and what the server said before it closed (an
    /// authentication refusal followed at once by a close) must decide the outcome, not the close.
    /// </summary>
    /// <exception cref="InvalidOperationException">No handshake is open, or it was closed while waiting.</exception>
    /// <exception cref="OperationCanceledException">Cancelled, with no message waiting.</exception>
    public async ValueTask<T> ReceiveAsync(CancellationToken cancellationToken)
    {
        var channel = Volatile.Read(ref _channel) ?? throw new InvalidOperationException("No handshake is open.");
        if (channel.Reader.TryRead(out var ready))
        {
            return ready;
        }

        try
        {
            return await channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new InvalidOperationException("The handshake was closed while waiting for a message.", e);
        }
    }
}
