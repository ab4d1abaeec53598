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
    public void WorkHandedOn_RunsInTheBackground_OnceEach()
    {
        TimeZoneWarmUp.Start(["backtest"]); // the work then runs after the load on its thread, or (load done) on its own
        var ran = new CountdownEvent(2);
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        void Work()
        {
            threads.Add(Environment.CurrentManagedThreadId);
            ran.Signal();
        }

        TimeZoneWarmUp.Then(Work, "test warm-up");
        TimeZoneWarmUp.Then(Work, "test warm-up");

        Assert.True(ran.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
        Assert.Equal(2, threads.Count);
    }

    [Theory]
    [InlineData(false, null, false)]
    [InlineData(true, null, true)]
    [InlineData(true, "0", false)]
    [InlineData(true, "1", true)]
    public void TheReportWarmUp_StartsForARunWithAReport_UnlessTurnedOff(bool report, string? variable, bool started)
    {
        var before = Environment.GetEnvironmentVariable("STRATEGYLAB_REPORT_WARM_UP");
        Environment.SetEnvironmentVariable("STRATEGYLAB_REPORT_WARM_UP", variable);
        try
        {
            Assert.Equal(started, RunEndWarmUp.Start(report, TextWriter.Null));
        }
        finally
        {
            Environment.SetEnvironmentVariable("STRATEGYLAB_REPORT_WARM_UP", before);
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
