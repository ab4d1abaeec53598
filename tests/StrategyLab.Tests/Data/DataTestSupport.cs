using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Data;

/// <summary>Calendars for the data tests.</summary>
internal static class TestCalendars
{
    public static IMarketCalendar For(Symbol symbol) =>
        symbol.AssetClass == AssetClass.Crypto ? CryptoCalendar.Instance : TestNyseCalendar.Instance;

    public static IMarketCalendar Nyse => TestNyseCalendar.Instance;
}

/// <summary>
/// NYSE hours (04:00 / 09:30 / 16:00 / 20:00 New York, 13:00 / 17:00 on early closes) with the holidays of the years the
/// tests use (2013, 2023, 2024). Stands in for the calendar branch's NyseCalendar in these tests.
/// </summary>
internal sealed class TestNyseCalendar : MarketCalendar
{
    public static TestNyseCalendar Instance { get; } = new();

    private static readonly HashSet<DateOnly> Holidays =
    [
        new(2013, 1, 1), new(2013, 1, 21), new(2013, 2, 18), new(2013, 3, 29), new(2013, 5, 27), new(2013, 7, 4),
        new(2013, 9, 2), new(2013, 11, 28), new(2013, 12, 25),
        new(2023, 1, 2), new(2023, 1, 16), new(2023, 2, 20), new(2023, 4, 7), new(2023, 5, 29), new(2023, 6, 19),
        new(2023, 7, 4), new(2023, 9, 4), new(2023, 11, 23), new(2023, 12, 25),
        new(2024, 1, 1), new(2024, 1, 15), new(2024, 2, 19), new(2024, 3, 29), new(2024, 5, 27), new(2024, 6, 19),
        new(2024, 7, 4), new(2024, 9, 2), new(2024, 11, 28), new(2024, 12, 25),
    ];

    private static readonly HashSet<DateOnly> EarlyCloses =
    [
        new(2013, 7, 3), new(2013, 11, 29), new(2013, 12, 24), new(2023, 7, 3), new(2023, 11, 24),
        new(2024, 7, 3), new(2024, 11, 29), new(2024, 12, 24),
    ];

    private TestNyseCalendar()
        : base("NYSE", "America/New_York")
    {
    }

    protected override TradingSession? ComputeSession(DateOnly date)
    {
        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || Holidays.Contains(date))
        {
            return null;
        }

        var early = EarlyCloses.Contains(date);
        return new TradingSession(
            date,
            At(date, new TimeOnly(4, 0)),
            At(date, new TimeOnly(9, 30)),
            At(date, early ? new TimeOnly(13, 0) : new TimeOnly(16, 0)),
            At(date, early ? new TimeOnly(17, 0) : new TimeOnly(20, 0)),
            early);
    }
}

/// <summary>A logger that keeps what it is given.</summary>
internal sealed class CapturingLogger : ILogger
{
    public List<(LogLevel Level, EventId Event, string Message, IReadOnlyList<KeyValuePair<string, object?>> State)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        Entries.Add((logLevel, eventId, formatter(state, exception), values));
    }
}

internal static class Utc
{
    public static DateTime At(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);
}

/// <summary>A temporary folder removed at dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "strategylab-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name, string content)
    {
        var p = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
