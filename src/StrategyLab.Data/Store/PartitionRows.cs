using System.Globalization;
using StrategyLab.Core.Domain;

namespace StrategyLab.Data.Store;

/// <summary>
/// The invariants every stored row keeps (as a CSV row is checked): a start on the timeframe's grid inside the
/// partition's month, after the previous row's; an end after the start, no more than one timeframe (and an hour, for a
/// DST change) after it for timeframes shorter than a week; low ≤ open, close ≤ high; prices above zero; volume not negative. Checked on the scaled integers, so
/// a damaged partition without a checksum (written before checksums existed) cannot pass off bars that break them.
/// </summary>
internal sealed class PartitionRows(string path, Timeframe timeframe, long monthFromTicks, long monthToTicks)
{
    // Exchange offsets from UTC are whole quarter hours, so a start on the session-aligned grid of any timeframe is
    // a multiple of gcd(timeframe, 15 min) in UTC as well.
    private readonly long _gridTicks = GridTicks(timeframe);
    // A bar built on the exchange-local grid spans up to an hour more than its timeframe across a DST change.
    private readonly long _maxSpanTicks = timeframe < Timeframe.OneWeek ? timeframe.Ticks + TimeSpan.TicksPerHour : long.MaxValue;

    public string Path { get; } = path;

    /// <summary>What is wrong with a row (UTC ticks, unscaled prices), or null when it keeps every invariant.</summary>
    public string? Check(long previousStart, long start, long end, long open, long high, long low, long close, long volume, decimal? vwap)
    {
        if (start < monthFromTicks || start >= monthToTicks)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar start {Show(start)} is outside the partition's month ({Show(monthFromTicks)}..{Show(monthToTicks)})");
        }

        if (start % _gridTicks != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar start {Show(start)} is not on the {timeframe} grid");
        }

        if (start <= previousStart)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar start {Show(start)} does not follow the previous bar's {Show(previousStart)}");
        }

        if (end <= start || end - start > _maxSpanTicks)
        {
            return string.Create(CultureInfo.InvariantCulture, $"bar end {Show(end)} is not within one {timeframe} (and an hour for a DST change) after its start {Show(start)}");
        }

        if (low <= 0 || (vwap is { } v && v <= 0))
        {
            return "a price is not positive";
        }

        if (!(low <= open && open <= high && low <= close && close <= high))
        {
            return "open or close is outside [low, high]";
        }

        return volume < 0 ? "volume is negative" : null;
    }

    /// <summary>The same checks on a bar about to be written.</summary>
    public string? Check(Bar bar, long previousStart) =>
        bar.Low <= 0 || bar.Vwap <= 0
            ? $"{bar.Symbol} bar at {bar.Start:yyyy-MM-ddTHH:mm:ssZ}: a price is not positive"
            : Check(previousStart, bar.Start.Ticks, bar.End.Ticks, 1, 1, 1, 1, 0, null) is { } problem ? $"{bar.Symbol}: {problem}" : null;

    private static long GridTicks(Timeframe timeframe)
    {
        long a = timeframe.Ticks, b = TimeSpan.TicksPerMinute * 15;
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static string Show(long ticks) =>
        ticks is <= 0 or >= 3155378975999999999 ? ticks.ToString(CultureInfo.InvariantCulture) : new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
