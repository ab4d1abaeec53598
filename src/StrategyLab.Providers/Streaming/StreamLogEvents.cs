using Microsoft.Extensions.Logging;

namespace StrategyLab.Providers.Streaming;

/// <summary>The stable names of the structured log events a live stream writes (every provider uses the same ones).</summary>
public static class StreamLogEvents
{
    /// <summary><c>liveMode.connected</c>: connected, authenticated and subscribed (provider, endpoint without secrets, connection number).</summary>
    public static readonly EventId Connected = new(4001, "liveMode.connected");

    /// <summary><c>liveMode.disconnected</c>: a connection ended (provider, reason).</summary>
    public static readonly EventId Disconnected = new(4002, "liveMode.disconnected");

    /// <summary><c>liveMode.reconnecting</c>: the next connection attempt is scheduled (provider, delay, attempt, reason).</summary>
    public static readonly EventId Reconnecting = new(4003, "liveMode.reconnecting");

    /// <summary><c>liveMode.failed</c>: the stream gave up for good, e.g. the key was refused (provider, reason).</summary>
    public static readonly EventId Failed = new(4004, "liveMode.failed");

    /// <summary><c>liveMode.silence</c>: no frame for longer than the silence timeout; the socket is closed and reconnected.</summary>
    public static readonly EventId Silence = new(4005, "liveMode.silence");

    /// <summary><c>stream.frame.oversized</c>: a frame larger than the limit was skipped.</summary>
    public static readonly EventId FrameOversized = new(4006, "stream.frame.oversized");

    /// <summary><c>stream.frame.handler-failed</c>: the provider's frame handler threw; the frame was skipped.</summary>
    public static readonly EventId FrameHandlerFailed = new(4007, "stream.frame.handler-failed");

    internal static readonly Action<ILogger, string, string, int, Exception?> LogConnected =
        LoggerMessage.Define<string, string, int>(
            LogLevel.Information, Connected, "{Provider} connected to {Endpoint} and subscribed (connection {Connection})");

    internal static readonly Action<ILogger, string, string, Exception?> LogDisconnected =
        LoggerMessage.Define<string, string>(LogLevel.Warning, Disconnected, "{Provider} disconnected: {Reason}");

    internal static readonly Action<ILogger, string, string, Exception?> LogStopped =
        LoggerMessage.Define<string, string>(LogLevel.Information, Disconnected, "{Provider} disconnected: {Reason}");

    internal static readonly Action<ILogger, string, long, int, string, Exception?> LogReconnecting =
        LoggerMessage.Define<string, long, int, string>(
            LogLevel.Warning, Reconnecting, "{Provider} reconnecting in {DelayMs} ms (attempt {Attempt}): {Reason}");

    internal static readonly Action<ILogger, string, string, Exception?> LogFailed =
        LoggerMessage.Define<string, string>(LogLevel.Error, Failed, "{Provider} stopped for good: {Reason}");

    internal static readonly Action<ILogger, string, double, Exception?> LogSilence =
        LoggerMessage.Define<string, double>(
            LogLevel.Warning, Silence, "{Provider}: no frame for {Seconds:0.###} s; closing the socket to reconnect");

    internal static readonly Action<ILogger, string, long, int, Exception?> LogFrameOversized =
        LoggerMessage.Define<string, long, int>(
            LogLevel.Warning, FrameOversized, "{Provider}: skipped a frame of at least {Bytes} bytes (limit {Limit})");

    internal static readonly Action<ILogger, string, string, Exception?> LogFrameHandlerFailed =
        LoggerMessage.Define<string, string>(
            LogLevel.Error, FrameHandlerFailed, "{Provider}: a frame could not be handled and was skipped: {Error}");
}
