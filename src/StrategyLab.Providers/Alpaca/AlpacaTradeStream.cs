using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StrategyLab.Core.Data;
using StrategyLab.Providers.Streaming;

namespace StrategyLab.Providers.Alpaca;

/// <summary>A <c>trade_updates</c> event, as read from the stream.</summary>
/// <param name="ReceivedUtc">When it arrived.</param>
/// <param name="Update">The event.</param>
public sealed record AlpacaTradeUpdateEvent(DateTime ReceivedUtc, AlpacaTradeUpdate Update) : MarketEvent(ReceivedUtc);

/// <summary>
/// The stream is listening again after a gap. Alpaca does not replay what happened meanwhile: the receiver must reconcile
/// (<see cref="AlpacaTradingClient.ListOrdersChangedSinceAsync"/>) from <see cref="LastEventUtc"/>. Every event that
/// arrives on the new connection comes after this one in the channel.
/// </summary>
/// <param name="ReceivedUtc">When the new connection started listening.</param>
/// <param name="LastEventUtc">Alpaca's timestamp of the last event seen before the gap; null when none was ever seen.</param>
/// <param name="Connection">The connection's number (2 for the first reconnect).</param>
public sealed record AlpacaStreamReconnectedEvent(DateTime ReceivedUtc, DateTime? LastEventUtc, int Connection) : MarketEvent(ReceivedUtc);

/// <summary>
/// The <c>trade_updates</c> stream: authenticates (<c>authenticate</c> with <c>key_id</c>/<c>secret_key</c>), listens,
/// parses every event (text or binary frames: paper sends binary) into <see cref="AlpacaTradeUpdateEvent"/>s, reconnects
/// with back-off through <see cref="ReconnectingWebSocket"/>, and after each reconnect puts an
/// <see cref="AlpacaStreamReconnectedEvent"/> in <see cref="Events"/> (before any event of the new connection). Connection
/// changes come as <see cref="ConnectionEvent"/>s in the same channel.
/// </summary>
/// <remarks>
/// The stream is silent while no order changes, so there is no silence watchdog here (a dead socket is found by the
/// transport). Keys go only into the auth message and are redacted from every log.
/// </remarks>
public sealed class AlpacaTradeStream : IAsyncDisposable, IWebSocketSessionHandler
{
    private readonly AlpacaOptions _options;
    private readonly ILogger _logger;
    private readonly SecretRedactor _redactor;
    private readonly Channel<MarketEvent> _events = Channel.CreateUnbounded<MarketEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly HandshakeInbox<(string Stream, string? Status, string? Message)> _inbox = new();
    private readonly ReconnectingWebSocket _socket;
    private long _lastEventTicks;
    private long _gapStartTicks;
    private int _listens;

