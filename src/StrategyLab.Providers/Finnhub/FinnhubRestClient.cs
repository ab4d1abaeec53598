using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Finnhub;

/// <summary>
/// GETs from the Finnhub REST API with the key in the <c>X-Finnhub-Token</c> header (never in the URL), retrying HTTP 429
/// with exponential back-off and jitter (Polly; a <c>Retry-After</c> header wins), a per-call timeout on the
/// <see cref="TimeProvider"/>, and redacted error texts (see <see cref="ProviderRestClient"/>).
/// </summary>
internal sealed class FinnhubRestClient : ProviderRestClient
{
    private const string TokenHeader = "X-Finnhub-Token";
    private static readonly string[] ErrorFieldNames = ["error"];
    private readonly string _baseUrl;
    private readonly FinnhubOptions _options;
    private readonly ILogger _logger;

    public FinnhubRestClient(FinnhubOptions options, SecretRedactor redactor, ILogger logger, TimeProvider time, HttpMessageHandler? handler)
        : base(options, redactor, time, handler)
    {
        _options = options;
        _logger = logger;
        _baseUrl = options.RestUrl.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>The <c>error</c> text of a Finnhub error body (<c>{"error":"..."}</c>).</summary>
    protected override IReadOnlyList<string> ErrorFields => ErrorFieldNames;

    /// <summary>GETs <paramref name="pathAndQuery"/> (e.g. <c>/quote?symbol=AAPL</c>) under the REST base; texts name the path without the query.</summary>
    public Task<RestReply> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(new Uri(_baseUrl + pathAndQuery), EndpointName(pathAndQuery), cancellationToken);

    protected override void Authorize(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation(TokenHeader, _options.ApiKey);

    protected override void OnRetry(string endpoint, HttpResponseMessage? response, int attempt, TimeSpan delay) =>
        FinnhubLogEvents.LogRateLimited(_logger, endpoint, attempt, _options.RateLimitRetries, (long)delay.TotalMilliseconds, null);

    /// <summary>The path without the query, e.g. <c>/stock/candle</c>, for logs.</summary>
    private static string EndpointName(string pathAndQuery)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? pathAndQuery : pathAndQuery[..q];
    }
}
