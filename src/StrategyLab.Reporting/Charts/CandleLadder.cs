using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace StrategyLab.Reporting.Charts;

/// <summary>One candle of a <see cref="CandleLadder"/>: a time bucket of exchange-local wall time and the OHLCV of the bars in it.</summary>
internal struct Candle
{
    /// <summary>Start of the bucket: exchange-local wall-clock ticks.</summary>
    public long Key;

    // The start and end as UTC ticks and offset ticks: a bar merged in compares ticks and copies two longs, no
    // DateTimeOffset is made (nor its offset validated) per bar.
    public long StartUtcTicks;
    public long StartOffsetTicks;
    public long EndUtcTicks;
    public long EndOffsetTicks;

    public decimal Open;
    public decimal High;
    public decimal Low;
    public decimal Close;
    public decimal Volume;

    /// <summary>Sum of the bars' trade counts; −1 when some bar had none.</summary>
    public long Trades;

    /// <summary>Start of the earliest bar merged in (it gives the open), with its exchange offset.</summary>
    public readonly DateTimeOffset Start => new(StartUtcTicks + StartOffsetTicks, new TimeSpan(StartOffsetTicks));

    /// <summary>End of the latest bar merged in (it gives the close), with its exchange offset.</summary>
    public readonly DateTimeOffset End => new(EndUtcTicks + EndOffsetTicks, new TimeSpan(EndOffsetTicks));
}

/// <summary>
/// Downsamples a bar series to at most <see cref="Limit"/> candles, online and in bounded memory: bars are bucketed by
/// exchange-local wall time on a ladder of nested bucket lengths (1s, 5s, 15s, 30s, 1m, 5m, 15m, 30m, 1h, 4h, 1d,
/// 1w); whenever the candles outnumber the limit, the ladder moves up one step and neighbouring candles merge. The
/// result is the finest step that fits the limit, exactly as if the whole series had been bucketed at that step
/// (every step's buckets nest in the next one's). Weeks start on Monday (tick 0 of <see cref="DateTime"/> is a
/// Monday); days and longer steps start at exchange-local midnight.
/// </summary>
/// <remarks>Adding a bar in time order is O(1) and does not allocate (beyond the list growing up to the limit:
/// <see cref="BoundedListGrowth"/>).</remarks>
internal sealed class CandleLadder
{
    /// <summary>The bucket lengths, in ticks, finest first; each divides the next.</summary>
    public static readonly long[] Steps =
    [
        TimeSpan.TicksPerSecond,
        5 * TimeSpan.TicksPerSecond,
        15 * TimeSpan.TicksPerSecond,
        30 * TimeSpan.TicksPerSecond,
        TimeSpan.TicksPerMinute,
        5 * TimeSpan.TicksPerMinute,
        15 * TimeSpan.TicksPerMinute,
        30 * TimeSpan.TicksPerMinute,
        TimeSpan.TicksPerHour,
        4 * TimeSpan.TicksPerHour,
        TimeSpan.TicksPerDay,
        7 * TimeSpan.TicksPerDay,
    ];

    private readonly List<Candle> _candles = [];
    private long _longestInputTicks;

    // Steps[Level] and the newest candle's key (long.MinValue when there is none), kept by CacheNewest.
    private long _step = Steps[0];
    private long _newestKey = long.MinValue;

    /// <summary>Creates an empty ladder that keeps at most <paramref name="limit"/> candles (unless the last step still has more).</summary>
    public CandleLadder(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
    }

    /// <summary>The most candles kept.</summary>
    public int Limit { get; }

    /// <summary>Index into <see cref="Steps"/> of the current bucket length.</summary>
    public int Level { get; private set; }

    /// <summary>The current bucket length.</summary>
    public TimeSpan Step => TimeSpan.FromTicks(Steps[Level]);

    /// <summary>Bars (or candles) added.</summary>
    public long BarsAdded { get; private set; }

    /// <summary>The longest input bar (end − start) seen.</summary>
    public TimeSpan LongestInput => new(_longestInputTicks);

    /// <summary>
    /// What one candle spans: the ladder step, or — when the input bars are longer than that (a file of bars already
    /// merged, a daily series) — the smallest step that holds the longest input bar.
    /// </summary>
    public TimeSpan CandleSpan
    {
        get
        {
            var step = Steps[Level];
            foreach (var s in Steps)
            {
                if (s >= LongestInput.Ticks)
                {
                    return TimeSpan.FromTicks(Math.Max(step, s));
                }
            }

            return TimeSpan.FromTicks(Math.Max(step, LongestInput.Ticks));
        }
    }

    /// <summary>The candles, oldest first.</summary>
    public IReadOnlyList<Candle> Candles => _candles;

