using System.Globalization;
using StrategyLab.FakeServers.Polygon;

namespace StrategyLab.Tests.Support;

/// <summary>Instants and trade tapes shared by the live-runner tests against the fake servers.</summary>
internal static class LiveTapes
{
    /// <summary>An ISO-8601 instant (with offset or Z) as a UTC <see cref="DateTime"/>.</summary>
    public static DateTime Utc(string text) =>
        DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), DateTimeKind.Utc);

    /// <summary>
    /// A deterministic AAPL random walk from 180.00 in [<paramref name="from"/>, <paramref name="to"/>): the first print
    /// <paramref name="firstGapMs"/> after the start, then one every <paramref name="gapMs"/> (ranges, milliseconds).
    /// </summary>
    public static List<FakePolygonTrade> PolygonWalk(DateTime from, DateTime to, int seed, (int Min, int Max) firstGapMs, (int Min, int Max) gapMs)
    {
        var rng = new Random(seed);
        var list = new List<FakePolygonTrade>();
        var price = 180.00m;
        for (var t = from.AddMilliseconds(rng.Next(firstGapMs.Min, firstGapMs.Max)); t < to; t = t.AddMilliseconds(rng.Next(gapMs.Min, gapMs.Max)))
        {
            price = Math.Round(price + ((decimal)(rng.NextDouble() - 0.5) * 0.2m), 2);
            list.Add(new FakePolygonTrade("AAPL", t, price, rng.Next(1, 500)));
        }

        return list;
    }
}
