using StrategyLab.Core.Accounting;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// How the trades went while they were open: average MAE and MFE (see <see cref="TradeExcursion"/>) and how long they
/// were held (average, median, a distribution in fixed buckets).
/// </summary>
public sealed record TradeQuality
{
    private static readonly (string Label, TimeSpan From)[] Buckets =
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

    /// <summary>Mean MAE of the round trips (≤ 0); null without trades.</summary>
    public required decimal? AverageMae { get; init; }

    /// <summary>Mean MFE of the round trips (≥ 0); null without trades.</summary>
    public required decimal? AverageMfe { get; init; }

    /// <summary>Mean time from first entry to exit; null without trades.</summary>
    public required TimeSpan? AverageHoldingTime { get; init; }

    /// <summary>Median time from first entry to exit (the mean of the middle two for an even count); null without trades.</summary>
    public required TimeSpan? MedianHoldingTime { get; init; }

    /// <summary>Round trips per holding-time bucket (calendar time), every bucket listed, shortest first.</summary>
    public required IReadOnlyList<HoldingTimeBucket> HoldingTimes { get; init; }

    /// <summary>Computes the quality of <paramref name="trips"/> with their <paramref name="excursions"/> (same order).</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static TradeQuality Of(IReadOnlyList<RoundTrip> trips, IReadOnlyList<TradeExcursion> excursions)
    {
        ArgumentNullException.ThrowIfNull(trips);
        ArgumentNullException.ThrowIfNull(excursions);
        if (trips.Count != excursions.Count)
        {
            throw new ArgumentException($"{excursions.Count} excursions for {trips.Count} trips.", nameof(excursions));
        }

        var counts = new int[Buckets.Length];
        var spans = new long[trips.Count];
        decimal mae = 0, mfe = 0;
        for (var i = 0; i < trips.Count; i++)
        {
            var held = trips[i].Duration;
            spans[i] = held.Ticks;
            var b = Buckets.Length - 1;
            while (b > 0 && held < Buckets[b].From)
            {
                b--;
            }

            counts[b]++;
            mae += excursions[i].Mae;
            mfe += excursions[i].Mfe;
        }

        var buckets = new HoldingTimeBucket[Buckets.Length];
        for (var b = 0; b < buckets.Length; b++)
        {
            buckets[b] = new HoldingTimeBucket(Buckets[b].Label, Buckets[b].From, b + 1 < Buckets.Length ? Buckets[b + 1].From : null, counts[b]);
        }

        var n = trips.Count;
        if (n == 0)
        {
            return new TradeQuality { AverageMae = null, AverageMfe = null, AverageHoldingTime = null, MedianHoldingTime = null, HoldingTimes = buckets };
        }

        Array.Sort(spans);
        var total = 0m;
        foreach (var s in spans)
        {
            total += s;
        }

        var median = n % 2 == 1 ? spans[n / 2] : (long)(((decimal)spans[(n / 2) - 1] + spans[n / 2]) / 2);
        return new TradeQuality
        {
            AverageMae = mae / n,
            AverageMfe = mfe / n,
            AverageHoldingTime = TimeSpan.FromTicks((long)Math.Round(total / n, MidpointRounding.AwayFromZero)),
            MedianHoldingTime = TimeSpan.FromTicks(median),
            HoldingTimes = buckets,
        };
    }
}
