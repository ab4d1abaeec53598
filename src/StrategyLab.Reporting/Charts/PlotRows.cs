using StrategyLab.Core.Domain;
using StrategyLab.Core.Engine;

namespace StrategyLab.Reporting.Charts;

/// <summary>
/// The rows of a buffered run's <c>plots.csv</c>, kept in the order they were plotted and bounded per series the way
/// the chart candles are (<see cref="CandleLadder"/>): while a series has at most <see cref="Limit"/> points every
/// point is kept; past that, the series moves up the candles' ladder of buckets (1s, 5s, … 1w, exchange-local wall
/// time) until it fits, keeping the <b>last</b> point of each bucket (a candle's close) at its place in the order. A
/// point belongs to the bucket of the instant before its time (the bar it was plotted at ends then), so a series
/// plotted at every bar keeps one point per candle of <c>chart_bars.csv</c>, at the candle's end.
/// </summary>
/// <remarks>
/// Memory is O(series × <see cref="Limit"/>) whatever the run's length (32 bytes a point). Each series keeps its own
/// points, and its newest point apart: a point in the newest one's bucket (nearly every point once the series is
/// bucketed) replaces it in place, so a point costs a look-up and a comparison, no row appended and dropped. Every
/// point carries its plotting sequence number, and <see cref="Points"/> puts the series' points back in that order.
/// Moving a series up a step walks its own points once, at most <see cref="CandleLadder.Steps"/> times a series.
/// </remarks>
internal sealed class PlotRows
{
    private readonly List<Series> _series = [];
    private readonly Dictionary<(string Name, Symbol? Symbol, PlotPane Pane), int> _ids = [];

    // The series met per symbol (slot: the symbol's dense id + 1, 0 for none), matched by reference before the
    // dictionary: a strategy plots with the same name string every bar, and hashing that string per point was a tenth
    // of a 10-symbol run's engine thread. Bounded per slot, so names built anew each bar fall back to the dictionary.
    private KnownSeries[][] _known = new KnownSeries[16][];

    // The series of the newest point (−1: none yet).
    private int _previousId = -1;

    /// <summary>Creates an empty buffer that keeps every point of a series up to <paramref name="limit"/> points.</summary>
    public PlotRows(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
    }

    /// <summary>The most points a series keeps before it is bucketed (unless the ladder's last step still has more).</summary>
    public int Limit { get; }

    /// <summary>Points added.</summary>
    public long Added { get; private set; }

    /// <summary>Points kept.</summary>
    public int Count => _series.Sum(s => s.Live);

    /// <summary>Adds a point at <paramref name="at"/> (the exchange-offset time it is written with).</summary>
    public void Add(DateTimeOffset at, in PlotPoint point) => Add(at.DateTime.Ticks, (short)at.TotalOffsetMinutes, point);

    /// <summary>Adds a point at the exchange-local time <paramref name="localTicks"/> with offset <paramref name="offsetMinutes"/> (no time value made per point).</summary>
    public void Add(long localTicks, short offsetMinutes, in PlotPoint point)
    {
        // A strategy plots its series in the same order every bar: the series that followed the previous point's last
        // time is tried first (three reference comparisons), before the per-symbol look-up.
        // The previous series and its follower are held as ids, not references: a reference store is a write-barrier
        // call, and the previous series changes at every point when a strategy plots several.
        var previous = _previousId >= 0 ? _series[_previousId] : null;
        var id = previous is not null && previous.NextId >= 0 && _series[previous.NextId] is var next
            && ReferenceEquals(next.Name, point.Series) && ReferenceEquals(next.Symbol, point.Symbol) && next.Pane == point.Pane
            ? previous.NextId
            : IdOf(point);
        var s = _series[id];
        if (previous is not null)
        {
            previous.NextId = id;
        }

        _previousId = id;
        var row = new Row(localTicks, point.Value, Added++, offsetMinutes);
        if (s.Level >= 0 && s.HasNewest)
        {
            // A point belongs to the bucket of the instant before its time (Bucket).
            var local = localTicks - 1;
            var step = CandleLadder.Steps[s.Level];
            if (local >= s.NewestKey && local - s.NewestKey < step)
            {
                s.Newest = row; // the newest point's bucket: it is replaced, the count of points stays
                return;
            }

            s.Keep(s.Newest, Limit);
            s.Newest = row;
            s.NewestKey = local - (local % step);
        }
        else
        {
            if (s.HasNewest)
            {
                s.Keep(s.Newest, Limit);
            }

            s.Newest = row;
            s.HasNewest = true;
            s.NewestKey = s.Level < 0 ? 0 : Bucket(localTicks, s.Level);
        }

        if (s.Live > Limit)
        {
            Coarsen(s);
        }
    }

