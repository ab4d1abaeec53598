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
    [InlineData(" 15MIN ", 900)]
    [InlineData("1w", 604800)]
    [InlineData("1 week", 604800)]
    [InlineData("1mo", 2678400)]
    [InlineData("1month", 2678400)]
    [InlineData("5 min", 300)]
    [InlineData("1 hour", 3600)]
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
    [InlineData("1M")]
    [InlineData(" 15M ")]
    [InlineData("2w")]
    [InlineData("3mo")]
    [InlineData("1 m")]
    [InlineData("5 s")]
    [InlineData("1 h")]
    [InlineData("1 d")]
    [InlineData("1 w")]
    public void Parse_RejectsUnknown_NamingTheText(string text)
    {
        var ex = Assert.Throws<FormatException>(() => Timeframe.Parse(text));
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_HasTheEighteenSupportedTimeframes_InCanonicalForm()
    {
        Assert.Equal(
            "1s 5s 10s 15s 30s 1m 2m 3m 5m 10m 15m 30m 1h 2h 4h 1d 1w 1mo",
            string.Join(' ', Timeframe.All.Select(t => t.ToString())));
        foreach (var tf in Timeframe.All)
        {
            Assert.Equal(tf, Timeframe.Parse(tf.ToString()));
        }
    }

    [Fact]
    public void Parse_OneCapitalM_IsRefusedAsAmbiguous_AndTheMessageSaysWhy()
    {
        var ex = Assert.Throws<FormatException>(() => Timeframe.Parse("1M"));
        Assert.Contains("1mo for a month", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WeeklyAndMonthly_CombineDailyAndIntradayBars_ButNotEachOther()
    {
        Assert.True(Timeframe.OneWeek.IsMultipleOf(Timeframe.OneDay));
        Assert.True(Timeframe.OneMonth.IsMultipleOf(Timeframe.OneDay));
        Assert.True(Timeframe.OneMonth.IsMultipleOf(Timeframe.OneMinute));
        Assert.False(Timeframe.OneMonth.IsMultipleOf(Timeframe.OneWeek));
        Assert.False(Timeframe.OneDay.IsMultipleOf(Timeframe.OneWeek));
        Assert.True(Timeframe.OneDay < Timeframe.OneWeek && Timeframe.OneWeek < Timeframe.OneMonth);
        Assert.True(Timeframe.OneWeek.IsSessionBased && Timeframe.OneWeek.IsMultiSession && !Timeframe.OneDay.IsMultiSession);
    }
}
