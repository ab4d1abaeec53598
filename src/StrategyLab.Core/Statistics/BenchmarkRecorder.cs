using System.Runtime.InteropServices;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// Records the buy-and-hold series of a benchmark symbol from its bars: the open of its first bar (<c>B_0</c>) and the
/// last close of each exchange-local date of a calendar. <see cref="OnBar"/> costs one reference comparison for the
/// other symbols' bars and allocates only once per date.
/// </summary>
/// <remarks>
/// Fed with the run's own bars when the benchmark is one of the run's symbols; otherwise the runner reads the
/// benchmark's bars separately and gives them here. Not thread-safe.
/// </remarks>
public sealed class BenchmarkRecorder : IRunRecorder
{
    private readonly IMarketCalendar _calendar;
    // Grows with the run (a date adds one entry, the list doubles now and then): a year's capacity up front was a
    // third of a short run's allocation, which a sweep of many short runs pays in garbage collections.
    private readonly List<(DateOnly Date, decimal Close)> _days = new(8);
    private DateTime _dateEndUtc = DateTime.MinValue;
    private DateOnly _date;

    /// <summary>Creates a recorder of <paramref name="symbol"/>, cutting dates with <paramref name="calendar"/> (the run's primary calendar).</summary>
    public BenchmarkRecorder(Symbol symbol, IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        ArgumentNullException.ThrowIfNull(calendar);
        Symbol = symbol;
        _calendar = calendar;
    }

    /// <summary>The benchmark.</summary>
    public Symbol Symbol { get; }

    /// <summary><c>B_0</c>: the open of the first bar; null before it.</summary>
    public decimal? FirstPrice { get; private set; }

    /// <summary>The last close of each date so far, oldest first.</summary>
    public IReadOnlyList<(DateOnly Date, decimal Close)> Daily => _days;

    /// <inheritdoc />
    public void OnBar(in Bar bar)
    {
        // Symbols are interned (one instance per ticker and asset class), so another instance is another symbol: the
        // other symbols' bars cost a reference comparison, not Equals' ticker comparison.
        if (!ReferenceEquals(bar.Symbol, Symbol))
        {
            return;
        }

        FirstPrice ??= bar.Open;
        var t = bar.End;
        if (t >= _dateEndUtc)
        {
            var date = DateOnly.FromDateTime(_calendar.ToExchangeTime(t));
            if (_days.Count == 0 || date > _date)
            {
                _date = date;
                _dateEndUtc = _calendar.ToUtc(date.AddDays(1).ToDateTime(TimeOnly.MinValue));
                _days.Add((date, bar.Close));
                return;
            }
        }

        CollectionsMarshal.AsSpan(_days)[^1] = (_date, bar.Close);
    }

    /// <summary>
    /// <c>B_1 … B_N</c> for the run's dates: the last close on or before each date (<c>B_0</c> before the first bar);
    /// null when the benchmark had no bar.
    /// </summary>
    public decimal[]? AlignedTo(IReadOnlyList<DailyEquity> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        if (FirstPrice is not { } first)
        {
            return null;
        }

        var aligned = new decimal[days.Count];
        var last = first;
        var j = 0;
        for (var i = 0; i < aligned.Length; i++)
        {
            while (j < _days.Count && _days[j].Date <= days[i].Date)
            {
                last = _days[j].Close;
                j++;
            }

            aligned[i] = last;
        }

        return aligned;
    }
}
