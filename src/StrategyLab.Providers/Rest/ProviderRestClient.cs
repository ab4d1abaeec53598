using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Polly;
using Polly.Retry;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Rest;

/// <summary>
/// GETs from a provider's REST API: the key in a header the provider's client sets (never in a URL), the answers the
/// provider's client asks to retry (<see cref="IsRetried"/>: HTTP 429 unless it says more) retried with exponential back-off
/// and jitter (Polly; a <c>Retry-After</c> header wins), a per-call timeout on the <see cref="TimeProvider"/>, and every
/// outcome turned into a <see cref="RestReply"/> whose texts are redacted.
/// </summary>
/// <remarks>
/// What differs between providers is given by the derived client: how the key travels (<see cref="Authorize"/>), which
/// statuses are retried and how a retry is logged (<see cref="OnRetry"/>), a wait before each send (<see cref="BeforeSendAsync"/>,
/// e.g. pacing), which fields of an error body hold its text (<see cref="ErrorFields"/>), and how an endpoint is named in
/// texts (the <c>endpoint</c> argument of <see cref="SendAsync(Uri, string, CancellationToken)"/>).
/// <para>
/// Redirects are followed here, not by the transport (which would carry a custom key header such as
/// <c>X-Finnhub-Token</c> to wherever a server points): the key goes only to the origin (scheme, host, port) of
/// <see cref="IRestClientOptions.RestUrl"/>; a redirect to any other origin is followed without it, a downgrade from
/// https to http is not followed, and at most <see cref="MaxRedirects"/> are followed.
/// </para>
/// </remarks>
internal abstract class ProviderRestClient : IDisposable
{
    /// <summary>The most redirects one call follows (as browsers and the default handler do, give or take).</summary>
    public const int MaxRedirects = 5;

