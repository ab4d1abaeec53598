using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Tests.Core.Strategies;

/// <summary>Builds bars at exchange-local wall times, so tests read like a chart.</summary>
internal static class TestBars
{
    /// <summary>A bar starting at local <paramref name="date"/> <paramref name="hhmm"/> lasting <paramref name="minutes"/>.</summary>
    public static Bar At(
        IMarketCalendar calendar, Symbol symbol, DateOnly date, string hhmm, int minutes,
        decimal open, decimal high, decimal low, decimal close, decimal volume = 1000m)
    {
        var local = date.ToDateTime(TimeOnly.ParseExact(hhmm, "HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        var start = calendar.ToUtc(local);
        return new Bar(symbol, start, start.AddMinutes(minutes), open, high, low, close, volume);
    }

    /// <summary>A bar whose open, high, low and close are all <paramref name="price"/>.</summary>
    public static Bar Flat(IMarketCalendar calendar, Symbol symbol, DateOnly date, string hhmm, int minutes, decimal price) =>
        At(calendar, symbol, date, hhmm, minutes, price, price, price, price);

    /// <summary>Consecutive flat bars of <paramref name="minutes"/> from <paramref name="fromHhmm"/> up to (excluding) <paramref name="toHhmm"/>.</summary>
    public static IEnumerable<Bar> FlatRun(
        IMarketCalendar calendar, Symbol symbol, DateOnly date, string fromHhmm, string toHhmm, int minutes, decimal price)
    {
        var from = TimeOnly.ParseExact(fromHhmm, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var to = TimeOnly.ParseExact(toHhmm, "HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        for (var t = from; t < to; t = t.AddMinutes(minutes))
        {
            yield return Flat(calendar, symbol, date, t.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), minutes, price);
        }
    }

    /// <summary>The UTC instant of a local wall time.</summary>
    public static DateTime Utc(IMarketCalendar calendar, DateOnly date, string hhmm) =>
        calendar.ToUtc(date.ToDateTime(TimeOnly.ParseExact(hhmm, "HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
}
