using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Nodes;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Cli.Commands;

/// <summary>
/// <c>strategylab calendar</c>: the trading sessions of a market between two dates, as CSV (<c>date,open,close</c>,
/// exchange-local <c>HH:mm</c>) or as an aligned table with the extended-hours bounds and early closes marked.
/// </summary>
internal static class CalendarCommand
{
    private const string DateFormat = "yyyy-MM-dd";
    private const string TimeFormat = "HH:mm";

    public static Command Create()
    {
        var from = DateOption("--from", "First date (yyyy-MM-dd), inclusive.");
        var to = DateOption("--to", "Last date (yyyy-MM-dd), inclusive.");
        var market = new Option<string>("--market")
        {
            Description = $"Calendar: {string.Join(" or ", MarketCalendars.Names)} (alias {MarketCalendars.CryptoAlias}), case-insensitive.",
            DefaultValueFactory = _ => NyseCalendar.CalendarName,
            HelpName = "NYSE|24/7",
        };
        market.Validators.Add(r =>
        {
            var name = r.GetValueOrDefault<string>();
            if (!MarketCalendars.TryGet(name, out _))
            {
                r.AddError($"--market: unknown calendar '{name}'. Known calendars: {MarketCalendars.KnownNamesText}.");
            }
        });
        var format = new Option<string>("--format")
        {
            Description = "Output: csv (date,open,close) or table (aligned, with pre/after-hours and early closes).",
            DefaultValueFactory = _ => "csv",
            HelpName = "csv|table",
        };
        format.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (ParseFormat(value) is null)
            {
                r.AddError($"--format: unknown format '{value}'. Use csv or table.");
            }
        });

        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document on stdout: every session with its pre-market open, open, close and after-hours close (ISO-8601 with the exchange's offset); --format is ignored.",
        };
        var command = new Command("calendar", "List the trading sessions of a market between two dates, in exchange time.")
        {
            from, to, market, format, json,
        };
        command.Validators.Add(r =>
        {
            if (TryGetDate(r.GetResult(from), out var first) && TryGetDate(r.GetResult(to), out var last) && first > last)
            {
                r.AddError($"--from {first.ToString(DateFormat, CultureInfo.InvariantCulture)} is after --to {last.ToString(DateFormat, CultureInfo.InvariantCulture)}.");
            }
        });
        command.SetAction((parse, _) =>
        {
            var calendar = MarketCalendars.Get(parse.GetValue(market)!);
            var sessions = calendar.GetSessions(parse.GetValue(from), parse.GetValue(to));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                WriteJson(output, calendar, parse.GetValue(from), parse.GetValue(to), sessions);
            }
            else if (ParseFormat(parse.GetValue(format)) == OutputFormat.Table)
            {
                WriteTable(output, calendar, sessions);
            }
            else
            {
                WriteCsv(output, calendar, sessions);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Option<DateOnly> DateOption(string name, string description)
    {
        var option = new Option<DateOnly>(name)
        {
            Description = description,
            Required = true,
            HelpName = "yyyy-MM-dd",
        };
        option.CustomParser = r => ParseDateArgument(name, r);
        return option;
    }

    private static DateOnly ParseDateArgument(string optionName, ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (!TryParseDate(text, out var date))
        {
            result.AddError($"{optionName}: '{text}' is not a date; expected yyyy-MM-dd, e.g. 2019-11-29.");
            return default;
        }

        if (date.Year < MarketCalendar.MinYear || date.Year > MarketCalendar.MaxYear)
        {
            result.AddError(
                $"{optionName}: {text} is outside the years the calendars cover ({MarketCalendar.MinYear}–{MarketCalendar.MaxYear}).");
        }

        return date;
    }

    private static bool TryGetDate(OptionResult? result, out DateOnly date)
    {
        date = default;
        return result is { Tokens.Count: > 0 } && TryParseDate(result.Tokens[0].Value, out date);
    }

    private static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static OutputFormat? ParseFormat(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "CSV" => OutputFormat.Csv,
        "TABLE" => OutputFormat.Table,
        _ => null,
    };

    private static void WriteCsv(TextWriter output, IMarketCalendar calendar, IEnumerable<TradingSession> sessions)
    {
        output.WriteLine("date,open,close");
        foreach (var s in sessions)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{s.Date.ToString(DateFormat, CultureInfo.InvariantCulture)},{LocalTime(calendar, s, s.RegularOpen)},{LocalTime(calendar, s, s.RegularClose)}"));
        }
    }

    private static void WriteTable(TextWriter output, IMarketCalendar calendar, IEnumerable<TradingSession> sessions)
    {
        const string Row = "{0,-10}  {1,-3}  {2,-5}  {3,-5}  {4,-5}  {5,-5}  {6}";
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, Row, "date", "day", "pre", "open", "close", "after", "note").TrimEnd());
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, Row, "----------", "---", "-----", "-----", "-----", "-----", "----").TrimEnd());
        int count = 0, early = 0;
        foreach (var s in sessions)
        {
            count++;
            early += s.IsEarlyClose ? 1 : 0;
            var line = string.Format(
                CultureInfo.InvariantCulture,
                Row,
                s.Date.ToString(DateFormat, CultureInfo.InvariantCulture),
                s.Date.ToString("ddd", CultureInfo.InvariantCulture),
                LocalTime(calendar, s, s.PreMarketOpen),
                LocalTime(calendar, s, s.RegularOpen),
                LocalTime(calendar, s, s.RegularClose),
                LocalTime(calendar, s, s.AfterHoursClose),
                s.IsEarlyClose ? "early close" : string.Empty);
            output.WriteLine(line.TrimEnd());
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{count} sessions, early closes: {early} ({calendar.Name}, times in {calendar.TimeZoneId})."));
    }

    private static void WriteJson(TextWriter output, IMarketCalendar calendar, DateOnly from, DateOnly to, IEnumerable<TradingSession> sessions)
    {
        var list = new JsonArray();
        int count = 0, early = 0;
        foreach (var s in sessions)
        {
            count++;
            early += s.IsEarlyClose ? 1 : 0;
            list.Add(new JsonObject
            {
                ["date"] = s.Date.ToString(DateFormat, CultureInfo.InvariantCulture),
                ["pre_market_open"] = CoverageJson.Time(calendar, s.PreMarketOpen),
                ["open"] = CoverageJson.Time(calendar, s.RegularOpen),
                ["close"] = CoverageJson.Time(calendar, s.RegularClose),
                ["after_hours_close"] = CoverageJson.Time(calendar, s.AfterHoursClose),
                ["early_close"] = s.IsEarlyClose,
            });
        }

        var doc = new JsonObject
        {
            ["market"] = calendar.Name,
            ["time_zone"] = calendar.TimeZoneId,
            ["from"] = from.ToString(DateFormat, CultureInfo.InvariantCulture),
            ["to"] = to.ToString(DateFormat, CultureInfo.InvariantCulture),
            ["session_count"] = count,
            ["early_closes"] = early,
            ["sessions"] = list,
        };
        output.WriteLine(doc.ToJsonString(CoverageJson.Indented));
    }

    /// <summary>Exchange-local HH:mm of an instant of a session; midnight ending the session's day prints as 24:00.</summary>
    private static string LocalTime(IMarketCalendar calendar, TradingSession session, DateTime utc)
    {
        var local = calendar.ToExchangeTime(utc);
        return DateOnly.FromDateTime(local) > session.Date && local.TimeOfDay == TimeSpan.Zero
            ? "24:00"
            : local.ToString(TimeFormat, CultureInfo.InvariantCulture);
    }

    private enum OutputFormat
    {
        Csv,
        Table,
    }
}