    /// <summary>Adds a bar; it goes into the bucket of its start's exchange-local wall time.</summary>
    /// <param name="start">The bar's start, with its exchange's offset.</param>
    /// <param name="end">The bar's end, with its exchange's offset.</param>
    /// <param name="open">Open.</param>
    /// <param name="high">High.</param>
    /// <param name="low">Low.</param>
    /// <param name="close">Close.</param>
    /// <param name="volume">Volume.</param>
    /// <param name="trades">Trade count, or −1 when unknown.</param>
    public void Add(DateTimeOffset start, DateTimeOffset end, decimal open, decimal high, decimal low, decimal close, decimal volume, long trades) =>
        Add(start.UtcTicks, start.Offset.Ticks, end.UtcTicks, end.Offset.Ticks, open, high, low, close, volume, trades);

    /// <summary>
    /// <see cref="Add(DateTimeOffset, DateTimeOffset, decimal, decimal, decimal, decimal, decimal, long)"/> with the
    /// start and end as UTC ticks and exchange offsets in ticks (whole minutes), as a run's recorder has them: a bar
    /// in the newest candle's bucket (nearly every bar) costs a few comparisons, no division and no time value.
    /// </summary>
    public void Add(long startUtcTicks, long startOffsetTicks, long endUtcTicks, long endOffsetTicks, in decimal open, in decimal high, in decimal low, in decimal close, in decimal volume, long trades)
    {
        BarsAdded++;
        if (endUtcTicks - startUtcTicks > _longestInputTicks)
        {
            _longestInputTicks = endUtcTicks - startUtcTicks;
        }

        // The newest candle's bucket holds [Key, Key + step) (keys are multiples of the step): nearly every bar. Its key
        // and the step are kept in fields (_newestKey is long.MinValue while there is no candle, which no local time
        // is within a step of), so this path reads no list and no step table.
        var local = startUtcTicks + startOffsetTicks;
        if ((ulong)(local - _newestKey) < (ulong)_step)
        {
            Merge(ref CollectionsMarshal.AsSpan(_candles)[^1], startUtcTicks, startOffsetTicks, endUtcTicks, endOffsetTicks, open, high, low, close, volume, trades);
            return;
        }

        AddSlow(local, startUtcTicks, startOffsetTicks, endUtcTicks, endOffsetTicks, open, high, low, close, volume, trades);
    }

    /// <summary>A bar outside the newest candle's bucket: a new candle (or an older one), then coarsening past the limit.</summary>
    private void AddSlow(long local, long startUtcTicks, long startOffsetTicks, long endUtcTicks, long endOffsetTicks, in decimal open, in decimal high, in decimal low, in decimal close, in decimal volume, long trades)
    {
        var step = Steps[Level];
        var count = _candles.Count;
        var key = local - (local % step);
        if (count > 0 && key <= _candles[count - 1].Key)
        {
            var index = FindKey(key);
            if (index >= 0)
            {
                // In place: a candle is 128 bytes, copied out and back per bar otherwise.
                Merge(ref CollectionsMarshal.AsSpan(_candles)[index], startUtcTicks, startOffsetTicks, endUtcTicks, endOffsetTicks, open, high, low, close, volume, trades);
                return;
            }

            // Out of order and in a bucket of its own (never the case for an engine's bars): insert in place.
            _candles.Insert(~index, New(key, startUtcTicks, startOffsetTicks, endUtcTicks, endOffsetTicks, open, high, low, close, volume, trades));
        }
        else
        {
            // The list never holds more than Limit + 1 candles (one past the limit coarsens at once): it stops there
            // rather than doubling to the next power of two (10,001 candles are 1.3 MB; 16,384 would be 2.1 MB), and
            // goes there in one step once doubling would reach the large-object heap.
            BoundedListGrowth.BeforeAdd(_candles, Limit);

            _candles.Add(New(key, startUtcTicks, startOffsetTicks, endUtcTicks, endOffsetTicks, open, high, low, close, volume, trades));
        }

        while (_candles.Count > Limit && Level < Steps.Length - 1)
        {
            Coarsen();
        }

        CacheNewest();
    }

    /// <summary>Caches the step and the newest candle's key for <see cref="Add(long, long, long, long, in decimal, in decimal, in decimal, in decimal, in decimal, long)"/>'s first test.</summary>
    private void CacheNewest()
    {
        _step = Steps[Level];
        _newestKey = _candles.Count > 0 ? _candles[^1].Key : long.MinValue;
    }

    /// <summary>
    /// Makes room for <paramref name="candles"/> candles (at most <see cref="Limit"/> + 1) when the caller knows how many
    /// it will add: a list filled by doubling leaves as much again in discarded arrays, all on the large-object heap.
    /// </summary>
    public void Reserve(int candles)
    {
        var wanted = (int)Math.Min(candles, Limit + 1L);
        if (wanted > _candles.Capacity)
        {
            _candles.Capacity = wanted;
        }
    }

