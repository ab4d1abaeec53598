using NodaTime;
using StrategyLab.Cli;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Tests.Cli;

/// <summary>The background load of the time zone database: started only for the commands that build a calendar.</summary>
public sealed class TimeZoneWarmUpTests
{
    [Theory]
    [InlineData(new[] { "backtest", "--symbols", "SYNA" }, true)]
    [InlineData(new[] { "sweep", "--config", "run.json" }, true)]
    [InlineData(new[] { "replay" }, true)]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "--help" }, false)]
    [InlineData(new[] { "data", "info", "backtest" }, false)]
    [InlineData(new[] { "backtset" }, false)]
    public void ItStarts_OnlyForTheCommandsThatBuildACalendar(string[] args, bool started) =>
        Assert.Equal(started, TimeZoneWarmUp.Start(args));

    [Fact]
    public void EveryCommandItNames_IsACommandOfTheTree()
    {
        var root = CliApp.Build();
        foreach (var name in TimeZoneWarmUp.CalendarCommands)
        {
            Assert.Contains(root.Subcommands, c => c.Name == name);
        }
    }

    [Fact]
    public void TheZoneItLoads_IsTheOneTheCalendarUses()
    {
        TimeZoneWarmUp.Start(["backtest"]);
        var nyse = MarketCalendars.Get(NyseCalendar.CalendarName);
        Assert.Same(DateTimeZoneProviders.Tzdb.GetZoneOrNull("America/New_York"), DateTimeZoneProviders.Tzdb.GetZoneOrNull(nyse.TimeZoneId));
    }
}
