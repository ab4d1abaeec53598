using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StrategyLab.Core.Data;
using StrategyLab.Core.Domain;

namespace StrategyLab.Providers.Streaming;

/// <summary>
/// What the live provider feeds (<see cref="Finnhub.FinnhubFeed"/>, <see cref="Polygon.PolygonFeed"/>) share: the event
/// channel, one <see cref="ReconnectingWebSocket"/> session per feed (created on <see cref="ConnectAsync"/>), the
/// connect-once rule, disconnect and dispose. Each provider adds its subscriptions, handshake, frame parsing and history.
/// </summary>
/// <remarks>
/// <para>
/// The event channel is unbounded (nothing is ever dropped); it completes after <see cref="DisconnectAsync"/>, on
/// <see cref="DisposeAsync"/>, or after a <see cref="FeedConnectionState.Failed"/> event (e.g. the key refused on a reconnect).
/// Reconnects, back-off and the silence watchdog are the session's.
/// </para>
/// <para>Only the providers of this library derive from it.</para>
/// </remarks>
public abstract class StreamingFeed : ILiveMarketDataFeed
{
    private readonly IStreamingFeedOptions _options;
    private readonly string _displayName;
    private readonly Channel<MarketEvent> _events;
    private readonly Lock _gate = new();
    private volatile ReconnectingWebSocket? _session;
    private bool _disposed;

    /// <summary>Validates the options and creates the channel; nothing connects until <see cref="ConnectAsync"/>.</summary>
    /// <param name="providerName">The provider's name in logs and events (<see cref="Name"/>), e.g. <c>finnhub</c>.</param>
    /// <param name="displayName">The provider's name in messages, e.g. <c>Finnhub</c>; logs go to the category <c>StrategyLab.Providers.{displayName}</c>.</param>
    /// <param name="options">The provider's options (validated here).</param>
    /// <param name="loggerFactory">Where logs go (none when null).</param>
    /// <param name="timeProvider">The clock for every wait and every received time (the system clock when null).</param>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it.</exception>
    private protected StreamingFeed(
        string providerName,
        string displayName,
        IStreamingFeedOptions options,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _displayName = displayName;
        Name = providerName;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("StrategyLab.Providers." + displayName);
        Time = timeProvider ?? TimeProvider.System;
        Redactor = new SecretRedactor(options.ApiKey);
        _events = Channel.CreateUnbounded<MarketEvent>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public abstract Timeframe HistoryResolution { get; }

    /// <inheritdoc />
    public ChannelReader<MarketEvent> Events => _events.Reader;

    /// <summary>True while the stream is connected and subscribed (and authenticated, where the protocol asks for it).</summary>
    public bool IsConnected => _session?.IsConnected ?? false;

    /// <summary>The provider's logger (no log ever contains the key).</summary>
    private protected ILogger Logger { get; }

    /// <summary>The clock of every wait and every received time.</summary>
    private protected TimeProvider Time { get; }

    /// <summary>Removes the key from every text the feed logs or reports.</summary>
    private protected SecretRedactor Redactor { get; }

    /// <summary>Where the provider writes its market events and notices.</summary>
    private protected ChannelWriter<MarketEvent> EventWriter => _events.Writer;

    /// <summary>The stream's session once <see cref="ConnectAsync"/> has created it; null before.</summary>
    private protected ReconnectingWebSocket? Session => _session;

    /// <summary>
    /// Opens the stream and subscribes to <paramref name="symbols"/> (tickers as the provider spells them); returns once the
    /// first connection is up: the socket open, the provider's handshake done and every subscription sent (or confirmed,
    /// where the provider confirms them). Connection failures are retried with back-off until
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="FeedAuthenticationException">The provider refused the key; the message does not contain it.</exception>
    /// <exception cref="ArgumentException">The provider cannot stream a symbol (the message says which and why), or no symbol was given where one is needed.</exception>
    /// <exception cref="InvalidOperationException">Already connected, or disconnected/disposed (a feed connects once).</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the first connection was up.</exception>
    public async Task ConnectAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ReconnectingWebSocket session;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is not null)
            {
                throw new InvalidOperationException(
                    $"The {_displayName} feed was already connected; a feed connects once (create a new one to start again).");
            }

