using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Finnhub;

/// <summary>
/// GETs from the Finnhub REST API with the key in the <c>X-Finnhub-Token</c> header (never in the URL), retrying HTTP 429
/// with exponential back-off and jitter (Polly; a <c>Retry-After</c> header wins), a per-call timeout on the
/// <see cref="TimeProvider"/>, and redacted error texts.
/// </summary>
internal sealed class FinnhubRestClient : IDisposable
{
    private const string TokenHeader = "X-Finnhub-Token";
    private readonly HttpClient _http;
    private readonly string _baseUrl;
    private readonly FinnhubOptions _options;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public FinnhubRestClient(FinnhubOptions options, SecretRedactor redactor, ILogger logger, TimeProvider time, HttpMessageHandler? handler)
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
        _baseUrl = options.RestUrl.AbsoluteUri.TrimEnd('/');
        _pipeline = BuildPipeline();
    }

    public Task<RestReply> GetAsync(string pathAndQuery, CancellationToken cancellationToken) =>
        GetCoreAsync(pathAndQuery, cancellationToken);

    /// <summary>The <c>error</c> text of a Finnhub error body (<c>{"error":"..."}</c>), redacted and shortened; else a short excerpt.</summary>
    public string ErrorText(byte[]? body)
    {
        if (body is null || body.Length == 0)
        {
            return "(empty body)";
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
            {
                var text = _redactor.Redact(error.GetString());
                return text.Length <= 300 ? text : text[..300] + "...";
            }
        }
        catch (JsonException)
        {
        }

        return _redactor.Excerpt(body, 200);
    }

    public void Dispose() => _http.Dispose();

    private async Task<RestReply> GetCoreAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var url = _baseUrl + pathAndQuery;
        var endpoint = EndpointName(pathAndQuery);
        HttpResponseMessage? response = null;
        try
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(EndpointKey, endpoint);
            try
            {
                response = await _pipeline.ExecuteAsync(
                    static async (ctx, state) => await state.self.SendOnceAsync(state.url, ctx.CancellationToken).ConfigureAwait(false),
                    context,
                    (self: this, url))
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

    private static readonly ResiliencePropertyKey<string> EndpointKey = new("finnhub.endpoint");

    private async Task<HttpResponseMessage> SendOnceAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation(TokenHeader, _options.ApiKey);
        try
        {
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            return response;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"no answer within {_options.RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
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
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
            DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            OnRetry = args =>
            {
                var endpoint = args.Context.Properties.GetValue(EndpointKey, "finnhub");
                FinnhubLogEvents.LogRateLimited(
                    _logger, endpoint, args.AttemptNumber + 1, _options.RateLimitRetries, (long)args.RetryDelay.TotalMilliseconds, null);
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

    /// <summary>The path without the query, e.g. <c>/stock/candle</c>, for logs.</summary>
    private static string EndpointName(string pathAndQuery)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? pathAndQuery : pathAndQuery[..q];
    }
}
