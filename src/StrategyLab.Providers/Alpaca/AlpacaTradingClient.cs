using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Rest;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Alpaca;

/// <summary>
/// Alpaca's trading REST API, typed: account, clock, positions (list, get, close one/all), orders (submit, get by id or
/// client order id, list, replace, cancel one/all). Both keys travel in the APCA headers only. HTTP 429 and
/// 500/502/503/504 are retried with exponential back-off and jitter (Polly, through <see cref="ProviderRestClient"/>),
/// POST included, as Alpaca's own SDK does.
/// </summary>
/// <remarks>
/// A submit is idempotent through its <c>client_order_id</c>: when Alpaca answers 422 "client_order_id must be unique"
/// (a retry of a POST that had in fact arrived, or a resend after a restart), or when the outcome is unknown (timeout,
/// network error, 5xx after every retry), the client reads the order back by client order id and returns it with
/// <see cref="AlpacaSubmitResult.AlreadySent"/> set; only when Alpaca does not know the id after an unknown outcome is it
/// sent once more (safe: a second copy would be refused as a duplicate).
/// </remarks>
public sealed class AlpacaTradingClient : IDisposable
{
    /// <summary>Alpaca's error code for a duplicate <c>client_order_id</c> (HTTP 422).</summary>
    public const int DuplicateClientOrderIdCode = 40010001;

    private readonly AlpacaRestTransport _rest;
    private readonly Uri _base;
    private readonly ILogger _logger;

