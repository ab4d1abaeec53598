using System.Runtime.InteropServices;

namespace StrategyLab.Reporting.Charts;

/// <summary>One point of a <see cref="PointLadder"/>: the latest point of its bucket (a candle's close).</summary>
internal readonly record struct LadderPoint(long LocalTicks, long UtcTicks, double Value)
{
    /// <summary>The point's value as the chart writes it (the same conversion as a candle's close).</summary>
    public decimal Close => (decimal)Value;
}

/// <summary>
/// A plotted series downsampled exactly as a <see cref="CandleLadder"/> fed its points as zero-length bars would be
/// (same buckets, same coarsening, the latest point of a bucket wins), but keeping only what the page draws of each
/// candle: its close and the time of the point that gave it — 24 bytes a point instead of a candle's 128.
/// </summary>
/// <remarks>A bucket's key is not stored: every point merged into a candle is in its bucket, so the kept point's time gives it.</remarks>
internal sealed class PointLadder
{
    private readonly List<LadderPoint> _points = [];

    /// <summary>Creates an empty series that keeps at most <paramref name="limit"/> points (unless the last step still has more).</summary>
    public PointLadder(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
    }

    /// <summary>The most points kept.</summary>
    public int Limit { get; }

    /// <summary>Index into <see cref="CandleLadder.Steps"/> of the current bucket length.</summary>
    public int Level { get; private set; }

    /// <summary>The kept points, oldest bucket first.</summary>
    public IReadOnlyList<LadderPoint> Points => _points;

    /// <summary>Adds a point at <paramref name="at"/>; it goes into the bucket of its exchange-local wall time.</summary>
    public void Add(DateTimeOffset at, double value)
    {
        var step = CandleLadder.Steps[Level];
        var local = at.DateTime.Ticks;
        var key = local - (local % step);
        var point = new LadderPoint(local, at.UtcTicks, value);
        var count = _points.Count;
        if (count > 0 && key <= KeyOf(_points[count - 1], step))
        {
            var index = count - 1;
            if (key != KeyOf(_points[index], step))
            {
                index = FindKey(key, step);
            }

            if (index >= 0)
            {
                Merge(ref CollectionsMarshal.AsSpan(_points)[index], point);
                return;
            }

            _points.Insert(~index, point);
        }
        else
        {
            BoundedListGrowth.BeforeAdd(_points, Limit); // as CandleLadder: never more than Limit + 1 points

            _points.Add(point);
        }

        while (_points.Count > Limit && Level < CandleLadder.Steps.Length - 1)
        {
            Coarsen();
        }
    }

    /// <summary>Makes room for <paramref name="points"/> points (at most <see cref="Limit"/> + 1) when the caller knows how many it will add.</summary>
    public void Reserve(int points)
    {
        var wanted = (int)Math.Min(points, Limit + 1L);
        if (wanted > _points.Capacity)
        {
            _points.Capacity = wanted;
        }
    }

    private static long KeyOf(in LadderPoint p, long step) => p.LocalTicks - (p.LocalTicks % step);

    /// <summary>As <see cref="CandleLadder"/>'s merge of a close: the later (or equal) UTC time wins.</summary>
    private static void Merge(ref LadderPoint kept, in LadderPoint point)
    {
        if (point.UtcTicks >= kept.UtcTicks)
        {
            kept = point;
        }
    }

    private int FindKey(long key, long step)
    {
        int lo = 0, hi = _points.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var k = KeyOf(_points[mid], step);
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
        var step = CandleLadder.Steps[Level];
        var write = -1;
        var span = CollectionsMarshal.AsSpan(_points);
        for (var read = 0; read < span.Length; read++)
        {
            var p = span[read];
            if (write >= 0 && KeyOf(span[write], step) == KeyOf(p, step))
            {
                Merge(ref span[write], p);
            }
            else
            {
                span[++write] = p;
            }
        }

        _points.RemoveRange(write + 1, _points.Count - write - 1);
    }
}
