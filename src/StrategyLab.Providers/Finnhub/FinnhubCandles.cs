using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Calendar;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Json;

namespace StrategyLab.Providers.Finnhub;

/// <summary>The Finnhub candle resolution that serves a timeframe.</summary>
/// <param name="Code">The <c>resolution</c> parameter: <c>1 5 15 30 60 D</c>.</param>
/// <param name="Timeframe">The timeframe of the bars returned.</param>
/// <param name="Substituted">True when the asked timeframe has no Finnhub resolution and 1-minute bars are returned instead.</param>
internal readonly record struct FinnhubResolution(string Code, Timeframe Timeframe, bool Substituted)
{
    /// <summary>The resolution for <paramref name="timeframe"/>: its own when Finnhub has it, otherwise 1 minute.</summary>
    public static FinnhubResolution For(Timeframe timeframe) => timeframe.Seconds switch
    {
        60 => new("1", timeframe, false),
        300 => new("5", timeframe, false),
        900 => new("15", timeframe, false),
        1800 => new("30", timeframe, false),
        3600 => new("60", timeframe, false),
        86400 => new("D", timeframe, false),
        _ => new("1", Timeframe.OneMinute, true),
    };

    /// <summary>True for the daily resolution (bars span a trading session, not a fixed length).</summary>
    public bool IsDaily => Timeframe.IsDaily;
}

/// <summary>The bars of one <c>/stock/candle</c> answer, or why there are none.</summary>
internal readonly record struct CandleChunk(bool NoData, IReadOnlyList<Bar> Bars, int Skipped, string? Problem);

/// <summary>Reads <c>/stock/candle</c> answers: parallel arrays into exact-decimal bars.</summary>
internal static class FinnhubCandles
{
    /// <summary>
    /// Reads a candle answer. <c>t</c> is the bar start in epoch seconds; a daily candle becomes the regular session of its
    /// trading date (per the symbol's calendar). Bars that cannot be built are skipped and logged.
    /// </summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    public static CandleChunk Parse(byte[] body, Symbol symbol, FinnhubResolution resolution, ILogger logger)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new CandleChunk(false, [], 0, "the answer is not a JSON object");
        }

        var status = root.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        if (string.Equals(status, "no_data", StringComparison.Ordinal))
        {
            return new CandleChunk(true, [], 0, null);
        }

        if (!string.Equals(status, "ok", StringComparison.Ordinal))
        {
            return new CandleChunk(false, [], 0, $"unexpected status s='{status ?? "(missing)"}'");
        }

        if (!TryArray(root, "t", out var t) || !TryArray(root, "o", out var o) || !TryArray(root, "h", out var h)
            || !TryArray(root, "l", out var l) || !TryArray(root, "c", out var c) || !TryArray(root, "v", out var v))
        {
            return new CandleChunk(false, [], 0, "an array among t, o, h, l, c, v is missing");
        }

        var n = t.GetArrayLength();
        if (o.GetArrayLength() != n || h.GetArrayLength() != n || l.GetArrayLength() != n || c.GetArrayLength() != n || v.GetArrayLength() != n)
        {
            return new CandleChunk(false, [], 0, string.Create(
                CultureInfo.InvariantCulture,
                $"the arrays differ in length (t={n}, o={o.GetArrayLength()}, h={h.GetArrayLength()}, l={l.GetArrayLength()}, c={c.GetArrayLength()}, v={v.GetArrayLength()})"));
        }

        var bars = new List<Bar>(n);
        var skipped = 0;
        for (var i = 0; i < n; i++)
        {
            var te = t[i];
            if (te.ValueKind != JsonValueKind.Number || !te.TryGetInt64(out var seconds) || seconds < 0 || seconds > 7_258_118_400L)
            {
                skipped++;
                FinnhubLogEvents.LogHistoryBarSkipped(logger, symbol.Ticker, -1, $"t[{i}] is not a time in epoch seconds", null);
                continue;
            }

            if (!JsonDecimal.TryRead(o[i], out var open) || !JsonDecimal.TryRead(h[i], out var high)
                || !JsonDecimal.TryRead(l[i], out var low) || !JsonDecimal.TryRead(c[i], out var close)
                || !JsonDecimal.TryRead(v[i], out var volume))
            {
                skipped++;
                FinnhubLogEvents.LogHistoryBarSkipped(logger, symbol.Ticker, seconds, $"a value at index {i} is not a number", null);
                continue;
            }

            var stamp = DateTime.UnixEpoch.AddSeconds(seconds);
            var (start, end) = resolution.IsDaily
                ? DailySpan(symbol, stamp)
                : (stamp, stamp + resolution.Timeframe.Duration);
            try
            {
                bars.Add(new Bar(symbol, start, end, open, high, low, close, volume));
            }
            catch (ArgumentException e)
            {
                skipped++;
                FinnhubLogEvents.LogHistoryBarSkipped(logger, symbol.Ticker, seconds, e.Message, null);
            }
        }

        return new CandleChunk(false, bars, skipped, null);
    }

    /// <summary>
    /// The regular session of a daily candle's trading date. Finnhub has stamped daily candles at 00:00 UTC of the date,
    /// at midnight New York, and at the New York open (finnhubio/Finnhub-API#449): a stamp at exactly 00:00 UTC names its
    /// UTC date, any other its exchange-local date.
    /// </summary>
    public static (DateTime Start, DateTime End) DailySpan(Symbol symbol, DateTime stamp)
    {
        var calendar = MarketCalendars.For(symbol);
        var date = stamp.TimeOfDay == TimeSpan.Zero
            ? DateOnly.FromDateTime(stamp)
            : DateOnly.FromDateTime(calendar.ToExchangeTime(stamp));
        if (calendar.GetSession(date) is { } session)
        {
            return (session.RegularOpen, session.RegularClose);
        }

        // A candle on a day the calendar says is closed: keep it, spanning the exchange-local day.
        var dayStart = calendar.ToUtc(date.ToDateTime(TimeOnly.MinValue));
        return (dayStart, calendar.ToUtc(date.AddDays(1).ToDateTime(TimeOnly.MinValue)));
    }

    private static bool TryArray(JsonElement root, string name, out JsonElement array) =>
        root.TryGetProperty(name, out array) && array.ValueKind == JsonValueKind.Array;
}
