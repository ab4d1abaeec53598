using System.Globalization;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Engine;

/// <summary>Why a bar lies outside the hours a run trades.</summary>
public enum OutsideSessionKind
{
    /// <summary>The bar's exchange date has no session at all (a weekend or an exchange holiday).</summary>
    ClosedDay,

    /// <summary>
    /// A trading day, but outside even the extended hours (e.g. 02:00 or 21:00 New York time for US equities): often a
    /// time-zone mistake in the data.
    /// </summary>
    OutsideHours,

    /// <summary>
    /// Pre-market or after-hours of a trading day while <c>market_hours.extended_hours</c> is off. Normal for LEAN
    /// minute files and most intraday downloads, which include 04:00–20:00.
    /// </summary>
    ExtendedHours,
}

/// <summary>
/// Tallies the bars a run leaves out because they lie outside its sessions, so the user is told once, at the end, what
/// was left out and where (<c>data.bars.outside_session</c>), instead of a line per bar or nothing at all.
/// </summary>
/// <remarks>
/// Only the drop paths call <see cref="Add"/>; a bar inside the hours never reaches it, so the cost of a clean run is
/// nil. Not thread-safe: the engine and the resampler feeding it run on one thread.
/// </remarks>
public sealed class OutsideSessionBars
{
    /// <summary>How many distinct exchange dates each kind keeps as examples.</summary>
    public const int MaxDates = 5;

    private readonly Group[] _groups = [new(), new(), new()];
    private IMarketCalendar? _cachedCalendar;
    private TradingSession? _cachedSession;

    /// <summary>Creates a tally for a run that trades extended hours (<paramref name="extendedHours"/>) or only the regular session.</summary>
    public OutsideSessionBars(bool extendedHours) => ExtendedHours = extendedHours;

    /// <summary>True when the run trades pre-market and after-hours (then no bar is of kind <see cref="OutsideSessionKind.ExtendedHours"/>).</summary>
    public bool ExtendedHours { get; }

    /// <summary>Bars left out, every kind.</summary>
    public long Count => _groups[0].Count + _groups[1].Count + _groups[2].Count;

    /// <summary>The bars of one kind.</summary>
    public Group this[OutsideSessionKind kind] => _groups[(int)kind];

    /// <summary>
    /// An independent copy of the tally so far: runs that share bars read once (a parameter sweep) each start from what
    /// reading them left out, and add their own.
    /// </summary>
    public OutsideSessionBars Copy()
    {
        var copy = new OutsideSessionBars(ExtendedHours);
        for (var i = 0; i < _groups.Length; i++)
        {
            _groups[i].CopyTo(copy._groups[i]);
        }

        return copy;
    }

    /// <summary>Records a bar that was left out because it starts outside the run's hours on <paramref name="calendar"/>.</summary>
    public void Add(in Bar bar, IMarketCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var start = bar.Start;
        DateOnly date;
        OutsideSessionKind kind;

        // Extended-hours bars come in runs of hundreds a day: one lookup per session, not per bar.
        var session = ReferenceEquals(calendar, _cachedCalendar) && _cachedSession is { } s && s.Contains(start, extendedHours: true)
            ? s
            : calendar.SessionAt(start, extendedHours: true);
        if (session is not null)
        {
            _cachedCalendar = calendar;
            _cachedSession = session;
            date = session.Date;
            kind = ExtendedHours || session.Contains(start, extendedHours: false) ? OutsideSessionKind.OutsideHours : OutsideSessionKind.ExtendedHours;
        }
        else
        {
            date = DateOnly.FromDateTime(calendar.ToExchangeTime(start));
            kind = calendar.GetSession(date) is null ? OutsideSessionKind.ClosedDay : OutsideSessionKind.OutsideHours;
        }

        _groups[(int)kind].Add(bar.Symbol, date);
    }

    /// <summary>
    /// Logs what was left out, once: a warning (<c>data.bars.outside_session</c>) for bars on closed days and bars
    /// outside even the extended hours, and an information line for pre-market and after-hours bars of a run on
    /// regular hours (expected with most intraday data). Nothing when no bar was left out.
    /// </summary>
    public void Log(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var closed = this[OutsideSessionKind.ClosedDay];
        var outside = this[OutsideSessionKind.OutsideHours];
        var extended = this[OutsideSessionKind.ExtendedHours];
        if ((closed.Count > 0 || outside.Count > 0) && logger.IsEnabled(LogLevel.Warning))
        {
            var parts = new List<string>(2);
            if (closed.Count > 0)
            {
                parts.Add(closed.Describe("dated on days with no session (weekend or holiday)"));
            }

            if (outside.Count > 0)
            {
                parts.Add(outside.Describe(ExtendedHours ? "outside the session's hours" : "outside even the extended hours (check the data's time zone)"));
            }

            logger.LogWarning(
                EngineEvents.BarsOutsideSession,
                "{Count} bar(s) left out, not traded: {Detail}",
                closed.Count + outside.Count,
                string.Join(" | ", parts));
        }

        if (extended.Count > 0 && logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation(
                EngineEvents.BarsOutsideSession,
                "{Count} pre-market/after-hours bar(s) left out, as market_hours.extended_hours is off: {Detail}",
                extended.Count,
                extended.Describe(null));
        }
    }

    /// <summary>The bars of one <see cref="OutsideSessionKind"/>.</summary>
    public sealed class Group
    {
        private readonly List<(DateOnly Date, long Bars)> _dates = [];
        private readonly SortedDictionary<Symbol, long> _bySymbol = [];

        /// <summary>Bars of this kind.</summary>
        public long Count { get; private set; }

        /// <summary>The first <see cref="MaxDates"/> distinct exchange dates (in the order met) with their bar counts.</summary>
        public IReadOnlyList<(DateOnly Date, long Bars)> FirstDates => _dates;

        /// <summary>Bars of this kind per symbol, in symbol order.</summary>
        public IReadOnlyDictionary<Symbol, long> BySymbol => _bySymbol;

        /// <summary>Distinct dates met beyond <see cref="FirstDates"/> are not kept; this says whether there were any.</summary>
        public bool MoreDates { get; private set; }

        internal void CopyTo(Group target)
        {
            target.Count = Count;
            target.MoreDates = MoreDates;
            target._dates.AddRange(_dates);
            foreach (var (symbol, bars) in _bySymbol)
            {
                target._bySymbol[symbol] = bars;
            }
        }

        internal void Add(Symbol symbol, DateOnly date)
        {
            Count++;
            _bySymbol[symbol] = _bySymbol.GetValueOrDefault(symbol) + 1;
            for (var i = _dates.Count - 1; i >= 0; i--)
            {
                if (_dates[i].Date == date)
                {
                    _dates[i] = (date, _dates[i].Bars + 1);
                    return;
                }
            }

            if (_dates.Count < MaxDates)
            {
                _dates.Add((date, 1));
            }
            else
            {
                MoreDates = true;
            }
        }

        /// <summary>E.g. <c>10 dated on days with no session: 2020-01-20 (10); by symbol: SPY 10</c> (without the count and label when <paramref name="what"/> is null).</summary>
        internal string Describe(string? what)
        {
            var dates = string.Join(", ", _dates.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Date:yyyy-MM-dd} ({d.Bars})")));
            var symbols = string.Join(", ", _bySymbol.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key.Ticker} {kv.Value}")));
            var label = what is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"{Count} {what}: ");
            return $"{label}{dates}{(MoreDates ? " and later dates" : string.Empty)}; by symbol: {symbols}";
        }
    }
}
