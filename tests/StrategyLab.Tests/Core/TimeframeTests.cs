using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Core;

public class TimeframeTests
{
    [Theory]
    [InlineData("5m", 300)]
    [InlineData("5min", 300)]
    [InlineData("5 minutes", 300)]
    [InlineData("1h", 3600)]
    [InlineData("60m", 3600)]
    [InlineData("1d", 86400)]
    [InlineData("30s", 30)]
    [InlineData("4hour", 14400)]
    [InlineData(" 15M ", 900)]
    public void Parse_AcceptsCommonSpellings(string text, int seconds)
    {
        Assert.Equal(seconds, Timeframe.Parse(text).Seconds);
    }

    [Theory]
    [InlineData("7m")]
    [InlineData("5x")]
    [InlineData("")]
    [InlineData("m5")]
    [InlineData("2d")]
    [InlineData("0m")]
    [InlineData("45s")]
    public void Parse_RejectsUnknown_NamingTheText(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Timeframe.Parse(text));
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_HasTheSixteenSupportedTimeframes_InCanonicalForm()
    {
        Assert.Equal(
            "1s 5s 10s 15s 30s 1m 2m 3m 5m 10m 15m 30m 1h 2h 4h 1d",
            string.Join(' ', Timeframe.All.Select(t => t.ToString())));
        foreach (var tf in Timeframe.All)
        {
            Assert.Equal(tf, Timeframe.Parse(tf.ToString()));
        }
    }
}
