using Microsoft.Extensions.Logging;

namespace StrategyLab.Providers.Polygon;

/// <summary>The stable names of the structured log events the Polygon provider writes (besides the shared <c>liveMode.*</c> ones).</summary>
public static class PolygonLogEvents
{
    /// <summary><c>polygon.max_connections</c> (error): the server refused or evicted the stream because another connection holds it.</summary>
    public static readonly EventId MaxConnections = new(4201, "polygon.max_connections");

    /// <summary><c>polygon.auth_timeout</c> (warning): the server closed the stream because no <c>auth</c> came in time.</summary>
    public static readonly EventId AuthTimeout = new(4202, "polygon.auth_timeout");

    /// <summary><c>polygon.status</c>: a status message the client did not expect (status, message).</summary>
    public static readonly EventId Status = new(4203, "polygon.status");

    /// <summary><c>polygon.subscribed</c>: the server confirmed every channel of a subscribe message.</summary>
    public static readonly EventId Subscribed = new(4204, "polygon.subscribed");

    /// <summary><c>polygon.frame.malformed</c> (warning): a frame or an event in it could not be read and was skipped.</summary>
    public static readonly EventId FrameMalformed = new(4205, "polygon.frame.malformed");

    /// <summary><c>polygon.frame.unknown</c> (debug): an event of a type this client does not use.</summary>
    public static readonly EventId FrameUnknown = new(4206, "polygon.frame.unknown");

    /// <summary><c>polygon.rest.rate-limited</c>: a REST call got HTTP 429 (or a 5xx) and will be retried.</summary>
    public static readonly EventId RateLimited = new(4207, "polygon.rest.rate-limited");

    /// <summary><c>polygon.rest.paced</c> (debug): a REST call waits for the configured requests-per-minute pace.</summary>
    public static readonly EventId Paced = new(4208, "polygon.rest.paced");

    /// <summary><c>polygon.history</c>: how a history request ended (symbol, timeframe, status, detail).</summary>
    public static readonly EventId History = new(4209, "polygon.history");

    /// <summary><c>polygon.history.bar-skipped</c> (warning): an aggregate could not be turned into a bar and was skipped.</summary>
    public static readonly EventId HistoryBarSkipped = new(4210, "polygon.history.bar-skipped");

    internal static readonly Action<ILogger, string, double, Exception?> LogMaxConnections =
        LoggerMessage.Define<string, double>(
            LogLevel.Error,
            MaxConnections,
            "Polygon refused the stream: {Message}. Another process or socket holds this account's connection to the cluster; waiting {HoldOffSeconds:0.###} s before reconnecting");

    internal static readonly Action<ILogger, string, Exception?> LogAuthTimeout =
        LoggerMessage.Define<string>(LogLevel.Warning, AuthTimeout, "Polygon closed the stream: no authentication in time ({Message})");

    internal static readonly Action<ILogger, string, string, Exception?> LogStatus =
        LoggerMessage.Define<string, string>(LogLevel.Warning, Status, "Polygon status '{Status}': {Message}");

    internal static readonly Action<ILogger, int, string, Exception?> LogSubscribed =
        LoggerMessage.Define<int, string>(LogLevel.Information, Subscribed, "Polygon confirmed {Count} channel(s): {Channels}");

    internal static readonly Action<ILogger, long, string, string, Exception?> LogFrameMalformed =
        LoggerMessage.Define<long, string, string>(
            LogLevel.Warning, FrameMalformed, "Polygon: skipped malformed frame #{Count}: {Problem}; frame: {Excerpt}");

    internal static readonly Action<ILogger, string, Exception?> LogFrameUnknown =
        LoggerMessage.Define<string>(LogLevel.Debug, FrameUnknown, "Polygon: ignored an event of type '{Type}'");

    internal static readonly Action<ILogger, string, int, int, long, Exception?> LogRateLimited =
        LoggerMessage.Define<string, int, int, long>(
            LogLevel.Information, RateLimited, "Polygon REST {Status} on aggregates; retry {Attempt} of {MaxRetries} in {DelayMs} ms");

    internal static readonly Action<ILogger, long, int, Exception?> LogPaced =
        LoggerMessage.Define<long, int>(
            LogLevel.Debug, Paced, "Polygon REST: waiting {DelayMs} ms to stay within {PerMinute} request(s) per minute");

    internal static readonly Action<ILogger, string, string, string, int, string, Exception?> LogHistory =
        LoggerMessage.Define<string, string, string, int, string>(
            LogLevel.Information, History, "Polygon history {Symbol} {Timeframe}: {Status}, {Bars} bars. {Detail}");

    internal static readonly Action<ILogger, string, string, string, Exception?> LogHistoryProblem =
        LoggerMessage.Define<string, string, string>(
            LogLevel.Warning, History, "Polygon history {Symbol}: {Status}. {Detail}");

    internal static readonly Action<ILogger, string, long, string, Exception?> LogHistoryBarSkipped =
        LoggerMessage.Define<string, long, string>(
            LogLevel.Warning, HistoryBarSkipped, "Polygon aggregate {Symbol} t={Time}: {Problem}; skipped");
}
