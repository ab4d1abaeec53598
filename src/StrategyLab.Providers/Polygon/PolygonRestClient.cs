using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Polygon;

/// <summary>
/// GETs from the Polygon REST API with the key in the <c>Authorization: Bearer</c> header (never in a URL), paced to
/// <see cref="PolygonOptions.RequestsPerMinute"/>, retrying HTTP 429 and 500/502/503/504 with exponential back-off and
/// jitter (Polly; a <c>Retry-After</c> header wins), with a per-call timeout on the <see cref="TimeProvider"/> and
/// redacted error texts.
/// </summary>
internal sealed class PolygonRestClient : IDisposable
{
    private static readonly TimeSpan PaceWindow = TimeSpan.FromMinutes(1);
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly PolygonOptions _options;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly SemaphoreSlim _paceLock = new(1, 1);
    private readonly Queue<long> _sent = new();

    public PolygonRestClient(PolygonOptions options, SecretRedactor redactor, ILogger logger, TimeProvider time, HttpMessageHandler? handler)
    {
        _options = options;
        _redactor = redactor;
        _logger = logger;
        _time = time;
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan; // the per-call timeout runs on the TimeProvider
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("StrategyLab", "0.1"));
        _baseUrl = new Uri(options.RestUrl.AbsoluteUri.TrimEnd('/') + "/");
        _pipeline = BuildPipeline();
    }

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
    public string Show(Uri url) => _redactor.Redact(url);

    /// <summary>
    /// The error text of a Polygon error body (<c>error</c>, else <c>message</c>), redacted and shortened; else a short excerpt.
    /// </summary>
    public string ErrorText(byte[]? body)
    {
        if (body is null || body.Length == 0)
        {
            return "(empty body)";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (ReadOnlySpan<string>)["error", "message"])
                {
                    if (doc.RootElement.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String)
                    {
                        var text = _redactor.Redact(e.GetString());
                        return text.Length <= 300 ? text : text[..300] + "...";
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return _redactor.Excerpt(body, 200);
    }

    public async Task<RestReply> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        var endpoint = _redactor.Redact(url.AbsolutePath);
        HttpResponseMessage? response = null;
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (state, ct) => await state.self.SendOnceAsync(state.url, ct).ConfigureAwait(false),
                (self: this, url),
                cancellationToken)
                .ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var status = response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new RestReply(RestOutcome.Success, status, body, string.Empty);
            }

            var code = ((int)status).ToString(CultureInfo.InvariantCulture);
            return status == HttpStatusCode.TooManyRequests
                ? new RestReply(
                    RestOutcome.RateLimited,
                    status,
                    body,
                    $"{endpoint}: still rate-limited (HTTP 429) after {_options.RateLimitRetries.ToString(CultureInfo.InvariantCulture)} retries: {ErrorText(body)}")
                : new RestReply(RestOutcome.HttpError, status, body, $"{endpoint}: HTTP {code}: {ErrorText(body)}");
        }
        catch (TimeoutException e)
        {
            return new RestReply(RestOutcome.Timeout, null, null, $"{endpoint}: {_redactor.Redact(e.Message)}");
        }
        catch (HttpRequestException e)
        {
            return new RestReply(RestOutcome.NetworkError, null, null, $"{endpoint}: network error: {_redactor.Describe(e)}");
        }
        catch (IOException e)
        {
            return new RestReply(RestOutcome.NetworkError, null, null, $"{endpoint}: network error: {_redactor.Describe(e)}");
        }
        finally
        {
            response?.Dispose();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _paceLock.Dispose();
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Uri url, CancellationToken cancellationToken)
    {
        await PaceAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"no answer within {_options.RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }
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
                var now = _time.GetTimestamp();
                while (_sent.Count > 0 && _time.GetElapsedTime(_sent.Peek(), now) >= PaceWindow)
                {
                    _sent.Dequeue();
                }

                if (_sent.Count < perMinute)
                {
                    _sent.Enqueue(now);
                    return;
                }

                var wait = PaceWindow - _time.GetElapsedTime(_sent.Peek(), now);
                PolygonLogEvents.LogPaced(_logger, (long)Math.Ceiling(wait.TotalMilliseconds), perMinute, null);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _paceLock.Release();
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline()
    {
        var retry = new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = _options.RateLimitRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.RateLimitBackoff,
            MaxDelay = _options.MaxRateLimitBackoff,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode is { } s && IsRetried(s)),
            DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            OnRetry = args =>
            {
                var status = args.Outcome.Result is { } r ? "HTTP " + ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture) : "failure";
                PolygonLogEvents.LogRateLimited(
                    _logger, status, args.AttemptNumber + 1, _options.RateLimitRetries, (long)args.RetryDelay.TotalMilliseconds, null);
                args.Outcome.Result?.Dispose();
                return ValueTask.CompletedTask;
            },
        };

        // MaxRetryAttempts = 0 is "no retry": Polly needs at least one, so leave the strategy out.
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _time };
        if (_options.RateLimitRetries > 0)
        {
            builder.AddRetry(retry);
        }

        return builder.Build();
    }

    private static bool IsRetried(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>The server's <c>Retry-After</c> (seconds or a date), capped; null to use the exponential back-off.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        TimeSpan? wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - _time.GetUtcNow(),
            _ => null,
        };
        if (wait is null)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _options.MaxRateLimitBackoff ? _options.MaxRateLimitBackoff : wait;
    }
}
