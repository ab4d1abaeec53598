using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using StrategyLab.FakeServers.Common;

namespace StrategyLab.FakeServers.Alpaca;

/// <summary>One REST call the fake answered.</summary>
/// <param name="Method">GET, POST, PATCH, DELETE.</param>
/// <param name="Path">The path, e.g. <c>/v2/orders</c>.</param>
/// <param name="Query">The raw query string.</param>
/// <param name="Status">The status answered.</param>
public sealed record FakeAlpacaRequest(string Method, string Path, string Query, int Status);

/// <summary>
/// A loopback fake of Alpaca (Kestrel on 127.0.0.1, random port, everything on one port) following
/// <c>shared/docs/protocols.md</c> §3: the trading REST API (<c>/v2/account</c>, <c>/v2/orders</c> with submit, list,
/// by id, <c>:by_client_order_id</c>, replace, cancel one/all; <c>/v2/positions</c> list/get/close one/all;
/// <c>/v2/clock</c>, <c>/v2/calendar</c>), both APCA headers required (401 otherwise), Alpaca's error bodies (422 40010001 for a duplicate
/// <c>client_order_id</c>), the <c>trade_updates</c> stream on <c>/stream</c> (binary frames by default), the market
/// data stream on <c>/v2/{feed}</c> and <c>/v1beta3/crypto/{loc}</c>, and historical bars. Orders fill from the price
/// path the test pushes (<see cref="PushPrice"/>); <see cref="Faults"/> script the failures.
/// </summary>
public sealed partial class FakeAlpacaServer : IAsyncDisposable
{
    /// <summary>Alpaca's message for a duplicate <c>client_order_id</c> (with code 40010001, HTTP 422).</summary>
    public const string DuplicateClientOrderIdMessage = "client_order_id must be unique";

    private readonly FakeAlpacaOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<BookOrder> _orders = [];
    private readonly Dictionary<string, (decimal Qty, decimal Avg)> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _lastPrices = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeAlpacaRequest> _requests = new();
    private readonly Queue<long> _rateWindow = new();
    private readonly StateSignal _signal = new();
    private readonly CancellationTokenSource _shutdown = new();
    private WebApplication? _app;
    private decimal _cash;
    private long _idCounter;
    private long _lastStamp;

    private FakeAlpacaServer(FakeAlpacaOptions options)
    {
        _options = options;
        _time = options.TimeProvider;
        _cash = options.StartingCash;
    }

    /// <summary>The trading REST base: <c>http://127.0.0.1:PORT</c> (paths under <c>/v2</c>).</summary>
    public Uri TradingUrl { get; private set; } = null!;

    /// <summary>The <c>trade_updates</c> stream: <c>ws://127.0.0.1:PORT/stream</c>.</summary>
    public Uri TradeStreamUrl { get; private set; } = null!;

    /// <summary>The market data REST base: <c>http://127.0.0.1:PORT</c> (same port).</summary>
    public Uri DataUrl => TradingUrl;

    /// <summary>The market data stream base: <c>ws://127.0.0.1:PORT</c> (append <c>/v2/iex</c> or <c>/v1beta3/crypto/us</c>).</summary>
    public Uri DataStreamUrl { get; private set; } = null!;

    /// <summary>Fault switches.</summary>
    public FakeAlpacaFaults Faults { get; } = new();

    /// <summary>Every REST call answered, in order.</summary>
    public IReadOnlyList<FakeAlpacaRequest> Requests => [.. _requests];

    /// <summary>Every order (legs included), in submission order.</summary>
    public IReadOnlyList<FakeAlpacaOrder> Orders
    {
        get
        {
            lock (_gate)
            {
                return [.. _orders.Select(o => o.Snapshot())];
            }
        }
    }

