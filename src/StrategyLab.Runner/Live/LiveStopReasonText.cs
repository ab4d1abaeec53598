namespace StrategyLab.Runner.Live;

/// <summary>
/// How a stop reason is spelled wherever it is shown (<c>summary.json</c> <c>session.stop_reason</c>, <c>--json</c>,
/// the console summary, the report): snake_case, lower case, the same as the backtest's <c>cancelled</c> and
/// <c>end_of_data</c>.
/// </summary>
public static class LiveStopReasonText
{
    /// <summary>A run that was not stopped early: it used up its data.</summary>
    public const string EndOfData = "end_of_data";

    /// <summary>Stopped by the user (Ctrl+C, SIGTERM).</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The provider refused the key.</summary>
    public const string AuthenticationFailed = "authentication_failed";

    /// <summary>User code in the strategy threw (<see cref="StrategyRunException"/>).</summary>
    public const string StrategyError = "strategy_error";

    /// <summary>The reason as written in the artifacts: <c>auto_stop</c>, <c>cancelled</c>, <c>market_closed</c>, <c>feed_failed</c>, <c>no_more_sessions</c>.</summary>
    public static string ToText(this LiveStopReason reason) => reason switch
    {
        LiveStopReason.AutoStop => "auto_stop",
        LiveStopReason.Cancelled => Cancelled,
        LiveStopReason.MarketClosed => "market_closed",
        LiveStopReason.FeedFailed => "feed_failed",
        LiveStopReason.NoMoreSessions => "no_more_sessions",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    /// <summary>
    /// A stop reason as the console summary and log say it: <c>cancelled</c> reads <c>stopped by Ctrl+C</c>,
    /// <c>end_of_data</c> <c>finished: end of data</c>; an unknown text is returned as it is.
    /// </summary>
    public static string Describe(string reason) => reason switch
    {
        EndOfData => "finished: end of data",
        Cancelled => "stopped by Ctrl+C",
        AuthenticationFailed => "stopped: the provider refused the key",
        StrategyError => "stopped by a strategy error",
        "auto_stop" => "stopped at auto_stop_at",
        "market_closed" => "stopped: the market closed",
        "feed_failed" => "stopped: the data feed failed",
        "no_more_sessions" => "stopped: no more sessions",
        _ => reason,
    };
}
