using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Core.Calendar;

public class MarketCalendarsTests
{
    [Theory]
    [InlineData("NYSE", "NYSE")]
    [InlineData("nyse", "NYSE")]
    [InlineData(" Nyse ", "NYSE")]
    [InlineData("24/7", "24/7")]
    [InlineData("crypto", "24/7")]
    [InlineData("CRYPTO", "24/7")]
    public void Get_ByNameOrAlias_CaseInsensitive(string name, string expected)
    {
        Assert.Equal(expected, MarketCalendars.Get(name).Name);
    }

    [Fact]
    public void Get_ReturnsTheSharedInstances()
    {
        Assert.Same(NyseCalendar.Instance, MarketCalendars.Get("NYSE"));
        Assert.Same(CryptoCalendar.Instance, MarketCalendars.Get("crypto"));
        Assert.Equal(["NYSE", "24/7"], MarketCalendars.Names);
    }

    [Theory]
    [InlineData("LSE")]
    [InlineData("")]
    [InlineData("NYSE2")]
    public void Get_Unknown_NamesItAndListsKnown(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => MarketCalendars.Get(name));
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("NYSE", e.Message, StringComparison.Ordinal);
        Assert.Contains("24/7", e.Message, StringComparison.Ordinal);
        Assert.Contains("crypto", e.Message, StringComparison.Ordinal);
        Assert.False(MarketCalendars.TryGet(name, out _));
    }

    [Fact]
    public void For_Symbol_ByAssetClass()
    {
        Assert.Same(NyseCalendar.Instance, MarketCalendars.For(Symbol.Equity("SPY")));
        Assert.Same(CryptoCalendar.Instance, MarketCalendars.For(Symbol.Parse("BINANCE:BTCUSDT")));
        Assert.Same(CryptoCalendar.Instance, MarketCalendars.For(Symbol.Parse("BTC-USD")));
    }
}
