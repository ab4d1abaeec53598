namespace StrategyLab.FakeServers.Finnhub;

/// <summary>One OHLCV candle the fake computed from its tape.</summary>
public sealed record FakeCandle(long StartSeconds, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume);

/// <summary>A <c>/quote</c> answer the fake computed from its tape.</summary>
public sealed record FakeQuote(decimal Current, decimal? Change, decimal? ChangePercent, decimal High, decimal Low, decimal Open, decimal PreviousClose, long TimeSeconds);

/// <summary>
/// Every print the fake has "traded", per symbol; candles and quotes are computed from it so tests can compare the
/// client's bars with the prints they pushed. Size-0 prints (price-only updates) are not trades and count in neither.
/// </summary>
public sealed class FakeFinnhubTape
{
    private readonly Dictionary<string, List<FakeTrade>> _trades = new(StringComparer.Ordinal);
    private readonly TimeZoneInfo _zone;
    private readonly Lock _gate = new();

    internal FakeFinnhubTape(TimeZoneInfo zone) => _zone = zone;

    /// <summary>Adds prints (any order).</summary>
    public void Add(IEnumerable<FakeTrade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        lock (_gate)
        {
            foreach (var t in trades)
            {
                if (!_trades.TryGetValue(t.Symbol, out var list))
                {
                    _trades[t.Symbol] = list = [];
                }

                list.Add(t);
            }
        }
    }

    /// <summary>The prints of a symbol in time order (a copy).</summary>
    public IReadOnlyList<FakeTrade> TradesOf(string symbol)
    {
        lock (_gate)
        {
            return _trades.TryGetValue(symbol, out var list) ? [.. list.OrderBy(t => t.TimeMs)] : [];
        }
    }

    /// <summary>
    /// Candles whose start (epoch seconds) lies in [<paramref name="fromSeconds"/>, <paramref name="toSeconds"/>]:
    /// <paramref name="resolution"/> <c>1 5 15 30 60</c> minutes aligned on the epoch, or <c>D</c> per exchange-local date,
    /// stamped 00:00 UTC of that date (the stamp Finnhub uses since 2021, Finnhub-API#449).
    /// </summary>
    /// <exception cref="ArgumentException">An unsupported resolution.</exception>
    public IReadOnlyList<FakeCandle> Candles(string symbol, string resolution, long fromSeconds, long toSeconds)
    {
        Func<FakeTrade, long> bucket = resolution switch
        {
            "1" or "5" or "15" or "30" or "60" => Minutes(int.Parse(resolution, System.Globalization.CultureInfo.InvariantCulture)),
            "D" => DayStamp,
            _ => throw new ArgumentException($"Unsupported resolution '{resolution}'.", nameof(resolution)),
        };
        var candles = new List<FakeCandle>();
        foreach (var group in TradesOf(symbol).Where(t => t.Volume > 0).GroupBy(bucket).OrderBy(g => g.Key))
        {
            if (group.Key < fromSeconds || group.Key > toSeconds)
            {
                continue;
            }

            var prints = group.ToList(); // already in time order (stable for equal times)
            candles.Add(new FakeCandle(
                group.Key, prints[0].Price, prints.Max(p => p.Price), prints.Min(p => p.Price), prints[^1].Price, prints.Sum(p => p.Volume)));
        }

        return candles;
    }

    /// <summary>The quote of a symbol: last price and its exchange-local day's figures; null when it never traded.</summary>
    public FakeQuote? Quote(string symbol)
    {
        var trades = TradesOf(symbol).Where(t => t.Volume > 0).ToList();
        if (trades.Count == 0)
        {
            return null;
        }

        var last = trades[^1];
        var day = LocalDate(last);
        var today = trades.Where(t => LocalDate(t) == day).ToList();
        var previous = trades.LastOrDefault(t => LocalDate(t) < day);
        decimal? change = previous is null ? null : last.Price - previous.Price;
        decimal? percent = previous is null ? null : Math.Round(change!.Value / previous.Price * 100m, 4);
        return new FakeQuote(
            last.Price, change, percent, today.Max(t => t.Price), today.Min(t => t.Price), today[0].Price, previous?.Price ?? 0m, last.TimeMs / 1000);
    }

    private static Func<FakeTrade, long> Minutes(int minutes) => t =>
    {
        var seconds = t.TimeMs / 1000;
        return seconds - (seconds % (minutes * 60L));
    };

    private long DayStamp(FakeTrade t)
    {
        var date = LocalDate(t);
        return (long)(date.ToDateTime(TimeOnly.MinValue) - DateTime.UnixEpoch).TotalSeconds;
    }

    private DateOnly LocalDate(FakeTrade t) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UnixEpoch.AddMilliseconds(t.TimeMs), _zone));
}