    /// <summary>The positions (symbol → signed quantity), non-zero only.</summary>
    public IReadOnlyDictionary<string, decimal> Positions
    {
        get
        {
            lock (_gate)
            {
                return _positions.Where(p => p.Value.Qty != 0).ToDictionary(p => p.Key, p => p.Value.Qty, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The account's cash.</summary>
    public decimal Cash
    {
        get
        {
            lock (_gate)
            {
                return _cash;
            }
        }
    }

    /// <summary>Starts a fake on 127.0.0.1 with a random port.</summary>
    public static async Task<FakeAlpacaServer> StartAsync(FakeAlpacaOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new FakeAlpacaServer(options ?? new FakeAlpacaOptions());
        (server._app, var port) = await LoopbackWebHost.StartAsync(server.HandleAsync, cancellationToken).ConfigureAwait(false);
        server.TradingUrl = new Uri($"http://127.0.0.1:{port}");
        server.TradeStreamUrl = new Uri($"ws://127.0.0.1:{port}/stream");
        server.DataStreamUrl = new Uri($"ws://127.0.0.1:{port}");
        return server;
    }

    /// <summary>Returns once <paramref name="condition"/> holds; re-checked after every change of the server's state.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/> (default 10 s).</exception>
    public Task WaitUntilAsync(Func<FakeAlpacaServer, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return _signal.WaitUntilAsync(() => condition(this), timeout ?? TimeSpan.FromSeconds(10), Describe, cancellationToken);
    }

    /// <summary>Stops the server and drops every socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        AbortTradeStreams();
        AbortDataStreams();
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _shutdown.Dispose();
    }

    private string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"orders=[{string.Join("; ", Orders.Select(o => $"{o.ClientOrderId}:{o.Status}:{o.FilledQty}/{o.Qty}"))}] " +
        $"positions=[{string.Join(", ", Positions.Select(p => p.Key + "=" + p.Value))}] tradeSockets={TradeStreamConnections} " +
        $"eventsSent={TradeEventsSent} requests={_requests.Count}");

    private DateTime Now()
    {
        // Strictly increasing timestamps, so "after T" filters are exact even when the test clock stands still.
        var ticks = _time.GetUtcNow().UtcDateTime.Ticks;
        long stamp;
        long last;
        do
        {
            last = Interlocked.Read(ref _lastStamp);
            stamp = Math.Max(ticks, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastStamp, stamp, last) != last);

        return new DateTime(stamp, DateTimeKind.Utc);
    }

    private string NewId() => string.Create(
        CultureInfo.InvariantCulture, $"00000000-0000-4000-a000-{Interlocked.Increment(ref _idCounter):x12}");

    // ---------------------------------------------------------------- routing

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (context.WebSockets.IsWebSocketRequest)
        {
            await HandleSocketRequestAsync(context, path).ConfigureAwait(false);
            return;
        }

        var (status, body, extraHeaders) = await AnswerRestAsync(context, path).ConfigureAwait(false);
        _requests.Enqueue(new FakeAlpacaRequest(context.Request.Method, path, context.Request.QueryString.Value ?? string.Empty, status));
        context.Response.StatusCode = status;
        foreach (var (name, value) in extraHeaders)
        {
            context.Response.Headers[name] = value;
        }

        if (body is not null)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.Body.WriteAsync(body).ConfigureAwait(false);
        }

        _signal.Pulse();
    }

