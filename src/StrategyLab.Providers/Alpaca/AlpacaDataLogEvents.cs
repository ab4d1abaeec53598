using Microsoft.Extensions.Logging;

namespace StrategyLab.Providers.Alpaca;

/// <summary>The stable names of the structured log events the Alpaca market data feed writes (<see cref="AlpacaDataFeed"/>).</summary>
public static class AlpacaDataLogEvents
{
    /// <summary><c>alpaca.data.error</c>: the data stream sent <c>{"T":"error"}</c> (code, meaning, message).</summary>
    public static readonly EventId StreamError = new(4320, "alpaca.data.error");

    /// <summary><c>alpaca.data.connection_limit</c> (error): code 406, another connection holds the account's data stream.</summary>
    public static readonly EventId ConnectionLimit = new(4321, "alpaca.data.connection_limit");

    /// <summary><c>alpaca.data.auth_failed</c> (error): code 402 (or 401), the keys were refused; the feed stops.</summary>
    public static readonly EventId AuthFailed = new(4322, "alpaca.data.auth_failed");

    /// <summary><c>alpaca.data.subscribed</c>: the server confirmed the subscription (channel, symbols).</summary>
    public static readonly EventId Subscribed = new(4323, "alpaca.data.subscribed");

    /// <summary><c>alpaca.data.frame.malformed</c> (warning): a frame or a message in it could not be read and was skipped.</summary>
    public static readonly EventId FrameMalformed = new(4324, "alpaca.data.frame.malformed");

    /// <summary><c>alpaca.data.history</c>: how a history request ended (symbol, timeframe, status, bars, detail).</summary>
    public static readonly EventId History = new(4325, "alpaca.data.history");

    internal static readonly Action<ILogger, int, string, string, Exception?> LogStreamError =
        LoggerMessage.Define<int, string, string>(LogLevel.Warning, StreamError, "Alpaca data stream error {Code} ({Meaning}): {Message}");

    internal static readonly Action<ILogger, string, double, Exception?> LogConnectionLimit =
        LoggerMessage.Define<string, double>(
            LogLevel.Error,
            ConnectionLimit,
            "Alpaca data stream: 406 connection limit exceeded ({Message}): another connection (another run, a stale socket) holds this account's stream; retrying in {HoldOffSeconds} s");

    internal static readonly Action<ILogger, int, string, string, Exception?> LogAuthFailed =
        LoggerMessage.Define<int, string, string>(
            LogLevel.Error,
            AuthFailed,
            "Alpaca data stream refused the keys: {Code} {Message}. Check {Variables} or providers.alpaca (the keys are not shown); paper and live keys both work for data");

    internal static readonly Action<ILogger, string, string, Exception?> LogSubscribed =
        LoggerMessage.Define<string, string>(LogLevel.Information, Subscribed, "Alpaca data stream subscribed: {Channel} {Symbols}");

    internal static readonly Action<ILogger, long, string, string, Exception?> LogFrameMalformed =
        LoggerMessage.Define<long, string, string>(
            LogLevel.Warning, FrameMalformed, "Alpaca data: skipped malformed message #{Count}: {Problem}; frame: {Excerpt}");

    internal static readonly Action<ILogger, string, string, string, int, string, Exception?> LogHistory =
        LoggerMessage.Define<string, string, string, int, string>(
            LogLevel.Information, History, "Alpaca history {Symbol} {Timeframe}: {Status}, {Bars} bars. {Detail}");

    internal static readonly Action<ILogger, string, string, string, Exception?> LogHistoryProblem =
        LoggerMessage.Define<string, string, string>(LogLevel.Warning, History, "Alpaca history {Symbol}: {Status}. {Detail}");
}
