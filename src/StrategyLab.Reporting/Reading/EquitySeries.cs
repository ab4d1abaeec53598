using StrategyLab.Reporting.Charts;

namespace StrategyLab.Reporting.Reading;

/// <summary>
/// The equity marks of a run, streamed once: downsampled for the chart (the equity at the end of each bucket, the
/// deepest drawdown in it), and the last mark of every exchange-local date for the daily and monthly returns.
/// </summary>
/// <remarks>
/// <para>
/// A mark costs a few comparisons: marks that fall in the same bucket of the ladders' current step are merged here and
/// reach the ladders as one candle when the next bucket starts (or when the series is read), which gives the ladders
/// exactly what adding each mark would. The drawdown <c>(equity − peak) / peak</c> only falls as the equity falls
/// while the peak holds, so it is divided once for the lowest equity of each stretch under one peak in a bucket, not
/// for every mark. The drawdown candles carry that deepest value in all four prices (the page reads the low).
/// </para>
/// <para>
/// The values are held as <see cref="ArtifactUnits"/> (10⁻¹⁰ in a long) while they fit, so a mark is compared as an
/// integer and rounded without a decimal being made: the artifact rounding is monotone, so the open, high, low, close,
/// peak and lowest of rounded marks are the rounded ones of the marks, and the decimals made from units when a bucket,
/// a date or a stretch ends are the ones rounding each mark gave. A value that does not fit (a scale above 10 read from
/// a file, an equity past ~9 × 10⁸) moves the series, for good, to decimals.
/// </para>
/// </remarks>
internal sealed class EquitySeries
{
    private readonly List<(DateOnly Date, decimal Equity)> _daily = [];
    private readonly CandleLadder _equity;
    private readonly CandleLadder _drawdown;

    // Units while _inDecimals is false; the decimal fields below after.
    private bool _inDecimals;
    private decimal _peak;
    private long _peakUnits;

    // True while the peak is the start equity as given (no mark reached it): divided by as it came, whatever its scale.
    private bool _peakIsStart;

    // Exchange-local ticks of midnight of the newest daily close's date, and (units) that date's last mark not yet in _daily.
    private long _dayStartTicks;
    private bool _dailyPending;
    private long _dailyUnits;
    private decimal _maxDrawdown;

    // The bucket being filled: its key at the ladders' current step, the first and last marks (UTC and offset ticks),
    // the equity's range.
    private bool _pending;
    private long _pendingKey;
    private long _firstUtc;
    private long _firstOffset;
    private long _lastUtc;
    private long _lastOffset;
    private decimal _open;
    private decimal _high;
    private decimal _low;
    private decimal _close;
    private long _openUnits;
    private long _highUnits;
    private long _lowUnits;
    private long _closeUnits;

    // The deepest drawdown of the bucket so far, and the marks under the current peak not yet divided (their lowest equity).
    private bool _hasDrawdown;
    private decimal _drawdownLow;
    private bool _underPeak;
    private decimal _lowestUnderPeak;
    private long _lowestUnderPeakUnits;

