using Microsoft.Extensions.Logging;

namespace StrategyLab.Providers.Alpaca;

/// <summary>The stable names of the structured log events the Alpaca clients write (besides the shared <c>liveMode.*</c> ones).</summary>
public static class AlpacaLogEvents
{
    /// <summary><c>alpaca.rest.retry</c>: a call got 429 or 5xx and will be retried.</summary>
    public static readonly EventId Retry = new(4301, "alpaca.rest.retry");

    /// <summary><c>alpaca.order.already-sent</c>: a submit found its client order id already at Alpaca; the existing order is used.</summary>
    public static readonly EventId AlreadySent = new(4302, "alpaca.order.already-sent");

    /// <summary><c>alpaca.stream.authorized</c>: the <c>trade_updates</c> stream authenticated and listens.</summary>
    public static readonly EventId StreamAuthorized = new(4303, "alpaca.stream.authorized");

    /// <summary><c>alpaca.stream.reconnected</c>: the stream is back after a gap; orders must be reconciled since the last event.</summary>
    public static readonly EventId StreamReconnected = new(4304, "alpaca.stream.reconnected");

    /// <summary><c>alpaca.frame.malformed</c> (warning): a frame could not be read and was skipped.</summary>
    public static readonly EventId FrameMalformed = new(4305, "alpaca.frame.malformed");

    internal static readonly Action<ILogger, string, string, int, int, long, Exception?> LogRetry =
        LoggerMessage.Define<string, string, int, int, long>(
            LogLevel.Information, Retry, "Alpaca REST {Status} on {Endpoint}; retry {Attempt} of {MaxRetries} in {DelayMs} ms");

    internal static readonly Action<ILogger, string, string, string, Exception?> LogAlreadySent =
        LoggerMessage.Define<string, string, string>(
            LogLevel.Warning, AlreadySent, "Alpaca already has order {ClientOrderId} ({Why}); using it (status {Status}), not sending it again");

    internal static readonly Action<ILogger, string, Exception?> LogStreamAuthorized =
        LoggerMessage.Define<string>(LogLevel.Information, StreamAuthorized, "Alpaca trade_updates: authorized and listening at {Endpoint}");

    internal static readonly Action<ILogger, int, string, Exception?> LogStreamReconnected =
        LoggerMessage.Define<int, string>(
            LogLevel.Warning, StreamReconnected, "Alpaca trade_updates reconnected (connection {Connection}); events since {LastEventUtc} must be reconciled");

    internal static readonly Action<ILogger, string, string, Exception?> LogFrameMalformed =
        LoggerMessage.Define<string, string>(LogLevel.Warning, FrameMalformed, "Alpaca: skipped a frame: {Problem}; frame: {Excerpt}");
}
