using StrategyLab.FakeServers.Common;

namespace StrategyLab.FakeServers.Finnhub;

/// <summary>
/// Reads a LEAN tick trade zip (<c>equity/usa/tick/&lt;ticker&gt;/&lt;yyyyMMdd&gt;_trade.zip</c>: rows
/// <c>ms since midnight New York, price × 10000, size, exchange, condition flags, suspicious</c>) into fake prints, stamped
/// on a chosen date so a recorded day can be replayed as "today".
/// </summary>
public static class LeanTickTape
{
    /// <summary>Reads the prints of one tick zip.</summary>
    /// <param name="zipPath">The zip file.</param>
    /// <param name="symbol">The Finnhub ticker to give the prints.</param>
    /// <param name="tradeDate">The New York date to stamp the prints on (the file's times of day are kept).</param>
    /// <param name="maxTrades">Stop after this many prints (null: all).</param>
    /// <param name="skipSuspicious">Leave out rows flagged suspicious (default true).</param>
    /// <returns>Prints in file order, condition code = the row's condition flags.</returns>
    /// <exception cref="InvalidDataException">A row cannot be read; the message names the file, line and field.</exception>
    public static IReadOnlyList<FakeTrade> Read(string zipPath, string symbol, DateOnly tradeDate, int? maxTrades = null, bool skipSuspicious = true)
    {
        var zone = LeanZipRows.NewYork;
        var midnight = tradeDate.ToDateTime(TimeOnly.MinValue);
        var trades = new List<FakeTrade>();
        foreach (var (line, f) in LeanZipRows.Read(zipPath))
        {
            if (skipSuspicious && f[5].Trim() == "1")
            {
                continue;
            }

            var ms = LeanZipRows.Number(f[0], zipPath, line, "time");
            var local = midnight.AddTicks((long)(ms * TimeSpan.TicksPerMillisecond));
            var utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
            var price = LeanZipRows.Number(f[1], zipPath, line, "price") / 10000m;
            var size = LeanZipRows.Number(f[2], zipPath, line, "size");
            trades.Add(new FakeTrade(symbol, utc, price, size, [f[4].Trim()]));
            if (trades.Count == maxTrades)
            {
                break;
            }
        }

        return trades;
    }
}
