using System.Text;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Json;
using StrategyLab.Providers.Polygon;

namespace StrategyLab.Tests.Providers.Polygon;

/// <summary>The stream frame parser on hand-written frames: mixed events, exact numbers, and what is malformed.</summary>
public sealed class PolygonFrameParserTests
{
    private static (PolygonFrame Frame, List<PolygonEvent> Events) Parse(string json)
    {
        var table = new ProviderSymbolTable();
        table.Add(Symbol.Equity("AAPL"));
        var events = new List<PolygonEvent>();
        var frame = new PolygonFrameParser(table).Parse(Encoding.UTF8.GetBytes(json), events);
        return (frame, events);
    }

    [Fact]
    public void MixedFrame_StatusAggregateTrade_InOrder_PropertiesInAnyOrder()
    {
        var (frame, events) = Parse(
            "[{\"message\":\"authenticated\",\"status\":\"auth_success\",\"ev\":\"status\"}," +
            "{\"e\":1610144700000,\"s\":1610144640000,\"sym\":\"GTE\",\"v\":4110,\"av\":9470157,\"op\":0.4372,\"vw\":0.4488,\"o\":0.4488,\"c\":0.4486,\"h\":0.4489,\"l\":0.4486,\"a\":0.4352,\"z\":685,\"ev\":\"AM\"}," +
            "{\"ev\":\"T\",\"sym\":\"AAPL\",\"x\":4,\"i\":12345,\"z\":3,\"p\":114.125,\"s\":100,\"c\":[0,12],\"t\":1536036818784,\"q\":3681328}]");

        Assert.False(frame.Malformed);
        Assert.Null(frame.Problem);
        Assert.Equal([PolygonEventKind.Status, PolygonEventKind.MinuteAggregate, PolygonEventKind.Trade], events.Select(e => e.Kind));
        Assert.Equal(("auth_success", "authenticated"), (events[0].Text, events[0].Message));

        var bar = events[1].Bar;
        Assert.Equal("GTE", bar.Symbol.Ticker);
        Assert.Equal(new DateTime(2021, 1, 8, 22, 24, 0, DateTimeKind.Utc), bar.Start); // 1610144640000 ms
        Assert.Equal(TimeSpan.FromMinutes(1), bar.Duration);
        Assert.Equal((0.4488m, 0.4489m, 0.4486m, 0.4486m, 4110m, 0.4488m), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.Vwap));

        var trade = events[2].Trade;
        Assert.Equal("AAPL|12345|4", trade.Id); // a numeric id is read as its text
        Assert.Equal((114.125m, 100m), (trade.Price, trade.Size));
        Assert.Equal(new DateTime(2018, 9, 4, 4, 53, 38, 784, DateTimeKind.Utc), trade.Time);
        Assert.Equal(["0", "12"], trade.Conditions!);
    }

    [Theory]
    [InlineData("{\"ev\":\"status\"}", "not a JSON array")]
    [InlineData("[{\"ev\":\"AM\"", "not valid JSON")]
    [InlineData("[] []", "not valid JSON")]
    public void BrokenFrames_AreMalformed_AndYieldNothing(string json, string problem)
    {
        var (frame, events) = Parse(json);

        Assert.True(frame.Malformed);
        Assert.Contains(problem, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(events);
    }

    [Theory]
    [InlineData("{\"ev\":\"T\",\"sym\":\"AAPL\",\"p\":1,\"s\":1,\"t\":1536036818784}", "no trade id 'i'")]
    [InlineData("{\"ev\":\"T\",\"sym\":\"AAPL\",\"i\":\"1\",\"p\":0,\"s\":1,\"t\":1536036818784}", "'p' is not a positive number")]
    [InlineData("{\"ev\":\"T\",\"sym\":\"AAPL\",\"i\":\"1\",\"p\":1,\"s\":1,\"t\":1536036818}", "'t' is not a time in epoch milliseconds")]
    [InlineData("{\"ev\":\"AM\",\"sym\":\"AAPL\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"s\":1610144640000,\"e\":1610144640000}", "'e' is not an end time after 's'")]
    [InlineData("{\"ev\":\"AM\",\"sym\":\"AAPL\",\"o\":1,\"h\":1,\"l\":2,\"c\":1,\"v\":1,\"s\":1610144640000,\"e\":1610144700000}", "inconsistent bar")]
    [InlineData("{\"sym\":\"AAPL\"}", "no 'ev'")]
    public void BadEvents_AreSkipped_TheGoodOnesKept(string bad, string problem)
    {
        var (frame, events) = Parse("[" + bad + ",{\"ev\":\"status\",\"status\":\"success\",\"message\":\"subscribed to: AM.AAPL\"}]");

        Assert.False(frame.Malformed);
        Assert.Equal(1, frame.SkippedEvents);
        Assert.Contains(problem, frame.Problem, StringComparison.Ordinal);
        Assert.Equal(PolygonEventKind.Status, Assert.Single(events).Kind);
    }

    // Found by the fuzz harness (issue 10 #25): a lone surrogate escape threw InvalidOperationException out of Parse.
    [Theory]
    [InlineData("[{\"i\":\"\\ud800\"}]")]
    [InlineData("[{\"ev\":\"status\",\"status\":\"x\",\"message\":\"\\udc00\"}]")]
    public void UndecodableStrings_AreMalformed_NotThrown(string json)
    {
        var (frame, events) = Parse(json);

        Assert.True(frame.Malformed);
        Assert.Contains("unreadable string", frame.Problem, StringComparison.Ordinal);
        Assert.Empty(events);
    }

    // Found by the fuzz harness: control characters of a garbled frame were quoted raw in the problem (then logged),
    // and a status message's ESC reached the auth-failure error on stderr.
    [Fact]
    public void ControlCharacters_AreEscaped_InProblemsAndMessages()
    {
        var (garbled, _) = Parse("f\u001b[31m\u0007x");
        Assert.True(garbled.Malformed);
        Assert.DoesNotContain('\u001b', garbled.Problem!);
        Assert.DoesNotContain('\u0007', garbled.Problem!);

        var (frame, events) = Parse("[{\"ev\":\"status\",\"status\":\"auth_failed\",\"message\":\"bad \\u001b[2J key\"}]");
        Assert.False(frame.Malformed);
        Assert.Equal("bad \\u001B[2J key", Assert.Single(events).Message);
    }
}
