using System.CommandLine;
using System.Globalization;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Cli.Commands;

/// <summary><c>strategylab calendar</c>: the trading sessions of a market between two dates.</summary>
internal static class CalendarCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "First date (yyyy-MM-dd), inclusive.", Required = true };
        var to = new Option<string>("--to") { Description = "Last date (yyyy-MM-dd), inclusive.", Required = true };
        var market = new Option<string>("--market") { Description = "Calendar: NYSE or 24/7.", DefaultValueFactory = _ => "24/7" };
        var command = new Command("calendar", "List the trading sessions of a market: date, open, close in exchange time.")
        {
            from, to, market,
        };
        command.SetAction((parse, _) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var first = DateOnly.ParseExact(parse.GetValue(from)!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var last = DateOnly.ParseExact(parse.GetValue(to)!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            IMarketCalendar calendar = CryptoCalendar.Instance;
            output.WriteLine("date,open,close");
            foreach (var s in calendar.GetSessions(first, last))
            {
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{s.Date:yyyy-MM-dd},{calendar.ToExchangeTime(s.RegularOpen):HH:mm},{calendar.ToExchangeTime(s.RegularClose):HH:mm}"));
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
