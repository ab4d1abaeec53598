using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Polygon;

/// <summary>The Polygon (Massive) stock streams a <see cref="PolygonFeed"/> subscribes to, per symbol.</summary>
[Flags]
public enum PolygonStreams
{
    /// <summary>Nothing (not valid on its own).</summary>
    None = 0,

    /// <summary><c>AM.&lt;ticker&gt;</c>: minute aggregates, delivered as <see cref="Core.Data.BarEvent"/>s (default).</summary>
    MinuteAggregates = 1,

    /// <summary><c>A.&lt;ticker&gt;</c>: second aggregates, delivered as <see cref="Core.Data.BarEvent"/>s of one second.</summary>
    SecondAggregates = 2,

    /// <summary><c>T.&lt;ticker&gt;</c>: trades, delivered as <see cref="Core.Data.TradeEvent"/>s.</summary>
    Trades = 4,
}

/// <summary>
/// Settings of a <see cref="PolygonFeed"/>. Only <see cref="ApiKey"/> is required; base URLs are settings so tests can point
/// the feed at a loopback fake (<c>ws://127.0.0.1:PORT/stocks</c>, <c>http://127.0.0.1:PORT</c>).
/// </summary>
/// <remarks>
/// The key travels only inside the WebSocket <c>auth</c> message and as the <c>Authorization: Bearer</c> header of REST
/// calls (including every <c>next_url</c> page); it never appears in a URL, a log or an exception message.
/// </remarks>
public sealed class PolygonOptions : IStreamingFeedOptions, IRestClientOptions
{
    /// <summary>The environment variable the runner and the CLI read the key from.</summary>
    public const string ApiKeyVariable = "POLYGON_API_KEY";

    /// <summary>The API key (from <see cref="ApiKeyVariable"/> or the configuration).</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>The stocks cluster's stream (default <c>wss://socket.massive.com/stocks</c>; 15-min delayed: <c>wss://delayed.massive.com/stocks</c>).</summary>
    public Uri WebSocketUrl { get; set; } = new("wss://socket.massive.com/stocks");

    /// <summary>The REST base URL (default <c>https://api.massive.com</c>; <c>https://api.polygon.io</c> is the same service).</summary>
    public Uri RestUrl { get; set; } = new("https://api.massive.com");

    /// <summary>The streams subscribed per symbol (default <see cref="PolygonStreams.MinuteAggregates"/>).</summary>
    public PolygonStreams Streams { get; set; } = PolygonStreams.MinuteAggregates;

    /// <summary>
    /// Reconnect back-off (1 s doubling to 60 s with jitter, reset after a stable minute), silence timeout and socket
    /// timeouts. <see cref="ReconnectingWebSocketOptions.HandshakeTimeout"/> bounds the whole handshake: <c>connected</c>,
    /// <c>auth</c> → <c>auth_success</c>, <c>subscribe</c> → one <c>success</c> per channel.
    /// </summary>
    public ReconnectingWebSocketOptions Stream { get; set; } = new();

    /// <summary>
    /// Whether silence on the stream means a dead socket at a given instant; null (default) means always. Polygon sends no
    /// heartbeat and quiet symbols are normal, so a live runner should say "only while the market is open".
    /// </summary>
    public Func<DateTime, bool>? SilenceMatters { get; set; }

    /// <summary>
    /// How long to wait before reconnecting after a <c>max_connections</c> status (default 30 s): another client holds the
    /// account's stream, and reconnecting at once would make the two evict each other forever.
    /// </summary>
    public TimeSpan MaxConnectionsHoldOff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Ask for split-adjusted history (<c>adjusted=true</c>, default true).</summary>
    public bool Adjusted { get; set; } = true;

    /// <summary>
    /// Keep pre-market and after-hours bars in history results (default true). When false only bars of the regular
    /// session are returned, and a <c>1d</c> bar spans the regular session; when true a <c>1d</c> bar spans the extended session.
    /// </summary>
    public bool ExtendedHours { get; set; } = true;

    /// <summary>The <c>limit</c> of one aggregates call: base aggregates scanned per page (default and maximum 50000).</summary>
    public int PageLimit { get; set; } = 50_000;