    /// <summary>This ladder when it has at most <paramref name="limit"/> candles, else a copy moved up the ladder until it fits.</summary>
    /// <param name="limit">The most candles the copy keeps.</param>
    /// <param name="reuse">
    /// A ladder of that limit no longer needed (a previous copy): emptied and filled as the copy, so that its list is not
    /// allocated again (a 6,000-candle list is 770 KB on the large-object heap). Ignored when null, this ladder itself,
    /// or of another limit.
    /// </param>
    public CandleLadder Coarsened(int limit, CandleLadder? reuse = null)
    {
        if (_candles.Count <= limit)
        {
            return this;
        }

        CandleLadder smaller;
        if (reuse is not null && reuse != this && reuse.Limit == limit)
        {
            smaller = reuse;
            smaller._candles.Clear();
            smaller.Level = Level;
        }
        else
        {
            smaller = new CandleLadder(limit) { Level = Level };
        }

        smaller.CacheNewest();

        foreach (var c in _candles)
        {
            smaller.Add(c.StartUtcTicks, c.StartOffsetTicks, c.EndUtcTicks, c.EndOffsetTicks, c.Open, c.High, c.Low, c.Close, c.Volume, c.Trades);
        }

        smaller.BarsAdded = BarsAdded;
        smaller._longestInputTicks = _longestInputTicks;
        return smaller;
    }

    /// <summary>The index of the candle that holds <paramref name="localTicks"/>, or of the last candle before it; −1 when it precedes every candle.</summary>
    public int IndexAtOrBefore(long localTicks)
    {
        int lo = 0, hi = _candles.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_candles[mid].Key <= localTicks)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    private int FindKey(long key)
    {
        int lo = 0, hi = _candles.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var k = _candles[mid].Key;
            if (k == key)
            {
                return mid;
            }

            if (k < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return ~lo;
    }

    private void Coarsen()
    {
        Level++;
        var step = Steps[Level];
        var write = -1;
        for (var read = 0; read < _candles.Count; read++)
        {
            var c = _candles[read];
            var key = c.Key - (c.Key % step);
            if (write >= 0 && _candles[write].Key == key)
            {
                Merge(ref CollectionsMarshal.AsSpan(_candles)[write], c.StartUtcTicks, c.StartOffsetTicks, c.EndUtcTicks, c.EndOffsetTicks, c.Open, c.High, c.Low, c.Close, c.Volume, c.Trades);
            }
            else
            {
                c.Key = key;
                _candles[++write] = c;
            }
        }

        _candles.RemoveRange(write + 1, _candles.Count - write - 1);
    }

    private static Candle New(long key, long startUtcTicks, long startOffsetTicks, long endUtcTicks, long endOffsetTicks, in decimal open, in decimal high, in decimal low, in decimal close, in decimal volume, long trades) => new()
    {
        Key = key,
        StartUtcTicks = startUtcTicks,
        StartOffsetTicks = startOffsetTicks,
        EndUtcTicks = endUtcTicks,
        EndOffsetTicks = endOffsetTicks,
        Open = open,
        High = high,
        Low = low,
        Close = close,
        Volume = volume,
        Trades = trades,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(ref Candle c, long startUtcTicks, long startOffsetTicks, long endUtcTicks, long endOffsetTicks, in decimal open, in decimal high, in decimal low, in decimal close, in decimal volume, long trades)
    {
        if (startUtcTicks < c.StartUtcTicks)
        {
            c.StartUtcTicks = startUtcTicks;
            c.StartOffsetTicks = startOffsetTicks;
            c.Open = open;
        }

        if (endUtcTicks >= c.EndUtcTicks)
        {
            c.EndUtcTicks = endUtcTicks;
            c.EndOffsetTicks = endOffsetTicks;
            c.Close = close;
        }

        // Math.Max and Math.Min exactly (a tie keeps the high, takes the new low: the same value, maybe another scale),
        // written only when they change.
        // (DecimalFast: the operators' results on 64-bit mantissas, without aligning scales in 96 bits; a bar of the
        // candle's scale, nearly every one, is a comparison of mantissas inlined here and the volume's mantissa added
        // in place, no decimal built.)
        if (DecimalFast.LessInline(c.High, high))
        {
            c.High = high;
        }

        if (!DecimalFast.LessInline(c.Low, low))
        {
            c.Low = low;
        }

        DecimalFast.AddTo(ref c.Volume, volume);
        c.Trades = c.Trades < 0 || trades < 0 ? -1 : c.Trades + trades;
    }
}
