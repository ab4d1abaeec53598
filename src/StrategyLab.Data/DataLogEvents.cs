using Microsoft.Extensions.Logging;

namespace StrategyLab.Data;

/// <summary>The stable names of the structured log events the data adapters write.</summary>
public static class DataLogEvents
{
    /// <summary><c>data.row.skipped</c>: a bad row was skipped (file, line, field, reason).</summary>
    public static readonly EventId RowSkipped = new(3001, "data.row.skipped");

    /// <summary><c>data.day.missing</c>: a trading day (per the calendar) has no data file or no bars.</summary>
    public static readonly EventId DayMissing = new(3002, "data.day.missing");

    /// <summary><c>data.bar.off-calendar</c>: a bar is dated on a day the calendar says the market was closed, or lies outside its regular hours.</summary>
    public static readonly EventId BarOffCalendar = new(3003, "data.bar.off-calendar");

    /// <summary><c>data.store.written</c>: a monthly store partition was written.</summary>
    public static readonly EventId StoreWritten = new(3004, "data.store.written");

    internal static readonly Action<ILogger, string, long, string, string, Exception?> LogRowSkipped =
        LoggerMessage.Define<string, long, string, string>(
            LogLevel.Warning, RowSkipped, "Skipped {File}:{Line}: field '{Field}': {Reason}");

    internal static readonly Action<ILogger, string, string, DateOnly, DateOnly, int, Exception?> LogDaysMissing =
        LoggerMessage.Define<string, string, DateOnly, DateOnly, int>(
            LogLevel.Warning, DayMissing, "{Symbol} {Resolution}: no data for trading days {From:yyyy-MM-dd}..{To:yyyy-MM-dd} ({Count} sessions)");

    internal static readonly Action<ILogger, string, string, int, int, string, string, Exception?> LogBarsOffCalendar =
        LoggerMessage.Define<string, string, int, int, string, string>(
            LogLevel.Warning,
            BarOffCalendar,
            "{Symbol} {Resolution}: {Bars} bar(s) on {Days} day(s) calendar {Calendar} says are closed ({Dates}); kept with 09:30-16:00 exchange time");

    internal static readonly Action<ILogger, string, string, int, string, string, Exception?> LogBarsOutsideSession =
        LoggerMessage.Define<string, string, int, string, string>(
            LogLevel.Warning,
            BarOffCalendar,
            "{Symbol} {Resolution}: {Bars} bar(s) lie outside the regular session of calendar {Calendar} (at {Places}); kept with their nominal hour");

    internal static readonly Action<ILogger, string, string, int, Exception?> LogStoreWritten =
        LoggerMessage.Define<string, string, int>(
            LogLevel.Debug, StoreWritten, "Wrote {Path} ({Series}): {Bars} bars");
}
