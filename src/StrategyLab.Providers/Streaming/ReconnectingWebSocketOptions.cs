namespace StrategyLab.Providers.Streaming;

/// <summary>
/// Reconnect, back-off and silence-watchdog settings of a <see cref="ReconnectingWebSocket"/>. The defaults follow the
/// providers' guidance (1 s doubling to 60 s with jitter, reset after a stable minute); tests shrink them.
/// </summary>
public sealed class ReconnectingWebSocketOptions
{
    /// <summary>The first back-off delay after a failed or short-lived connection (default 1 s).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest back-off delay; the delay doubles up to it (default 60 s).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Randomise the back-off delays (default true) so that many clients do not reconnect in step.</summary>
    public bool BackoffJitter { get; set; } = true;

    /// <summary>
    /// A connection that stayed up at least this long counts as stable (default 60 s): when it ends, the client reconnects
    /// at once and the back-off starts over from <see cref="InitialBackoff"/>. A connection that ends sooner counts as a
    /// failed attempt and keeps the delay growing.
    /// </summary>
    public TimeSpan StableConnectionTime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// No frame at all for this long (while silence matters) means a dead socket: it is closed and reconnected
    /// (default 150 s, above Finnhub's ~60 s ping interval).
    /// </summary>
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>The longest wait for the TCP connection and WebSocket upgrade (default 15 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait for the after-connect step (authenticate and subscribe) (default 15 s).</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The longest wait for the server to answer a close frame before the socket is aborted (default 5 s).</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest frame accepted (default 16 MiB); a larger one is skipped and logged.</summary>
    public int MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Checks the values; the message names the option that is wrong.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        RequirePositive(InitialBackoff, nameof(InitialBackoff));
        RequirePositive(MaxBackoff, nameof(MaxBackoff));
        if (MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException(
                $"{nameof(MaxBackoff)} ({MaxBackoff}) must not be shorter than {nameof(InitialBackoff)} ({InitialBackoff}).",
                nameof(MaxBackoff));
        }

        RequirePositive(StableConnectionTime, nameof(StableConnectionTime));
        RequirePositive(SilenceTimeout, nameof(SilenceTimeout));
        RequirePositive(ConnectTimeout, nameof(ConnectTimeout));
        RequirePositive(HandshakeTimeout, nameof(HandshakeTimeout));
        RequirePositive(CloseTimeout, nameof(CloseTimeout));
        if (MaxFrameBytes < 1024)
        {
            throw new ArgumentException($"{nameof(MaxFrameBytes)} must be at least 1024 bytes (was {MaxFrameBytes}).", nameof(MaxFrameBytes));
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{name} must be positive (was {value}).", name);
        }
    }
}
