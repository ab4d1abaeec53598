using System.Text.Json;
using Microsoft.Extensions.Logging;
using StrategyLab.Providers.Rest;

namespace StrategyLab.Providers.Alpaca;

/// <summary>
/// Alpaca's historical bars (market data v2): <c>/v2/stocks/bars</c> for stocks (feed and adjustment as set) and
/// <c>/v1beta3/crypto/us/bars</c> for crypto (symbols with a <c>/</c>), paged through <c>next_page_token</c>, retried on
/// 429 and 5xx, keys in the APCA headers.
/// </summary>
public sealed class AlpacaMarketDataClient : IDisposable
{
    private readonly AlpacaRestTransport _rest;
    private readonly AlpacaOptions _options;
    private readonly Uri _base;

    /// <summary>Creates the client.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public AlpacaMarketDataClient(AlpacaOptions options, ILogger logger, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _rest = new AlpacaRestTransport(new AlpacaDataRestOptions(options), options, options.CreateRedactor(), logger, time ?? TimeProvider.System, handler);
        _base = new Uri(options.DataUrl.AbsoluteUri.TrimEnd('/') + "/");
    }

    /// <summary>
    /// The bars of <paramref name="symbols"/> between <paramref name="startUtc"/> and <paramref name="endUtc"/> (inclusive),
    /// every page, oldest first per symbol.
    /// </summary>
    /// <param name="symbols">Stock symbols, or crypto pairs (<c>BTC/USD</c>); not both in one call.</param>
    /// <param name="timeframe">Alpaca's timeframe, e.g. <c>1Min</c>, <c>5Min</c>, <c>1Hour</c>, <c>1Day</c>.</param>
    /// <param name="startUtc">First bar start.</param>
    /// <param name="endUtc">Last bar start.</param>
    /// <param name="adjustment">Stocks: <c>raw</c> (default), <c>split</c>, <c>dividend</c> or <c>all</c>.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="AlpacaApiException">A call failed.</exception>
    public async Task<IReadOnlyList<AlpacaBar>> GetBarsAsync(
        IReadOnlyList<string> symbols, string timeframe, DateTime startUtc, DateTime endUtc, string adjustment = "raw", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (symbols.Count == 0)
        {
            return [];
        }

        var crypto = symbols.Any(s => s.Contains('/', StringComparison.Ordinal));
        var path = crypto ? "v1beta3/crypto/us/bars" : "v2/stocks/bars";
        var query = "symbols=" + Uri.EscapeDataString(string.Join(',', symbols)) + "&timeframe=" + Uri.EscapeDataString(timeframe) +
                    "&start=" + Uri.EscapeDataString(AlpacaTradingClient.Rfc3339(startUtc)) + "&end=" + Uri.EscapeDataString(AlpacaTradingClient.Rfc3339(endUtc)) +
                    "&limit=10000&sort=asc" + (crypto ? string.Empty : "&feed=" + Uri.EscapeDataString(_options.Feed) + "&adjustment=" + Uri.EscapeDataString(adjustment));
        var bars = new List<AlpacaBar>();
        string? token = null;
        do
        {
            var url = new Uri(_base, path + "?" + query + (token is null ? string.Empty : "&page_token=" + Uri.EscapeDataString(token)));
            var reply = await _rest.CallAsync(HttpMethod.Get, url, null, "GET /" + path, cancellationToken).ConfigureAwait(false);
            if (reply.Outcome != RestOutcome.Success)
            {
                var (code, _) = AlpacaWire.Error(reply.Body);
                throw new AlpacaApiException("Alpaca " + reply.Detail, reply.Status, code, outcomeUnknown: false);
            }

            using var doc = JsonDocument.Parse(reply.Body!);
            var root = doc.RootElement;
            if (root.TryGetProperty("bars", out var b) && b.ValueKind == JsonValueKind.Object)
            {
                foreach (var series in b.EnumerateObject())
                {
                    bars.AddRange(series.Value.EnumerateArray().Select(e => AlpacaWire.Bar(series.Name, e)));
                }
            }

            token = AlpacaWire.String(root, "next_page_token");
        }
        while (token is not null);

        return [.. bars.OrderBy(x => x.Symbol, StringComparer.Ordinal).ThenBy(x => x.StartUtc)];
    }

    /// <summary>Releases the HTTP client.</summary>
    public void Dispose() => _rest.Dispose();
}
