using System.Text;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Finnhub;
using StrategyLab.Providers.Json;

namespace StrategyLab.Tests.Providers.Finnhub;

/// <summary>The frame parser on hand-written frames: exact numbers, shapes, and what is malformed.</summary>
public sealed class FinnhubFrameParserTests
{
    private static readonly Symbol Aapl = Symbol.Equity("AAPL");

    private static (FinnhubFrame Frame, List<FinnhubTrade> Trades) Parse(string json)
    {
        var table = new ProviderSymbolTable();
        table.Add(Aapl);
        var trades = new List<FinnhubTrade>();
        var frame = new FinnhubFrameParser(table).Parse(Encoding.UTF8.GetBytes(json), trades);
        return (frame, trades);
    }

    [Fact]
    public void Trade_NumbersAndStrings_AreExactDecimals_PropertiesInAnyOrder()
    {
        var (frame, trades) = Parse(
            "{\"data\":[{\"v\":\"0.000000001\",\"t\":1672348887666,\"p\":\"123456789.123456789\",\"s\":\"AAPL\",\"c\":[\"1\",\"24\",\"12\"]}," +
            "{\"s\":\"AAPL\",\"p\":0.1,\"t\":1672348887667,\"v\":2.5e-1,\"x\":{\"nested\":[1,2]}}],\"type\":\"trade\"}");

        Assert.Equal(FinnhubFrameType.Trade, frame.Type);
        Assert.Null(frame.Problem);
        Assert.Equal(2, trades.Count);
        Assert.Same(Aapl, trades[0].Symbol);
        Assert.Equal(123456789.123456789m, trades[0].Price);
        Assert.Equal(0.000000001m, trades[0].Volume);
        Assert.Equal(1672348887666L, trades[0].TimeMs);
        Assert.Equal(["1", "24", "12"], trades[0].Conditions!);
        Assert.Equal(0.1m, trades[1].Price);
        Assert.Equal(0.25m, trades[1].Volume);
        Assert.Null(trades[1].Conditions);
    }

    [Fact]
    public void Trade_EscapedAndUnknownSymbols_Resolve()
    {
        var (_, trades) = Parse(
            "{\"type\":\"trade\",\"data\":[{\"s\":\"\\u0041APL\",\"p\":1,\"t\":1672348887666,\"v\":1},{\"s\":\"BINANCE:ETHUSDT\",\"p\":2,\"t\":1672348887666,\"v\":1}]}");

        Assert.Same(Aapl, trades[0].Symbol);
        Assert.Equal(Symbol.Crypto("BINANCE:ETHUSDT"), trades[1].Symbol);
    }

