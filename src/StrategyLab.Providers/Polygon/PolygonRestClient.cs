using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Polygon;

/// <summary>
/// GETs from the Polygon REST API with the key in the <c>Authorization: Bearer</c> header (never in a URL), paced to
/// <see cref="PolygonOptions.RequestsPerMinute"/>, retrying HTTP 429 and 500/502/503/504 with exponential back-off and
/// jitter (Polly; a <c>Retry-After</c> header wins), with a per-call timeout on the <see cref="TimeProvider"/> and
/// redacted error texts.
/// </summary>
internal sealed class PolygonRestClient : ProviderRestClient
{
    private static readonly TimeSpan PaceWindow = TimeSpan.FromMinutes(1);
    private static readonly string[] ErrorFieldNames = ["error", "message"];
    private readonly Uri _baseUrl;
    private readonly PolygonOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _paceLock = new(1, 1);
    private readonly Queue<long> _sent = new();

    public PolygonRestClient(PolygonOptions options, SecretRedactor redactor, ILogger logger, TimeProvider time, HttpMessageHandler? handler)
        : base(options, redactor, time, handler)
    {
        _options = options;
        _logger = logger;
        _baseUrl = new Uri(options.RestUrl.AbsoluteUri.TrimEnd('/') + "/");
    }

    /// <summary>The error text of a Polygon error body: <c>error</c>, else <c>message</c>.</summary>
    protected override IReadOnlyList<string> ErrorFields => ErrorFieldNames;

    /// <summary>The absolute URL of a path under the REST base (<paramref name="relative"/> without a leading slash).</summary>
    public Uri Url(string relative) => new(_baseUrl, relative);

    /// <summary>
    /// The URL to fetch for a <c>next_url</c>: its path and query on the configured REST host (so the key is only ever sent
    /// there), without any <c>apiKey</c> parameter (the key goes in the header).
    /// </summary>
    /// <exception cref="UriFormatException">The text is not a URL.</exception>
    public Uri NextPage(string nextUrl)
    {
        var next = new Uri(nextUrl, UriKind.RelativeOrAbsolute);
        var pathAndQuery = next.IsAbsoluteUri ? next.PathAndQuery : nextUrl;
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0)
        {
            var kept = pathAndQuery[(q + 1)..].Split('&')
                .Where(p => p.Length > 0 && !p.StartsWith("apiKey=", StringComparison.OrdinalIgnoreCase) && !p.Equals("apiKey", StringComparison.OrdinalIgnoreCase));
            var query = string.Join('&', kept);
            pathAndQuery = pathAndQuery[..q] + (query.Length > 0 ? "?" + query : string.Empty);
        }

        var authority = new Uri(_baseUrl.GetLeftPart(UriPartial.Authority));
        return new Uri(authority, pathAndQuery);
    }

    /// <summary>A URL as it may be logged: without any secret.</summary>
    public string Show(Uri url) => Redactor.Redact(url);

    /// <summary>GETs <paramref name="url"/> (paced, retried); texts name its path, redacted.</summary>
    public Task<RestReply> GetAsync(Uri url, CancellationToken cancellationToken) =>
        SendAsync(url, Redactor.Redact(url.AbsolutePath), cancellationToken);

    protected override void Authorize(HttpRequestMessage request) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);

    /// <summary>HTTP 429 and 500/502/503/504 are retried.</summary>
    protected override bool IsRetried(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    protected override void OnRetry(string endpoint, HttpResponseMessage? response, int attempt, TimeSpan delay)
    {
        var status = response is { } r ? "HTTP " + ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture) : "failure";
        PolygonLogEvents.LogRateLimited(_logger, status, attempt, _options.RateLimitRetries, (long)delay.TotalMilliseconds, null);
    }

    protected override Task BeforeSendAsync(CancellationToken cancellationToken) => PaceAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _paceLock.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Waits until a call fits in the rolling minute of <see cref="PolygonOptions.RequestsPerMinute"/> calls.</summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        var perMinute = _options.RequestsPerMinute;
        if (perMinute <= 0)
        {
            return;
        }

        await _paceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var now = Time.GetTimestamp();
                while (_sent.Count > 0 && Time.GetElapsedTime(_sent.Peek(), now) >= PaceWindow)
                {
                    _sent.Dequeue();
                }

                if (_sent.Count < perMinute)
                {
                    _sent.Enqueue(now);
                    return;
                }

                var wait = PaceWindow - Time.GetElapsedTime(_sent.Peek(), now);
                PolygonLogEvents.LogPaced(_logger, (long)Math.Ceiling(wait.TotalMilliseconds), perMinute, null);
                await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _paceLock.Release();
        }
    }
}
