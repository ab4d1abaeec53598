using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Data.Time;

namespace StrategyLab.Data;

/// <summary>Helpers over bar streams.</summary>
public static class BarStreams
{
    /// <summary>
    /// The bars whose exchange-local start date (per each symbol's calendar) lies in [<paramref name="from"/>,
    /// <paramref name="to"/>]; null bounds are open. Lazy.
    /// </summary>
    public static IEnumerable<Bar> BetweenDates(
        IEnumerable<Bar> bars, DateOnly? from, DateOnly? to, Func<Symbol, IMarketCalendar>? calendarFor = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (from is null && to is null)
        {
            return bars;
        }

        return Filter(bars, from ?? DateOnly.MinValue, to ?? DateOnly.MaxValue, calendarFor ?? MarketCalendars.For);
    }

    private static IEnumerable<Bar> Filter(IEnumerable<Bar> bars, DateOnly from, DateOnly to, Func<Symbol, IMarketCalendar> calendarFor)
    {
        var clocks = new Dictionary<Symbol, ExchangeClock>();
        foreach (var bar in bars)
        {
            if (!clocks.TryGetValue(bar.Symbol, out var clock))
            {
                clock = new ExchangeClock(calendarFor(bar.Symbol));
                clocks[bar.Symbol] = clock;
            }

            var date = clock.LocalDate(bar.Start);
            if (date >= from && date <= to)
            {
                yield return bar;
            }
        }
    }
}
