using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Finnhub;

/// <summary>
/// Settings of a <see cref="FinnhubFeed"/>. Only <see cref="ApiKey"/> is required; base URLs are settings so tests can
/// point the feed at a loopback fake (<c>ws://127.0.0.1:PORT</c>, <c>http://127.0.0.1:PORT/api/v1</c>).
/// </summary>
/// <remarks>
/// The key travels only as the <c>token</c> query parameter of the WebSocket URL (the protocol requires it there) and as
/// the <c>X-Finnhub-Token</c> header of REST calls; it never appears in a REST URL, a log or an exception message.
/// </remarks>
public sealed class FinnhubOptions : IStreamingFeedOptions, IRestClientOptions
{
    /// <summary>The API key (the runner reads it from <c>FINNHUB_API_KEY</c> or the configuration).</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The trade stream's URL, without the token (default <c>wss://ws.finnhub.io</c>).</summary>
    public Uri WebSocketUrl { get; set; } = new("wss://ws.finnhub.io");

    /// <summary>The REST base URL (default <c>https://finnhub.io/api/v1</c>).</summary>
    public Uri RestUrl { get; set; } = new("https://finnhub.io/api/v1");

    /// <summary>
    /// Reconnect back-off (1 s doubling to 60 s with jitter, reset after a stable minute), silence timeout (150 s: Finnhub
    /// pings about every 60 s) and socket timeouts.
    /// </summary>
    public ReconnectingWebSocketOptions Stream { get; set; } = new();

    /// <summary>
    /// Whether silence on the stream means a dead socket at a given instant; null (default) means always, which suits
    /// Finnhub since it pings even when no symbol trades.
    /// </summary>
    public Func<DateTime, bool>? SilenceMatters { get; set; }

    /// <summary>How many times a REST call answered with HTTP 429 is retried before giving up (default 5).</summary>
    public int RateLimitRetries { get; set; } = 5;

    /// <summary>The first delay before retrying a rate-limited call; it doubles with jitter (default 2 s).</summary>
    public TimeSpan RateLimitBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between rate-limit retries, also the cap on a server's <c>Retry-After</c> (default 60 s).</summary>
    public TimeSpan MaxRateLimitBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait for one REST answer (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest range of one intraday <c>/stock/candle</c> call (default 30 days; Finnhub caps intraday calls at about a
    /// month); longer history requests are split.
    /// </summary>
    public TimeSpan MaxCandleRequestSpan { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Checks the values; the message names the setting that is wrong (never the key's value).</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException(
                $"{nameof(FinnhubOptions)}.{nameof(ApiKey)} is empty: set FINNHUB_API_KEY or the configured key.", nameof(ApiKey));
        }

        RequireScheme(WebSocketUrl, nameof(WebSocketUrl), "ws", "wss");
        RequireScheme(RestUrl, nameof(RestUrl), "http", "https");
        ArgumentNullException.ThrowIfNull(Stream, nameof(Stream));
        Stream.Validate();
        if (RateLimitRetries is < 0 or > 100)
        {
            throw new ArgumentException($"{nameof(FinnhubOptions)}.{nameof(RateLimitRetries)} must be within 0..100 (was {RateLimitRetries}).", nameof(RateLimitRetries));
        }

        RequirePositive(RateLimitBackoff, nameof(RateLimitBackoff));
        RequirePositive(MaxRateLimitBackoff, nameof(MaxRateLimitBackoff));
        RequirePositive(RequestTimeout, nameof(RequestTimeout));
        if (MaxCandleRequestSpan < TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException(
                $"{nameof(FinnhubOptions)}.{nameof(MaxCandleRequestSpan)} must be at least one minute (was {MaxCandleRequestSpan}).", nameof(MaxCandleRequestSpan));
        }
    }

    private static void RequireScheme(Uri? uri, string name, params string[] schemes)
    {
        if (uri is null || !uri.IsAbsoluteUri || !schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"{nameof(FinnhubOptions)}.{name} must be an absolute {string.Join(" or ", schemes)} URL (was '{uri?.OriginalString}').", name);
        }

        if (!string.IsNullOrEmpty(uri.Query) && uri.Query.Contains("token=", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"{nameof(FinnhubOptions)}.{name} must not carry a token: set {nameof(ApiKey)} instead.", name);
        }
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(FinnhubOptions)}.{name} must be positive (was {value}).", name);
        }
    }
}
