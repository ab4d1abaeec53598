using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StrategyLab.Cli;
using StrategyLab.Core.Calendar;
using StrategyLab.Runner.Logging;

namespace StrategyLab.Tests.Cli;

/// <summary>
/// Log lines show instants in the exchange's time with its offset, to the millisecond at most, as the run's files do
/// (issue 15, item 11): the console's lines and <c>log.jsonl</c>'s messages and values; event names are unchanged.
/// </summary>
public sealed class LogTimeTests
{
    private static readonly EventId Event = new(4242, "liveMode.autoStop");

    // 13:51 UTC is 09:51 in New York (daylight time, −04:00); the ticks beyond the millisecond are not shown.
    private static readonly DateTime At = new DateTime(2013, 10, 7, 13, 51, 0, DateTimeKind.Utc).AddTicks(1_234_567);

    [Fact]
    public void TheConsole_ShowsTheExchangesTime_ToTheMillisecond()
    {
        var error = new StringWriter();
        using (var loggers = CliLogging.Create(error, text: new LogText(NyseCalendar.Instance)))
        {
            loggers.CreateLogger("t").LogInformation(Event, "auto_stop_at {StopAt:O} reached, {Count,3} bar(s), {Name}", At, 7, "SPY");
            loggers.CreateLogger("t").LogInformation(Event, "at {When}", new DateTimeOffset(At));
        }

        Assert.Equal(
            ["info liveMode.autoStop: auto_stop_at 2013-10-07T09:51:00.123-04:00 reached,   7 bar(s), SPY", "info liveMode.autoStop: at 2013-10-07T09:51:00.123-04:00"],
            error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void WithoutAnExchange_TheConsoleShowsUtc_ToTheMillisecond_AndMessagesWithoutInstantsAreUnchanged()
    {
        var error = new StringWriter();
        using (var loggers = CliLogging.Create(error))
        {
            loggers.CreateLogger("t").LogInformation(Event, "at {When:O}", At.AddTicks(-1_234_567));
            loggers.CreateLogger("t").LogInformation(Event, "{{braces}} {Price} {Items}", 1.5m, new[] { 1, 2 });
        }

        Assert.Equal(
            ["info liveMode.autoStop: at 2013-10-07T13:51:00Z", "info liveMode.autoStop: {braces} 1.5 1, 2"],
            error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void LogJsonl_ShowsTheExchangesTime_InTheMessageAndTheValue_AndKeepsTheEventName()
    {
        var writer = new StringWriter();
        using (var provider = new JsonLinesLoggerProvider(writer, TimeProvider.System, text: new LogText(NyseCalendar.Instance)))
        {
            provider.CreateLogger("t").LogInformation(Event, "auto_stop_at {StopAt:O} reached", At);
        }

        var line = JsonNode.Parse(writer.ToString().Trim())!;
        Assert.Equal("liveMode.autoStop", line["event"]!.GetValue<string>());
        Assert.Equal("auto_stop_at 2013-10-07T09:51:00.123-04:00 reached", line["message"]!.GetValue<string>());
        Assert.Equal("2013-10-07T09:51:00.123-04:00", line["StopAt"]!.GetValue<string>());
    }
}
