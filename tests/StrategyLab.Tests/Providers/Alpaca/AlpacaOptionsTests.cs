using StrategyLab.Providers.Alpaca;

namespace StrategyLab.Tests.Providers.Alpaca;

/// <summary>Paper vs live URLs, key checks, and the deterministic client order ids.</summary>
public sealed class AlpacaOptionsTests
{
    [Fact]
    public void Paper_IsTheDefault_AndLiveNeedsTheExplicitFlag()
    {
        var paper = new AlpacaOptions { KeyId = "k", SecretKey = "s" };
        var live = new AlpacaOptions { KeyId = "k", SecretKey = "s", Live = true };

        Assert.Equal(new Uri("https://paper-api.alpaca.markets"), paper.EffectiveTradingUrl);
        Assert.Equal(new Uri("wss://paper-api.alpaca.markets/stream"), paper.EffectiveTradeStreamUrl);
        Assert.Equal("paper trading at https://paper-api.alpaca.markets", paper.Describe());
        Assert.Equal(new Uri("https://api.alpaca.markets"), live.EffectiveTradingUrl);
        Assert.Equal(new Uri("wss://api.alpaca.markets/stream"), live.EffectiveTradeStreamUrl);
        Assert.StartsWith("LIVE trading", live.Describe(), StringComparison.Ordinal);
        Assert.Equal(new Uri("http://127.0.0.1:9"), new AlpacaOptions { Live = true, TradingUrl = new Uri("http://127.0.0.1:9") }.EffectiveTradingUrl);
    }

    [Fact]
    public void MissingKeys_AreRefused_NamingTheVariables()
    {
        var e = Assert.Throws<ArgumentException>(() => new AlpacaOptions { KeyId = "k" }.Validate());

        Assert.Contains("ALPACA_API_KEY_ID", e.Message, StringComparison.Ordinal);
        Assert.Contains("ALPACA_API_SECRET_KEY", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new AlpacaOptions { KeyId = "k", SecretKey = "s", Feed = "nasdaq" }.Validate());
    }

    [Fact]
    public void ClientOrderIds_AreDeterministic_Short_AndUseOnlyAllowedCharacters()
    {
        Assert.Equal("sl-orbAAPL20260302-17", AlpacaClientOrderId.For("orb/AAPL 2026-03-02", 17));
        Assert.Equal(AlpacaClientOrderId.For("run", 1), AlpacaClientOrderId.For("run", 1));
        Assert.NotEqual(AlpacaClientOrderId.For("run", 1), AlpacaClientOrderId.For("run", 2));

        var longA = AlpacaClientOrderId.For(new string('a', 100) + "-x", long.MaxValue);
        var longB = AlpacaClientOrderId.For(new string('a', 100) + "-y", long.MaxValue);
        Assert.Equal(AlpacaClientOrderId.MaxLength, longA.Length);
        Assert.NotEqual(longA, longB);
        Assert.True(AlpacaClientOrderId.IsValid(longA));
        Assert.EndsWith("-" + long.MaxValue, longA, StringComparison.Ordinal);
        Assert.False(AlpacaClientOrderId.IsValid("sl-a_b-1"));
        Assert.Throws<ArgumentException>(() => AlpacaClientOrderId.For("//", 1));
    }
}