            PrepareSubscriptions(symbols);
            session = new ReconnectingWebSocket(
                Name, StreamEndpoint(), new SessionHandler(this), _events.Writer, _options.Stream, Redactor, Logger, Time);
            _session = session;
        }

        await session.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the stream (close frame, then abort); no reconnect after this, and <see cref="Events"/> completes.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        var session = _session;
        if (session is null)
        {
            _events.Writer.TryComplete();
            return;
        }

        await session.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public abstract Task<HistoryResult> GetHistoryAsync(
        Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken);

    /// <summary>Disconnects (see <see cref="DisconnectAsync"/>) and releases the sockets and the HTTP client.</summary>
    public async ValueTask DisposeAsync()
    {
        ReconnectingWebSocket? session;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            session = _session;
        }

        if (session is not null)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _events.Writer.TryComplete();
        ReleaseResources();
    }

    /// <summary>
    /// Checks <paramref name="symbols"/>, remembers them and builds the subscribe messages of every connection. Called once
    /// per successful <see cref="ConnectAsync"/>, under the feed's lock, before the session exists; an exception leaves the
    /// feed unconnected.
    /// </summary>
    /// <exception cref="ArgumentException">A symbol cannot be streamed by this provider.</exception>
    private protected abstract void PrepareSubscriptions(IReadOnlyList<Symbol> symbols);

    /// <summary>The stream's URL (it may carry the key: it is only ever shown redacted).</summary>
    private protected abstract Uri StreamEndpoint();

    /// <summary>A new socket is open (before its first frame and before <see cref="OnConnectedAsync"/>); by default nothing.</summary>
    private protected virtual void OnSocketOpened()
    {
    }

    /// <summary>After every connect: the provider's handshake (authenticate if needed, subscribe).</summary>
    /// <exception cref="FeedAuthenticationException">The provider refused the key: the session stops for good.</exception>
    private protected abstract Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken);

    /// <summary>One complete frame as UTF-8 (valid only during the call); logs and skips what it cannot read, never throws.</summary>
    private protected abstract void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc);

    /// <summary>Releases what the provider holds besides the session (its HTTP client); called once, on dispose.</summary>
    private protected abstract void ReleaseResources();

    /// <summary>The checks every <see cref="GetHistoryAsync"/> makes on its arguments.</summary>
    /// <exception cref="ArgumentNullException">The symbol is null.</exception>
    /// <exception cref="ArgumentException">The timeframe is the default value, or a time is not UTC.</exception>
    private protected static void CheckHistoryArguments(Symbol symbol, Timeframe timeframe, DateTime fromUtc, DateTime toUtc)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (timeframe.IsDefault)
        {
            throw new ArgumentException("A timeframe is required.", nameof(timeframe));
        }

        RequireUtc(fromUtc, nameof(fromUtc));
        RequireUtc(toUtc, nameof(toUtc));
    }

    /// <summary>
    /// The bars, in their order, whose start lies in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) and that have ended
    /// by now; <paramref name="forming"/> counts those in the range left out because they have not ended yet.
    /// </summary>
    private protected List<Bar> EndedBarsInRange(IEnumerable<Bar> bars, DateTime fromUtc, DateTime toUtc, out int forming)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var result = new List<Bar>();
        forming = 0;
        foreach (var bar in bars)
        {
            if (bar.Start < fromUtc || bar.Start >= toUtc)
            {
                continue;
            }

            if (bar.End > now)
            {
                forming++;
                continue;
            }

            result.Add(bar);
        }

        return result;
    }

    private static void RequireUtc(DateTime value, string name)
    {
        if (value.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"{name} must be a UTC instant (DateTimeKind.Utc); it was {value.Kind}.", name);
        }
    }

    /// <summary>The stream side of the feed, kept private so the feed's public surface stays the interface's.</summary>
    private sealed class SessionHandler(StreamingFeed feed) : IWebSocketSessionHandler
    {
        public void OnSocketOpened() => feed.OnSocketOpened();

        public Task OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken) =>
            feed.OnConnectedAsync(sender, cancellationToken);

        public void OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc) => feed.OnFrame(utf8, receivedUtc);

        public bool IsSilenceSignificant(DateTime utcNow) => feed._options.SilenceMatters?.Invoke(utcNow) ?? true;
    }
}
