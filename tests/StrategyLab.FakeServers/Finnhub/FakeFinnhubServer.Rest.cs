using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace StrategyLab.FakeServers.Finnhub;

// REST: /api/v1/quote and /api/v1/stock/candle, with both auth styles, the per-minute limit (429) and the premium switch.
public sealed partial class FakeFinnhubServer
{
    private async Task HandleRestAsync(HttpContext context, Func<HttpContext, Task<(int Status, string Body)>> handler)
    {
        var request = context.Request;
        var queryKey = request.Query["token"].ToString();
        var headerKey = request.Headers["X-Finnhub-Token"].ToString();
        var style = !string.IsNullOrEmpty(headerKey) ? FakeAuthStyle.Header : !string.IsNullOrEmpty(queryKey) ? FakeAuthStyle.Query : FakeAuthStyle.None;
        int status;
        string body;
        if (!IsValidKey(style == FakeAuthStyle.Header ? headerKey : queryKey))
        {
            (status, body) = (401, InvalidKeyBody);
        }
        else if (!TakeRateToken())
        {
            Interlocked.Increment(ref _rateLimited);
            (status, body) = (429, RateLimitBody);
        }
        else
        {
            (status, body) = await handler(context).ConfigureAwait(false);
        }

        _restLog.Enqueue(new FakeRestRequest(request.Path.Value ?? string.Empty, request.QueryString.Value ?? string.Empty, style, status));
        await WriteJsonAsync(context, status, body).ConfigureAwait(false);
        _signal.Pulse();
    }

    private bool TakeRateToken() => _rateBudget.TryTake();

    private Task<(int, string)> QuoteAsync(HttpContext context)
    {
        var symbol = context.Request.Query["symbol"].ToString();
        if (string.IsNullOrEmpty(symbol))
        {
            return Task.FromResult((422, "{\"error\":\"Missing symbol\"}"));
        }

        var quote = Tape.Quote(symbol);
        if (quote is null)
        {
            return Task.FromResult((200, "{\"c\":0,\"d\":null,\"dp\":null,\"h\":0,\"l\":0,\"o\":0,\"pc\":0,\"t\":0}"));
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("c", quote.Current);
            WriteNullable(w, "d", quote.Change);
            WriteNullable(w, "dp", quote.ChangePercent);
            w.WriteNumber("h", quote.High);
            w.WriteNumber("l", quote.Low);
            w.WriteNumber("o", quote.Open);
            w.WriteNumber("pc", quote.PreviousClose);
            w.WriteNumber("t", quote.TimeSeconds);
            w.WriteEndObject();
        }

        return Task.FromResult((200, Encoding.UTF8.GetString(buffer.WrittenSpan)));
    }

    private Task<(int, string)> CandleAsync(HttpContext context)
    {
        if (_options.CandlesRequirePremium)
        {
            return Task.FromResult((_options.PremiumDeniedStatus, PremiumBody));
        }

        var q = context.Request.Query;
        var symbol = q["symbol"].ToString();
        var resolution = q["resolution"].ToString();
        if (string.IsNullOrEmpty(symbol)
            || !long.TryParse(q["from"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var from)
            || !long.TryParse(q["to"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var to))
        {
            return Task.FromResult((422, "{\"error\":\"Wrong query: symbol, resolution, from and to are required\"}"));
        }

        IReadOnlyList<FakeCandle> candles;
        try
        {
            candles = Tape.Candles(symbol, resolution, from, to);
        }
        catch (ArgumentException)
        {
            return Task.FromResult((422, "{\"error\":\"Wrong resolution\"}"));
        }

        if (candles.Count == 0)
        {
            return Task.FromResult((200, "{\"s\":\"no_data\"}"));
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            WriteArray(w, "c", candles, c => c.Close);
            WriteArray(w, "h", candles, c => c.High);
            WriteArray(w, "l", candles, c => c.Low);
            WriteArray(w, "o", candles, c => c.Open);
            w.WriteString("s", "ok");
            w.WriteStartArray("t");
            foreach (var c in candles)
            {
                w.WriteNumberValue(c.StartSeconds);
            }

            w.WriteEndArray();
            WriteArray(w, "v", candles, c => c.Volume);
            w.WriteEndObject();
        }

        return Task.FromResult((200, Encoding.UTF8.GetString(buffer.WrittenSpan)));
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IReadOnlyList<FakeCandle> candles, Func<FakeCandle, decimal> value)
    {
        w.WriteStartArray(name);
        foreach (var c in candles)
        {
            w.WriteNumberValue(value(c));
        }

        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body).ConfigureAwait(false);
    }
}