    /// <summary>
    /// Client-side pacing of REST calls: at most this many per rolling minute (default 0 = no pacing; the free Basic plan
    /// allows 5). Calls beyond it wait on the clock instead of earning HTTP 429.
    /// </summary>
    public int RequestsPerMinute { get; set; }

    /// <summary>How many times a REST call answered with HTTP 429 (or 500/502/503/504) is retried before giving up (default 5).</summary>
    public int RateLimitRetries { get; set; } = 5;

    /// <summary>
    /// The first delay before retrying a rate-limited call; it doubles with jitter up to <see cref="MaxRateLimitBackoff"/>
    /// (default 12 s: the free plan refills one of its 5 calls per minute every 12 s).
    /// </summary>
    public TimeSpan RateLimitBackoff { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>The longest delay between retries, also the cap on a server's <c>Retry-After</c> (default 60 s).</summary>
    public TimeSpan MaxRateLimitBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait for one REST answer (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the values; the message names the setting that is wrong (never the key's value).</summary>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new ArgumentException(
                $"{nameof(PolygonOptions)}.{nameof(ApiKey)} is empty: set {ApiKeyVariable} or the configured key.", nameof(ApiKey));
        }

        RequireScheme(WebSocketUrl, nameof(WebSocketUrl), "ws", "wss");
        RequireScheme(RestUrl, nameof(RestUrl), "http", "https");
        if (Streams == PolygonStreams.None || (Streams & ~(PolygonStreams.MinuteAggregates | PolygonStreams.SecondAggregates | PolygonStreams.Trades)) != 0)
        {
            throw new ArgumentException(
                $"{nameof(PolygonOptions)}.{nameof(Streams)} must name at least one of MinuteAggregates (AM), SecondAggregates (A), Trades (T) (was {Streams}).",
                nameof(Streams));
        }

        ArgumentNullException.ThrowIfNull(Stream, nameof(Stream));
        Stream.Validate();
        if (MaxConnectionsHoldOff < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(PolygonOptions)}.{nameof(MaxConnectionsHoldOff)} must not be negative (was {MaxConnectionsHoldOff}).", nameof(MaxConnectionsHoldOff));
        }

        if (PageLimit is < 1 or > 50_000)
        {
            throw new ArgumentException($"{nameof(PolygonOptions)}.{nameof(PageLimit)} must be within 1..50000 (was {PageLimit}).", nameof(PageLimit));
        }

        if (RequestsPerMinute is < 0 or > 100_000)
        {
            throw new ArgumentException($"{nameof(PolygonOptions)}.{nameof(RequestsPerMinute)} must be within 0..100000 (was {RequestsPerMinute}).", nameof(RequestsPerMinute));
        }

        if (RateLimitRetries is < 0 or > 100)
        {
            throw new ArgumentException($"{nameof(PolygonOptions)}.{nameof(RateLimitRetries)} must be within 0..100 (was {RateLimitRetries}).", nameof(RateLimitRetries));
        }

        RequirePositive(RateLimitBackoff, nameof(RateLimitBackoff));
        RequirePositive(MaxRateLimitBackoff, nameof(MaxRateLimitBackoff));
        RequirePositive(RequestTimeout, nameof(RequestTimeout));
    }

    private static void RequireScheme(Uri? uri, string name, params string[] schemes)
    {
        if (uri is null || !uri.IsAbsoluteUri || !schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"{nameof(PolygonOptions)}.{name} must be an absolute {string.Join(" or ", schemes)} URL (was '{WithoutQuery(uri)}').", name);
        }

        if (!string.IsNullOrEmpty(uri.Query) && uri.Query.Contains("apikey=", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{nameof(PolygonOptions)}.{name} must not carry a key: set {nameof(ApiKey)} instead.", name);
        }
    }

    private static string WithoutQuery(Uri? uri)
    {
        var text = uri?.OriginalString ?? string.Empty;
        var q = text.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? text : text[..q] + "?…";
    }

    private static void RequirePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(PolygonOptions)}.{name} must be positive (was {value}).", name);
        }
    }
}
