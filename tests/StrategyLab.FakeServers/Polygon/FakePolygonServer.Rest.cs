using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StrategyLab.FakeServers.Polygon;

// REST: /v2/aggs/ticker/{ticker}/range/..., with the key checks, next_url pages and the per-minute limit (429).
public sealed partial class FakePolygonServer
{
    private async Task HandleAggsAsync(HttpContext context)
    {
        var request = context.Request;
        var queryKey = request.Query["apiKey"].ToString();
        var header = request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..].Trim() : string.Empty;
        var style = bearer.Length > 0 ? FakePolygonAuthStyle.Bearer : queryKey.Length > 0 ? FakePolygonAuthStyle.QueryApiKey : FakePolygonAuthStyle.None;
        var hasCursor = request.Query.ContainsKey("cursor");
        string? ticker = null;
        long? fromMs = null, toMs = null;
        var results = 0;
        int status;
        string body;
        if (!IsValidKey(style == FakePolygonAuthStyle.Bearer ? bearer : queryKey))
        {
            (status, body) = (401, UnknownKeyBody);
        }
        else if (Faults.TakeRateLimit() || !TakeRateToken())
        {
            Interlocked.Increment(ref _rateLimited);
            (status, body) = (429, RateLimitBody);
        }
        else if (Faults.TakeServerError())
        {
            (status, body) = (502, "{\"status\":\"ERROR\",\"request_id\":\"fake-502\",\"error\":\"Bad gateway\"}");
        }
        else if (Faults.NotEntitled)
        {
            (status, body) = (403, NotEntitledBody);
        }
        else
        {
            (status, body, ticker, fromMs, toMs, results) = Aggregates(request);
        }

        _restLog.Enqueue(new FakePolygonRestRequest(
            request.Path.Value ?? string.Empty, request.QueryString.Value ?? string.Empty, style, status, ticker, fromMs, toMs, results, hasCursor));
        await WriteJsonAsync(context, status, body).ConfigureAwait(false);
        _signal.Pulse();
    }

    private (int Status, string Body, string? Ticker, long? From, long? To, int Results) Aggregates(HttpRequest request)
    {
        // /v2/aggs/ticker/{ticker}/range/{multiplier}/{timespan}/{from}/{to}
        var parts = (request.Path.Value ?? string.Empty)[AggsPrefix.Length..].Split('/');
        if (parts.Length != 6 || parts[1] != "range" || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var multiplier) || multiplier < 1)
        {
            return (400, "{\"status\":\"ERROR\",\"request_id\":\"fake-400\",\"error\":\"Could not parse the path.\"}", null, null, null, 0);
        }

        var ticker = Uri.UnescapeDataString(parts[0]);
        var timespan = parts[3];
        if (!TryTime(parts[4], endOfDay: false, out var from) || !TryTime(parts[5], endOfDay: true, out var to))
        {
            return (400, "{\"status\":\"ERROR\",\"request_id\":\"fake-400\",\"error\":\"Could not parse from/to.\"}", ticker, null, null, 0);
        }

        // A next_url page carries everything in its cursor.
        var query = request.Query;
        string adjustedText = query["adjusted"].ToString(), sort = query["sort"].ToString(), limitText = query["limit"].ToString();
        var offset = 0;
        if (query.TryGetValue("cursor", out var cursor))
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(cursor.ToString()));
            var fields = decoded.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty, StringComparer.Ordinal);
            offset = int.Parse(fields["offset"], CultureInfo.InvariantCulture);
            adjustedText = fields["adjusted"];
            sort = fields["sort"];
            limitText = fields["limit"];
        }

        // As the real endpoint: adjusted is optional (default true) and must be a boolean when given.
        if (adjustedText.Length > 0 && adjustedText is not ("true" or "false"))
        {
            return (400, "{\"status\":\"ERROR\",\"request_id\":\"fake-400\",\"error\":\"adjusted must be true or false.\"}", ticker, from, to, 0);
        }

        var adjusted = adjustedText != "false";
        var limit = int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 50_000) : 5000;
        IReadOnlyList<FakeAggregate> all;
        try
        {
            all = Tape.Aggregates(ticker, multiplier, timespan, from, to, adjusted);
        }
        catch (ArgumentException e)
        {
            return (400, "{\"status\":\"ERROR\",\"request_id\":\"fake-400\",\"error\":" + JsonSerializer.Serialize(e.Message) + "}", ticker, from, to, 0);
        }

        if (sort == "desc")
        {
            all = [.. all.Reverse()];
        }

        var pageSize = Math.Min(limit, Math.Max(1, _options.PageSize));
        var page = all.Skip(offset).Take(pageSize).ToList();
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("ticker", ticker);
            w.WriteNumber("queryCount", page.Count);
            w.WriteNumber("resultsCount", page.Count);
            w.WriteBoolean("adjusted", adjusted);
            if (page.Count > 0)
            {
                w.WriteStartArray("results");
                foreach (var a in page)
                {
                    w.WriteStartObject();
                    w.WriteNumber("v", a.Volume);
                    w.WriteNumber("vw", a.Vwap);
                    w.WriteNumber("o", a.Open);
                    w.WriteNumber("c", a.Close);
                    w.WriteNumber("h", a.High);
                    w.WriteNumber("l", a.Low);
                    w.WriteNumber("t", a.StartMs);
                    w.WriteNumber("n", a.Trades);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteString("status", "OK");
            w.WriteString("request_id", "fake-" + Guid.NewGuid().ToString("N"));
            if (offset + page.Count < all.Count)
            {
                var next = string.Create(CultureInfo.InvariantCulture, $"offset={offset + page.Count}&adjusted={(adjusted ? "true" : "false")}&sort={(sort == "desc" ? "desc" : "asc")}&limit={limit}");
                var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(next));
                w.WriteString("next_url", $"{RestUrl.GetLeftPart(UriPartial.Authority)}{request.Path.Value}?cursor={Uri.EscapeDataString(token)}");
            }

            w.WriteEndObject();
        }

        return (200, Encoding.UTF8.GetString(buffer.WrittenSpan), ticker, from, to, page.Count);
    }

    /// <summary>A <c>from</c>/<c>to</c>: epoch ms, or <c>YYYY-MM-DD</c> (exchange-local day: its midnight, or its last ms).</summary>
    private bool TryTime(string text, bool endOfDay, out long ms)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ms))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(_options.ExchangeTimeZoneId);
            var day = endOfDay ? date.AddDays(1) : date;
            ms = FakePolygonTape.ToMs(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), zone)) - (endOfDay ? 1 : 0);
            return true;
        }

        return false;
    }

    private bool TakeRateToken() => _rateBudget.TryTake();

    private static async Task WriteJsonAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }
}
