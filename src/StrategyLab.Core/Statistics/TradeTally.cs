using StrategyLab.Core.Accounting;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// What the statistics need of the closed round trips, added up as they close instead of keeping the trips: counts,
/// wins and losses on net P&amp;L, the sums of MAE and MFE, holding-time buckets, and each trip's holding time (8 bytes
/// a trip, for the exact median, in chunks of <see cref="ChunkLength"/>: past the first chunk no array is copied as the
/// run grows, and none reaches the large-object heap; the first chunk starts at <see cref="FirstChunkLength"/> and doubles,
/// so a short run, e.g. one of a sweep's, does not allocate 8 KB for its few trips). Sums are taken in the order the trips closed, as a pass over a list of them would.
/// </summary>
internal sealed class TradeTally
{
    /// <summary>The holding-time buckets: label and lower bound, shortest first.</summary>
    public static readonly (string Label, TimeSpan From)[] Buckets =
    [
        ("< 5 min", TimeSpan.Zero),
        ("5–30 min", TimeSpan.FromMinutes(5)),
        ("30 min–2 h", TimeSpan.FromMinutes(30)),
        ("2 h–1 d", TimeSpan.FromHours(2)),
        ("1–5 d", TimeSpan.FromDays(1)),
        ("5–20 d", TimeSpan.FromDays(5)),
        ("20–60 d", TimeSpan.FromDays(20)),
        ("≥ 60 d", TimeSpan.FromDays(60)),
    ];

    /// <summary>Holding times per chunk (8 KB).</summary>
    internal const int ChunkLength = 1024;

    /// <summary>The first chunk's first length; it doubles up to <see cref="ChunkLength"/>.</summary>
    internal const int FirstChunkLength = 64;

    private readonly int[] _bucketCounts = new int[Buckets.Length];
    private readonly List<long[]> _chunks = [];

    /// <summary>Round trips added.</summary>
    public int Count { get; private set; }

    /// <summary>Round trips with net P&amp;L &gt; 0.</summary>
    public int Wins { get; private set; }

    /// <summary>Round trips with net P&amp;L &lt; 0.</summary>
    public int Losses { get; private set; }

    /// <summary>Σ net P&amp;L of the winners.</summary>
    public decimal GrossProfit { get; private set; }

    /// <summary>Σ net P&amp;L of the losers (≤ 0).</summary>
    public decimal GrossLoss { get; private set; }

    /// <summary>Σ MAE of the trips added with an excursion.</summary>
    public decimal MaeSum { get; private set; }

    /// <summary>Σ MFE of the trips added with an excursion.</summary>
    public decimal MfeSum { get; private set; }

    /// <summary>Round trips per holding-time bucket (<see cref="Buckets"/>).</summary>
    public ReadOnlySpan<int> BucketCounts => _bucketCounts;

    /// <summary>The holding times in ticks, in the order the trips closed (a new array).</summary>
    public long[] CopySpans()
    {
        var spans = new long[Count];
        for (var c = 0; c < _chunks.Count; c++)
        {
            var start = c * ChunkLength;
            _chunks[c].AsSpan(0, Math.Min(ChunkLength, Count - start)).CopyTo(spans.AsSpan(start));
        }

        return spans;
    }

    /// <summary>The tally of a list of trips, with their excursions (same order) when given.</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static TradeTally Of(IReadOnlyList<RoundTrip> trips, IReadOnlyList<TradeExcursion>? excursions)
    {
        ArgumentNullException.ThrowIfNull(trips);
        if (excursions is not null && trips.Count != excursions.Count)
        {
            throw new ArgumentException($"{excursions.Count} excursions for {trips.Count} trips.", nameof(excursions));
        }

        var tally = new TradeTally();
        for (var i = 0; i < trips.Count; i++)
        {
            tally.Add(trips[i], excursions?[i] ?? default);
        }

        return tally;
    }

    /// <summary>Adds a closed round trip and its excursion.</summary>
    public void Add(RoundTrip trip, TradeExcursion excursion)
    {
        var net = trip.NetPnl;
        if (net > 0)
        {
            Wins++;
            GrossProfit += net;
        }
        else if (net < 0)
        {
            Losses++;
            GrossLoss += net;
        }

        MaeSum += excursion.Mae;
        MfeSum += excursion.Mfe;

        var held = trip.Duration;
        var b = Buckets.Length - 1;
        while (b > 0 && held < Buckets[b].From)
        {
            b--;
        }

        _bucketCounts[b]++;
        var at = Count % ChunkLength;
        if (at == 0)
        {
            _chunks.Add(new long[Count == 0 ? FirstChunkLength : ChunkLength]);
        }
        else if (at == _chunks[^1].Length)
        {
            // Only the first chunk is ever short: it doubles, indexes stay at c * ChunkLength + at.
            var grown = _chunks[^1];
            Array.Resize(ref grown, Math.Min(ChunkLength, grown.Length * 2));
            _chunks[^1] = grown;
        }

        _chunks[^1][at] = held.Ticks;
        Count++;
    }
}
