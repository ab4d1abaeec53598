using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Domain;
using StrategyLab.Providers.Json;

namespace StrategyLab.Providers.Polygon;

/// <summary>
/// How a timeframe is fetched: Polygon's base aggregates (<c>1/second</c> or <c>1/minute</c>), resampled locally when
/// the timeframe is longer. Polygon's own multi-unit bars (<c>1/hour</c>, <c>1/day</c>) are clock-aligned (an hour bar is
/// 09:00–10:00 and mixes pre-market with the open); this engine's bars are session-aligned (09:30–10:30), so every longer
/// timeframe is built from base bars on the calendar's grid. Since <c>limit</c> counts base aggregates scanned, asking
/// for base bars costs no extra calls.
/// </summary>
/// <param name="Timespan">The <c>timespan</c> path segment: <c>second</c> or <c>minute</c>.</param>
/// <param name="BaseTimeframe">The length of the bars fetched (1s or 1m).</param>
/// <param name="Resampled">True when the bars fetched are combined into the asked timeframe.</param>
internal readonly record struct PolygonAggregatePlan(string Timespan, Timeframe BaseTimeframe, bool Resampled)
{
    /// <summary>The plan for <paramref name="timeframe"/>.</summary>
    public static PolygonAggregatePlan For(Timeframe timeframe) => timeframe.IsSeconds
        ? new("second", Timeframe.OneSecond, timeframe != Timeframe.OneSecond)
        : new("minute", Timeframe.OneMinute, timeframe != Timeframe.OneMinute);
}

/// <summary>One page of an aggregates answer.</summary>
/// <param name="Status">The answer's <c>status</c> (<c>OK</c>, <c>DELAYED</c>, <c>ERROR</c>, …), when present.</param>
/// <param name="Bars">The bars of the page, in the answer's order.</param>
/// <param name="Skipped">Results that could not be turned into bars.</param>
/// <param name="NextUrl">The <c>next_url</c>, when more pages exist.</param>
/// <param name="Problem">Why the page as a whole is unusable (null when fine).</param>
internal readonly record struct AggregatePage(string? Status, IReadOnlyList<Bar> Bars, int Skipped, string? NextUrl, string? Problem);

/// <summary>Reads <c>/v2/aggs</c> answers into exact-decimal bars.</summary>
internal static class PolygonAggregates
{
    private const long MaxTimeMs = 7_258_118_400_000L;

    /// <summary>
    /// Reads one page. <c>t</c> is the bar start in epoch ms, the bar lasts <paramref name="barLength"/>; <c>n</c> becomes the
    /// trade count and <c>vw</c> the VWAP. A missing <c>results</c> is an empty page. Bars that cannot be built are skipped and logged.
    /// </summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    public static AggregatePage Parse(byte[] body, Symbol symbol, Timeframe barLength, ILogger logger)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new AggregatePage(null, [], 0, null, "the answer is not a JSON object");
        }

        var status = root.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString() : null;
        var next = root.TryGetProperty("next_url", out var nu) && nu.ValueKind == JsonValueKind.String && nu.GetString() is { Length: > 0 } n ? n : null;
        if (!root.TryGetProperty("results", out var results) || results.ValueKind == JsonValueKind.Null)
        {
            return new AggregatePage(status, [], 0, next, null);
        }

        if (results.ValueKind != JsonValueKind.Array)
        {
            return new AggregatePage(status, [], 0, null, "'results' is not an array");
        }

        var bars = new List<Bar>(results.GetArrayLength());
        var skipped = 0;
        var index = 0;
        foreach (var r in results.EnumerateArray())
        {
            if (TryBar(r, symbol, barLength, out var bar, out var time, out var problem))
            {
                bars.Add(bar);
            }
            else
            {
                skipped++;
                PolygonLogEvents.LogHistoryBarSkipped(logger, symbol.Ticker, time, $"results[{index}]: {problem}", null);
            }

            index++;
        }

        return new AggregatePage(status, bars, skipped, next, null);
    }

    private static bool TryBar(JsonElement r, Symbol symbol, Timeframe barLength, out Bar bar, out long time, out string problem)
    {
        bar = default;
        time = -1;
        if (r.ValueKind != JsonValueKind.Object)
        {
            problem = "not a JSON object";
            return false;
        }

        if (!r.TryGetProperty("t", out var t) || t.ValueKind != JsonValueKind.Number || !t.TryGetInt64(out time) || time < 0 || time > MaxTimeMs)
        {
            problem = "'t' is not a time in epoch milliseconds";
            return false;
        }

        if (!Number(r, "o", out var open) || !Number(r, "h", out var high) || !Number(r, "l", out var low)
            || !Number(r, "c", out var close) || !Number(r, "v", out var volume))
        {
            problem = "one of o, h, l, c, v is missing or not a number";
            return false;
        }

        decimal? vwap = Number(r, "vw", out var vw) ? vw : null;
        int? trades = r.TryGetProperty("n", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var count) && count >= 0 ? count : null;
        var start = DateTime.UnixEpoch.AddTicks(time * TimeSpan.TicksPerMillisecond);
        try
        {
            bar = new Bar(symbol, start, start + barLength.Duration, open, high, low, close, volume, trades, vwap);
            problem = string.Empty;
            return true;
        }
        catch (ArgumentException e)
        {
            problem = "inconsistent bar: " + e.Message.Split(" (Parameter")[0];
            return false;
        }
    }

    private static bool Number(JsonElement r, string name, out decimal value)
    {
        value = 0;
        return r.TryGetProperty(name, out var e) && JsonDecimal.TryRead(e, out value);
    }
}
