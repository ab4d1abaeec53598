using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Core;

public class SymbolTests
{
    [Theory]
    [InlineData("spy", "SPY", AssetClass.UsEquity)]
    [InlineData("BRK-B", "BRK-B", AssetClass.UsEquity)]
    [InlineData("BINANCE:BTCUSDT", "BINANCE:BTCUSDT", AssetClass.Crypto)]
    [InlineData("btc/usd", "BTC/USD", AssetClass.Crypto)]
    [InlineData("ETH-USD", "ETH-USD", AssetClass.Crypto)]
    public void Parse_InfersAssetClass(string text, string ticker, AssetClass assetClass)
    {
        var s = Symbol.Parse(text);
        Assert.Equal(ticker, s.Ticker);
        Assert.Equal(assetClass, s.AssetClass);
    }

    [Fact]
    public void Equality_IsByTickerAndAssetClass()
    {
        Assert.Equal(Symbol.Equity("spy"), Symbol.Equity("SPY"));
        Assert.NotEqual(Symbol.Equity("BTCUSD"), Symbol.Crypto("BTCUSD"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A,B")]
    [InlineData("SP Y")]
    public void Create_RejectsBadTickers(string text)
    {
        Assert.Throws<ArgumentException>(() => Symbol.Equity(text));
    }
}
