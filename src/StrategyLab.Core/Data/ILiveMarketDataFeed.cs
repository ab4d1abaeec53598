using System.Threading.Channels;
using StrategyLab.Core.Domain;

namespace StrategyLab.Core.Data;

/// <summary>Something a live feed reports, in arrival order.</summary>
public abstract record MarketEvent(DateTime ReceivedUtc);

/// <summary>A trade print (Finnhub trades, Polygon <c>T.*</c>).</summary>
/// <param name="ReceivedUtc">When the client received it.</param>
/// <param name="Trade">The print; its <see cref="TradePrint.Id"/> is the de-duplication key.</param>
public sealed record TradeEvent(DateTime ReceivedUtc, TradePrint Trade) : MarketEvent(ReceivedUtc);

/// <summary>A bar computed by the provider (Polygon <c>AM.*</c> / <c>A.*</c>); a later event with the same start corrects it.</summary>
/// <param name="ReceivedUtc">When the client received it.</param>
/// <param name="Bar">The bar.</param>
public sealed record BarEvent(DateTime ReceivedUtc, Bar Bar) : MarketEvent(ReceivedUtc);

/// <summary>The state of a feed's connection.</summary>
public enum FeedConnectionState
{
    /// <summary>Connected, authenticated and subscribed: data flows.</summary>
    Connected,

    /// <summary>The connection was lost (drop, silence, server close); the feed is reconnecting.</summary>
    Disconnected,

    /// <summary>The feed gave up (e.g. authentication failed); no data will come.</summary>
    Failed,
}

/// <summary>A change of the connection state.</summary>
/// <param name="ReceivedUtc">When it happened.</param>
/// <param name="State">The new state.</param>
/// <param name="Reason">Why (never contains a secret).</param>
/// <param name="LastReceivedUtc">
/// For <see cref="FeedConnectionState.Disconnected"/>: when the lost connection last received anything. A socket can die
/// silently and be noticed only later, so everything after this instant may have been missed; null when unknown.
/// </param>
public sealed record ConnectionEvent(DateTime ReceivedUtc, FeedConnectionState State, string Reason, DateTime? LastReceivedUtc = null)
    : MarketEvent(ReceivedUtc);

/// <summary>A message from the provider worth surfacing (an <c>error</c> frame, a status the client did not expect).</summary>
/// <param name="ReceivedUtc">When it was received.</param>
/// <param name="Message">The provider's text (secrets removed).</param>
public sealed record ProviderNoticeEvent(DateTime ReceivedUtc, string Message) : MarketEvent(ReceivedUtc);

/// <summary>How a history request ended.</summary>
public enum HistoryStatus
{
    /// <summary>Bars returned (possibly none for a quiet range).</summary>
    Ok,

    /// <summary>The provider has no data for the range.</summary>
    NoData,

    /// <summary>The plan does not include this endpoint (e.g. Finnhub candles on a free key: 403).</summary>
    NotEntitled,

    /// <summary>Rate-limited and still limited after the retries.</summary>
    RateLimited,

    /// <summary>Any other failure (network, server error, unreadable answer).</summary>
    Failed,

    /// <summary>The provider refused the credentials (HTTP 401): a wrong or revoked key, not a plan limit.</summary>
    KeyRefused,
}

/// <summary>Bars from a provider's history endpoint, or why there are none.</summary>
/// <param name="Status">How it went.</param>
/// <param name="Bars">Bars in time order (empty unless <see cref="HistoryStatus.Ok"/>).</param>
/// <param name="Detail">A human-readable detail for logs (secrets removed).</param>
public sealed record HistoryResult(HistoryStatus Status, IReadOnlyList<Bar> Bars, string Detail)
{
    /// <summary>A failed result.</summary>
    public static HistoryResult Fail(HistoryStatus status, string detail) => new(status, [], detail);
}

/// <summary>
/// A real-time market data source (Finnhub, Polygon). It owns its connection: it reconnects with backoff,
/// re-subscribes and watches for silence by itself, and reports what happens as <see cref="MarketEvent"/>s.
/// Gap backfill is done by the caller with <see cref="GetHistoryAsync"/> after a <see cref="ConnectionEvent"/>.
/// </summary>
public interface ILiveMarketDataFeed : IAsyncDisposable
{
    /// <summary>The provider's name, e.g. <c>finnhub</c>.</summary>
    string Name { get; }

    /// <summary>The smallest bar timeframe <see cref="GetHistoryAsync"/> serves (e.g. 1m).</summary>
    Timeframe HistoryResolution { get; }

    /// <summary>Everything the feed reports, in order. Completes when the feed is disposed or failed.</summary>
    ChannelReader<MarketEvent> Events { get; }

    /// <summary>
    /// Connects, authenticates and subscribes to <paramref name="symbols"/>; returns once data can flow.
    /// </summary>
    /// <exception cref="FeedAuthenticationException">The provider refused the key (fatal: do not retry).</exception>
    Task ConnectAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken);

    /// <summary>Bars of <paramref name="timeframe"/> for [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), for warm-up and gap backfill.</summary>
    Task<HistoryResult> GetHistoryAsync(Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken);

    /// <summary>Closes the connection; no reconnect after this.</summary>
    Task DisconnectAsync(CancellationToken cancellationToken);
}

/// <summary>The provider refused the credentials. Never carries the key itself.</summary>
public sealed class FeedAuthenticationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FeedAuthenticationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public FeedAuthenticationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public FeedAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
