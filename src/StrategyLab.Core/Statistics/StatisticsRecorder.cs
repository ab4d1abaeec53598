using System.Runtime.InteropServices;
using StrategyLab.Core.Accounting;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.CorporateActions;
using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;
using StrategyLab.Core.Execution;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// Collects what <see cref="PerformanceStatistics"/> needs while a run goes: the daily equity series (the last mark
/// of each exchange-local date of a calendar), the running peak and drawdowns (from every mark), exposure, round
/// trips' totals (not the trips: <see cref="TradeTally"/>) and fees. <see cref="OnEquity"/> is O(1) and allocation-free (the daily list grows once per date), so the
/// recorder can watch every slice of a long run. <see cref="Compute"/> may be called at any time, also mid-run.
/// It also follows each symbol's position for the per-symbol attribution and the trades' excursions (MAE/MFE, given
/// to the run folder's writer through <see cref="ITradeExcursions"/>), and a benchmark's daily closes.
/// </summary>
/// <remarks>Not thread-safe: call it from the engine's thread.</remarks>
public sealed class StatisticsRecorder : IRunRecorder, ITradeExcursions
{
    private readonly IMarketCalendar _calendar;
    // Grows with the run (a date adds one entry, the list doubles now and then): a year's capacity up front was a
    // third of a short run's allocation, which a sweep of many short runs pays in garbage collections.
    private readonly List<DailyEquity> _days = new(8);
    private readonly TradeTally _trades = new();
    private readonly SymbolActivity _activity = new();
    private RoundTrip? _lastTrip;
    private TradeExcursion _lastExcursion;

    // The current exchange-local date and the UTC instant it ends: a mark before that instant stays on this date,
    // so time zones are converted once per date, not per mark.
    private DateOnly _date;
    private DateTime _dateEndUtc = DateTime.MinValue;
    private DateTime _lastMarkUtc;
    private long _marks;
    private long _exposedMarks;
    private decimal _totalFees;
    private int _fills;

    // Drawdown state: the running peak (starting at the initial equity, day index 0), whether equity is below it,
    // the lowest equity since the peak, and the deepest / longest drawdowns closed so far.
    private decimal _peak;
    private DateTime _peakTimeUtc;
    private int _peakDayIndex;
    private bool _underwater;
    private decimal _trough;
    private decimal _maxDepth;
    private TimeSpan _longest;
    private int _longestDays;