    [Theory]
    [InlineData("{\"s\":\"AAPL\",\"p\":\"abc\",\"t\":1672348887666,\"v\":1}", "'p' is not a positive number")]
    [InlineData("{\"s\":\"AAPL\",\"p\":0,\"t\":1672348887666,\"v\":1}", "'p' is not a positive number")]
    [InlineData("{\"s\":\"AAPL\",\"p\":1,\"t\":1672348887666,\"v\":-1}", "'v' is not a number >= 0")]
    [InlineData("{\"s\":\"AAPL\",\"p\":1,\"t\":1672348887,\"v\":1}", "'t' is not a time in epoch milliseconds")]
    [InlineData("{\"s\":\"AAPL\",\"p\":1,\"t\":1672348887666.5,\"v\":1}", "'t' is not a time in epoch milliseconds")]
    [InlineData("{\"p\":1,\"t\":1672348887666,\"v\":1}", "no 's'")]
    [InlineData("{\"s\":\"AAPL\",\"t\":1672348887666,\"v\":1}", "no 'p'")]
    [InlineData("{\"s\":\"AAPL\",\"p\":1,\"t\":1672348887666}", "no 'v'")]
    [InlineData("{\"s\":\"AAPL\",\"p\":1,\"t\":1672348887666,\"v\":1,\"c\":\"1\"}", "'c' is not a list of codes")]
    [InlineData("{\"s\":\"AAPL\",\"p\":1e40,\"t\":1672348887666,\"v\":1}", "'p' is not a positive number")]
    [InlineData("42", "not an object")]
    public void Trade_BadPrint_IsSkipped_TheOthersKept(string badPrint, string problem)
    {
        var (frame, trades) = Parse(
            "{\"type\":\"trade\",\"data\":[" + badPrint + ",{\"s\":\"AAPL\",\"p\":7.5,\"t\":1672348887666,\"v\":3}]}");

        Assert.Equal(FinnhubFrameType.Trade, frame.Type);
        Assert.Equal(1, frame.SkippedPrints);
        Assert.Equal("print 0: " + problem, frame.Problem);
        Assert.Equal(7.5m, Assert.Single(trades).Price);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[{\"type\":\"ping\"}]", "not a JSON object")]
    [InlineData("{\"data\":[]}", "no 'type'")]
    [InlineData("{\"type\":1}", "'type' is not a string")]
    [InlineData("{\"type\":\"trade\"}", "a trade frame without 'data'")]
    [InlineData("{\"type\":\"trade\",\"data\":{}}", "'data' is not an array")]
    [InlineData("{\"type\":\"ping\"} trailing", "not valid JSON")]
    [InlineData("{\"type\":\"ping\"}{\"type\":\"ping\"}", "not valid JSON")]
    [InlineData("{\"type\":\"trade\",\"data\":[{\"s\":\"AAPL\",\"p\":1,\"t\":1672348887666,\"v\":1}", "not valid JSON")]
    public void MalformedFrames_AreReported_NotThrown(string json, string problem)
    {
        var (frame, trades) = Parse(json);

        Assert.Equal(FinnhubFrameType.Malformed, frame.Type);
        Assert.StartsWith(problem, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    [Fact]
    public void Ping_Error_AndOtherTypes()
    {
        Assert.Equal(FinnhubFrameType.Ping, Parse("{\"type\":\"ping\"}").Frame.Type);
        var error = Parse("{\"msg\":\"Subscribing to too many symbols\",\"type\":\"error\"}").Frame;
        Assert.Equal(new FinnhubFrame(FinnhubFrameType.Error, "Subscribing to too many symbols", null, 0), error);
        Assert.Equal("(no message)", Parse("{\"type\":\"error\"}").Frame.Text);
        var news = Parse("{\"type\":\"news\",\"data\":[{\"headline\":\"x\"}]}").Frame;
        Assert.Equal(FinnhubFrameType.Other, news.Type);
        Assert.Equal("news", news.Text);
    }

    [Fact]
    public void TradeId_IsTheSameForTheSamePrint_HoweverItsNumbersAreWritten()
    {
        var a = new FinnhubTrade(Aapl, 1672348887666, 129.58m, 100m, ["1", "12"]);
        var b = new FinnhubTrade(Aapl, 1672348887666, 129.580m, 100.0m, ["1", "12"]);

        Assert.Equal("AAPL|1672348887666|129.58|100|1,12", FinnhubFeed.TradeId(a));
        Assert.Equal(FinnhubFeed.TradeId(a), FinnhubFeed.TradeId(b));
        Assert.NotEqual(FinnhubFeed.TradeId(a), FinnhubFeed.TradeId(a with { Volume = 101m }));
        Assert.NotEqual(FinnhubFeed.TradeId(a), FinnhubFeed.TradeId(a with { TimeMs = 1672348887667 }));
        Assert.NotEqual(FinnhubFeed.TradeId(a), FinnhubFeed.TradeId(a with { Conditions = ["1"] }));
        Assert.Equal("AAPL|1672348887666|129.58|0|", FinnhubFeed.TradeId(a with { Volume = 0.000m, Conditions = null }));
    }

    // Found by the fuzz harness (issue 10 #25): a lone surrogate escape threw InvalidOperationException out of Parse.
    [Theory]
    [InlineData("{\"type\":\"trade\",\"data\":[{\"s\":\"\\ud800\",\"p\":1,\"t\":1704205800000,\"v\":1}]}")]
    [InlineData("{\"type\":\"\\udc00\"}")]
    public void UndecodableStrings_AreMalformed_NotThrown(string json)
    {
        var (frame, trades) = Parse(json);

        Assert.Equal(FinnhubFrameType.Malformed, frame.Type);
        Assert.Contains("unreadable string", frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    // Found by the fuzz harness: control characters of a garbled frame were quoted raw in the problem (then logged);
    // an error frame's msg is escaped too.
    [Fact]
    public void ControlCharacters_AreEscaped_InProblemsAndMessages()
    {
        var (garbled, _) = Parse("t\u001b]0;x\u0007");
        Assert.Equal(FinnhubFrameType.Malformed, garbled.Type);
        Assert.DoesNotContain('\u001b', garbled.Problem!);
        Assert.DoesNotContain('\u0007', garbled.Problem!);

        var (error, _) = Parse("{\"type\":\"error\",\"msg\":\"no \\u0007 bell\"}");
        Assert.Equal((FinnhubFrameType.Error, "no \\u0007 bell"), (error.Type, error.Text));
    }
}