    private static readonly ResiliencePropertyKey<string> EndpointKey = new("rest.endpoint");
    private readonly HttpClient _http;
    private readonly IRestClientOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    /// <summary>Creates the client.</summary>
    /// <param name="options">Retries, back-off and timeout (read at each use).</param>
    /// <param name="redactor">Removes the key from every text.</param>
    /// <param name="time">The clock of the back-off, <c>Retry-After</c> dates and the per-call timeout.</param>
    /// <param name="handler">
    /// The transport (a new <see cref="SocketsHttpHandler"/> that does not follow redirects when null); not disposed by the
    /// client. A handler given here must not follow redirects itself, or the key could follow them.
    /// </param>
    protected ProviderRestClient(IRestClientOptions options, SecretRedactor redactor, TimeProvider time, HttpMessageHandler? handler)
    {
        _options = options;
        Redactor = redactor;
        Time = time;
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan; // the per-call timeout runs on the TimeProvider
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("StrategyLab", "0.1"));
        _pipeline = BuildPipeline();
    }

    /// <summary>Removes the key from texts.</summary>
    protected SecretRedactor Redactor { get; }

    /// <summary>The clock of every wait.</summary>
    protected TimeProvider Time { get; }

    /// <summary>The fields of a JSON error body that may hold its text, in the order they are tried.</summary>
    protected abstract IReadOnlyList<string> ErrorFields { get; }

    /// <summary>
    /// The text of an error body (the first of <see cref="ErrorFields"/> that is a string), redacted and shortened; else a short
    /// excerpt of the body.
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
                foreach (var name in ErrorFields)
                {
                    if (doc.RootElement.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String)
                    {
                        var text = Redactor.Redact(e.GetString());
                        return text.Length <= 300 ? text : text[..300] + "...";
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return Redactor.Excerpt(body, 200);
    }

    /// <summary>Releases the HTTP client (not a handler given to the constructor).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// GETs <paramref name="url"/> (retrying as the pipeline says) and classifies the outcome: success, still rate-limited
    /// (HTTP 429 after every retry), another HTTP error, timeout or network error. Every text starts with
    /// <paramref name="endpoint"/> and is redacted.
    /// </summary>
    /// <param name="url">The absolute URL (it must not carry the key).</param>
    /// <param name="endpoint">How the call is named in texts and retry logs, e.g. <c>/stock/candle</c>; must not hold a secret.</param>
    /// <param name="cancellationToken">Cancels the call and any wait.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    protected Task<RestReply> SendAsync(Uri url, string endpoint, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, url, null, endpoint, cancellationToken);

    /// <summary>
    /// Sends <paramref name="method"/> to <paramref name="url"/> with an optional JSON <paramref name="jsonBody"/> (retrying
    /// as the pipeline says: a retried POST is sent again whole, so the provider must make it idempotent, e.g. with a client
    /// order id) and classifies the outcome as <see cref="SendAsync(Uri, string, CancellationToken)"/> does. Redirects are
    /// followed for GET only.
    /// </summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">The absolute URL (it must not carry the key).</param>
    /// <param name="jsonBody">The UTF-8 JSON body, or null for none.</param>
    /// <param name="endpoint">How the call is named in texts and retry logs; must not hold a secret.</param>
    /// <param name="cancellationToken">Cancels the call and any wait.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    protected async Task<RestReply> SendAsync(HttpMethod method, Uri url, byte[]? jsonBody, string endpoint, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(EndpointKey, endpoint);
            try
            {
                response = await _pipeline.ExecuteAsync(
                    static async (ctx, state) => await state.self.SendOnceAsync(state.method, state.url, state.jsonBody, ctx.CancellationToken).ConfigureAwait(false),
                    context,
                    (self: this, method, url, jsonBody))
                    .ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

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
            return new RestReply(RestOutcome.Timeout, null, null, $"{endpoint}: {Redactor.Redact(e.Message)}");
        }
        catch (HttpRequestException e)
        {
            return new RestReply(RestOutcome.NetworkError, null, null, $"{endpoint}: network error: {Redactor.Describe(e)}");
        }
        catch (IOException e)
        {
            return new RestReply(RestOutcome.NetworkError, null, null, $"{endpoint}: network error: {Redactor.Describe(e)}");
        }
        finally
        {
            response?.Dispose();
        }
    }

    /// <summary>Puts the key on a request (a header: never the URL).</summary>
    protected abstract void Authorize(HttpRequestMessage request);

    /// <summary>Whether an answer with this status is retried (default: HTTP 429 only).</summary>
    protected virtual bool IsRetried(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests;

    /// <summary>Logs a retry that is about to wait.</summary>
    /// <param name="endpoint">The endpoint as given to <see cref="SendAsync(Uri, string, CancellationToken)"/>.</param>
    /// <param name="response">The answer that is retried (disposed after this call).</param>
    /// <param name="attempt">The retry's number, from 1.</param>
    /// <param name="delay">The wait before it.</param>
    protected abstract void OnRetry(string endpoint, HttpResponseMessage? response, int attempt, TimeSpan delay);

    /// <summary>Waits, if the provider needs it, before each send (retries included); by default nothing.</summary>
    protected virtual Task BeforeSendAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Releases the HTTP client; a derived client releases its own resources too.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri url, byte[]? jsonBody, CancellationToken cancellationToken)
    {
        await BeforeSendAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var target = url;
            for (var hops = 0; ; hops++)
            {
                using var request = new HttpRequestMessage(method, target);
                if (jsonBody is not null)
                {
                    request.Content = new ByteArrayContent(jsonBody);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                }

                if (IsConfiguredOrigin(target))
                {
                    Authorize(request);
                }

                var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
                if (hops == MaxRedirects || method != HttpMethod.Get || RedirectTarget(target, response) is not { } next)
                {
                    return response; // a redirect not followed is answered as the HTTP error it is
                }

                response.Dispose();
                target = next;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"no answer within {_options.RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }
    }

    /// <summary>Where a redirect answer points, if it is one that is followed (http(s), no https → http downgrade); else null.</summary>
    private static Uri? RedirectTarget(Uri from, HttpResponseMessage response)
    {
        if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
        {
            return null;
        }

        var next = location.IsAbsoluteUri ? location : new Uri(from, location);
        var allowed = next.Scheme == Uri.UriSchemeHttps || (next.Scheme == Uri.UriSchemeHttp && from.Scheme == Uri.UriSchemeHttp);
        return allowed ? next : null;
    }

    /// <summary>True when <paramref name="url"/> has the scheme, host and port of the configured REST base: only there does the key go.</summary>
    private bool IsConfiguredOrigin(Uri url)
    {
        var origin = _options.RestUrl;
        return string.Equals(url.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(url.IdnHost, origin.IdnHost, StringComparison.OrdinalIgnoreCase)
            && url.Port == origin.Port;
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
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode is { } status && IsRetried(status)),
            DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            OnRetry = args =>
            {
                OnRetry(args.Context.Properties.GetValue(EndpointKey, string.Empty), args.Outcome.Result, args.AttemptNumber + 1, args.RetryDelay);
                args.Outcome.Result?.Dispose();
                return ValueTask.CompletedTask;
            },
        };

        // MaxRetryAttempts = 0 is "no retry": Polly needs at least one, so leave the strategy out.
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = Time };
        if (_options.RateLimitRetries > 0)
        {
            builder.AddRetry(retry);
        }

        return builder.Build();
    }

    /// <summary>The server's <c>Retry-After</c> (seconds or a date), capped; null to use the exponential back-off.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        TimeSpan? wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - Time.GetUtcNow(),
            _ => null,
        };
        if (wait is null)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > _options.MaxRateLimitBackoff ? _options.MaxRateLimitBackoff : wait;
    }
}
