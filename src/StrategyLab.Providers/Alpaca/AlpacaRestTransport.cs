using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Alpaca;

/// <summary>
/// The shared REST caller for Alpaca's trading and data APIs: both APCA headers (only to the configured origin), HTTP 429
/// and 500/502/503/504 retried with back-off and jitter, Alpaca's <c>message</c> as the error text.
/// </summary>
internal sealed class AlpacaRestTransport(IRestClientOptions restOptions, AlpacaOptions options, SecretRedactor redactor, ILogger logger, TimeProvider time, HttpMessageHandler? handler)
    : ProviderRestClient(restOptions, redactor, time, handler)
{
    private static readonly string[] ErrorFieldNames = ["message"];

    protected override IReadOnlyList<string> ErrorFields => ErrorFieldNames;

    /// <summary>Sends one call (retried as the pipeline says).</summary>
    public Task<RestReply> CallAsync(HttpMethod method, Uri url, byte[]? body, string endpoint, CancellationToken cancellationToken) =>
        SendAsync(method, url, body, endpoint, cancellationToken);

    protected override void Authorize(HttpRequestMessage request)
    {
        request.Headers.Add("APCA-API-KEY-ID", options.KeyId);
        request.Headers.Add("APCA-API-SECRET-KEY", options.SecretKey);
    }

    protected override bool IsRetried(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    protected override void OnRetry(string endpoint, HttpResponseMessage? response, int attempt, TimeSpan delay)
    {
        var status = response is { } r ? "HTTP " + ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture) : "failure";
        AlpacaLogEvents.LogRetry(logger, status, endpoint, attempt, options.RateLimitRetries, (long)delay.TotalMilliseconds, null);
    }
}

/// <summary>The data API's base URL with the trading settings (keys, retries, timeout).</summary>
internal sealed class AlpacaDataRestOptions(AlpacaOptions options) : IRestClientOptions
{
    public Uri RestUrl => options.DataUrl;

    public string ApiKey => options.KeyId;

    public int RateLimitRetries => options.RateLimitRetries;

    public TimeSpan RateLimitBackoff => options.RateLimitBackoff;

    public TimeSpan MaxRateLimitBackoff => options.MaxRateLimitBackoff;

    public TimeSpan RequestTimeout => options.RequestTimeout;
}