    /// <summary>Creates a recorder for a run that starts with <paramref name="initialEquity"/>.</summary>
    /// <param name="initialEquity"><c>E_0</c>, the equity before the first mark (the portfolio's initial cash).</param>
    /// <param name="calendar">The calendar whose exchange-local dates cut the daily series (the run's primary calendar).</param>
    /// <exception cref="ArgumentOutOfRangeException">The initial equity is not positive.</exception>
    /// <param name="benchmark">The benchmark symbol whose daily closes to record (<see cref="Benchmark"/>); none when null.</param>
    public StatisticsRecorder(decimal initialEquity, IMarketCalendar calendar, Symbol? benchmark = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialEquity);
        ArgumentNullException.ThrowIfNull(calendar);
        InitialEquity = initialEquity;
        _calendar = calendar;
        _peak = initialEquity;
        Benchmark = benchmark is null ? null : new BenchmarkRecorder(benchmark, calendar);
    }

    /// <summary>
    /// The benchmark's recorder, fed with the run's bars; when the benchmark is not one of the run's symbols, give it
    /// the benchmark's bars (before or after the run: the series are aligned by date). Null without a benchmark.
    /// </summary>
    public BenchmarkRecorder? Benchmark { get; }

    /// <summary><c>E_0</c>.</summary>
    public decimal InitialEquity { get; }

    /// <summary>The calendar that cuts the daily series.</summary>
    public IMarketCalendar Calendar => _calendar;

    /// <summary>
    /// The last mark of each exchange-local date so far, oldest first. The last entry is the current date and changes
    /// with every further mark on that date.
    /// </summary>
    public IReadOnlyList<DailyEquity> DailyEquity => _days;

    /// <summary>
    /// Closed round trips seen. The trips themselves are not kept (the statistics add them up as they close; the run
    /// folder's <c>trades.csv</c> has each one): a recorder that needs them keeps them.
    /// </summary>
    public int RoundTripCount => _trades.Count;

    /// <summary>Equity marks received.</summary>
    public long MarkCount => _marks;

    /// <summary>Marks at which at least one position was open.</summary>
    public long ExposedMarkCount => _exposedMarks;

    /// <summary>Σ commission of every fill received.</summary>
    public decimal TotalFees => _totalFees;

    /// <summary>Fills received.</summary>
    public int FillCount => _fills;

    /// <summary>The equity of the last mark (<see cref="InitialEquity"/> before the first).</summary>
    public decimal LastEquity => _days.Count == 0 ? InitialEquity : _days[^1].Equity;

    /// <summary>The drawdowns so far; an unrecovered drawdown counts up to the last mark.</summary>
    public DrawdownSummary Drawdown
    {
        get
        {
            var longest = _longest;
            var days = _longestDays;
            var recovered = true;
            if (_underwater)
            {
                var open = _lastMarkUtc - _peakTimeUtc;
                if (open > longest)
                {
                    longest = open;
                    days = _days.Count - _peakDayIndex;
                    recovered = false;
                }
            }

            return new DrawdownSummary(_maxDepth, longest, days, recovered);
        }
    }

    /// <inheritdoc />
    public void OnBar(in Bar bar)
    {
        Benchmark?.OnBar(bar);
        _activity.OnBar(bar);
    }

    /// <inheritdoc />
    public void OnOrderEvent(in OrderEvent orderEvent)
    {
        if (orderEvent.Fill is { } fill)
        {
            _totalFees += fill.Commission;
            _fills++;
            _activity.OnFill(fill, _marks);
        }
    }

    /// <inheritdoc />
    public void OnRoundTrip(RoundTrip trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        var excursion = _activity.OnRoundTrip(trip);
        _trades.Add(trip, excursion);
        _lastTrip = trip;
        _lastExcursion = excursion;
    }

    /// <inheritdoc />
    public void OnCorporateAction(AppliedCorporateAction applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        _activity.OnCorporateAction(applied, _marks);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Known for the trip closed last (the writer and the report ask while the trip is being recorded, after this
    /// recorder saw it); null for any other: excursions are not kept per trip.
    /// </remarks>
    public TradeExcursion? ExcursionOf(RoundTrip trip) => ReferenceEquals(trip, _lastTrip) ? _lastExcursion : null;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The mark is older than the previous one.</exception>
    public void OnEquity(in EquityPoint point)
    {
        var t = point.TimeUtc;
        if (_marks == 0)
        {
            _peakTimeUtc = t; // the initial equity counts as a peak at the first mark
        }
        else if (t < _lastMarkUtc)
        {
            throw new ArgumentException($"Equity mark at {t:O} is older than the previous mark at {_lastMarkUtc:O}.", nameof(point));
        }

        if (t >= _dateEndUtc)
        {
            StartDate(t);
        }

        _lastMarkUtc = t;
        _marks++;
        if (point.OpenPositions > 0)
        {
            _exposedMarks++;
        }

        var equity = point.Equity;
        CollectionsMarshal.AsSpan(_days)[^1] = new DailyEquity(_date, t, equity);
        TrackDrawdown(t, equity);
    }

    /// <summary>Computes the statistics of everything recorded so far.</summary>
    /// <param name="options">Risk-free rate; <see cref="StatisticsOptions.Default"/> when null.</param>
    public PerformanceStatistics Compute(StatisticsOptions? options = null)
    {
        var daily = new decimal[_days.Count];
        for (var i = 0; i < daily.Length; i++)
        {
            daily[i] = _days[i].Equity;
        }

        var exposure = _marks == 0 ? 0.0 : (double)_exposedMarks / _marks;
        options ??= StatisticsOptions.Default;
        return PerformanceStatistics.FromTotals(InitialEquity, daily, Drawdown, _trades, _totalFees, exposure, options) with
        {
            RollingSharpeDays = options.RollingSharpeDays,
            Benchmark = BenchmarkOf(daily, options.RiskFreeRate),
            Quality = TradeQuality.Of(_trades),
            Attribution = _activity.Attribution(_marks),
        };
    }

    /// <summary>
    /// The equity of each date with the benchmark held from the start beside it and the rolling Sharpe ratio
    /// (<see cref="DailySeries"/>).
    /// </summary>
    /// <param name="options">Risk-free rate and rolling window; <see cref="StatisticsOptions.Default"/> when null.</param>
    public DailySeries Daily(StatisticsOptions? options = null)
    {
        options ??= StatisticsOptions.Default;
        var equity = new decimal[_days.Count];
        for (var i = 0; i < equity.Length; i++)
        {
            equity[i] = _days[i].Equity;
        }

        var sharpe = DailySeries.RollingSharpe(InitialEquity, equity, options.RollingSharpeDays, options.RiskFreeRate);
        var benchmark = Benchmark?.AlignedTo(_days);
        var first = Benchmark?.FirstPrice ?? 0m;
        var points = new DailyPoint[equity.Length];
        for (var i = 0; i < points.Length; i++)
        {
            decimal? b = benchmark is null || first <= 0 ? null : InitialEquity * benchmark[i] / first;
            points[i] = new DailyPoint(_days[i].Date, _days[i].LastMarkUtc, equity[i], b, sharpe[i]);
        }

        return new DailySeries(options.RollingSharpeDays, Benchmark?.Symbol.Ticker, points);
    }

    private BenchmarkStatistics? BenchmarkOf(decimal[] daily, double riskFreeRate)
    {
        if (Benchmark is null)
        {
            return null;
        }

        var aligned = Benchmark.AlignedTo(_days);
        return aligned is null || Benchmark.FirstPrice is not { } first
            ? BenchmarkStatistics.Empty(Benchmark.Symbol.Ticker)
            : BenchmarkStatistics.Compute(Benchmark.Symbol.Ticker, InitialEquity, daily, first, aligned, riskFreeRate);
    }

    private void StartDate(DateTime t)
    {
        _date = DateOnly.FromDateTime(_calendar.ToExchangeTime(t));

        // Local midnight of the next date; where a DST change skips midnight, ToUtc maps forward to the date's first instant.
        _dateEndUtc = _calendar.ToUtc(_date.AddDays(1).ToDateTime(TimeOnly.MinValue));
        _days.Add(new DailyEquity(_date, t, 0m));
    }

    private void TrackDrawdown(DateTime t, decimal equity)
    {
        if (DecimalCompare.GreaterOrEqual(equity, _peak))
        {
            if (_underwater)
            {
                // Recovered: the drawdown ran from the peak mark to this one.
                _underwater = false;
                var span = t - _peakTimeUtc;
                if (span > _longest)
                {
                    _longest = span;
                    _longestDays = _days.Count - _peakDayIndex;
                }
            }

            _peak = equity;
            _peakTimeUtc = t;
            _peakDayIndex = _days.Count;
            return;
        }

        // Below the peak: the depth can only grow at a new trough, so divide only then.
        if (!_underwater || DecimalCompare.Less(equity, _trough))
        {
            _underwater = true;
            _trough = equity;
            var depth = (_peak - equity) / _peak;
            if (depth > _maxDepth)
            {
                _maxDepth = depth;
            }
        }
    }
}
