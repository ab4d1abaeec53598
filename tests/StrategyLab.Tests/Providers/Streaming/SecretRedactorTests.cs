using System.Text;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Tests.Providers.Streaming;

public sealed class SecretRedactorTests
{
    private const string Key = "sk_fh+Test/Key=9f3a";

    [Fact]
    public void Redact_ReplacesTheKey_RawEncodedAndInAnyCase()
    {
        var r = new SecretRedactor(Key);

        Assert.Equal("wss://ws.finnhub.io/?token=***", r.Redact("wss://ws.finnhub.io/?token=sk_fh%2BTest%2FKey%3D9f3a"));
        Assert.Equal("wss://ws.finnhub.io/?token=***", r.Redact("wss://ws.finnhub.io/?token=sk_fh%2bTest%2fKey%3d9f3a"));
        Assert.Equal("key *** and ***", r.Redact("key sk_fh+Test/Key=9f3a and SK_FH+TEST/KEY=9F3A"));
        Assert.Equal("form ***", r.Redact("form sk_fh%2BTest%2FKey%3D9f3a"));
        Assert.Equal("q=***", r.Redact("q=" + System.Net.WebUtility.UrlEncode(Key)));
        Assert.Equal(string.Empty, r.Redact((string?)null));
        Assert.Equal("nothing here", r.Redact("nothing here"));
    }

    [Fact]
    public void Redact_WithNoSecrets_ChangesNothing()
    {
        Assert.Equal("a b c", SecretRedactor.None.Redact("a b c"));
        Assert.Equal("a b c", new SecretRedactor(null, string.Empty).Redact("a b c"));
    }

    [Fact]
    public void Describe_ChainsInnerExceptions_Redacted()
    {
        var r = new SecretRedactor(Key);
        var e = new InvalidOperationException("outer " + Key, new IOException("inner ?token=" + Uri.EscapeDataString(Key)));

        Assert.Equal("InvalidOperationException: outer *** <- IOException: inner ?token=***", r.Describe(e));
    }

    [Fact]
    public void Excerpt_IsShort_Printable_AndRedacted()
    {
        var r = new SecretRedactor(Key);
        var text = "line1\nline2 " + Key + " " + new string('x', 500);

        var excerpt = r.Excerpt(Encoding.UTF8.GetBytes(text), 30);

        Assert.Equal("line1?line2 *** xxxxxxxxxxxxxx...", excerpt);
    }

    [Fact]
    public void AShortKey_IsRedactedAsAWholeToken_NotInsideWords()
    {
        var r = new SecretRedactor("x");

        // Every "x" inside a word stays: the header name, "exchange", "max", "0x10".
        Assert.Equal("max exchange X-Finnhub-Token 0x10 xx x_y", r.Redact("max exchange X-Finnhub-Token 0x10 xx x_y"));

        // The key as a value, a header value and a query parameter is replaced.
        Assert.Equal("X-Finnhub-Token: ***", r.Redact("X-Finnhub-Token: x"));
        Assert.Equal("https://finnhub.io/api/v1/quote?symbol=AAPL&token=***", r.Redact("https://finnhub.io/api/v1/quote?symbol=AAPL&token=x"));
        Assert.Equal("https://api.polygon.io/v2/aggs?apiKey=***&limit=5", r.Redact("https://api.polygon.io/v2/aggs?apiKey=x&limit=5"));
        Assert.Equal("{\"api_key\": \"***\"}", r.Redact("{\"api_key\": \"x\"}"));
        Assert.Equal("***", r.Redact("X"));
        Assert.Equal("invalid key ***.", r.Redact("invalid key x."));
    }

    [Fact]
    public void ALongKey_InsideALongerWord_IsThatWord_NotTheKey()
    {
        var r = new SecretRedactor("abc123");

        Assert.Equal("token=***&token2=*** abc1234 zabc123", r.Redact("token=abc123&token2=ABC123 abc1234 zabc123"));
    }
}
