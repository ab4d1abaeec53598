using System.Globalization;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Support;

/// <summary>Builds bars from New York wall times for readable hand-worked tests.</summary>
public static class Bars
{
    private static readonly IMarketCalendar NewYork = WeekdayTestCalendar.Instance;

    /// <summary>UTC instant of a New York wall time "yyyy-MM-dd HH:mm".</summary>
    public static DateTime Ny(string local) =>
        NewYork.ToUtc(DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));

    /// <summary>A one-minute bar starting at New York time <paramref name="start"/>.</summary>
    public static Bar M1(Symbol symbol, string start, decimal open, decimal high, decimal low, decimal close, decimal volume = 1000) =>
        Make(symbol, start, 1, open, high, low, close, volume);

    /// <summary>A bar of <paramref name="minutes"/> minutes starting at New York time <paramref name="start"/>.</summary>
    public static Bar Make(Symbol symbol, string start, int minutes, decimal open, decimal high, decimal low, decimal close, decimal volume = 1000)
    {
        var s = Ny(start);
        return new Bar(symbol, s, s.AddMinutes(minutes), open, high, low, close, volume);
    }
}