    /// <summary>Creates an empty series.</summary>
    /// <param name="startEquity"><c>E_0</c>, the drawdown's first peak; null takes the first mark's.</param>
    /// <param name="limit">The most candles a ladder keeps.</param>
    /// <param name="decimalsOnly">Holds decimals from the start (tests compare both ways of holding values).</param>
    public EquitySeries(decimal? startEquity, int limit, bool decimalsOnly = false)
    {
        StartEquity = startEquity;
        _peak = startEquity ?? 0m;
        _peakIsStart = startEquity is not null;
        if (decimalsOnly || !ArtifactUnits.TryFrom(_peak, round: false, out _peakUnits))
        {
            _inDecimals = true;
        }

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
    public IReadOnlyList<(DateOnly Date, decimal Equity)> DailyCloses
    {
        get
        {
            FlushDaily();
            return _daily;
        }
    }

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

    /// <summary>True once a value did not fit units and the series holds decimals (tests).</summary>
    internal bool InDecimals => _inDecimals;

    /// <summary>Adds a mark whose equity is as given (read from a file): no rounding.</summary>
    public void Add(DateTimeOffset time, decimal equity)
    {
        var utc = time.UtcTicks;
        var offset = time.Offset.Ticks;
        if (!_inDecimals && ArtifactUnits.TryFrom(equity, round: false, out var units))
        {
            AddUnits(utc, offset, units);
            return;
        }

        ToDecimals();
        AddDecimal(utc, offset, equity);
    }

    /// <summary>
    /// Adds a mark at <paramref name="utcTicks"/> (exchange offset <paramref name="offsetTicks"/>) whose equity is
    /// <paramref name="equity"/> rounded as the artifact files round it (<see cref="ArtifactValue.Of(decimal)"/>): what
    /// <see cref="Add(DateTimeOffset, decimal)"/> of the value read back from <c>equity.csv</c> gives, without making it.
    /// </summary>
    public void AddRounded(long utcTicks, long offsetTicks, in decimal equity)
    {
        if (!_inDecimals)
        {
            if (ArtifactUnits.TryFrom(equity, round: true, out var units) || ArtifactUnits.TryFrom(ArtifactValue.Of(equity), round: false, out units))
            {
                AddUnits(utcTicks, offsetTicks, units);
                return;
            }

            ToDecimals();
        }

        AddDecimal(utcTicks, offsetTicks, ArtifactValue.Of(equity));
    }

    private void AddUnits(long utc, long offset, long equity)
    {
        if (StartEquity is null)
        {
            StartEquity = ArtifactUnits.ToDecimal(equity);
            _peakUnits = equity;
        }

        Marks++;
        var local = utc + offset;
        if (!StartBucket(utc, offset, local))
        {
            // As CandleLadder merges: the earliest mark opens, the latest closes.
            if (utc < _firstUtc)
            {
                (_firstUtc, _firstOffset) = (utc, offset);
                _openUnits = equity;
            }

            if (utc >= _lastUtc)
            {
                (_lastUtc, _lastOffset) = (utc, offset);
                _closeUnits = equity;
            }

            if (equity > _highUnits)
            {
                _highUnits = equity;
            }

            if (equity < _lowUnits)
            {
                _lowUnits = equity;
            }
        }
        else
        {
            _openUnits = _highUnits = _lowUnits = _closeUnits = equity;
        }

        if (equity >= _peakUnits)
        {
            EndUnderPeak();
            _peakUnits = equity;
            _peakIsStart = false;
            AddZeroDrawdown(); // (equity − peak) / peak at a new peak
        }
        else if (!_underPeak)
        {
            _underPeak = true;
            _lowestUnderPeakUnits = equity;
        }
        else if (equity < _lowestUnderPeakUnits)
        {
            _lowestUnderPeakUnits = equity;
        }

        if (_dailyPending && local - _dayStartTicks is >= 0 and < TimeSpan.TicksPerDay)
        {
            _dailyUnits = equity; // the last mark's date (nearly every mark): no division
            return;
        }

        var date = DateOnly.FromDayNumber((int)(local / TimeSpan.TicksPerDay));
        FlushDaily();
        if (_daily.Count == 0 || _daily[^1].Date != date)
        {
            _daily.Add((date, 0m)); // its equity is written when the date's last mark is known (FlushDaily)
        }

        _dailyPending = true;
        _dailyUnits = equity;
        _dayStartTicks = local - (local % TimeSpan.TicksPerDay);
    }

    private void AddDecimal(long utc, long offset, decimal equity)
    {
        if (StartEquity is null)
        {
            StartEquity = equity;
            _peak = equity;
        }

        Marks++;
        var local = utc + offset;
        if (!StartBucket(utc, offset, local))
        {
            if (utc < _firstUtc)
            {
                (_firstUtc, _firstOffset) = (utc, offset);
                _open = equity;
            }

            if (utc >= _lastUtc)
            {
                (_lastUtc, _lastOffset) = (utc, offset);
                _close = equity;
            }

            _high = Math.Max(_high, equity);
            _low = Math.Min(_low, equity);
        }
        else
        {
            _open = _high = _low = _close = equity;
        }

        if (equity >= _peak)
        {
            EndUnderPeak();
            _peak = equity;
            AddZeroDrawdown();
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
            _daily[^1] = (_daily[^1].Date, equity);
            return;
        }

        var date = DateOnly.FromDayNumber((int)(local / TimeSpan.TicksPerDay));
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

    /// <summary>
    /// Puts the mark into the bucket being filled, or hands that bucket to the ladders and starts one with the mark
    /// (true: the caller sets the bucket's prices).
    /// </summary>
    private bool StartBucket(long utc, long offset, long local)
    {
        var step = CandleLadder.Steps[_equity.Level];
        if (_pending && local >= _pendingKey && local - _pendingKey < step)
        {
            return false; // the bucket being filled (nearly every mark): no division
        }

        var key = local - (local % step);
        if (_pending && key != _pendingKey)
        {
            Flush(); // the ladders may move up a step here: the key is taken again below
            step = CandleLadder.Steps[_equity.Level];
            key = local - (local % step);
        }

        if (_pending)
        {
            return false;
        }

        _pending = true;
        _pendingKey = key;
        (_firstUtc, _firstOffset) = (utc, offset);
        (_lastUtc, _lastOffset) = (utc, offset);
        return true;
    }

    /// <summary>Moves the series to decimals (a value did not fit units); nothing once there.</summary>
    private void ToDecimals()
    {
        if (_inDecimals)
        {
            return;
        }

        FlushDaily();
        _inDecimals = true;
        _peak = PeakDecimal();

        (_open, _high, _low, _close) = (ArtifactUnits.ToDecimal(_openUnits), ArtifactUnits.ToDecimal(_highUnits), ArtifactUnits.ToDecimal(_lowUnits), ArtifactUnits.ToDecimal(_closeUnits));
        _lowestUnderPeak = ArtifactUnits.ToDecimal(_lowestUnderPeakUnits);
    }

    /// <summary>Writes the newest date's last mark (held as units) into the daily closes.</summary>
    private void FlushDaily()
    {
        if (_dailyPending)
        {
            _daily[^1] = (_daily[^1].Date, ArtifactUnits.ToDecimal(_dailyUnits));
            _dailyPending = false;
        }
    }

    /// <summary>Hands the bucket being filled to the ladders.</summary>
    private void Flush()
    {
        if (!_pending)
        {
            return;
        }

        EndUnderPeak();
        if (!_inDecimals)
        {
            (_open, _high, _low, _close) = (ArtifactUnits.ToDecimal(_openUnits), ArtifactUnits.ToDecimal(_highUnits), ArtifactUnits.ToDecimal(_lowUnits), ArtifactUnits.ToDecimal(_closeUnits));
        }

        _equity.Add(_firstUtc, _firstOffset, _lastUtc, _lastOffset, _open, _high, _low, _close, 0, -1);
        _drawdown.Add(_firstUtc, _firstOffset, _lastUtc, _lastOffset, _drawdownLow, _drawdownLow, _drawdownLow, _drawdownLow, 0, -1);
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
        if (_inDecimals)
        {
            AddDrawdown(_peak > 0 ? (_lowestUnderPeak - _peak) / _peak : 0m);
            return;
        }

        var peak = PeakDecimal();
        AddDrawdown(_peakUnits > 0 ? (ArtifactUnits.ToDecimal(_lowestUnderPeakUnits) - peak) / peak : 0m);
    }

    /// <summary>The peak as a decimal: the start equity as given while no mark reached it, else the mark's.</summary>
    private decimal PeakDecimal() => _peakIsStart ? _peak : ArtifactUnits.ToDecimal(_peakUnits);

    /// <summary>
    /// <see cref="AddDrawdown"/> of 0 (a new peak) without decimal comparisons against another scale: the maximum
    /// drawdown (≥ 0) keeps its value, as Math.Max keeps its first argument on a tie; the bucket's low stays when below 0.
    /// </summary>
    private void AddZeroDrawdown()
    {
        if (!_hasDrawdown || !(_drawdownLow < 0m))
        {
            _drawdownLow = 0m;
        }

        _hasDrawdown = true;
    }

    private void AddDrawdown(decimal drawdown)
    {
        _maxDrawdown = Math.Max(_maxDrawdown, -drawdown);
        _drawdownLow = _hasDrawdown ? Math.Min(_drawdownLow, drawdown) : drawdown;
        _hasDrawdown = true;
    }
}
