using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace StrategyLab.FakeServers.Alpaca;

public sealed partial class FakeAlpacaServer
{
    private readonly SortedDictionary<string, SortedDictionary<DateTime, FakeAlpacaBar>> _bars = new(StringComparer.Ordinal);

    /// <summary>Records minute bars for the historical endpoints (not streamed). A later bar for the same minute replaces it.</summary>
    public void AddBars(IEnumerable<FakeAlpacaBar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        lock (_bars)
        {
            foreach (var bar in bars)
            {
                if (!_bars.TryGetValue(bar.Symbol, out var series))
                {
                    _bars[bar.Symbol] = series = [];
                }

                series[bar.StartUtc] = bar;
            }
        }
    }

    private static bool IsBarsPath(string path) =>
        path == "/v2/stocks/bars" || path == "/v1beta3/crypto/us/bars"
        || (path.StartsWith("/v2/stocks/", StringComparison.Ordinal) && path.EndsWith("/bars", StringComparison.Ordinal));

    /// <summary>
    /// <c>/v2/stocks/{symbol}/bars</c> (single: <c>bars</c> is an array, with <c>symbol</c>) and <c>/v2/stocks/bars</c>,
    /// <c>/v1beta3/crypto/us/bars</c> (multi: <c>bars</c> is an object by symbol). Minute bars aggregated to the
    /// <c>timeframe</c> (N Min/T, N Hour/H, 1 Day/D: New-York dates, stamped at New-York midnight), <c>start</c>/<c>end</c>
    /// inclusive, <c>limit</c> over all symbols, <c>page_token</c>/<c>next_page_token</c>, <c>sort</c>.
    /// </summary>
    private (int, byte[]) Bars(string path, IQueryCollection q)
    {
        var single = path.StartsWith("/v2/stocks/", StringComparison.Ordinal) && path != "/v2/stocks/bars";
        var symbols = single
            ? [Uri.UnescapeDataString(path["/v2/stocks/".Length..^"/bars".Length])]
            : (q["symbols"].FirstOrDefault() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        if (symbols.Length == 0)
        {
            return (422, AlpacaJson.Error(42210000, "symbols is required"));
        }

        if (!TryParseTimeframe(q["timeframe"].FirstOrDefault() ?? string.Empty, out var bucket, out var daily))
        {
            return (422, AlpacaJson.Error(42210000, "invalid timeframe"));
        }

        var start = ParseBoundary(q["start"].FirstOrDefault(), endOfDay: false) ?? DateTime.MinValue;
        var end = ParseBoundary(q["end"].FirstOrDefault(), endOfDay: true) ?? DateTime.MaxValue;
        var limit = int.TryParse(q["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 10_000) : 1000;
        var offset = q["page_token"].FirstOrDefault() is { Length: > 0 } token
            ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture)
            : 0;
        var desc = q["sort"] == "desc";

        var all = new List<FakeAlpacaBar>();
        foreach (var symbol in symbols)
        {
            List<FakeAlpacaBar> minutes;
            lock (_bars)
            {
                minutes = _bars.TryGetValue(symbol, out var s) ? [.. s.Values] : [];
            }

            var aggregated = Aggregate(minutes, bucket, daily).Where(b => b.StartUtc >= start && b.StartUtc <= end);
            all.AddRange(desc ? aggregated.Reverse() : aggregated);
        }

        var page = all.Skip(offset).Take(limit).ToList();
        var next = offset + page.Count < all.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(CultureInfo.InvariantCulture))) : null;
        return (200, AlpacaJson.Write(w =>
        {
            w.WriteStartObject();
            if (single)
            {
                w.WriteStartArray("bars");
                foreach (var b in page)
                {
                    WriteBar(w, b);
                }

                w.WriteEndArray();
                w.WriteString("symbol", symbols[0]);
            }
            else
            {
                w.WriteStartObject("bars");
                foreach (var group in page.GroupBy(b => b.Symbol))
                {
                    w.WriteStartArray(group.Key);
                    foreach (var b in group)
                    {
                        WriteBar(w, b);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            if (next is null)
            {
                w.WriteNull("next_page_token");
            }
            else
            {
                w.WriteString("next_page_token", next);
            }

            w.WriteEndObject();
        }));
    }

    private static void WriteBar(System.Text.Json.Utf8JsonWriter w, FakeAlpacaBar b)
    {
        w.WriteStartObject();
        w.WriteString("t", b.StartUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteNumber("o", b.Open);
        w.WriteNumber("h", b.High);
        w.WriteNumber("l", b.Low);
        w.WriteNumber("c", b.Close);
        w.WriteNumber("v", b.Volume);
        w.WriteNumber("n", b.Trades);
        w.WriteNumber("vw", b.Vwap ?? b.Close);
        w.WriteEndObject();
    }

    private static bool TryParseTimeframe(string text, out TimeSpan bucket, out bool daily)
    {
        bucket = TimeSpan.FromMinutes(1);
        daily = false;
        var digits = new string([.. text.TakeWhile(char.IsDigit)]);
        var unit = text[digits.Length..];
        if (!int.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            return false;
        }

        switch (unit)
        {
            case "Min" or "T" when n <= 59:
                bucket = TimeSpan.FromMinutes(n);
                return true;
            case "Hour" or "H" when n <= 23:
                bucket = TimeSpan.FromHours(n);
                return true;
            case "Day" or "D" when n == 1:
                daily = true;
                return true;
            default:
                return false;
        }
    }

    private static IEnumerable<FakeAlpacaBar> Aggregate(List<FakeAlpacaBar> minutes, TimeSpan bucket, bool daily)
    {
        if (!daily && bucket == TimeSpan.FromMinutes(1))
        {
            return minutes;
        }

        var ny = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        DateTime Key(DateTime t)
        {
            if (daily)
            {
                var local = TimeZoneInfo.ConvertTimeFromUtc(t, ny).Date;
                return TimeZoneInfo.ConvertTimeToUtc(local, ny);
            }

            return new DateTime(t.Ticks - (t.Ticks % bucket.Ticks), DateTimeKind.Utc);
        }

        return minutes.GroupBy(b => Key(b.StartUtc)).Select(g => new FakeAlpacaBar(
            g.First().Symbol, g.Key, g.First().Open, g.Max(b => b.High), g.Min(b => b.Low), g.Last().Close, g.Sum(b => b.Volume), g.Sum(b => b.Trades)));
    }

    private static DateTime? ParseBoundary(string? text, bool endOfDay)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Length == 10 && DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
        {
            return endOfDay ? day.AddDays(1).AddTicks(-1) : day;
        }

        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime;
    }
}
