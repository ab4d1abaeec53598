using StrategyLab.Core.Accounting;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// What the statistics need of the closed round trips, added up as they close instead of keeping the trips: counts,
/// wins and losses on net P&amp;L, the sums of MAE and MFE, holding-time buckets, and each trip's holding time (8 bytes
/// a trip, for the exact median). Sums are taken in the order the trips closed, as a pass over a list of them would.
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

    private readonly int[] _bucketCounts = new int[Buckets.Length];
    private long[] _spans = new long[64];

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

    /// <summary>The holding times in ticks, in the order the trips closed.</summary>
    public ReadOnlySpan<long> Spans => _spans.AsSpan(0, Count);

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
        if (Count == _spans.Length)
        {
            Array.Resize(ref _spans, _spans.Length * 2);
        }

        _spans[Count++] = held.Ticks;
    }
}
