using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// The equity marks of a run, streamed once: downsampled for the chart (the equity at the end of each bucket, the
/// deepest drawdown in it), and the last mark of every exchange-local date for the daily and monthly returns.
/// </summary>
/// <remarks>
/// A mark costs a few comparisons: marks that fall in the same bucket of the ladders' current step are merged here and
/// reach the ladders as one candle when the next bucket starts (or when the series is read), which gives the ladders
/// exactly what adding each mark would. The drawdown <c>(equity − peak) / peak</c> only falls as the equity falls
/// while the peak holds, so it is divided once for the lowest equity of each stretch under one peak in a bucket, not
/// for every mark. The drawdown candles carry that deepest value in all four prices (the page reads the low).
/// </remarks>
internal sealed class EquitySeries
{
    private readonly List<(DateOnly Date, decimal Equity)> _daily = [];
    private readonly CandleLadder _equity;
    private readonly CandleLadder _drawdown;
    private decimal _peak;

    // Exchange-local ticks of midnight of the newest daily close's date.
    private long _dayStartTicks;
    private decimal _maxDrawdown;

    // The bucket being filled: its key at the ladders' current step, the first and last marks, the equity's range.
    private bool _pending;
    private long _pendingKey;
    private DateTimeOffset _first;
    private DateTimeOffset _last;
    private decimal _open;
    private decimal _high;
    private decimal _low;
    private decimal _close;

    // The deepest drawdown of the bucket so far, and the marks under the current peak not yet divided (their lowest equity).
    private bool _hasDrawdown;
    private decimal _drawdownLow;
    private bool _underPeak;
    private decimal _lowestUnderPeak;

    public EquitySeries(decimal? startEquity, int limit)
    {
        StartEquity = startEquity;
        _peak = startEquity ?? 0m;
        _equity = new CandleLadder(limit);
        _drawdown = new CandleLadder(limit);
    }

    /// <summary><c>E_0</c>: the summary's start equity, or the first mark's equity when there is no summary.</summary>
    public decimal? StartEquity { get; private set; }

    /// <summary>Equity: a candle per bucket (the chart uses its close).</summary>
    public CandleLadder Equity
    {
        get
        {
            Flush();
            return _equity;
        }
    }

    /// <summary>Drawdown from the running peak, a fraction ≤ 0: a candle per bucket (the chart uses its low).</summary>
    public CandleLadder Drawdown
    {
        get
        {
            Flush();
            return _drawdown;
        }
    }

    /// <summary>The equity at the last mark of each exchange-local date, oldest first.</summary>
    public IReadOnlyList<(DateOnly Date, decimal Equity)> DailyCloses => _daily;

    /// <summary>Marks read.</summary>
    public long Marks { get; private set; }

    /// <summary>The deepest drawdown over all marks (a fraction ≥ 0).</summary>
    public decimal MaxDrawdown
    {
        get
        {
            Flush();
            return _maxDrawdown;
        }
    }

    public void Add(DateTimeOffset time, decimal equity)
    {
        if (StartEquity is null)
        {
            StartEquity = equity;
            _peak = equity;
        }

        Marks++;
        var local = time.DateTime.Ticks;
        var step = CandleLadder.Steps[_equity.Level];
        long key;
        if (_pending && local >= _pendingKey && local - _pendingKey < step)
        {
            key = _pendingKey; // the bucket being filled (nearly every mark): no division
        }
        else
        {
            key = local - (local % step);
            if (_pending && key != _pendingKey)
            {
                Flush(); // the ladders may move up a step here: the key is taken again below
                step = CandleLadder.Steps[_equity.Level];
                key = local - (local % step);
            }
        }

        if (!_pending)
        {
            _pending = true;
            _pendingKey = key;
            _first = _last = time;
            _open = _high = _low = _close = equity;
        }
        else
        {
            // As CandleLadder merges: the earliest mark opens, the latest closes.
            if (time.UtcTicks < _first.UtcTicks)
            {
                _first = time;
                _open = equity;
            }

            if (time.UtcTicks >= _last.UtcTicks)
            {
                _last = time;
                _close = equity;
            }

            _high = Math.Max(_high, equity);
            _low = Math.Min(_low, equity);
        }

        if (equity >= _peak)
        {
            EndUnderPeak();
            _peak = equity;
            AddDrawdown(0m); // (equity − peak) / peak at a new peak
        }
        else if (!_underPeak)
        {
            _underPeak = true;
            _lowestUnderPeak = equity;
        }
        else if (equity < _lowestUnderPeak)
        {
            _lowestUnderPeak = equity;
        }

        if (_daily.Count > 0 && local - _dayStartTicks is >= 0 and < TimeSpan.TicksPerDay)
        {
            _daily[^1] = (_daily[^1].Date, equity); // the last mark's date (nearly every mark): no division
            return;
        }

        var date = DateOnly.FromDateTime(time.DateTime);
        if (_daily.Count > 0 && _daily[^1].Date == date)
        {
            _daily[^1] = (date, equity);
        }
        else
        {
            _daily.Add((date, equity));
        }

        _dayStartTicks = local - (local % TimeSpan.TicksPerDay);
    }

    /// <summary>Hands the bucket being filled to the ladders.</summary>
    private void Flush()
    {
        if (!_pending)
        {
            return;
        }

        EndUnderPeak();
        _equity.Add(_first, _last, _open, _high, _low, _close, 0, -1);
        _drawdown.Add(_first, _last, _drawdownLow, _drawdownLow, _drawdownLow, _drawdownLow, 0, -1);
        _pending = false;
        _hasDrawdown = false;
    }

    /// <summary>
    /// Divides once for the marks under the current peak in this bucket: the lowest equity gives the deepest drawdown
    /// (the division is monotonic).
    /// </summary>
    private void EndUnderPeak()
    {
        if (!_underPeak)
        {
            return;
        }

        _underPeak = false;
        AddDrawdown(_peak > 0 ? (_lowestUnderPeak - _peak) / _peak : 0m);
    }

    private void AddDrawdown(decimal drawdown)
    {
        _maxDrawdown = Math.Max(_maxDrawdown, -drawdown);
        _drawdownLow = _hasDrawdown ? Math.Min(_drawdownLow, drawdown) : drawdown;
        _hasDrawdown = true;
    }
}
