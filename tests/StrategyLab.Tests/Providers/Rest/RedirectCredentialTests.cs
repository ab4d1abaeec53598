using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Polygon;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;
using StrategyLab.Tests.Support;

namespace StrategyLab.Tests.Providers.Rest;

/// <summary>
/// The key goes only to the configured REST origin: two real loopback servers on different ports (different origins),
/// the configured one redirecting to the other, through each provider's client on its real transport.
/// </summary>
public sealed class RedirectCredentialTests
{
    private const string Key = "redirect-test-key-7e2b";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LoopbackHttpServer Target() => new(_ => (200, null, "{\"c\":1}"));

    private static LoopbackHttpServer RedirectingTo(Func<string, string> location) => new(target => (302, location(target), string.Empty));

    private static FinnhubRestClient Finnhub(string baseUrl) =>
        new(new FinnhubOptions { ApiKey = Key, RestUrl = new Uri(baseUrl + "/api/v1") }, new SecretRedactor(Key), NullLogger.Instance, TimeProvider.System, handler: null);

    private static PolygonRestClient Polygon(string baseUrl) =>
        new(new PolygonOptions { ApiKey = Key, RestUrl = new Uri(baseUrl), RequestsPerMinute = 0 }, new SecretRedactor(Key), NullLogger.Instance, TimeProvider.System, handler: null);

    private static void AssertNeverSawTheKey(LoopbackHttpServer server)
    {
        Assert.NotEmpty(server.Requests);
        Assert.All(server.Requests, head => Assert.DoesNotContain(Key, head, StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public async Task Finnhub_ARedirectToAnotherOrigin_IsFollowedWithoutTheTokenHeader(int status)
    {
        await using var other = Target();
        await using var configured = new LoopbackHttpServer(target => (status, other.Url + target, string.Empty));
        using var client = Finnhub(configured.Url);

        var reply = await client.GetAsync("/quote?symbol=AAPL", Ct);

        Assert.Equal(RestOutcome.Success, reply.Outcome);
        Assert.Contains("X-Finnhub-Token: " + Key, Assert.Single(configured.Requests), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("GET /api/v1/quote?symbol=AAPL ", Assert.Single(other.Requests), StringComparison.Ordinal);
        AssertNeverSawTheKey(other);
    }

    [Fact]
    public async Task Polygon_ARedirectToAnotherOrigin_IsFollowedWithoutTheBearerKey()
    {
        await using var other = Target();
        await using var configured = RedirectingTo(target => other.Url + target);
        using var client = Polygon(configured.Url);

        var reply = await client.GetAsync(client.Url("v2/aggs/ticker/AAPL/range/1/minute/1/2"), Ct);

        Assert.Equal(RestOutcome.Success, reply.Outcome);
        Assert.Contains("Authorization: Bearer " + Key, Assert.Single(configured.Requests), StringComparison.OrdinalIgnoreCase);
        AssertNeverSawTheKey(other);
    }

    [Fact]
    public async Task TheSameHostOnAnotherPort_OrUnderAnotherName_IsAnotherOrigin()
    {
        // localhost:port is the same machine but not the configured origin (127.0.0.1:port): no key there either.
        await using var other = Target();
        var hops = 0;
        await using var configured = RedirectingTo(target =>
            Interlocked.Increment(ref hops) == 1 ? other.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + target : other.Url + target);
        using var client = Finnhub(configured.Url);

        Assert.Equal(RestOutcome.Success, (await client.GetAsync("/quote?symbol=AAPL", Ct)).Outcome);
        AssertNeverSawTheKey(other);
    }

    [Fact]
    public async Task ARedirectWithinTheConfiguredOrigin_KeepsTheKey()
    {
        await using var configured = new LoopbackHttpServer(target => target.StartsWith("/api/v1/old", StringComparison.Ordinal)
            ? (302, "/api/v1/new?symbol=AAPL", string.Empty)
            : (200, null, "{\"c\":1}"));
        using var client = Finnhub(configured.Url);

        Assert.Equal(RestOutcome.Success, (await client.GetAsync("/old?symbol=AAPL", Ct)).Outcome);
        Assert.Equal(2, configured.Requests.Count);
        Assert.All(configured.Requests, head => Assert.Contains("X-Finnhub-Token: " + Key, head, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ARedirectLoop_StopsAfterTheMaximum_AsAnHttpError()
    {
        await using var configured = RedirectingTo(_ => "/api/v1/again");
        using var client = Finnhub(configured.Url);

        var reply = await client.GetAsync("/quote?symbol=AAPL", Ct);

        Assert.Equal(RestOutcome.HttpError, reply.Outcome);
        Assert.Equal(6, configured.Requests.Count); // the first request and ProviderRestClient.MaxRedirects (5) redirects
    }
}
