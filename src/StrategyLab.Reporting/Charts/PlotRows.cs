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
/// Memory is O(series × <see cref="Limit"/>) whatever the run's length (24 bytes a point): points dropped are marked
/// and the list compacted once they are an eighth of it, so it does not double past the points kept. Adding is O(1) amortized (a dictionary look-up); moving a series up a step
/// walks the list once, at most <see cref="CandleLadder.Steps"/> times a series.
/// </remarks>
internal sealed class PlotRows
{
    private const int Dropped = -1;

    private readonly List<Row> _rows = [];
    private readonly List<Series> _series = [];
    private readonly Dictionary<(string Name, Symbol? Symbol, PlotPane Pane), int> _ids = [];

    // The series met per symbol (slot: the symbol's dense id + 1, 0 for none), matched by reference before the
    // dictionary: a strategy plots with the same name string every bar, and hashing that string per point was a tenth
    // of a 10-symbol run's engine thread. Bounded per slot, so names built anew each bar fall back to the dictionary.
    private KnownSeries[][] _known = new KnownSeries[16][];
    private int _dropped;
    private int _firstDropped = int.MaxValue;

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
    public int Count => _rows.Count - _dropped;

    /// <summary>Adds a point at <paramref name="at"/> (the exchange-offset time it is written with).</summary>
    public void Add(DateTimeOffset at, in PlotPoint point)
    {
        Added++;
        var id = IdOf(point);
        var s = _series[id];
        var key = s.Level < 0 ? 0 : BucketAfter(s, at);
        if (s.Level >= 0 && s.Last >= 0 && key == s.LastKey)
        {
            Drop(s.Last, s);
        }

        _rows.Add(Row.Of(at, point.Value, id));
        s.Last = _rows.Count - 1;
        s.LastKey = key;
        s.Live++;
        if (s.Live > Limit)
        {
            Coarsen(id, s);
        }

        if (_dropped > 4096 && _dropped * 8L > _rows.Count)
        {
            Compact();
        }
    }

    /// <summary>Points kept of <paramref name="point"/>'s series (its name, symbol and pane).</summary>
    public int KeptOf(in PlotPoint point) => TryFind(point, out var id) ? _series[id].Live : 0;

    /// <summary>The points kept, in the order they were plotted.</summary>
    public IEnumerable<(DateTimeOffset At, PlotPoint Point)> Points()
    {
        foreach (var r in _rows)
        {
            if (r.Series != Dropped)
            {
                var s = _series[r.Series];
                var at = r.At;
                yield return (at, new PlotPoint(at.UtcDateTime, s.Name, s.Symbol, r.Value, s.Pane));
            }
        }
    }

    /// <summary>
    /// The bucket of the candle whose bar the point was plotted at: a point's time is its bar's end, so the instant
    /// before it (as the report places a point on its candle).
    /// </summary>
    /// <summary><see cref="Bucket"/> at the series' level, without a division when the point is in its newest point's bucket (nearly always).</summary>
    private static long BucketAfter(Series s, DateTimeOffset at)
    {
        var local = at.DateTime.Ticks - 1;
        var step = CandleLadder.Steps[s.Level];
        return s.Last >= 0 && local >= s.LastKey && local - s.LastKey < step ? s.LastKey : local - (local % step);
    }

    private static long Bucket(DateTimeOffset at, int level)
    {
        var local = at.DateTime.Ticks - 1;
        return local - (local % CandleLadder.Steps[level]);
    }

    private int IdOf(in PlotPoint point)
    {
        if (TryFind(point, out var id))
        {
            return id;
        }

        id = _series.Count;
        _series.Add(new Series(point.Series, point.Symbol, point.Pane));
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

    private void Drop(int index, Series s)
    {
        _rows[index] = _rows[index] with { Series = Dropped };
        s.Live--;
        _dropped++;
        _firstDropped = Math.Min(_firstDropped, index);
    }

    /// <summary>Moves the series up the ladder until it fits, keeping the last point of each bucket.</summary>
    private void Coarsen(int id, Series s)
    {
        while (s.Live > Limit && s.Level < CandleLadder.Steps.Length - 1)
        {
            s.Level++;
            int previous = -1;
            long previousKey = 0;
            for (var i = 0; i < _rows.Count; i++)
            {
                if (_rows[i].Series != id)
                {
                    continue;
                }

                var key = Bucket(_rows[i].At, s.Level);
                if (previous >= 0 && key == previousKey)
                {
                    Drop(previous, s);
                }

                previous = i;
                previousKey = key;
            }

            s.Last = previous;
            s.LastKey = previousKey;
        }

        Compact();
    }

    private void Compact()
    {
        // Rows before the first dropped one stay where they are: a point is dropped when a newer one of its series
        // lands in its bucket, so drops gather at the end and a compaction moves the recent rows, not the whole list.
        var write = Math.Min(_firstDropped, _rows.Count);
        for (var read = write; read < _rows.Count; read++)
        {
            var r = _rows[read];
            if (r.Series == Dropped)
            {
                continue;
            }

            _rows[write] = r;
            _series[r.Series].Last = write; // a series' newest point is never dropped: its last row kept is it
            write++;
        }

        _rows.RemoveRange(write, _rows.Count - write);
        _dropped = 0;
        _firstDropped = int.MaxValue;
    }

    /// <summary>A point: its exchange-local ticks and offset (a <see cref="DateTimeOffset"/> packed into 10 bytes, not 16), value and series.</summary>
    private readonly record struct Row(long LocalTicks, double Value, int Series, short OffsetMinutes)
    {
        public DateTimeOffset At => new(LocalTicks, TimeSpan.FromMinutes(OffsetMinutes));

        public static Row Of(DateTimeOffset at, double value, int series) => new(at.DateTime.Ticks, value, series, (short)at.TotalOffsetMinutes);
    }

    /// <summary>A series met for a symbol: its name (the instance plotted with), pane and id.</summary>
    private readonly record struct KnownSeries(string? Name, PlotPane Pane, int Id);

    private sealed class Series(string name, Symbol? symbol, PlotPane pane)
    {
        public string Name { get; } = name;

        public Symbol? Symbol { get; } = symbol;

        public PlotPane Pane { get; } = pane;

        /// <summary>Index into <see cref="CandleLadder.Steps"/> of the bucket length; −1 while every point is kept.</summary>
        public int Level { get; set; } = -1;

        /// <summary>Live points.</summary>
        public int Live { get; set; }

        /// <summary>Row index of the newest point (−1 before the first).</summary>
        public int Last { get; set; } = -1;

        /// <summary>Bucket of the newest point.</summary>
        public long LastKey { get; set; }
    }
}
