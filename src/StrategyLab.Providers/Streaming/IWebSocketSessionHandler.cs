namespace StrategyLab.Providers.Streaming;

/// <summary>
/// The provider-specific part of a <see cref="ReconnectingWebSocket"/>: what to do after each connect, what to do with
/// each frame, and whether silence matters right now.
/// </summary>
public interface IWebSocketSessionHandler
{
    /// <summary>
    /// Called when a new socket is open, before its first frame is read and before <see cref="OnConnectedAsync"/>: the place
    /// to reset per-connection state (e.g. open a <see cref="HandshakeInbox{T}"/>), since a server may speak first.
    /// </summary>
    void OnSocketOpened()
    {
    }

    /// <summary>
    /// Called after every successful connect (the first and each reconnect), while frames are already being read:
    /// authenticate if the protocol needs it and subscribe to every symbol. The connection counts as up when this returns.
    /// </summary>
    /// <param name="sender">Sends on the new socket.</param>
    /// <param name="cancellationToken">Cancelled on stop, on handshake timeout or when the socket dies.</param>
    /// <exception cref="StrategyLab.Core.Data.FeedAuthenticationException">The provider refused the key: the session stops for good.</exception>
    Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken);

    /// <summary>
    /// One complete frame, text or binary, as UTF-8 bytes (valid only during the call). Called on the read loop, one frame
    /// at a time, possibly while <see cref="OnConnectedAsync"/> runs. Should not throw: an exception is logged and the
    /// frame skipped.
    /// </summary>
    void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc);

    /// <summary>
    /// Whether a long silence now means a dead socket (e.g. false while the market is closed and nothing is expected).
    /// While it returns false the silence watchdog restarts its count.
    /// </summary>
    bool IsSilenceSignificant(DateTime utcNow);
}
