using Microsoft.Extensions.Logging;

namespace StrategyLab.Providers.Finnhub;

/// <summary>The stable names of the structured log events the Finnhub provider writes (besides the shared <c>liveMode.*</c> ones).</summary>
public static class FinnhubLogEvents
{
    /// <summary><c>finnhub.error</c>: the stream sent an <c>error</c> frame (message, last symbol requested).</summary>
    public static readonly EventId Error = new(4101, "finnhub.error");

    /// <summary><c>finnhub.frame.malformed</c>: a frame or print could not be read and was skipped (problem, redacted excerpt, count).</summary>
    public static readonly EventId FrameMalformed = new(4102, "finnhub.frame.malformed");

    /// <summary><c>finnhub.frame.unknown</c>: a well-formed frame of a type this client does not use.</summary>
    public static readonly EventId FrameUnknown = new(4103, "finnhub.frame.unknown");

    /// <summary><c>finnhub.rest.rate-limited</c>: a REST call got HTTP 429 and will be retried.</summary>
    public static readonly EventId RateLimited = new(4104, "finnhub.rest.rate-limited");

    /// <summary><c>finnhub.history</c>: how a history request ended (symbol, resolution, status, detail).</summary>
    public static readonly EventId History = new(4105, "finnhub.history");

    /// <summary><c>finnhub.history.bar-skipped</c>: a candle could not be turned into a bar and was skipped.</summary>
    public static readonly EventId HistoryBarSkipped = new(4106, "finnhub.history.bar-skipped");

    internal static readonly Action<ILogger, string, string, Exception?> LogError =
        LoggerMessage.Define<string, string>(
            LogLevel.Warning, Error, "Finnhub stream error: {Message} (last symbol requested: {LastSymbol})");

    internal static readonly Action<ILogger, long, string, string, Exception?> LogFrameMalformed =
        LoggerMessage.Define<long, string, string>(
            LogLevel.Warning, FrameMalformed, "Finnhub: skipped malformed frame #{Count}: {Problem}; frame: {Excerpt}");

    internal static readonly Action<ILogger, string, Exception?> LogFrameUnknown =
        LoggerMessage.Define<string>(LogLevel.Debug, FrameUnknown, "Finnhub: ignored a frame of type '{Type}'");

    internal static readonly Action<ILogger, string, int, int, long, Exception?> LogRateLimited =
        LoggerMessage.Define<string, int, int, long>(
            LogLevel.Information, RateLimited, "Finnhub rate limit (HTTP 429) on {Endpoint}; retry {Attempt} of {MaxRetries} in {DelayMs} ms");

    internal static readonly Action<ILogger, string, string, string, int, string, Exception?> LogHistory =
        LoggerMessage.Define<string, string, string, int, string>(
            LogLevel.Information, History, "Finnhub history {Symbol} resolution {Resolution}: {Status}, {Bars} bars. {Detail}");

    internal static readonly Action<ILogger, string, string, string, Exception?> LogHistoryProblem =
        LoggerMessage.Define<string, string, string>(
            LogLevel.Warning, History, "Finnhub history {Symbol}: {Status}. {Detail}");

    internal static readonly Action<ILogger, string, long, string, Exception?> LogHistoryBarSkipped =
        LoggerMessage.Define<string, long, string>(
            LogLevel.Warning, HistoryBarSkipped, "Finnhub candle {Symbol} t={Time}: {Problem}; skipped");
}
