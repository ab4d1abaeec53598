using StrategyLab.Core.Accounting;

namespace StrategyLab.Core.Statistics;

/// <summary>
/// How the trades went while they were open: average MAE and MFE (see <see cref="TradeExcursion"/>) and how long they
/// were held (average, median, a distribution in fixed buckets).
/// </summary>
public sealed record TradeQuality
{
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
        ArgumentNullException.ThrowIfNull(excursions);
        return Of(TradeTally.Of(trips, excursions));
    }

    /// <summary>Computes the quality of the round trips added to <paramref name="tally"/>.</summary>
    internal static TradeQuality Of(TradeTally tally)
    {
        var names = TradeTally.Buckets;
        var counts = tally.BucketCounts;
        var buckets = new HoldingTimeBucket[names.Length];
        for (var b = 0; b < buckets.Length; b++)
        {
            buckets[b] = new HoldingTimeBucket(names[b].Label, names[b].From, b + 1 < names.Length ? names[b + 1].From : null, counts[b]);
        }

        var n = tally.Count;
        if (n == 0)
        {
            return new TradeQuality { AverageMae = null, AverageMfe = null, AverageHoldingTime = null, MedianHoldingTime = null, HoldingTimes = buckets };
        }

        var spans = tally.CopySpans();
        Array.Sort(spans);
        var total = 0m;
        foreach (var s in spans)
        {
            total += s;
        }

        var median = n % 2 == 1 ? spans[n / 2] : (long)(((decimal)spans[(n / 2) - 1] + spans[n / 2]) / 2);
        return new TradeQuality
        {
            AverageMae = tally.MaeSum / n,
            AverageMfe = tally.MfeSum / n,
            AverageHoldingTime = TimeSpan.FromTicks((long)Math.Round(total / n, MidpointRounding.AwayFromZero)),
            MedianHoldingTime = TimeSpan.FromTicks(median),
            HoldingTimes = buckets,
        };
    }
}