    private async Task<(int Status, byte[]? Body, List<(string, string)> Headers)> AnswerRestAsync(HttpContext context, string path)
    {
        var headers = new List<(string, string)>();
        var request = context.Request;
        if (!Authorized(request.Headers["APCA-API-KEY-ID"], request.Headers["APCA-API-SECRET-KEY"]))
        {
            return (401, AlpacaJson.Error(40110000, "request is not authorized"), headers);
        }

        if (RateLimited(headers))
        {
            return (429, AlpacaJson.Error(42910000, "rate limit exceeded"), headers);
        }

        if (Faults.TakeFailure(out var failStatus))
        {
            return (failStatus, failStatus == 429 ? AlpacaJson.Error(42910000, "rate limit exceeded") : AlpacaJson.Error(50010000, "internal server error"), headers);
        }

        JsonElement? json = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(request.Body).ConfigureAwait(false);
                json = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                return (400, AlpacaJson.Error(40010000, "request body format is invalid"), headers);
            }
        }

        var method = request.Method;
        var q = request.Query;
        var (status, body) = (method, path) switch
        {
            ("GET", "/v2/account") => Account(),
            ("GET", "/v2/clock") => Clock(),
            ("GET", "/v2/calendar") => Calendar(q["start"], q["end"]),
            ("GET", "/v2/positions") => ListPositions(),
            ("DELETE", "/v2/positions") => CloseAllPositions(),
            ("GET", _) when path.StartsWith("/v2/positions/", StringComparison.Ordinal) => GetPosition(Unescape(path, "/v2/positions/")),
            ("DELETE", _) when path.StartsWith("/v2/positions/", StringComparison.Ordinal) => ClosePosition(Unescape(path, "/v2/positions/")),
            ("POST", "/v2/orders") => await SubmitAsync(json).ConfigureAwait(false),
            ("GET", "/v2/orders") => ListOrders(q),
            ("DELETE", "/v2/orders") => CancelAll(),
            ("GET", "/v2/orders:by_client_order_id") => ByClientOrderId(q["client_order_id"]),
            ("GET", _) when path.StartsWith("/v2/orders/", StringComparison.Ordinal) => GetOrder(Unescape(path, "/v2/orders/"), q["nested"] == "true"),
            ("PATCH", _) when path.StartsWith("/v2/orders/", StringComparison.Ordinal) => Replace(Unescape(path, "/v2/orders/"), json),
            ("DELETE", _) when path.StartsWith("/v2/orders/", StringComparison.Ordinal) => Cancel(Unescape(path, "/v2/orders/")),
            ("GET", _) when IsBarsPath(path) => Bars(path, q),
            _ => (404, AlpacaJson.Error(40410000, "endpoint not found")),
        };
        return (status, body, headers);
    }

    private static string Unescape(string path, string prefix) => Uri.UnescapeDataString(path[prefix.Length..]);

    private bool Authorized(string? keyId, string? secret) =>
        !string.IsNullOrEmpty(keyId) && _options.Keys.TryGetValue(keyId, out var expected) && string.Equals(expected, secret, StringComparison.Ordinal);

    private bool RateLimited(List<(string, string)> headers)
    {
        var limit = _options.RequestsPerMinute;
        if (limit <= 0)
        {
            return false;
        }

        lock (_rateWindow)
        {
            var now = _time.GetUtcNow();
            var nowTicks = now.UtcTicks;
            while (_rateWindow.Count > 0 && nowTicks - _rateWindow.Peek() >= TimeSpan.TicksPerMinute)
            {
                _rateWindow.Dequeue();
            }

            var limited = _rateWindow.Count >= limit;
            if (!limited)
            {
                _rateWindow.Enqueue(nowTicks);
            }

            var reset = _rateWindow.Count > 0 ? new DateTimeOffset(_rateWindow.Peek() + TimeSpan.TicksPerMinute, TimeSpan.Zero) : now;
            headers.Add(("X-RateLimit-Limit", limit.ToString(CultureInfo.InvariantCulture)));
            headers.Add(("X-RateLimit-Remaining", Math.Max(0, limit - _rateWindow.Count).ToString(CultureInfo.InvariantCulture)));
            headers.Add(("X-RateLimit-Reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
            return limited;
        }
    }

    // ---------------------------------------------------------------- account, clock, positions

    private (int, byte[]) Account()
    {
        lock (_gate)
        {
            var longValue = _positions.Where(p => p.Value.Qty > 0).Sum(p => p.Value.Qty * Mark(p.Key, p.Value.Avg));
            var shortValue = _positions.Where(p => p.Value.Qty < 0).Sum(p => p.Value.Qty * Mark(p.Key, p.Value.Avg));
            var equity = _cash + longValue + shortValue;
            return (200, AlpacaJson.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("id", "fake-account");
                w.WriteString("account_number", "PA0000FAKE");
                w.WriteString("status", "ACTIVE");
                w.WriteString("currency", "USD");
                w.WriteString("cash", AlpacaJson.Dec(_cash));
                w.WriteString("buying_power", AlpacaJson.Dec(Math.Max(0, _cash)));
                w.WriteString("equity", AlpacaJson.Dec(equity));
                w.WriteString("last_equity", AlpacaJson.Dec(_options.StartingCash));
                w.WriteString("portfolio_value", AlpacaJson.Dec(equity));
                w.WriteString("long_market_value", AlpacaJson.Dec(longValue));
                w.WriteString("short_market_value", AlpacaJson.Dec(shortValue));
                w.WriteString("multiplier", "1");
                w.WriteBoolean("pattern_day_trader", false);
                w.WriteBoolean("trading_blocked", false);
                w.WriteBoolean("account_blocked", false);
                w.WriteBoolean("shorting_enabled", true);
                w.WriteNumber("daytrade_count", 0);
                w.WriteEndObject();
            }));
        }
    }

    private decimal Mark(string symbol, decimal fallback) => _lastPrices.TryGetValue(symbol, out var p) ? p : fallback;

    private (int, byte[]) Clock()
    {
        var ny = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var now = TimeZoneInfo.ConvertTime(_time.GetUtcNow(), ny);
        var weekday = now.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        var open = _options.MarketOpen ?? (weekday && now.TimeOfDay >= new TimeSpan(9, 30, 0) && now.TimeOfDay < new TimeSpan(16, 0, 0));
        var day = now.Date;
        DateTimeOffset At(DateTime d, TimeSpan t) => new(d + t, ny.GetUtcOffset(d + t));
        var nextOpenDay = now.TimeOfDay < new TimeSpan(9, 30, 0) && weekday ? day : day.AddDays(1);
        while (nextOpenDay.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            nextOpenDay = nextOpenDay.AddDays(1);
        }

        var nextCloseDay = weekday && now.TimeOfDay < new TimeSpan(16, 0, 0) ? day : nextOpenDay;
        return (200, AlpacaJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("timestamp", now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture));
            w.WriteBoolean("is_open", open);
            w.WriteString("next_open", At(nextOpenDay, new TimeSpan(9, 30, 0)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            w.WriteString("next_close", At(nextCloseDay, new TimeSpan(16, 0, 0)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }));
    }

    /// <summary>Weekdays from <c>start</c> to <c>end</c> (default: the next 30 days), 09:30–16:00 New York, no holidays.</summary>
    private (int, byte[]) Calendar(string? start, string? end)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        var from = DateOnly.TryParseExact(start, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var s) ? s : today;
        var to = DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var e) ? e : from.AddDays(30);
        static bool Weekday(DateOnly d) => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        return (200, AlpacaJson.Write(w =>
        {
            w.WriteStartArray();
            for (var d = from; d <= to; d = d.AddDays(1))
            {
                if (!Weekday(d))
                {
                    continue;
                }

                var settle = d.AddDays(1);
                while (!Weekday(settle))
                {
                    settle = settle.AddDays(1);
                }

                w.WriteStartObject();
                w.WriteString("date", d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteString("open", "09:30");
                w.WriteString("close", "16:00");
                w.WriteString("session_open", "0400");
                w.WriteString("session_close", "2000");
                w.WriteString("settlement_date", settle.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }));
    }

    private void WritePosition(System.Text.Json.Utf8JsonWriter w, string symbol, decimal qty, decimal avg)
    {
        var price = Mark(symbol, avg);
        w.WriteStartObject();
        w.WriteString("asset_id", "fake-" + symbol);
        w.WriteString("symbol", symbol);
        w.WriteString("exchange", symbol.Contains('/', StringComparison.Ordinal) ? "CRYPTO" : "NASDAQ");
        w.WriteString("asset_class", symbol.Contains('/', StringComparison.Ordinal) ? "crypto" : "us_equity");
        w.WriteString("qty", AlpacaJson.Dec(qty));
        w.WriteString("qty_available", AlpacaJson.Dec(qty));
        w.WriteString("side", qty >= 0 ? "long" : "short");
        w.WriteString("avg_entry_price", AlpacaJson.Dec(avg));
        w.WriteString("market_value", AlpacaJson.Dec(qty * price));
        w.WriteString("cost_basis", AlpacaJson.Dec(qty * avg));
        w.WriteString("unrealized_pl", AlpacaJson.Dec(qty * (price - avg)));
        w.WriteString("current_price", AlpacaJson.Dec(price));
        w.WriteEndObject();
    }

    private (int, byte[]) ListPositions()
    {
        lock (_gate)
        {
            return (200, AlpacaJson.Write(w =>
            {
                w.WriteStartArray();
                foreach (var (symbol, (qty, avg)) in _positions.Where(p => p.Value.Qty != 0).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    WritePosition(w, symbol, qty, avg);
                }

                w.WriteEndArray();
            }));
        }
    }

    private (int, byte[]) GetPosition(string symbol)
    {
        lock (_gate)
        {
            return _positions.TryGetValue(symbol, out var p) && p.Qty != 0
                ? (200, AlpacaJson.Write(w => WritePosition(w, symbol, p.Qty, p.Avg)))
                : (404, AlpacaJson.Error(40410000, "position does not exist"));
        }
    }

    private (int, byte[]) ClosePosition(string symbol)
    {
        lock (_gate)
        {
            if (!_positions.TryGetValue(symbol, out var p) || p.Qty == 0)
            {
                return (404, AlpacaJson.Error(40410000, "position does not exist"));
            }

            var order = CreateOrder(symbol, p.Qty > 0 ? "sell" : "buy", "market", "day", Math.Abs(p.Qty), null, null, null, null, "close-" + NewId(), string.Empty, null, null);
            return (200, AlpacaJson.Write(w => AlpacaJson.Order(w, order, nested: true)));
        }
    }

    private (int, byte[]) CloseAllPositions()
    {
        lock (_gate)
        {
            var symbols = _positions.Where(p => p.Value.Qty != 0).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
            var orders = symbols.Select(s => (s, ClosePosition(s).Item2)).ToList();
            return (207, AlpacaJson.Write(w =>
            {
                w.WriteStartArray();
                foreach (var (symbol, body) in orders)
                {
                    w.WriteStartObject();
                    w.WriteString("symbol", symbol);
                    w.WriteNumber("status", 200);
                    w.WritePropertyName("body");
                    w.WriteRawValue(body);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
        }
    }
}