    /// <summary>Points kept of <paramref name="point"/>'s series (its name, symbol and pane).</summary>
    public int KeptOf(in PlotPoint point) => TryFind(point, out var id) ? _series[id].Live : 0;

    /// <summary>The points kept, in the order they were plotted.</summary>
    /// <remarks>
    /// Each series holds its points in plotting order (those kept, then its newest), so the series are merged by
    /// sequence number through a heap of their next points, without a list of every point: the run folder's
    /// <c>plots.csv</c> and the report read the points at the same time at a run's end, and two such lists raised a
    /// 10-symbol run's peak working set by ~10 MB.
    /// </remarks>
    public IEnumerable<(DateTimeOffset At, PlotPoint Point)> Points()
    {
        var next = new int[_series.Count];
        var heap = new NextPoints(_series.Count);
        for (var id = 0; id < _series.Count; id++)
        {
            if (TryPoint(_series[id], 0, out var first))
            {
                heap.Push(id, first.Sequence);
            }
        }

        while (heap.Count > 0)
        {
            var id = heap.TopSeries;
            var s = _series[id];
            TryPoint(s, next[id]++, out var r);
            if (TryPoint(s, next[id], out var following))
            {
                heap.ReplaceTop(id, following.Sequence);
            }
            else
            {
                heap.Pop();
            }

            var at = r.At;
            yield return (at, new PlotPoint(at.UtcDateTime, s.Name, s.Symbol, r.Value, s.Pane));
        }
    }

    /// <summary>The <paramref name="index"/>-th point of <paramref name="s"/> in plotting order (its kept points, then its newest).</summary>
    private static bool TryPoint(Series s, int index, out Row row)
    {
        if (index < s.Kept.Count)
        {
            row = s.Kept[index];
            return true;
        }

        if (index == s.Kept.Count && s.HasNewest)
        {
            row = s.Newest;
            return true;
        }

        row = default;
        return false;
    }

    /// <summary>
    /// The bucket of the candle whose bar the point was plotted at: a point's time is its bar's end, so the instant
    /// before it (as the report places a point on its candle).
    /// </summary>
    private static long Bucket(long localTicks, int level)
    {
        var local = localTicks - 1;
        return local - (local % CandleLadder.Steps[level]);
    }

    private int IdOf(in PlotPoint point)
    {
        if (TryFind(point, out var id))
        {
            return id;
        }

        id = _series.Count;
        _series.Add(new Series(point.Series, point.Symbol, point.Pane, Limit));
        _ids.Add((point.Series, point.Symbol, point.Pane), id);
        Remember(point, id);
        return id;
    }

    private bool TryFind(in PlotPoint point, out int id)
    {
        var slot = point.Symbol is { } symbol ? symbol.Id + 1 : 0;
        if (slot < _known.Length && _known[slot] is { } known)
        {
            foreach (var k in known)
            {
                if (k.Name is null)
                {
                    break;
                }

                if (ReferenceEquals(k.Name, point.Series) && k.Pane == point.Pane)
                {
                    id = k.Id;
                    return true;
                }
            }
        }

        if (!_ids.TryGetValue((point.Series, point.Symbol, point.Pane), out id))
        {
            return false;
        }

        Remember(point, id);
        return true;
    }

    private void Remember(in PlotPoint point, int id)
    {
        var slot = point.Symbol is { } symbol ? symbol.Id + 1 : 0;
        if (slot >= _known.Length)
        {
            Array.Resize(ref _known, Math.Max(slot + 1, _known.Length * 2));
        }

        var known = _known[slot] ??= new KnownSeries[8];
        for (var i = 0; i < known.Length; i++)
        {
            if (known[i].Name is null)
            {
                known[i] = new KnownSeries(point.Series, point.Pane, id);
                return;
            }
        }
    }