    /// <summary>Creates the client.</summary>
    /// <param name="options">Keys, URLs, retries (validated here).</param>
    /// <param name="logger">Receives <c>alpaca.*</c> events (never a key).</param>
    /// <param name="time">The clock of back-offs and timeouts.</param>
    /// <param name="handler">The transport (tests); null for a default one. It must not follow redirects.</param>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public AlpacaTradingClient(AlpacaOptions options, ILogger logger, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _logger = logger;
        Redactor = options.CreateRedactor();
        _rest = new AlpacaRestTransport(options, options, Redactor, logger, time ?? TimeProvider.System, handler);
        _base = new Uri(options.EffectiveTradingUrl.AbsoluteUri.TrimEnd('/') + "/");
    }

    /// <summary>Removes both keys from any text.</summary>
    public SecretRedactor Redactor { get; }

    /// <summary><c>GET /v2/account</c>.</summary>
    /// <exception cref="AlpacaApiException">The call failed.</exception>
    public async Task<AlpacaAccount> GetAccountAsync(CancellationToken cancellationToken) =>
        AlpacaWire.Account(await GetJsonAsync("v2/account", cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v2/clock</c>.</summary>
    /// <exception cref="AlpacaApiException">The call failed.</exception>
    public async Task<AlpacaClock> GetClockAsync(CancellationToken cancellationToken) =>
        AlpacaWire.Clock(await GetJsonAsync("v2/clock", cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v2/positions</c>.</summary>
    /// <exception cref="AlpacaApiException">The call failed.</exception>
    public async Task<IReadOnlyList<AlpacaPosition>> ListPositionsAsync(CancellationToken cancellationToken)
    {
        var json = await GetJsonAsync("v2/positions", cancellationToken).ConfigureAwait(false);
        return [.. json.EnumerateArray().Select(AlpacaWire.Position)];
    }

    /// <summary><c>GET /v2/positions/{symbol}</c>; null when there is none (404).</summary>
    /// <exception cref="AlpacaApiException">The call failed otherwise.</exception>
    public async Task<AlpacaPosition?> GetPositionAsync(string symbol, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, "v2/positions/" + Uri.EscapeDataString(symbol), null, cancellationToken).ConfigureAwait(false);
        return reply.Status == HttpStatusCode.NotFound ? null : AlpacaWire.Position(Parse(Require(reply)));
    }

    /// <summary><c>DELETE /v2/positions/{symbol}</c>: closes it with a market order (returned).</summary>
    /// <exception cref="AlpacaApiException">The call failed (404: no such position).</exception>
    public async Task<AlpacaOrder> ClosePositionAsync(string symbol, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Delete, "v2/positions/" + Uri.EscapeDataString(symbol), null, cancellationToken).ConfigureAwait(false);
        return AlpacaWire.Order(Parse(Require(reply)));
    }

    /// <summary><c>DELETE /v2/positions</c>: closes every position; returns the closing orders.</summary>
    /// <exception cref="AlpacaApiException">The call failed.</exception>
    public Task<IReadOnlyList<AlpacaOrder>> CloseAllPositionsAsync(CancellationToken cancellationToken) =>
        MultiStatusAsync("v2/positions", cancellationToken);

    /// <summary>
    /// <c>POST /v2/orders</c>, idempotent by client order id (see the class remarks). A refusal (422 other than the
    /// duplicate, 403 insufficient buying power…) throws.
    /// </summary>
    /// <exception cref="AlpacaApiException">Refused, or the outcome is still unknown after the read-back.</exception>
    public async Task<AlpacaSubmitResult> SubmitOrderAsync(AlpacaOrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.ClientOrderId);
        var body = AlpacaWire.OrderBody(request);
        for (var attempt = 1; ; attempt++)
        {
            var reply = await SendAsync(HttpMethod.Post, "v2/orders", body, cancellationToken).ConfigureAwait(false);
            if (reply.Outcome == RestOutcome.Success)
            {
                return new AlpacaSubmitResult(AlpacaWire.Order(Parse(reply)), AlreadySent: false);
            }

            if (IsDuplicate(reply))
            {
                var existing = await GetOrderByClientOrderIdAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false)
                    ?? throw Fail(reply, "duplicate client_order_id, but no order has it");
                AlpacaLogEvents.LogAlreadySent(_logger, request.ClientOrderId, "duplicate client_order_id", existing.Status, null);
                return new AlpacaSubmitResult(existing, AlreadySent: true);
            }

            if (!IsOutcomeUnknown(reply))
            {
                throw Fail(reply);
            }

            // No answer, or a server error: the order may exist. Ask before sending again.
            var found = await GetOrderByClientOrderIdAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false);
            if (found is not null)
            {
                AlpacaLogEvents.LogAlreadySent(_logger, request.ClientOrderId, Redactor.Redact(reply.Detail), found.Status, null);
                return new AlpacaSubmitResult(found, AlreadySent: true);
            }

            if (attempt >= 2)
            {
                throw Fail(reply);
            }
        }
    }

    /// <summary><c>GET /v2/orders/{id}?nested=true</c>; null when Alpaca does not know it (404).</summary>
    /// <exception cref="AlpacaApiException">The call failed otherwise.</exception>
    public async Task<AlpacaOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, "v2/orders/" + Uri.EscapeDataString(orderId) + "?nested=true", null, cancellationToken).ConfigureAwait(false);
        return reply.Status == HttpStatusCode.NotFound ? null : AlpacaWire.Order(Parse(Require(reply)));
    }

    /// <summary><c>GET /v2/orders:by_client_order_id</c>; null when no order has the id (404).</summary>
    /// <exception cref="AlpacaApiException">The call failed otherwise.</exception>
    public async Task<AlpacaOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Get, "v2/orders:by_client_order_id?client_order_id=" + Uri.EscapeDataString(clientOrderId), null, cancellationToken)
            .ConfigureAwait(false);
        return reply.Status == HttpStatusCode.NotFound ? null : AlpacaWire.Order(Parse(Require(reply)));
    }

    /// <summary><c>GET /v2/orders</c> with the query's filters.</summary>
    /// <exception cref="AlpacaApiException">The call failed.</exception>
    public async Task<IReadOnlyList<AlpacaOrder>> ListOrdersAsync(AlpacaOrderQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parts = new List<string>
        {
            "status=" + Uri.EscapeDataString(query.Status),
            "limit=" + Math.Clamp(query.Limit, 1, 500).ToString(CultureInfo.InvariantCulture),
            "direction=" + (query.Ascending ? "asc" : "desc"),
            "nested=" + (query.Nested ? "true" : "false"),
        };
        if (query.AfterUtc is { } after)
        {
            parts.Add("after=" + Uri.EscapeDataString(Rfc3339(after)));
        }

        if (query.UntilUtc is { } until)
        {
            parts.Add("until=" + Uri.EscapeDataString(Rfc3339(until)));
        }

        if (query.Symbols is { Count: > 0 } symbols)
        {
            parts.Add("symbols=" + Uri.EscapeDataString(string.Join(',', symbols)));
        }

        var json = await GetJsonAsync("v2/orders?" + string.Join('&', parts), cancellationToken).ConfigureAwait(false);
        return [.. json.EnumerateArray().Select(AlpacaWire.Order)];
    }

    /// <summary>
    /// The orders that may have changed since <paramref name="sinceUtc"/> (e.g. the last <c>trade_updates</c> event seen
    /// before a gap): every order submitted after it (all statuses, paged oldest first), every order still open, and each
    /// of <paramref name="trackedOrderIds"/> not among those (fetched by id) — since Alpaca's <c>after</c> filters on the
    /// submission time, an order submitted before the gap and filled during it is only found this way. Only those whose
    /// <see cref="AlpacaOrder.UpdatedAtUtc"/> is after <paramref name="sinceUtc"/> are returned, oldest change first.
    /// </summary>
    /// <param name="sinceUtc">The time of the last event seen.</param>
    /// <param name="trackedOrderIds">Alpaca ids of orders the caller believes open (may be empty).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="AlpacaApiException">A call failed.</exception>
    public async Task<IReadOnlyList<AlpacaOrder>> ListOrdersChangedSinceAsync(
        DateTime sinceUtc, IEnumerable<string> trackedOrderIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trackedOrderIds);
        var byId = new Dictionary<string, AlpacaOrder>(StringComparer.Ordinal);
        var after = sinceUtc.AddTicks(-1); // "after" is exclusive: include an order submitted at that very instant
        while (true)
        {
            var page = await ListOrdersAsync(new AlpacaOrderQuery { Status = "all", AfterUtc = after, Ascending = true, Limit = 500 }, cancellationToken)
                .ConfigureAwait(false);
            foreach (var o in page)
            {
                byId[o.Id] = o;
            }

            if (page.Count < 500)
            {
                break;
            }

            after = page[^1].SubmittedAtUtc;
        }

        foreach (var o in await ListOrdersAsync(new AlpacaOrderQuery { Status = "open" }, cancellationToken).ConfigureAwait(false))
        {
            byId[o.Id] = o;
        }

        foreach (var id in trackedOrderIds.Where(id => !byId.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList())
        {
            if (await GetOrderAsync(id, cancellationToken).ConfigureAwait(false) is { } o)
            {
                byId[o.Id] = o;
            }
        }

        return [.. byId.Values.Where(o => o.UpdatedAtUtc > sinceUtc || o.Legs.Any(l => l.UpdatedAtUtc > sinceUtc)).OrderBy(o => o.UpdatedAtUtc)];
    }

    /// <summary><c>PATCH /v2/orders/{id}</c>: the new order (the old one becomes <c>replaced</c>).</summary>
    /// <exception cref="AlpacaApiException">Refused (e.g. already filled) or failed.</exception>
    public async Task<AlpacaOrder> ReplaceOrderAsync(string orderId, AlpacaReplaceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reply = await SendAsync(new HttpMethod("PATCH"), "v2/orders/" + Uri.EscapeDataString(orderId), AlpacaWire.ReplaceBody(request), cancellationToken)
            .ConfigureAwait(false);
        if (IsDuplicate(reply) && await GetOrderByClientOrderIdAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            AlpacaLogEvents.LogAlreadySent(_logger, request.ClientOrderId, "duplicate client_order_id on replace", existing.Status, null);
            return existing;
        }

        return AlpacaWire.Order(Parse(Require(reply)));
    }

    /// <summary>
    /// <c>DELETE /v2/orders/{id}</c>: true when the cancel was accepted (the <c>canceled</c> event follows on the stream),
    /// false when the order can no longer be canceled (422: already filled, canceled…) or is unknown (404).
    /// </summary>
    /// <exception cref="AlpacaApiException">The call failed otherwise.</exception>
    public async Task<bool> CancelOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Delete, "v2/orders/" + Uri.EscapeDataString(orderId), null, cancellationToken).ConfigureAwait(false);
        if (reply.Status is HttpStatusCode.UnprocessableEntity or HttpStatusCode.NotFound)
        {
            return false;
        }

        Require(reply);
        return true;
    }

    /// <summary><c>DELETE /v2/orders</c>: cancels every open order; returns them.</summary>
    /// <exception cref="AlpacaApiException">The call failed.</exception>
    public Task<IReadOnlyList<AlpacaOrder>> CancelAllOrdersAsync(CancellationToken cancellationToken) =>
        MultiStatusAsync("v2/orders", cancellationToken);

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => _rest.Dispose();

    /// <summary>RFC3339 UTC with 100 ns ticks.</summary>
    internal static string Rfc3339(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private async Task<IReadOnlyList<AlpacaOrder>> MultiStatusAsync(string relative, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Delete, relative, null, cancellationToken).ConfigureAwait(false);
        var json = Parse(Require(reply));
        var orders = new List<AlpacaOrder>();
        foreach (var item in json.EnumerateArray())
        {
            if (item.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Object && body.TryGetProperty("client_order_id", out _))
            {
                orders.Add(AlpacaWire.Order(body));
            }
        }

        return orders;
    }

    private async Task<JsonElement> GetJsonAsync(string relative, CancellationToken cancellationToken) =>
        Parse(Require(await SendAsync(HttpMethod.Get, relative, null, cancellationToken).ConfigureAwait(false)));

    private Task<RestReply> SendAsync(HttpMethod method, string relative, byte[]? body, CancellationToken cancellationToken)
    {
        var url = new Uri(_base, relative);
        var endpoint = method.Method + " /" + relative.Split('?')[0];
        return _rest.CallAsync(method, url, body, Redactor.Redact(endpoint), cancellationToken);
    }

    /// <summary>
    /// Alpaca's answer to a second order with the same client order id: 422, and a message naming the rule (the code,
    /// 40010001, is shared with other validation errors, so the message decides).
    /// </summary>
    private static bool IsDuplicate(RestReply reply) =>
        reply.Status == HttpStatusCode.UnprocessableEntity
        && AlpacaWire.Error(reply.Body).Message is { } message
        && message.Contains("client_order_id", StringComparison.OrdinalIgnoreCase)
        && message.Contains("unique", StringComparison.OrdinalIgnoreCase);

    private static bool IsOutcomeUnknown(RestReply reply) => reply.Outcome switch
    {
        RestOutcome.Timeout or RestOutcome.NetworkError => true,
        RestOutcome.HttpError => (int)reply.Status!.Value >= 500,
        _ => false,
    };

    private RestReply Require(RestReply reply) => reply.Outcome == RestOutcome.Success ? reply : throw Fail(reply);

    private AlpacaApiException Fail(RestReply reply, string? extra = null)
    {
        var (code, _) = AlpacaWire.Error(reply.Body);
        var text = "Alpaca " + reply.Detail + (extra is null ? string.Empty : " (" + extra + ")");
        return new AlpacaApiException(Redactor.Redact(text), reply.Status, code, IsOutcomeUnknown(reply));
    }

    private JsonElement Parse(RestReply reply)
    {
        try
        {
            using var doc = JsonDocument.Parse(reply.Body ?? []);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new AlpacaApiException($"Alpaca answered JSON that could not be read: {Redactor.Redact(e.Message)}; body: {Redactor.Excerpt(reply.Body ?? [], 200)}");
        }
    }
}
