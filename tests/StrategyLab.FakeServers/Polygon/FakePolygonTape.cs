using System.Globalization;
using StrategyLab.FakeServers.Common;

namespace StrategyLab.FakeServers.Polygon;

/// <summary>One trade on the fake Polygon tape.</summary>
/// <param name="Symbol">The ticker (<c>AAPL</c>).</param>
/// <param name="TimeUtc">When it traded (UTC; sent as epoch milliseconds, sub-millisecond parts dropped).</param>
/// <param name="Price">Price (<c>p</c>).</param>
/// <param name="Size">Size (<c>s</c>), greater than zero.</param>
/// <param name="Id">Trade id (<c>i</c>); null: the tape numbers it.</param>
/// <param name="Exchange">Exchange id (<c>x</c>), default 4.</param>
/// <param name="Conditions">Condition ids (<c>c</c>); null omits the field.</param>
public sealed record FakePolygonTrade(
    string Symbol, DateTime TimeUtc, decimal Price, decimal Size, string? Id = null, int Exchange = 4, IReadOnlyList<int>? Conditions = null)
{
    /// <summary>The time as Polygon sends it: epoch milliseconds.</summary>
    public long TimeMs => (TimeUtc.ToUniversalTime() - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond;
}

/// <summary>An aggregate the fake computed or was given: a window [<paramref name="StartMs"/>, <paramref name="EndMs"/>).</summary>
/// <param name="Symbol">The ticker.</param>
/// <param name="StartMs">Window start, epoch ms (<c>s</c> on the stream, <c>t</c> in REST).</param>
/// <param name="EndMs">Window end, epoch ms (<c>e</c> on the stream).</param>
/// <param name="Open">First price.</param>
/// <param name="High">Highest price.</param>
/// <param name="Low">Lowest price.</param>
/// <param name="Close">Last price.</param>
/// <param name="Volume">Volume.</param>
/// <param name="Vwap">Volume-weighted average price, rounded to 4 decimals (away from zero at the midpoint).</param>
/// <param name="Trades">Trade count (<c>n</c>).</param>
public sealed record FakeAggregate(
    string Symbol, long StartMs, long EndMs, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, decimal Vwap, int Trades);

/// <summary>
/// What the fake has "traded": trades per symbol, plus minute bars given as such (e.g. from LEAN minute files), and
/// splits. Aggregates of any window are computed from both: trades in the window and given minute bars inside it
/// (a given minute bar counts as one piece with its own open/high/low/close, volume, VWAP and trade count).
/// </summary>
public sealed class FakePolygonTape
{
    private readonly Dictionary<string, List<FakePolygonTrade>> _trades = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<long, FakeAggregate>> _minuteBars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(long FromMs, decimal Ratio)>> _splits = new(StringComparer.Ordinal);
    private readonly TimeZoneInfo _zone;
    private readonly Lock _gate = new();
    private long _nextId = 1000;

    internal FakePolygonTape(TimeZoneInfo zone) => _zone = zone;

    /// <summary>The tickers with data.</summary>
    public IReadOnlyList<string> Symbols
    {
        get
        {
            lock (_gate)
            {
                return [.. _trades.Keys.Union(_minuteBars.Keys).Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Adds trades (any order); trades without an id get the next number. Returns them as recorded.</summary>
    public IReadOnlyList<FakePolygonTrade> Add(IEnumerable<FakePolygonTrade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        var added = new List<FakePolygonTrade>();
        lock (_gate)
        {
            foreach (var t in trades)
            {
                if (t.Size <= 0)
                {
                    throw new ArgumentException($"Trade {t} has size {t.Size}: Polygon trades have a positive size.", nameof(trades));
                }

                var trade = t.Id is null ? t with { Id = (_nextId++).ToString(CultureInfo.InvariantCulture) } : t;
                if (!_trades.TryGetValue(trade.Symbol, out var list))
                {
                    _trades[trade.Symbol] = list = [];
                }

                list.Add(trade);
                added.Add(trade);
            }
        }

        return added;
    }

    /// <summary>Adds minute bars (a later bar with the same symbol and start replaces the earlier one).</summary>
    /// <exception cref="ArgumentException">A bar does not span exactly one minute on a minute boundary.</exception>
    public void AddMinuteBars(IEnumerable<FakeAggregate> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        lock (_gate)
        {
            foreach (var bar in bars)
            {
                if (bar.EndMs - bar.StartMs != 60_000 || bar.StartMs % 60_000 != 0)
                {
                    throw new ArgumentException($"{bar} is not a minute bar on a minute boundary.", nameof(bars));
                }

                if (!_minuteBars.TryGetValue(bar.Symbol, out var map))
                {
                    _minuteBars[bar.Symbol] = map = [];
                }

                map[bar.StartMs] = bar;
            }
        }
    }

    /// <summary>
    /// Records a split: with <c>adjusted=true</c>, REST aggregates that start before <paramref name="exDate"/> (exchange-local
    /// midnight) have prices divided by <paramref name="ratio"/> (rounded to 4 decimals) and volumes multiplied by it.
    /// </summary>
    public void AddSplit(string symbol, DateOnly exDate, decimal ratio)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratio);
        var from = ToMs(TimeZoneInfo.ConvertTimeToUtc(exDate.ToDateTime(TimeOnly.MinValue), _zone));
        lock (_gate)
        {
            if (!_splits.TryGetValue(symbol, out var list))
            {
                _splits[symbol] = list = [];
            }

            list.Add((from, ratio));
        }
    }

    /// <summary>The trades of a symbol in time order (a copy).</summary>
    public IReadOnlyList<FakePolygonTrade> TradesOf(string symbol)
    {
        lock (_gate)
        {
            return _trades.TryGetValue(symbol, out var list) ? [.. list.OrderBy(t => t.TimeMs)] : [];
        }
    }

    /// <summary>The aggregate of one window, or null when nothing traded in it (no trade → no bar).</summary>
    /// <param name="symbol">The ticker.</param>
    /// <param name="startMs">Window start, epoch ms.</param>
    /// <param name="lengthMs">Window length in ms; given minute bars count only in windows of a minute or more.</param>
    public FakeAggregate? Aggregate(string symbol, long startMs, long lengthMs)
    {
        var pieces = Pieces(symbol, startMs, startMs + lengthMs, lengthMs >= 60_000);
        return Combine(symbol, startMs, startMs + lengthMs, pieces);
    }

    /// <summary>
    /// The aggregates of [<paramref name="fromMs"/>, <paramref name="toMs"/>] (window starts, inclusive) for
    /// <paramref name="multiplier"/> × <paramref name="timespan"/> (<c>second</c>, <c>minute</c>, <c>hour</c>: aligned on the
    /// epoch; <c>day</c>: the exchange-local date, stamped at its midnight), in time order, split-adjusted when asked.
    /// </summary>
    /// <exception cref="ArgumentException">An unsupported timespan.</exception>
    public IReadOnlyList<FakeAggregate> Aggregates(string symbol, int multiplier, string timespan, long fromMs, long toMs, bool adjusted)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(multiplier);
        Func<long, (long Start, long End)> window = timespan switch
        {
            "second" => Fixed(multiplier * 1_000L),
            "minute" => Fixed(multiplier * 60_000L),
            "hour" => Fixed(multiplier * 3_600_000L),
            "day" when multiplier == 1 => Day,
            _ => throw new ArgumentException($"Unsupported timespan {multiplier}/{timespan}.", nameof(timespan)),
        };
        var minuteBarsCount = timespan != "second" || multiplier >= 60;
        List<(long Time, FakeAggregate Piece)> all;
        lock (_gate)
        {
            all = PiecesLocked(symbol, long.MinValue, long.MaxValue, minuteBarsCount);
        }

        var result = new List<FakeAggregate>();
        foreach (var group in all.GroupBy(p => window(p.Time)).OrderBy(g => g.Key.Start))
        {
            if (group.Key.Start < fromMs || group.Key.Start > toMs)
            {
                continue;
            }

            var aggregate = Combine(symbol, group.Key.Start, group.Key.End, [.. group]);
            if (aggregate is not null)
            {
                result.Add(adjusted ? Adjust(aggregate) : aggregate);
            }
        }

        return result;
    }

    /// <summary>
    /// Reads a LEAN minute trade zip (<c>equity/usa/minute/&lt;ticker&gt;/&lt;yyyyMMdd&gt;_trade.zip</c>: rows
    /// <c>ms since midnight New York, open, high, low, close (× 10000), volume</c>) into minute bars stamped on
    /// <paramref name="tradeDate"/>. The VWAP is the bar's (high + low + close) / 3 rounded to 4 decimals and the trade
    /// count 1, since LEAN minute files carry neither.
    /// </summary>
    /// <exception cref="InvalidDataException">A row cannot be read; the message names the file, line and field.</exception>
    public static IReadOnlyList<FakeAggregate> ReadLeanMinuteBars(string zipPath, string symbol, DateOnly tradeDate)
    {
        var zone = LeanZipRows.NewYork;
        var midnight = tradeDate.ToDateTime(TimeOnly.MinValue);
        var bars = new List<FakeAggregate>();
        foreach (var (line, f) in LeanZipRows.Read(zipPath))
        {
            var start = ToMs(TimeZoneInfo.ConvertTimeToUtc(midnight.AddMilliseconds((double)LeanZipRows.Number(f[0], zipPath, line, "time")), zone));
            var o = LeanZipRows.Number(f[1], zipPath, line, "open") / 10000m;
            var h = LeanZipRows.Number(f[2], zipPath, line, "high") / 10000m;
            var l = LeanZipRows.Number(f[3], zipPath, line, "low") / 10000m;
            var c = LeanZipRows.Number(f[4], zipPath, line, "close") / 10000m;
            var v = LeanZipRows.Number(f[5], zipPath, line, "volume");
            bars.Add(new FakeAggregate(symbol, start, start + 60_000, o, h, l, c, v, Math.Round((h + l + c) / 3m, 4, MidpointRounding.AwayFromZero), 1));
        }

        return bars;
    }

    internal static long ToMs(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    private static Func<long, (long, long)> Fixed(long length) => t =>
    {
        var start = t - (((t % length) + length) % length);
        return (start, start + length);
    };

    private (long, long) Day(long t)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UnixEpoch.AddMilliseconds(t), _zone).Date;
        var start = ToMs(TimeZoneInfo.ConvertTimeToUtc(local, _zone));
        var end = ToMs(TimeZoneInfo.ConvertTimeToUtc(local.AddDays(1), _zone));
        return (start, end);
    }

    private List<(long Time, FakeAggregate Piece)> Pieces(string symbol, long fromMs, long toMs, bool includeMinuteBars)
    {
        lock (_gate)
        {
            return PiecesLocked(symbol, fromMs, toMs, includeMinuteBars);
        }
    }

    /// <summary>Trades and given minute bars of [from, to) as pieces, in time order (trades by time, stable).</summary>
    private List<(long Time, FakeAggregate Piece)> PiecesLocked(string symbol, long fromMs, long toMs, bool includeMinuteBars)
    {
        var pieces = new List<(long Time, FakeAggregate Piece)>();
        if (_trades.TryGetValue(symbol, out var trades))
        {
            foreach (var t in trades)
            {
                var ms = t.TimeMs;
                if (ms >= fromMs && ms < toMs)
                {
                    pieces.Add((ms, new FakeAggregate(symbol, ms, ms + 1, t.Price, t.Price, t.Price, t.Price, t.Size, t.Price, 1)));
                }
            }
        }

        if (includeMinuteBars && _minuteBars.TryGetValue(symbol, out var bars))
        {
            foreach (var (start, bar) in bars)
            {
                if (start >= fromMs && start < toMs)
                {
                    pieces.Add((start, bar));
                }
            }
        }

        // Stable: trades with equal times keep their order, and a minute bar sorts after the trades of its first millisecond.
        return [.. pieces.Select((p, i) => (p, i)).OrderBy(x => x.p.Item1).ThenBy(x => x.i).Select(x => x.p)];
    }

    private static FakeAggregate? Combine(string symbol, long startMs, long endMs, IReadOnlyList<(long Time, FakeAggregate Piece)> pieces)
    {
        if (pieces.Count == 0)
        {
            return null;
        }

        decimal high = decimal.MinValue, low = decimal.MaxValue, volume = 0, notional = 0;
        var trades = 0;
        foreach (var (_, p) in pieces)
        {
            high = Math.Max(high, p.High);
            low = Math.Min(low, p.Low);
            volume += p.Volume;
            notional += p.Vwap * p.Volume;
            trades += p.Trades;
        }

        var vwap = volume == 0 ? pieces[^1].Piece.Close : Math.Round(notional / volume, 4, MidpointRounding.AwayFromZero);
        return new FakeAggregate(symbol, startMs, endMs, pieces[0].Piece.Open, high, low, pieces[^1].Piece.Close, volume, vwap, trades);
    }

    private FakeAggregate Adjust(FakeAggregate a)
    {
        decimal ratio = 1;
        lock (_gate)
        {
            if (_splits.TryGetValue(a.Symbol, out var splits))
            {
                foreach (var (from, r) in splits)
                {
                    if (a.StartMs < from)
                    {
                        ratio *= r;
                    }
                }
            }
        }

        if (ratio == 1)
        {
            return a;
        }

        decimal P(decimal price) => Math.Round(price / ratio, 4, MidpointRounding.AwayFromZero);
        return a with { Open = P(a.Open), High = P(a.High), Low = P(a.Low), Close = P(a.Close), Vwap = P(a.Vwap), Volume = a.Volume * ratio };
    }
}
