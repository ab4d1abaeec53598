using System.Globalization;
using StrategyLab.Core.Calendar;

namespace StrategyLab.Runner.Configuration;
/// <summary>When a live or replay run stops by itself.</summary>
/// <param name="TimeOfDay">A time of day in exchange time (the first such time after the start).</param>
/// <param name="Instant">An absolute instant, UTC.</param>
public sealed record AutoStop(TimeOnly? TimeOfDay, DateTime? Instant)
{
    /// <summary>Reads <c>HH:mm</c>, <c>HH:mm:ss</c> or an ISO-8601 instant with offset; null when neither.</summary>
    public static AutoStop? Parse(string text)
    {
        if (TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            return new AutoStop(t, null);
        }

        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dto)
            && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal)))
        {
            return new AutoStop(null, dto.UtcDateTime);
        }

        return null;
    }

    /// <summary>The first stop instant at or after <paramref name="startUtc"/>.</summary>
    public DateTime FirstAfter(DateTime startUtc, IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (Instant is { } i)
        {
            return i;
        }

        var local = calendar.ToExchangeTime(startUtc);
        var candidate = calendar.ToUtc(DateOnly.FromDateTime(local).ToDateTime(TimeOfDay!.Value));
        return candidate >= startUtc ? candidate : calendar.ToUtc(DateOnly.FromDateTime(local).AddDays(1).ToDateTime(TimeOfDay.Value));
    }
}