    /// <summary>Creates the stream; nothing happens until <see cref="StartAsync"/>.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    public AlpacaTradeStream(AlpacaOptions options, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _options = options;
        _logger = logger;
        _redactor = options.CreateRedactor();
        _socket = new ReconnectingWebSocket(
            "alpaca-trade-updates", options.EffectiveTradeStreamUrl, this, _events.Writer, options.Stream, _redactor, logger, time ?? TimeProvider.System);
    }

    /// <summary>Trade updates, reconnect signals and connection changes, in arrival order; completed when the stream stops.</summary>
    public ChannelReader<MarketEvent> Events => _events.Reader;

    /// <summary>Alpaca's timestamp of the last trade update seen (null before the first).</summary>
    public DateTime? LastEventUtc => Interlocked.Read(ref _lastEventTicks) is var t and > 0 ? new DateTime(t, DateTimeKind.Utc) : null;

    /// <summary>Connections that authenticated and listened.</summary>
    public int Listens => Volatile.Read(ref _listens);

    /// <summary>True while connected and listening.</summary>
    public bool IsConnected => _socket.IsConnected;

    /// <summary>Connects, authenticates and listens; returns when the first connection listens.</summary>
    /// <exception cref="FeedAuthenticationException">Alpaca refused the keys.</exception>
    public Task StartAsync(CancellationToken cancellationToken) => _socket.StartAsync(cancellationToken);

    /// <summary>Closes the stream (no reconnect); <see cref="Events"/> completes.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _socket.StopAsync(cancellationToken);

    /// <summary>Stops and releases the stream.</summary>
    public ValueTask DisposeAsync() => _socket.DisposeAsync();

    void IWebSocketSessionHandler.OnSocketOpened()
    {
        _inbox.Open();
        Interlocked.Exchange(ref _gapStartTicks, Interlocked.Read(ref _lastEventTicks));
    }

    async Task IWebSocketSessionHandler.OnConnectedAsync(WebSocketSender sender, CancellationToken cancellationToken)
    {
        var auth = "{\"action\":\"authenticate\",\"data\":{\"key_id\":\"" + JsonEncodedText.Encode(_options.KeyId) +
                   "\",\"secret_key\":\"" + JsonEncodedText.Encode(_options.SecretKey) + "\"}}";
        await _inbox.SendAsync(t => sender.SendTextAsync(auth, t), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var reply = await _inbox.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Stream != "authorization")
            {
                continue;
            }

            if (reply.Status == "authorized")
            {
                break;
            }

            throw new FeedAuthenticationException(
                $"Alpaca refused the keys on the trade_updates stream: {_redactor.Redact(reply.Message ?? reply.Status)}. Check {AlpacaOptions.KeyIdVariable} and " +
                $"{AlpacaOptions.SecretKeyVariable} (not shown here), and that paper keys go to the paper URL and live keys to the live one.");
        }

        await _inbox.SendAsync(t => sender.SendTextAsync("{\"action\":\"listen\",\"data\":{\"streams\":[\"trade_updates\"]}}", t), cancellationToken)
            .ConfigureAwait(false);
        while ((await _inbox.ReceiveAsync(cancellationToken).ConfigureAwait(false)).Stream != "listening")
        {
        }

        _inbox.Close();
        AlpacaLogEvents.LogStreamAuthorized(_logger, _redactor.Redact(_options.EffectiveTradeStreamUrl), null);
    }

    void IWebSocketSessionHandler.OnFrame(ReadOnlySpan<byte> utf8, DateTime receivedUtc)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            var stream = AlpacaWire.String(root, "stream");
            root.TryGetProperty("data", out var data);
            switch (stream)
            {
                case "trade_updates":
                    var update = AlpacaWire.TradeUpdate(data);
                    if (update.TimestampUtc.Ticks > Interlocked.Read(ref _lastEventTicks))
                    {
                        Interlocked.Exchange(ref _lastEventTicks, update.TimestampUtc.Ticks);
                    }

                    _events.Writer.TryWrite(new AlpacaTradeUpdateEvent(receivedUtc, update));
                    break;
                case "authorization":
                    _inbox.TryPost((stream, AlpacaWire.String(data, "status"), AlpacaWire.String(data, "message")));
                    break;
                case "listening":
                    // In the read loop, so the signal precedes every event of this connection.
                    var number = Interlocked.Increment(ref _listens);
                    if (number > 1)
                    {
                        var gap = Interlocked.Read(ref _gapStartTicks);
                        DateTime? last = gap > 0 ? new DateTime(gap, DateTimeKind.Utc) : null;
                        AlpacaLogEvents.LogStreamReconnected(_logger, number, last?.ToString("O") ?? "(no event yet)", null);
                        _events.Writer.TryWrite(new AlpacaStreamReconnectedEvent(receivedUtc, last, number));
                    }

                    _inbox.TryPost((stream, null, null));
                    break;
                default:
                    break;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            AlpacaLogEvents.LogFrameMalformed(_logger, _redactor.Redact(e.Message), _redactor.Excerpt(utf8), null);
        }
    }

    bool IWebSocketSessionHandler.IsSilenceSignificant(DateTime utcNow) => false;
}
