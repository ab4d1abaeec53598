using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Polygon;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Rest;

/// <summary>
/// The REST caller both providers share, through each provider's client and a scripted transport: how every outcome is
/// classified and worded, the <c>Retry-After</c> cap, what is retried per provider, the per-call timeout on the clock, and
/// which fields of an error body are read. Expected texts are written out by hand from the documented formats.
/// </summary>
public sealed class ProviderRestClientTests : IDisposable
{
    private const string Key = "rest-test-key-5d1c";
    private const string PolygonPath = "/v2/aggs/ticker/AAPL/range/1/minute/1/2";

    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggers;

    public ProviderRestClientTests() => _loggers = _logs.CreateFactory();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _loggers.Dispose();
        _logs.Dispose();
    }

    private FinnhubRestClient Finnhub(ScriptedHandler handler, TimeProvider time, Action<FinnhubOptions>? configure = null)
    {
        var options = new FinnhubOptions { ApiKey = Key, RestUrl = new Uri("http://127.0.0.1:9/api/v1") };
        configure?.Invoke(options);
        return new FinnhubRestClient(options, new SecretRedactor(Key), _loggers.CreateLogger("test"), time, handler);
    }

    private PolygonRestClient Polygon(ScriptedHandler handler, TimeProvider time, Action<PolygonOptions>? configure = null)
    {
        var options = new PolygonOptions { ApiKey = Key, RestUrl = new Uri("http://127.0.0.1:9") };
        configure?.Invoke(options);
        return new PolygonRestClient(options, new SecretRedactor(Key), _loggers.CreateLogger("test"), time, handler);
    }

    [Fact]
    public async Task Success_KeepsTheBody_AndTheKeyTravelsOnlyInTheProvidersHeader()
    {
        var handler = ScriptedHandler.Answering(() => Answer(HttpStatusCode.OK, "{\"c\":1}"));
        using (var finnhub = Finnhub(handler, TimeProvider.System))
        {
            var reply = await finnhub.GetAsync("/quote?symbol=AAPL", Ct);

            Assert.Equal(RestOutcome.Success, reply.Outcome);
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.Equal("{\"c\":1}", Encoding.UTF8.GetString(reply.Body!));
            Assert.Equal(string.Empty, reply.Detail);
        }

        using (var polygon = Polygon(handler, TimeProvider.System))
        {
            Assert.Equal(RestOutcome.Success, (await polygon.GetAsync(polygon.Url(PolygonPath[1..]), Ct)).Outcome);
        }

        var (finnhubRequest, polygonRequest) = (handler.Requests[0], handler.Requests[1]);
        Assert.Equal("http://127.0.0.1:9/api/v1/quote?symbol=AAPL", finnhubRequest.Url);
        Assert.Equal(Key, finnhubRequest.FinnhubToken);
        Assert.Null(finnhubRequest.Authorization);
        Assert.Equal("http://127.0.0.1:9" + PolygonPath, polygonRequest.Url);
        Assert.Equal("Bearer " + Key, polygonRequest.Authorization);
        Assert.Null(polygonRequest.FinnhubToken);
    }

    [Fact]
    public async Task RetryAfter_IsObeyed_UpToTheMaximumBackoff_AndTheRetryIsLogged()
    {
        var time = new WatchedFakeTime();
        var calls = 0;
        var handler = ScriptedHandler.Answering(() => Interlocked.Increment(ref calls) == 1
            ? Answer((HttpStatusCode)429, "{\"error\":\"API limit reached\"}", retryAfterSeconds: 120)
            : Answer(HttpStatusCode.OK, "{}"));
        using var client = Finnhub(handler, time, o => o.RequestTimeout = TimeSpan.FromHours(1));

        var call = client.GetAsync("/stock/candle?symbol=AAPL&resolution=1&from=1&to=2", Ct);
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(60)); // 120 s asked, capped at MaxRateLimitBackoff (60 s)
        Assert.Equal(1, Volatile.Read(ref calls));
        time.Advance(TimeSpan.FromSeconds(60));
        var reply = await call;

        Assert.Equal(RestOutcome.Success, reply.Outcome);
        Assert.Equal(2, calls);
        var log = Assert.Single(_logs.Named("finnhub.rest.rate-limited"));
        Assert.Equal("Finnhub rate limit (HTTP 429) on /stock/candle; retry 1 of 5 in 60000 ms", log.Message);
    }

    [Fact]
    public async Task ServerErrors_AreRetriedByPolygon_ButNotByFinnhub()
    {
        var time = new WatchedFakeTime();
        var polygonCalls = 0;
        var polygonHandler = ScriptedHandler.Answering(() => Interlocked.Increment(ref polygonCalls) == 1
            ? Answer(HttpStatusCode.ServiceUnavailable, "{\"status\":\"ERROR\"}", retryAfterSeconds: 5)
            : Answer(HttpStatusCode.OK, "{}"));
        using var polygon = Polygon(polygonHandler, time, o => o.RequestTimeout = TimeSpan.FromHours(1));

        var call = polygon.GetAsync(polygon.Url(PolygonPath[1..]), Ct);
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(RestOutcome.Success, (await call).Outcome);
        Assert.Equal(2, polygonCalls);
        Assert.Equal("Polygon REST HTTP 503 on aggregates; retry 1 of 5 in 5000 ms", Assert.Single(_logs.Named("polygon.rest.rate-limited")).Message);

        var finnhubHandler = ScriptedHandler.Answering(() => Answer(HttpStatusCode.ServiceUnavailable, "{\"error\":\"down for " + Key + "\"}"));
        using var finnhub = Finnhub(finnhubHandler, time);

        var reply = await finnhub.GetAsync("/quote?symbol=AAPL", Ct);

        Assert.Equal(RestOutcome.HttpError, reply.Outcome);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, reply.Status);
        Assert.Equal("/quote: HTTP 503: down for ***", reply.Detail);
        Assert.Single(finnhubHandler.Requests);
        Assert.Empty(_logs.Named("finnhub.rest.rate-limited"));
    }

    [Fact]
    public async Task NoRetries_ARateLimitedAnswerIsFinal()
    {
        var handler = ScriptedHandler.Answering(() => Answer((HttpStatusCode)429, string.Empty));
        using var client = Finnhub(handler, TimeProvider.System, o => o.RateLimitRetries = 0);

        var reply = await client.GetAsync("/quote?symbol=AAPL", Ct);

        Assert.Equal(RestOutcome.RateLimited, reply.Outcome);
        Assert.Equal("/quote: still rate-limited (HTTP 429) after 0 retries: (empty body)", reply.Detail);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task NoAnswerInTime_IsATimeout_OnTheClock()
    {
        var time = new WatchedFakeTime();
        var handler = new ScriptedHandler(async ct =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return Answer(HttpStatusCode.OK, "{}");
        });
        using var client = Polygon(handler, time, o => o.RequestTimeout = TimeSpan.FromSeconds(7.5));

        var call = client.GetAsync(client.Url(PolygonPath[1..]), Ct);
        await time.WaitForDelayAsync(TimeSpan.FromSeconds(7.5));
        time.Advance(TimeSpan.FromSeconds(7.5));
        var reply = await call;

        Assert.Equal(RestOutcome.Timeout, reply.Outcome);
        Assert.Null(reply.Status);
        Assert.Null(reply.Body);
        Assert.Equal(PolygonPath + ": no answer within 7.5 s", reply.Detail);
    }

    [Fact]
    public async Task CancelledByTheCaller_Throws_RatherThanReportingATimeout()
    {
        var time = new WatchedFakeTime();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler(async ct =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return Answer(HttpStatusCode.OK, "{}");
        });
        using var client = Finnhub(handler, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = client.GetAsync("/quote?symbol=AAPL", cts.Token);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task NetworkFailures_AreNetworkErrors_WithTheKeyRedacted()
    {
        var refused = ScriptedHandler.Answering(() => throw new HttpRequestException("connection refused (token=" + Key + ")"));
        using (var client = Finnhub(refused, TimeProvider.System))
        {
            var reply = await client.GetAsync("/quote?symbol=AAPL", Ct);

            Assert.Equal(RestOutcome.NetworkError, reply.Outcome);
            Assert.Null(reply.Status);
            Assert.Equal("/quote: network error: HttpRequestException: connection refused (token=***)", reply.Detail);
        }

        var reset = ScriptedHandler.Answering(() => throw new IOException("connection reset"));
        using (var client = Polygon(reset, TimeProvider.System))
        {
            var reply = await client.GetAsync(client.Url(PolygonPath[1..]), Ct);

            Assert.Equal(RestOutcome.NetworkError, reply.Outcome);
            Assert.Equal(PolygonPath + ": network error: IOException: connection reset", reply.Detail);
        }
    }

    [Fact]
    public void ErrorText_ReadsEachProvidersFields_Redacted_AndShortened()
    {
        using var finnhub = Finnhub(ScriptedHandler.Answering(() => Answer(HttpStatusCode.OK, "{}")), TimeProvider.System);
        using var polygon = Polygon(ScriptedHandler.Answering(() => Answer(HttpStatusCode.OK, "{}")), TimeProvider.System);
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

        // Finnhub reads "error" only; Polygon "error", else "message".
        Assert.Equal("e", finnhub.ErrorText(Utf8("{\"message\":\"m\",\"error\":\"e\"}")));
        Assert.Equal("e", polygon.ErrorText(Utf8("{\"message\":\"m\",\"error\":\"e\"}")));
        Assert.Equal("{\"message\":\"m\"}", finnhub.ErrorText(Utf8("{\"message\":\"m\"}")));
        Assert.Equal("m", polygon.ErrorText(Utf8("{\"message\":\"m\"}")));

        // Not a string, not JSON, nothing at all.
        Assert.Equal("{\"error\":5}", finnhub.ErrorText(Utf8("{\"error\":5}")));
        Assert.Equal("<html>busy</html>", polygon.ErrorText(Utf8("<html>busy</html>")));
        Assert.Equal("(empty body)", finnhub.ErrorText(null));
        Assert.Equal("(empty body)", polygon.ErrorText([]));

        // The key never shows; a long text stops at 300 characters.
        Assert.Equal("bad key *** given", polygon.ErrorText(Utf8("{\"error\":\"bad key " + Key + " given\"}")));
        Assert.Equal(new string('a', 300) + "...", finnhub.ErrorText(Utf8("{\"error\":\"" + new string('a', 301) + "\"}")));
        Assert.Equal(new string('a', 300), finnhub.ErrorText(Utf8("{\"error\":\"" + new string('a', 300) + "\"}")));
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, int? retryAfterSeconds = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
        }

        return response;
    }

    /// <summary>What a request carried: its URL and the two headers a key may travel in.</summary>
    private sealed record SeenRequest(string Url, string? FinnhubToken, string? Authorization);

    /// <summary>Answers each request with what the script returns (it may wait on the request's cancellation).</summary>
    private sealed class ScriptedHandler(Func<CancellationToken, Task<HttpResponseMessage>> script) : HttpMessageHandler
    {
        private readonly ConcurrentQueue<SeenRequest> _requests = new();

        public IReadOnlyList<SeenRequest> Requests => [.. _requests];

        /// <summary>A handler that answers (or throws) at once.</summary>
        public static ScriptedHandler Answering(Func<HttpResponseMessage> answer) => new(_ => Task.FromResult(answer()));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _requests.Enqueue(new SeenRequest(
                request.RequestUri!.AbsoluteUri,
                request.Headers.TryGetValues("X-Finnhub-Token", out var token) ? token.Single() : null,
                request.Headers.Authorization?.ToString()));
            return script(cancellationToken);
        }
    }
}
