using System.Diagnostics.CodeAnalysis;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Calendar;

/// <summary>
/// The known calendars by name, and the calendar that applies to a symbol. Names are case-insensitive:
/// <c>NYSE</c>, and <c>24/7</c> (alias <c>crypto</c>).
/// </summary>
public static class MarketCalendars
{
    /// <summary>The alias of <see cref="CryptoCalendar.CalendarName"/>.</summary>
    public const string CryptoAlias = "crypto";

    // Calendars by name, each made on first use: building the NYSE calendar loads the time-zone database, which a
    // command that only names the calendars (its help text) or runs crypto alone should not pay for at start-up.
    private static readonly (string Name, Func<IMarketCalendar> Calendar)[] Known =
    [
        (NyseCalendar.CalendarName, static () => NyseCalendar.Instance),
        (CryptoCalendar.CalendarName, static () => CryptoCalendar.Instance),
        (CryptoAlias, static () => CryptoCalendar.Instance),
    ];

    /// <summary>The canonical calendar names, e.g. for a help text: <c>NYSE</c>, <c>24/7</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = [NyseCalendar.CalendarName, CryptoCalendar.CalendarName];

    /// <summary>The names accepted by <see cref="Get"/>, in a phrase for error messages.</summary>
    public static string KnownNamesText { get; } =
        $"{NyseCalendar.CalendarName}, {CryptoCalendar.CalendarName} (alias {CryptoAlias})";

    /// <summary>The calendar with the given name (case-insensitive, surrounding spaces ignored).</summary>
    /// <exception cref="ArgumentException">No calendar has that name; the message names it and lists the known ones.</exception>
    public static IMarketCalendar Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryGet(name, out var calendar)
            ? calendar
            : throw new ArgumentException($"Unknown market calendar '{name}'. Known calendars: {KnownNamesText}.", nameof(name));
    }

    /// <summary>Looks a calendar up by name (case-insensitive, surrounding spaces ignored).</summary>
    public static bool TryGet(string? name, [NotNullWhen(true)] out IMarketCalendar? calendar)
    {
        var key = name?.Trim();
        foreach (var (known, c) in Known)
        {
            if (string.Equals(known, key, StringComparison.OrdinalIgnoreCase))
            {
                calendar = c();
                return true;
            }
        }

        calendar = null;
        return false;
    }

    /// <summary>The calendar a symbol trades on: US equities on the NYSE, crypto around the clock.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The symbol's asset class has no calendar.</exception>
    public static IMarketCalendar For(Symbol symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return symbol.AssetClass switch
        {
            AssetClass.UsEquity => NyseCalendar.Instance,
            AssetClass.Crypto => CryptoCalendar.Instance,
            _ => throw new ArgumentOutOfRangeException(
                nameof(symbol), symbol.AssetClass, $"No market calendar for asset class {symbol.AssetClass} of '{symbol}'."),
        };
    }
}