    /// <summary>Moves the series up the ladder until it fits, keeping the last point of each bucket.</summary>
    private static void Coarsen(Series s)
    {
        var rows = s.Kept;
        rows.Add(s.Newest);
        while (rows.Count > s.Limit && s.Level < CandleLadder.Steps.Length - 1)
        {
            s.Level++;
            var write = 0;
            for (var read = 0; read < rows.Count; read++)
            {
                var r = rows[read];
                var key = Bucket(r.LocalTicks, s.Level);
                if (write > 0 && key == Bucket(rows[write - 1].LocalTicks, s.Level))
                {
                    rows[write - 1] = r; // a later point in the same bucket: the last one is kept, at its own place in the order
                }
                else
                {
                    rows[write++] = r;
                }
            }

            rows.RemoveRange(write, rows.Count - write);
        }

        s.Newest = rows[^1];
        s.NewestKey = s.Level < 0 ? 0 : Bucket(s.Newest.LocalTicks, s.Level);
        rows.RemoveAt(rows.Count - 1);
    }

    /// <summary>A binary min-heap of series ids by the sequence number of their next point (numbers are unique).</summary>
    private sealed class NextPoints(int capacity)
    {
        private readonly int[] _series = new int[capacity];
        private readonly long[] _sequence = new long[capacity];

        public int Count { get; private set; }

        public int TopSeries => _series[0];

        public void Push(int series, long sequence)
        {
            var i = Count++;
            while (i > 0)
            {
                var parent = (i - 1) / 2;
                if (_sequence[parent] <= sequence)
                {
                    break;
                }

                _series[i] = _series[parent];
                _sequence[i] = _sequence[parent];
                i = parent;
            }

            _series[i] = series;
            _sequence[i] = sequence;
        }

        public void Pop()
        {
            Count--;
            if (Count > 0)
            {
                SiftDown(_series[Count], _sequence[Count]);
            }
        }

        public void ReplaceTop(int series, long sequence) => SiftDown(series, sequence);

        private void SiftDown(int series, long sequence)
        {
            var i = 0;
            while (true)
            {
                var child = (2 * i) + 1;
                if (child >= Count)
                {
                    break;
                }

                if (child + 1 < Count && _sequence[child + 1] < _sequence[child])
                {
                    child++;
                }

                if (sequence <= _sequence[child])
                {
                    break;
                }

                _series[i] = _series[child];
                _sequence[i] = _sequence[child];
                i = child;
            }

            _series[i] = series;
            _sequence[i] = sequence;
        }
    }

    /// <summary>A point: its exchange-local ticks and offset (a <see cref="DateTimeOffset"/> packed into 10 bytes, not 16), value and plotting sequence number.</summary>
    private readonly record struct Row(long LocalTicks, double Value, long Sequence, short OffsetMinutes)
    {
        public DateTimeOffset At => new(LocalTicks, TimeSpan.FromMinutes(OffsetMinutes));
    }

    /// <summary>A series met for a symbol: its name (the instance plotted with), pane and id.</summary>
    private readonly record struct KnownSeries(string? Name, PlotPane Pane, int Id);

    private sealed class Series(string name, Symbol? symbol, PlotPane pane, int limit)
    {
        public string Name { get; } = name;

        public Symbol? Symbol { get; } = symbol;

        public PlotPane Pane { get; } = pane;

        public int Limit { get; } = limit;

        /// <summary>Index into <see cref="CandleLadder.Steps"/> of the bucket length; −1 while every point is kept.</summary>
        public int Level { get; set; } = -1;

        /// <summary>The points kept before the newest one, oldest first.</summary>
        public List<Row> Kept { get; } = [];

        /// <summary>The newest point (when <see cref="HasNewest"/>): always kept, replaced by a later point in its bucket.</summary>
        public Row Newest { get; set; }

        public bool HasNewest { get; set; }

        /// <summary>Bucket of the newest point.</summary>
        public long NewestKey { get; set; }

        /// <summary>Points kept.</summary>
        public int Live => Kept.Count + (HasNewest ? 1 : 0);

        /// <summary>The id of the series plotted after this one last time (the guess for the next point); −1 for none.</summary>
        public int NextId { get; set; } = -1;

        /// <summary>Keeps <paramref name="row"/> before the newest; the list stops at the limit + 1 rather than doubling past it
        /// (<see cref="BoundedListGrowth"/>).</summary>
        public void Keep(Row row, int limit)
        {
            BoundedListGrowth.BeforeAdd(Kept, limit);

            Kept.Add(row);
        }
    }
}
